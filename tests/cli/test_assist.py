"""``spineviewer assist``: proposals written marked proposed, compared with the phantom's truth,
and refusals as one line with a nonzero status."""

import json

import numpy as np
import pytest

from spineviewer.cli import main
from spineviewer.core.annotation_file import read_annotations
from spineviewer.core.metrics import patient_metrics
from spineviewer.core.proposals import accept_all, accepted
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
        """The proposed discs lie at true discs (median distance within 3 mm, none beyond 6 mm:
        the file carries the algorithm's points unchanged, whose own tests hold each to 3 mm),
        consecutive proposals are consecutive true discs (counting from the named one is
        right), all marked proposed."""
        status, out = levels_run
        assert status == 0
        study, _ = read_annotations(out)
        truth = _truth(CASE1)["discs"]
        points = np.array([d["point_lps_mm"] for d in truth])
        nearest, gaps = [], []
        for disc in study.levels.discs:
            distances = np.linalg.norm(points - np.asarray(disc.point), axis=1)
            assert distances.min() <= 6.0, f"{disc.name} is {distances.min():.1f} mm from every true disc"
            nearest.append(int(distances.argmin()))
            gaps.append(distances.min())
            assert disc.proposed
        assert np.median(gaps) <= 3.0
        assert len(study.levels.discs) >= 8
        assert np.all(np.diff(nearest) == 1)
        offset = nearest[0] - [d.name for d in study.levels.discs].index("T1-T2")
        assert truth[offset]["name"] != "T1-T2"  # named by the reader's word, not the truth

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
