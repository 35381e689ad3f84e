"""Proposed vertebral levels against the phantom's true discs and conus tip, and the refusals."""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

import numpy as np
import pytest
from pydicom.uid import generate_uid

from spineviewer.assist import AssistCancelled, AssistRefusal
from spineviewer.assist.levels import LevelProposal, propose_levels
from spineviewer.core.loader import load_study
from spineviewer.core.stack_geometry import stack_geometry
from spineviewer.phantom.variants import TRUTH_FILE, SagittalVariant, write_sagittal_variant
from tests.conftest import SAMPLES, write_slice

#: A proposed point this close to a true disc finds it; the target is 3 mm.
MATCH_MM, TARGET_MM, EDGE_MM = 7.0, 3.0, 8.0


def _series(folder, number: int):
    result = load_study(folder)
    return next(s for _, _, s in result.iter_series() if s.number == number)


def _truth_discs(truth: dict) -> tuple[list[str], np.ndarray]:
    return [d["name"] for d in truth["discs"]], np.array([d["point_lps_mm"] for d in truth["discs"]])


def _in_field(stacks, points: np.ndarray) -> np.ndarray:
    """True discs at least EDGE_MM inside the top and bottom edges of a station."""
    inside = np.zeros(len(points), dtype=bool)
    for stack in stacks:
        planes = stack_geometry(stack).planes
        plane = planes[len(planes) // 2]
        height = plane.to_index(points)[:, 0] * plane.spacing[0]
        inside |= (height >= EDGE_MM) & (height <= plane.rows * plane.spacing[0] - EDGE_MM)
    return inside


def _check_discs(proposal: LevelProposal, truth: dict, stacks) -> list[str]:
    """Every in-field disc found once within the target, nothing spurious; returns the true
    names of the proposed discs, cranial to caudal."""
    names, points = _truth_discs(truth)
    proposed = np.array([d.point for d in proposal.discs])
    distance = np.linalg.norm(proposed[:, None] - points[None], axis=2)
    nearest = distance.argmin(axis=1)
    assert distance.min(axis=1).max() < TARGET_MM, distance.min(axis=1)
    assert len(set(nearest)) == len(nearest), "two proposals on one disc"
    expected = set(np.nonzero(_in_field(stacks, points))[0])
    assert expected <= set(nearest), f"missed {[names[i] for i in expected - set(nearest)]}"
    assert list(nearest) == sorted(nearest), "discs not cranial to caudal"
    return [names[i] for i in nearest]


#: The small variants: key, case number, variant (rendered without supersampling).
VARIANTS = (
    ("cervical-tilted", 4, SagittalVariant("tilted", seed=3, tilt_deg=12.0, supersampling=1)),
    ("thoracolumbar-noisy", 2, SagittalVariant("noisy", seed=5, noise=2.0, supersampling=1)),
    ("thick-coarse", 1, SagittalVariant("coarse", seed=7, pixel_mm=1.2, thickness_mm=4.0,
                                        spacing_mm=4.4, supersampling=1)),
    ("lumbosacral", 1, SagittalVariant("lower", seed=9, shift_levels=2.0, supersampling=1)),
)


def _write_variants(root, variants) -> dict:
    """Each variant written under ``root``: its key -> (folder, truth)."""
    made = {}
    for key, case, variant in variants:
        folder = write_sagittal_variant(case, root, variant)
        made[key] = (folder, json.loads((folder / TRUTH_FILE).read_text()))
    return made


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    """Small variants rendered without supersampling (about a second each)."""
    return _write_variants(tmp_path_factory.mktemp("level-variants"), VARIANTS)


class TestProposeLevels:
    def test_two_stations_named_from_the_odontoid(self):
        """Case 3 (cervical and thoracic stations): every disc once, named from C2-C3."""
        folder = SAMPLES / "case3-lung-multiple"
        truth = json.loads((folder / "ground-truth.json").read_text())
        series = _series(folder, 1)
        proposal = propose_levels(series.stacks)
        true_names = _check_discs(proposal, truth, series.stacks)
        assert proposal.anchor == "C2-C3 below the odontoid"
        assert [d.name for d in proposal.discs] == true_names
        assert true_names[0] == "C2-C3"
        assert {d.series_instance_uid for d in proposal.discs} == {series.uid}
        tip = np.array(truth["conus_tip_lps_mm"])
        assert np.linalg.norm(np.array(proposal.conus) - tip) < 5.0

    def test_points_lie_on_the_image_they_name(self):
        """Each point is on the plane of the midline slice whose SOPInstanceUID it carries."""
        series = _series(SAMPLES / "case1-breast-t12", 1)
        proposal = propose_levels(series.stacks)
        stack = series.stacks[0]
        uids = [frame.file.sop_instance_uid for frame in stack.frames]
        for disc in proposal.discs:
            k = uids.index(disc.sop_instance_uid)
            assert stack_geometry(stack).holds(k, disc.point)
            assert abs(disc.point[0]) <= 1.7  # the midline slice (3.3 mm apart, x = 0)

    def test_unnamed_column_is_named_by_the_reader(self):
        """Case 1 shows no odontoid: no names until the reader names one disc."""
        folder = SAMPLES / "case1-breast-t12"
        truth = json.loads((folder / "ground-truth.json").read_text())
        series = _series(folder, 1)
        proposal = propose_levels(series.stacks)
        true_names = _check_discs(proposal, truth, series.stacks)
        assert proposal.anchor is None and all(d.name is None for d in proposal.discs)
        assert "name one disc" in proposal.message
        with pytest.raises(AssistRefusal, match="name one disc"):
            proposal.levels()
        index = true_names.index("T12-L1")
        levels = proposal.levels(name="T12-L1", index=index)
        assert [d.name for d in levels.discs] == true_names
        assert levels.conus_tip == proposal.conus
        tip = np.array(truth["conus_tip_lps_mm"])
        assert np.linalg.norm(np.array(proposal.conus) - tip) < 5.0

    def test_tilted_cervical_series(self, variants):
        """Slices rotated 12 degrees in plane: same discs, named from C2-C3."""
        folder, truth = variants["cervical-tilted"]
        stacks = list(load_study(folder).iter_stacks())
        proposal = propose_levels(stacks)
        true_names = _check_discs(proposal, truth, stacks)
        assert [d.name for d in proposal.discs] == true_names
        assert [d.name for d in proposal.levels().discs] == true_names
        assert proposal.conus is None  # the cervical field does not reach the conus

    def test_twice_the_noise(self, variants):
        folder, truth = variants["thoracolumbar-noisy"]
        stacks = list(load_study(folder).iter_stacks())
        proposal = propose_levels(stacks)
        _check_discs(proposal, truth, stacks)
        tip = np.array(truth["conus_tip_lps_mm"])
        assert np.linalg.norm(np.array(proposal.conus) - tip) < 5.0

    def test_coarse_pixels_and_thick_slices(self, variants):
        """1.2 mm pixels and 4 mm slices 4.4 mm apart."""
        folder, truth = variants["thick-coarse"]
        stacks = list(load_study(folder).iter_stacks())
        _check_discs(propose_levels(stacks), truth, stacks)

    def test_named_from_the_sacrum(self, variants):
        """A field reaching S2: L5-S1 above the sacrum names the column; the thin S1-S2
        remnant is not proposed as a disc."""
        folder, truth = variants["lumbosacral"]
        stacks = list(load_study(folder).iter_stacks())
        proposal = propose_levels(stacks)
        true_names = _check_discs(proposal, truth, stacks)
        assert proposal.anchor == "L5-S1 above the sacrum"
        assert [d.name for d in proposal.discs] == true_names
        assert true_names[-1] == "L5-S1"

    def test_progress_and_cancel(self):
        series = _series(SAMPLES / "case1-breast-t12", 1)
        seen = []
        propose_levels(series.stacks, progress=seen.append)
        assert seen and seen[-1] == 1.0
        cancel = threading.Event()
        cancel.set()
        with pytest.raises(AssistCancelled):
            propose_levels(series.stacks, cancel=cancel)


@pytest.fixture(scope="module")
def t1_variants(tmp_path_factory):
    """Sagittal T1 variants rendered without supersampling (under a second each)."""
    return _write_variants(tmp_path_factory.mktemp("t1-level-variants"), (
        (key, case, dataclasses.replace(variant, name=f"t1-{variant.name}", contrast="T1"))
        for key, case, variant in VARIANTS if key != "lumbosacral"))


def _check_t1(proposal: LevelProposal, truth: dict, stacks) -> list[str]:
    """Every in-field disc found within the target and nothing spurious; on T1 nothing is
    named, no conus tip is proposed and the reader names one disc."""
    true_names = _check_discs(proposal, truth, stacks)
    assert proposal.anchor is None and proposal.anchor_index is None
    assert all(d.name is None for d in proposal.discs)
    assert proposal.conus is None
    assert "T1" in proposal.message and "name one disc" in proposal.message
    with pytest.raises(AssistRefusal, match="name one disc"):
        proposal.levels()
    return true_names


class TestProposeLevelsT1:
    def test_two_stations_with_the_odontoid(self):
        """Case 3's T1 series (cervical and thoracic stations): every disc once from C2-C3 down,
        nothing proposed at the odontoid or the skull base, nothing named; the reader's name
        counts the column."""
        folder = SAMPLES / "case3-lung-multiple"
        truth = json.loads((folder / "ground-truth.json").read_text())
        series = _series(folder, 2)
        assert series.stacks[0].frames[0].file.series_description.upper().startswith("SAG T1")
        proposal = propose_levels(series.stacks)
        true_names = _check_t1(proposal, truth, series.stacks)
        assert true_names[0] == "C2-C3"
        levels = proposal.levels(name="C2-C3", index=0)
        assert [d.name for d in levels.discs] == true_names

    def test_thoracolumbar_sample(self):
        folder = SAMPLES / "case1-breast-t12"
        truth = json.loads((folder / "ground-truth.json").read_text())
        series = _series(folder, 2)
        _check_t1(propose_levels(series.stacks), truth, series.stacks)

    @pytest.mark.parametrize("key", ["cervical-tilted", "thoracolumbar-noisy", "thick-coarse"])
    def test_variants(self, t1_variants, key):
        """A 12 degree tilt (cervical), twice the noise, 1.2 mm pixels with 4 mm slices."""
        folder, truth = t1_variants[key]
        stacks = list(load_study(folder).iter_stacks())
        _check_t1(propose_levels(stacks), truth, stacks)


#: Posterior margins of the discs on frame 8 of 15 (the midline) of the corpus's spine-ls.dcm,
#: read by eye as (row, column) pixels (0.80 mm) at the middle of each dark disc line where it
#: meets the canal, cranial to caudal: the column from the cervicothoracic junction down.
SPINE_LS_FRAME = 7
SPINE_LS_DISCS_RC = ((47, 182), (72, 183), (96, 184), (118, 186), (140, 192), (163, 199),
                     (188, 208), (214, 217), (241, 227), (269, 235), (300, 243), (332, 247),
                     (365, 250), (398, 250), (433, 250))


class TestRealT1Spine:
    def test_spine_ls_discs(self, corpus):
        """The corpus's real sagittal T1 series (an enhanced MR file, t1_tse_sag, 15 frames):
        every proposal sits on a disc read by eye (within 3 mm of its posterior margin), no two
        on one disc, on the midline frame, evenly spaced, unnamed. The canal is traced over the
        middle of the field only (T1-T2 to T7-T8 or so): 6 of the 15 discs are proposed."""
        stacks = list(load_study(corpus / "zzdicom" / "samples" / "spine-ls.dcm").iter_stacks())
        proposal = propose_levels(stacks)
        assert 5 <= len(proposal.discs) <= len(SPINE_LS_DISCS_RC)
        geometry = stack_geometry(stacks[0])
        plane = geometry.planes[SPINE_LS_FRAME]
        truth = np.array([plane.from_index(rc) for rc in SPINE_LS_DISCS_RC])
        points = np.array([d.point for d in proposal.discs])
        assert all(geometry.holds(SPINE_LS_FRAME, p) for p in points)
        distance = np.linalg.norm(points[:, None] - truth[None], axis=2)
        nearest = distance.argmin(axis=1)
        assert distance.min(axis=1).max() < TARGET_MM, distance.min(axis=1)
        assert list(nearest) == sorted(set(nearest)), "two proposals on one disc, or out of order"
        assert np.all(np.diff(nearest) == 1), "a disc skipped inside the chain"
        spacing = np.linalg.norm(np.diff(points, axis=0), axis=1)
        assert spacing.min() > 15.0 and spacing.max() < 32.0
        assert np.all(spacing[1:] / spacing[:-1] < 1.3) and np.all(spacing[1:] / spacing[:-1] > 0.77)
        assert all(d.name is None for d in proposal.discs) and proposal.conus is None
        assert "name one disc" in proposal.message


def _sagittal_series(folder, pixels: np.ndarray, description: str = "SAG T2") -> list:
    """Slices ``(n, rows, cols)`` written as a sagittal series 3.3 mm apart."""
    folder.mkdir()
    series_uid, study_uid = generate_uid(), generate_uid()
    for k, image in enumerate(pixels):
        write_slice(folder / f"IM{k:03d}", image, position=(-20.0 + 3.3 * k, -100.0, 150.0),
                    orientation=(0, 1, 0, 0, 0, -1), spacing=(1.25, 1.25),
                    series_uid=series_uid, study_uid=study_uid, instance=k + 1,
                    description=description)
    return list(load_study(folder).iter_stacks())


class TestRefusals:
    def test_axial_series(self):
        series = _series(SAMPLES / "case1-breast-t12", 3)
        with pytest.raises(AssistRefusal, match="not sagittal"):
            propose_levels(series.stacks)

    def test_noise_without_a_spine(self, tmp_path):
        rng = np.random.default_rng(1)
        noise = np.hypot(rng.normal(0, 40, (13, 256, 192)), rng.normal(0, 40, (13, 256, 192)))
        stacks = _sagittal_series(tmp_path / "noise", noise.astype(np.uint16))
        with pytest.raises(AssistRefusal, match="no spinal canal"):
            propose_levels(stacks)

    def test_blank_series(self, tmp_path):
        stacks = _sagittal_series(tmp_path / "blank", np.zeros((13, 128, 96), np.uint16))
        with pytest.raises(AssistRefusal, match="no spinal canal"):
            propose_levels(stacks)

    def test_body_without_a_spine(self, tmp_path):
        """A smooth bright blob (a body outline with no canal or column) is not a spine."""
        rows, cols = np.mgrid[0:256, 0:192]
        body = 600.0 * (((rows - 128) / 110.0) ** 2 + ((cols - 96) / 70.0) ** 2 < 1.0)
        rng = np.random.default_rng(2)
        slices = np.stack([body + rng.normal(0, 10, body.shape) for _ in range(13)])
        stacks = _sagittal_series(tmp_path / "body", np.clip(slices, 0, None).astype(np.uint16))
        with pytest.raises(AssistRefusal, match="no spinal canal"):
            propose_levels(stacks)

    def test_t1_series_without_a_description(self, monkeypatch):
        """A T1 series whose description and timing say nothing finds no bright canal."""
        import spineviewer.assist.levels as levels

        monkeypatch.setattr(levels, "is_t1", lambda stack: None)
        series = _series(SAMPLES / "case1-breast-t12", 2)
        with pytest.raises(AssistRefusal, match="no spinal canal"):
            propose_levels(series.stacks)

    def test_one_slice(self, tmp_path):
        """One sagittal slice cannot tell the canal from the fat beside it."""
        stack = _series(SAMPLES / "case1-breast-t12", 1).stacks[0]
        folder = tmp_path / "one"
        folder.mkdir()
        (folder / "IM1").write_bytes(Path(stack.files[0]).read_bytes())
        with pytest.raises(AssistRefusal, match="slice"):
            propose_levels(list(load_study(folder).iter_stacks()))

    def test_no_stacks(self):
        with pytest.raises(AssistRefusal):
            propose_levels([])
