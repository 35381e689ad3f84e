"""Metrics against the phantom's ground truth (``sample_dicom/<case>/ground-truth.json``).

The levels are built from the true disc points and conus tip; calipers and cord paths are
placed where the truth says the lesion is, as a reader would draw them. Sizes must agree
within one pixel spacing, and segment counts, levels and the location category exactly. The
phantom computes its truth with its own implementation of the definitions, so this checks
:mod:`spineviewer.core.metrics` and :mod:`spineviewer.core.levels` against an independent one.
Skips when the sample studies have not been generated; ``SPINEVIEWER_SAMPLES`` points it at
another folder of generated cases.
"""

import json
import os
from pathlib import Path

import numpy as np
import pytest

from spineviewer.core.annotations import Bidirectional, Caliper, CordPath, Lesion
from spineviewer.core.levels import VertebralLevels
from spineviewer.core.metrics import lesion_metrics

SAMPLES = Path(os.environ.get("SPINEVIEWER_SAMPLES", Path(__file__).resolve().parents[2] / "sample_dicom"))
TRUTHS = sorted(SAMPLES.glob("*/ground-truth.json"))
ON = {"series_instance_uid": "2.25.1", "sop_instance_uid": "2.25.2"}


def _cases():
    if not TRUTHS:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no ground-truth.json under {SAMPLES}"))]
    return [pytest.param(json.loads(path.read_text()), id=path.parent.name) for path in TRUTHS]


def _levels(truth) -> VertebralLevels:
    discs = truth["discs"]
    return VertebralLevels.from_points([d["point_lps_mm"] for d in discs], anchor=0,
                                       anchor_name=discs[0]["name"], conus_tip=truth["conus_tip_lps_mm"])


def _pixel_spacing(truth) -> float:
    """The coarsest in-plane pixel spacing of the case's series (1 mm if none are listed)."""
    spacings = [max(s["pixel_spacing_mm"]) for s in truth.get("series", []) if "pixel_spacing_mm" in s]
    return max(spacings, default=1.0)


def _cord_path(levels: VertebralLevels, extent: dict, role: str) -> CordPath:
    """A path along the cord from the true top to the true bottom, with a vertex at each disc
    plane between them (the cord's offset from the disc points interpolated in between)."""
    top, bottom = np.array(extent["top_lps_mm"]), np.array(extent["bottom_lps_mm"])
    s_top, s_bottom = levels.coordinate(top), levels.coordinate(bottom)
    axis = {d.lower_index: np.array(d.point) for d in levels.discs}
    inner = [k for k in sorted(axis) if s_top < k < s_bottom]
    ends = (min(axis), max(axis))
    offset_top = top - axis[min(inner, default=ends[0])]
    offset_bottom = bottom - axis[max(inner, default=ends[1])]
    vertices = [top]
    for k in inner:
        w = (k - s_top) / (s_bottom - s_top)
        vertices.append(axis[k] + (1 - w) * offset_top + w * offset_bottom)
    vertices.append(bottom)
    return CordPath(vertices=vertices, role=role, **ON)


def _drawings(levels: VertebralLevels, lesion: dict) -> tuple:
    """SI and AP calipers (sagittal), a bidirectional caliper (axial) and the T2 path."""
    enhancement = lesion["enhancement"]
    top, bottom = np.array(enhancement["top_lps_mm"]), np.array(enhancement["bottom_lps_mm"])
    centre = np.array(lesion["centre_lps_mm"])
    along = (bottom - top) / np.linalg.norm(bottom - top)
    left = np.array([1.0, 0.0, 0.0])
    front_back = np.cross(along, left)
    front_back /= np.linalg.norm(front_back)
    ap, transverse = lesion["ap_mm"] / 2, lesion["transverse_mm"] / 2
    axes = sorted([(transverse, left), (ap, front_back)], key=lambda a: -a[0])
    (long_half, long_dir), (short_half, short_dir) = axes
    return (
        Caliper(endpoints=[top, bottom], role="si", **ON),
        Caliper(endpoints=[centre - ap * front_back, centre + ap * front_back], role="ap", **ON),
        Bidirectional(long_axis=[centre - long_half * long_dir, centre + long_half * long_dir],
                      short_axis=[centre - short_half * short_dir, centre + short_half * short_dir], **ON),
        _cord_path(levels, lesion["t2"], "t2"),
    )


@pytest.mark.parametrize("truth", _cases())
class TestAgainstPhantomTruth:
    def test_disc_names_by_counting(self, truth):
        """Naming the first true disc names all the others as the truth does."""
        assert [d.name for d in _levels(truth).discs] == [d["name"] for d in truth["discs"]]

    def test_sizes_within_one_pixel(self, truth):
        """AP, transverse and SI sizes within one pixel spacing of the truth."""
        levels, tolerance = _levels(truth), _pixel_spacing(truth)
        for lesion in truth["lesions"]:
            m = lesion_metrics(Lesion(lesion["lesion_id"], _drawings(levels, lesion)), levels)
            assert m.ap.value == pytest.approx(lesion["ap_mm"], abs=tolerance)
            assert m.transverse.value == pytest.approx(lesion["transverse_mm"], abs=tolerance)
            assert m.si.value == pytest.approx(lesion["si_mm"], abs=tolerance)
            assert m.t2_length.value == pytest.approx(lesion["t2"]["length_mm"], abs=tolerance)

    def test_segments_levels_and_location_exact(self, truth):
        """Segment counts, top and bottom levels, ratio and location equal the truth."""
        levels = _levels(truth)
        for lesion in truth["lesions"]:
            m = lesion_metrics(Lesion(lesion["lesion_id"], _drawings(levels, lesion)), levels,
                               conus_zone_mm=truth["levels"]["conus_zone_mm"])
            name = f"lesion {lesion['lesion_id']}"
            assert m.enhancement_segments.value == lesion["enhancement"]["segments"], name
            assert m.t2_segments.value == lesion["t2"]["segments"], name
            assert (m.level_top, m.level_bottom) == (lesion["level_top"], lesion["level_bottom"]), name
            assert m.t2_enhancement_ratio.value == pytest.approx(lesion["t2_enhancement_ratio"], abs=1e-4)
            assert m.location.value == lesion["location"], name

    def test_fractional_segments(self, truth):
        """Fractional extents agree with the truth's to a hundredth of a level."""
        levels = _levels(truth)
        for lesion in truth["lesions"]:
            m = lesion_metrics(Lesion(lesion["lesion_id"], _drawings(levels, lesion)), levels)
            assert m.enhancement_segments_fractional.value == pytest.approx(
                lesion["enhancement"]["segments_fractional"], abs=0.01)
            assert m.t2_segments_fractional.value == pytest.approx(lesion["t2"]["segments_fractional"], abs=0.01)
