"""Proposed cord T2 extent against the phantom's truth, and the refusals."""

import numpy as np
import pytest

from spineviewer.assist import AssistRefusal
from spineviewer.assist.cord import PATH_STEP_MM, propose_t2_extent
from spineviewer.core.levels import Extent
from spineviewer.phantom.answer_key import true_levels
from spineviewer.phantom.lesion_truth import cord_centreline
from tests.assist.phantom_cases import sagittal, sample

CASES = [("case1-breast-t12", 1), ("case3-lung-multiple", 1), ("case3-lung-multiple", 4)]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}-lesion{c[1]}")
def proposal(request):
    slug, lesion_id = request.param
    _, truth = sample(slug)
    entry = truth["lesions"][lesion_id - 1]
    stack = sagittal(slug, entry["centre_lps_mm"], contrast="T2")
    return slug, entry, truth, propose_t2_extent(stack, tuple(entry["centre_lps_mm"]))


class TestAgainstTruth:
    def test_ends_within_half_a_level(self, proposal):
        """Top and bottom lie within half a vertebral level of the true ends."""
        _, entry, truth, found = proposal
        levels = true_levels(truth)
        assert abs(levels.coordinate(found.top) - entry["t2"]["s_top"]) <= 0.5
        assert abs(levels.coordinate(found.bottom) - entry["t2"]["s_bottom"]) <= 0.5

    def test_segment_count(self, proposal):
        """The span-rule segment count equals the truth's."""
        _, entry, truth, found = proposal
        levels = true_levels(truth)
        extent = Extent(levels.coordinate(found.top), levels.coordinate(found.bottom))
        assert extent.span == entry["t2"]["segments"]

    def test_path_on_one_image_along_the_cord(self, proposal):
        """The path lies on one sagittal image, steps at most 2 mm, within 3 mm (about two
        pixels) of the true centreline (lateral offset aside), top to bottom."""
        slug, _, _, found = proposal
        path = np.asarray(found.path)
        assert np.ptp(path[:, 0]) < 1e-6
        steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
        assert steps.max() <= PATH_STEP_MM + 1e-6
        assert path[0, 2] > path[-1, 2]
        true = cord_centreline(slug, step_mm=0.5)[:, 1:]
        distance = np.min(np.linalg.norm(path[:, None, 1:] - true[None], axis=2), axis=1)
        assert np.percentile(distance, 90) < 3.0
        assert found.normal_signal < found.threshold


class TestRefusals:
    def test_no_hyperintensity_at_normal_cord(self):
        """A click on normal cord far from any finding is refused."""
        _, truth = sample("case3-lung-multiple")
        upper, lower = truth["lesions"][2]["t2"], truth["lesions"][3]["t2"]
        z = 0.5 * (upper["bottom_lps_mm"][2] + lower["top_lps_mm"][2])
        line = cord_centreline("case3-lung-multiple", step_mm=0.5)
        point = tuple(line[np.argmin(np.abs(line[:, 2] - z))])
        with pytest.raises(AssistRefusal, match="no T2 hyperintensity"):
            propose_t2_extent(sagittal("case3-lung-multiple", point, contrast="T2"), point)

    def test_no_cord_in_the_field(self):
        """A click far outside the spine (in the abdomen) is refused: no cord there."""
        _, truth = sample("case1-breast-t12")
        centre = truth["lesions"][0]["centre_lps_mm"]
        point = (centre[0], centre[1] - 120.0, centre[2])
        with pytest.raises(AssistRefusal, match="no spinal cord"):
            propose_t2_extent(sagittal("case1-breast-t12", point, contrast="T2"), point)

    def test_t1_series_refused(self):
        """The cord is brighter than its CSF on T1: T2 extent is not proposed there."""
        _, truth = sample("case1-breast-t12")
        point = tuple(truth["lesions"][0]["centre_lps_mm"])
        with pytest.raises(AssistRefusal, match="T2-weighted"):
            propose_t2_extent(sagittal("case1-breast-t12", point, contrast="T1"), point)

    def test_click_outside_the_images(self):
        """A click beyond the field of view is refused."""
        _, truth = sample("case1-breast-t12")
        centre = truth["lesions"][0]["centre_lps_mm"]
        point = (centre[0], centre[1], centre[2] + 2000.0)
        stack = sagittal("case1-breast-t12", centre, contrast="T2")
        with pytest.raises(AssistRefusal, match="outside the images"):
            propose_t2_extent(stack, point)

    def test_axial_series_refused(self):
        """The cord is followed on sagittal series only."""
        result, truth = sample("case1-breast-t12")
        entry = next(s for s in truth["series"] if s["plane"] == "axial" and s["contrast"] == "T2")
        stack = result.series_by_uid(entry["series_uid"]).stacks[0]
        point = tuple(truth["lesions"][0]["centre_lps_mm"])
        with pytest.raises(AssistRefusal, match="not sagittal"):
            propose_t2_extent(stack, point)
