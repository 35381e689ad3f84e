"""Segmented enhancing lesion against the phantom's true masks, measuring a mask, refusals."""

import numpy as np
import pytest

from spineviewer.assist import AssistRefusal
from spineviewer.assist.lesion import measure_mask, segment_lesion
from spineviewer.core.stack_geometry import stack_geometry
from spineviewer.phantom.lesion_truth import lesion_mask
from tests.assist.phantom_cases import post_contrast_sagittal, sagittal, sample

CASES = [("case1-breast-t12", 1), ("case3-lung-multiple", 3), ("case3-lung-multiple", 4)]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}-lesion{c[1]}")
def segmented(request):
    slug, lesion_id = request.param
    _, truth = sample(slug)
    entry = truth["lesions"][lesion_id - 1]
    stack = sagittal(slug, entry["centre_lps_mm"], post=True)
    found = segment_lesion(stack, tuple(entry["centre_lps_mm"]))
    return entry, stack, found, lesion_mask(slug, lesion_id, stack)


class TestAgainstTruth:
    def test_dice(self, segmented):
        """Dice against the true mask (voxels at least half inside the lesion) >= 0.85."""
        _, _, found, truth = segmented
        dice = 2 * np.count_nonzero(found.mask & truth) / (found.mask.sum() + truth.sum())
        assert dice >= 0.85

    def test_si_and_ap_within_a_pixel(self, segmented):
        """SI and AP diameters within one pixel spacing of the truth; the transverse within
        one slice spacing (it is measured across sagittal slices)."""
        entry, stack, found, _ = segmented
        pixel = max(stack.frames[0].pixel_spacing)
        assert abs(found.si_mm - entry["si_mm"]) <= pixel
        assert abs(found.ap_mm - entry["ap_mm"]) <= pixel
        assert abs(found.transverse_mm - entry["transverse_mm"]) <= stack_geometry(stack).gap(0, 1)

    def test_volume_of_the_mask(self, segmented):
        """The volume is the mask's voxels times the voxel volume, within 15% of the true
        mask's."""
        _, stack, found, truth = segmented
        voxel = found.volume_mm3 / found.mask.sum()
        assert abs(found.volume_mm3 - truth.sum() * voxel) <= 0.15 * truth.sum() * voxel

    def test_caliper_endpoints_span_the_sizes(self, segmented):
        """Each pair of caliper endpoints is as far apart as its diameter, and the SI caliper
        runs head to foot."""
        _, _, found, _ = segmented
        for ends, size in ((found.si, found.si_mm), (found.ap, found.ap_mm),
                           (found.transverse, found.transverse_mm)):
            assert np.linalg.norm(np.subtract(*ends)) == pytest.approx(size)
        assert abs(np.subtract(*found.si)[2]) > 0.8 * found.si_mm


def test_ring_enhancing_lesion_filled(tmp_path):
    """A ring-enhancing lesion with a cystic centre (phantom case 4) is segmented whole from
    a click in its dark centre."""
    from spineviewer.phantom.study import case_anatomy

    stack = post_contrast_sagittal(4, tmp_path)
    anatomy = case_anatomy("case4-renal-c5-cystic")
    placed = anatomy.cord.lesions[0]
    centre = anatomy.curve.point(placed.a, placed.v)
    found = segment_lesion(stack, tuple(centre))
    true = lesion_mask(4, 1, stack)
    assert found.filled_centre
    assert 2 * np.count_nonzero(found.mask & true) / (found.mask.sum() + true.sum()) >= 0.85


class TestMeasureMask:
    def test_box(self):
        """A box of 5 x 4 pixels on 3 slices measures 5 rows x 4 columns x 3 slices."""
        _, truth = sample("case1-breast-t12")
        stack = sagittal("case1-breast-t12", truth["lesions"][0]["centre_lps_mm"], post=True)
        mask = np.zeros(stack.shape, dtype=bool)
        mask[5:8, 100:105, 90:94] = True
        found = measure_mask(stack, mask)
        d_r, d_c = stack.frames[0].pixel_spacing
        gap = stack_geometry(stack).gap(0, 1)
        assert found.volume_mm3 == pytest.approx(60 * d_r * d_c * gap)
        assert found.si_mm == pytest.approx(5 * d_r)
        assert found.ap_mm == pytest.approx(4 * d_c)
        assert found.transverse_mm == pytest.approx(3 * gap)

    def test_empty_or_wrong_shape(self):
        """An empty mask, or one of another shape, is a ValueError."""
        _, truth = sample("case1-breast-t12")
        stack = sagittal("case1-breast-t12", truth["lesions"][0]["centre_lps_mm"], post=True)
        with pytest.raises(ValueError, match="empty"):
            measure_mask(stack, np.zeros(stack.shape, dtype=bool))
        with pytest.raises(ValueError, match="series is"):
            measure_mask(stack, np.ones((1, 2, 3), dtype=bool))


class TestRefusals:
    def test_seed_outside_the_cord(self):
        """A click in the back muscles, 40 mm behind the lesion, is refused."""
        _, truth = sample("case1-breast-t12")
        centre = truth["lesions"][0]["centre_lps_mm"]
        point = (centre[0], centre[1] + 40.0, centre[2])
        with pytest.raises(AssistRefusal, match="outside the spinal cord|no spinal cord"):
            segment_lesion(sagittal("case1-breast-t12", point, post=True), point)

    def test_nothing_enhances(self):
        """A click on normal cord, 50 mm above the lesion, is refused."""
        from spineviewer.phantom.lesion_truth import cord_centreline

        _, truth = sample("case1-breast-t12")
        z = truth["lesions"][0]["centre_lps_mm"][2] + 50.0
        line = cord_centreline("case1-breast-t12", step_mm=0.5)
        point = tuple(line[np.argmin(np.abs(line[:, 2] - z))])
        with pytest.raises(AssistRefusal, match="nothing enhances|does not stand out"):
            segment_lesion(sagittal("case1-breast-t12", point, post=True), point)


class TestBoxAndCancel:
    def test_box_keeps_the_lesion_inside_it(self):
        """With a box over the lesion's upper half, the mask stays inside the box's rows."""
        _, truth = sample("case1-breast-t12")
        entry = truth["lesions"][0]
        stack = sagittal("case1-breast-t12", entry["centre_lps_mm"], post=True)
        centre = np.asarray(entry["centre_lps_mm"])
        box = (tuple(centre + [0, -10, 12]), tuple(centre + [0, 10, 0]))
        found = segment_lesion(stack, tuple(centre + [0, 0, 3]), box=box)
        rows = stack_geometry(stack).to_index(np.asarray(box))[:, 1]
        kept = np.argwhere(found.mask)[:, 1]
        assert kept.min() >= np.floor(rows.min()) and kept.max() <= np.ceil(rows.max())
        assert found.si_mm < entry["si_mm"]

    def test_cancel(self):
        """A set cancel event stops the proposal with AssistCancelled."""
        import threading

        from spineviewer.assist import AssistCancelled

        _, truth = sample("case1-breast-t12")
        point = tuple(truth["lesions"][0]["centre_lps_mm"])
        stop = threading.Event()
        stop.set()
        with pytest.raises(AssistCancelled):
            segment_lesion(sagittal("case1-breast-t12", point, post=True), point, cancel=stop)
