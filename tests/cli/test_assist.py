"""``spineviewer assist``: proposals written marked proposed, compared with the phantom's truth,
and refusals as one line with a nonzero status."""

import json

import numpy as np
import pytest

from spineviewer.cli import main
from spineviewer.core.annotation_file import read_annotations
from spineviewer.core.metrics import patient_metrics
from spineviewer.core.annotations import Caliper, CaliperRole, Component, CordPath, Segmentation
from spineviewer.core.levels import Disc, Extent, VertebralLevels, parse_disc_name
from spineviewer.core.loader import load_study
from spineviewer.core.masks import mask_folder, read_mask, segmentation_stack
from spineviewer.core.proposals import accept_all, accepted
from spineviewer.export.seg import read_seg
from spineviewer.phantom.lesion_truth import lesion_mask, lesion_volume_mm3
from tests.conftest import SAMPLES, write_series

CASE1 = SAMPLES / "case1-breast-t12"


def _truth(folder) -> dict:
    return json.loads((folder / "ground-truth.json").read_text())


def _run(capsys, *args) -> tuple[int, str, str]:
    status = main(["assist", *map(str, args)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def levels_run(tmp_path_factory):
    """``assist --levels`` on sample case 1 (no anchor in its field: named by --first-disc)."""
    out = tmp_path_factory.mktemp("levels") / "case1.json"
    status = main(["assist", str(CASE1), "--levels", "--first-disc", "T1-T2", "--out", str(out)])
    return status, out


class TestLevels:
    def test_discs_at_the_truth_and_counted(self, levels_run):
        """Every proposed disc is within 3 mm of a true disc, consecutive proposals are
        consecutive true discs (counting from the named one is right), all marked proposed;
        the proposed conus tip is within 5 mm of the true one."""
        status, out = levels_run
        assert status == 0
        study, _ = read_annotations(out)
        truth = _truth(CASE1)
        points = np.array([d["point_lps_mm"] for d in truth["discs"]])
        nearest = []
        for disc in study.levels.discs:
            distances = np.linalg.norm(points - np.asarray(disc.point), axis=1)
            assert distances.min() <= 3.0, f"{disc.name} is {distances.min():.1f} mm from every true disc"
            nearest.append(int(distances.argmin()))
            assert disc.proposed
        assert len(study.levels.discs) >= 8
        assert np.all(np.diff(nearest) == 1)
        offset = nearest[0] - [d.name for d in study.levels.discs].index("T1-T2")
        assert truth["discs"][offset]["name"] != "T1-T2"  # named by the reader's word, not the truth
        assert study.levels.conus_tip_proposed
        assert np.linalg.norm(np.subtract(study.levels.conus_tip, truth["conus_tip_lps_mm"])) <= 5.0

    def test_nothing_is_measured_until_accepted(self, levels_run):
        """The file's levels are proposals: accepted() has no disc; accepting them all gives
        every disc."""
        study, _ = read_annotations(levels_run[1])
        assert accepted(study).levels is not None and accepted(study).levels.discs == ()
        assert len(accept_all(study).levels.discs) == len(study.levels.discs)

    def test_no_anchor_asks_for_a_name(self, capsys, tmp_path):
        """Without an anchor in the field and without --first-disc: one line saying so, status
        1, no file."""
        status, out, err = _run(capsys, CASE1, "--levels", "--out", tmp_path / "a.json")
        assert status == 1 and not (tmp_path / "a.json").exists()
        assert err.count("\n") == 1 and "--first-disc" in err and "Traceback" not in err


class TestRefusals:
    def test_no_sagittal_series(self, capsys, tmp_path):
        """A study of one small axial series has nothing to propose levels on."""
        write_series(tmp_path / "axial", n=3, shape=(16, 16))
        status, _, err = _run(capsys, tmp_path / "axial", "--levels", "--out", tmp_path / "a.json")
        assert status == 1 and err.startswith("spineviewer assist: levels: ")
        assert "no sagittal series" in err and not (tmp_path / "a.json").exists()

    def test_nothing_asked(self, capsys, tmp_path):
        status, _, err = _run(capsys, CASE1, "--out", tmp_path / "a.json")
        assert status == 1 and "at least one proposal" in err

    def test_point_must_be_three_numbers(self, capsys, tmp_path):
        with pytest.raises(SystemExit) as exit_:
            main(["assist", str(CASE1), "--t2", "1,2", "--out", str(tmp_path / "a.json")])
        assert exit_.value.code == 2 and "X,Y,Z" in capsys.readouterr().err

    def test_output_folder_refused_before_work(self, capsys, tmp_path):
        status, _, err = _run(capsys, CASE1, "--levels", "--out", tmp_path)
        assert status == 1 and "is a folder" in err


def test_measure_counts_no_proposal(levels_run, tmp_path):
    """``spineviewer measure`` on the proposals file gives no value from them."""
    study, _ = read_annotations(levels_run[1])
    metrics = patient_metrics(study)
    assert metrics.n_lesions == 0 and metrics.max_t2_segments is None


@pytest.fixture(scope="module")
def lesion_run(tmp_path_factory):
    """``assist --t2 P --lesion P`` on sample case 1, P the true centre of its lesion; the
    study's stacks and the truth."""
    truth = _truth(CASE1)
    seed = ",".join(f"{v:g}" for v in truth["lesions"][0]["centre_lps_mm"])
    out = tmp_path_factory.mktemp("lesion") / "case1.json"
    status = main(["assist", str(CASE1), "--t2", seed, "--lesion", seed, "--out", str(out)])
    stacks = list(load_study(CASE1).iter_stacks())
    return status, out, stacks, truth


def _drawings(out, kind):
    study, _ = read_annotations(out)
    return [d for d in study.lesion(1).annotations if isinstance(d, kind)]


class TestLesion:
    def test_mask_stored_beside_and_as_seg(self, lesion_run):
        """The proposed segmentation's mask is in FILE's mask folder, and the SEG written
        beside FILE reloads to the same mask on the post-contrast series."""
        status, out, stacks, _ = lesion_run
        assert status == 0
        (drawing,) = _drawings(out, Segmentation)
        assert drawing.proposed and drawing.role is Component.ENHANCEMENT
        stack = segmentation_stack(stacks, drawing)
        assert stack is not None and stack.shape == drawing.shape
        mask = read_mask(mask_folder(out), drawing.mask_sha256, drawing.shape)
        assert int(mask.sum()) == drawing.voxels
        (seg_file,) = out.parent.glob("case1-seg-*.dcm")
        assert [(n, m.shape) for n, m in read_seg(seg_file, stack)] == [(1, mask.shape)]
        assert np.array_equal(read_seg(seg_file, stack)[0][1], mask)

    def test_mask_and_calipers_at_the_truth(self, lesion_run):
        """Against the phantom's true mask on the same grid: Dice at least 0.85, volume within
        15% of the true lesion's, SI and AP calipers within one pixel spacing of the true
        sizes."""
        _, out, stacks, truth = lesion_run
        lesion = truth["lesions"][0]
        (drawing,) = _drawings(out, Segmentation)
        stack = segmentation_stack(stacks, drawing)
        mask = read_mask(mask_folder(out), drawing.mask_sha256, drawing.shape)
        true_mask = lesion_mask(1, 1, stack)
        dice = 2 * np.sum(mask & true_mask) / (mask.sum() + true_mask.sum())
        assert dice >= 0.85
        assert drawing.volume == pytest.approx(lesion_volume_mm3(1, 1), rel=0.15)
        calipers = {c.role: c for c in _drawings(out, Caliper)}
        assert set(calipers) == {CaliperRole.SI, CaliperRole.AP}
        assert all(c.proposed for c in calipers.values())
        spacing = stack.frames[0].pixel_spacing[0]
        assert abs(calipers[CaliperRole.AP].length - lesion["ap_mm"]) <= spacing
        assert abs(calipers[CaliperRole.SI].length - lesion["si_mm"]) <= spacing

    def test_measured_only_once_accepted(self, lesion_run):
        """No value comes from the proposals; accepted, the volume is the mask's (its source the
        segmentation) and the sizes are the calipers'."""
        _, out, _, _ = lesion_run
        study, _ = read_annotations(out)
        before = patient_metrics(study).lesions[0]
        assert before.volume is None and before.si is None and before.t2_length is None
        after = patient_metrics(accept_all(study)).lesions[0]
        (drawing,) = _drawings(out, Segmentation)
        assert after.volume.value == pytest.approx(drawing.volume)
        assert after.volume.sources == (drawing.id,)
        si = next(c for c in _drawings(out, Caliper) if c.role is CaliperRole.SI)
        assert after.si.value == pytest.approx(si.length) and after.si.sources == (si.id,)


class TestT2:
    def test_path_from_the_true_top_to_the_true_bottom(self, lesion_run):
        """The proposed T2 path's ends are within half a vertebral level of the true top and
        bottom of the hyperintensity, along the midline of the cord; with the true levels its
        segment count is the true one."""
        _, out, _, truth = lesion_run
        (path,) = _drawings(out, CordPath)
        assert path.proposed and path.role is Component.T2
        t2 = truth["lesions"][0]["t2"]
        levels = _true_levels(truth)
        ends = sorted(levels.coordinate(p) for p in (path.vertices[0], path.vertices[-1]))
        assert abs(ends[0] - t2["s_top"]) <= 0.5 and abs(ends[1] - t2["s_bottom"]) <= 0.5
        assert np.all(np.abs(np.asarray(path.vertices)[:, 0]) <= 2.0)
        assert Extent(*ends).segments() == t2["segments"]


def _true_levels(truth) -> VertebralLevels:
    discs = tuple(Disc(parse_disc_name(d["name"]), tuple(d["point_lps_mm"])) for d in truth["discs"])
    return VertebralLevels(discs)


class TestSeedRefusals:
    def test_lesion_seed_outside_the_cord(self, capsys, tmp_path):
        """A lesion click in the vertebral body, 20 mm in front of the lesion: one line saying
        that there is no cord at the click, status 1, nothing written."""
        x, y, z = _truth(CASE1)["lesions"][0]["centre_lps_mm"]
        status, _, err = _run(capsys, CASE1, "--lesion", f"{x},{y - 20},{z}", "--out",
                              tmp_path / "a.json")
        assert status == 1 and err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith("spineviewer assist: lesion: ") and "cord" in err
        assert list(tmp_path.iterdir()) == []

    def test_t2_seed_outside_the_cord(self, capsys, tmp_path):
        """A T2 click in the vertebral body is refused the same way."""
        x, y, z = _truth(CASE1)["lesions"][0]["centre_lps_mm"]
        status, _, err = _run(capsys, CASE1, "--t2", f"{x},{y - 20},{z}", "--out", tmp_path / "a.json")
        assert status == 1 and err.startswith("spineviewer assist: t2: ") and "cord" in err
        assert list(tmp_path.iterdir()) == []

    def test_seed_in_no_series(self, capsys, tmp_path):
        status, _, err = _run(capsys, CASE1, "--lesion", "500,0,0", "--out", tmp_path / "a.json")
        assert status == 1 and "no post-contrast series holds the point 500,0,0" in err

    def test_negative_coordinates_are_a_point(self, capsys, tmp_path):
        """A point starting with a minus sign is read as the point, not as an option."""
        status, _, err = _run(capsys, CASE1, "--lesion", "-500,0,-3.5", "--out", tmp_path / "a.json")
        assert status == 1 and "holds the point -500,0,-3.5" in err

    def test_one_refused_the_others_written(self, capsys, tmp_path):
        """A refused lesion does not lose the T2 proposal: the file holds it, status is 1."""
        x, y, z = _truth(CASE1)["lesions"][0]["centre_lps_mm"]
        status, out, err = _run(capsys, CASE1, "--t2", f"{x},{y},{z}", "--lesion",
                                f"{x},{y - 20},{z}", "--out", tmp_path / "a.json")
        assert status == 1 and "lesion:" in err and out.startswith("t2: ")
        assert len(_drawings(tmp_path / "a.json", CordPath)) == 1
        assert _drawings(tmp_path / "a.json", Segmentation) == []
