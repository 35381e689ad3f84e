"""The calipers a lesion mask proposes lie on one image of the stack and measure the mask's
diameters there."""

import numpy as np
import pytest

from spineviewer.assist.calipers import lesion_calipers
from spineviewer.assist.lesion import measure_mask
from spineviewer.core.annotations import Caliper, CaliperRole
from spineviewer.core.stack_geometry import slice_plane
from tests.assist.phantom_cases import sample


def _stack(plane: str):
    result, _ = sample("case1-breast-t12")
    return max((s for s in result.iter_stacks() if s.plane == plane), key=lambda s: s.shape[0])


def _on_its_image(stack, drawing, points):
    """Every point lies in the plane of the image the drawing names."""
    k = next(i for i, f in enumerate(stack.frames) if f.file.sop_instance_uid == drawing.sop_instance_uid)
    plane = slice_plane(stack, k)
    for p in points:
        assert np.allclose(plane.from_corner_mm(plane.to_corner_mm(p)), p, atol=1e-6)


def test_sagittal_mask_gives_si_and_ap_calipers():
    """A box mask of 2 slices on a sagittal stack: SI and AP calipers on one of its images,
    as long as the mask's SI and AP diameters."""
    stack = _stack("sagittal")
    mask = np.zeros(stack.shape, dtype=bool)
    mid = stack.shape[0] // 2
    mask[mid:mid + 2, 100:130, 60:70] = True
    found = measure_mask(stack, mask)
    calipers = lesion_calipers(stack, found)
    assert [c.role for c in calipers] == [CaliperRole.SI, CaliperRole.AP]
    for caliper, size in zip(calipers, (found.si_mm, found.ap_mm)):
        assert isinstance(caliper, Caliper) and caliper.series_instance_uid == stack.series_uid
        _on_its_image(stack, caliper, caliper.endpoints)
        assert caliper.length == pytest.approx(size, abs=1e-6)


def test_no_caliper_off_sagittal():
    """A mask on an axial stack proposes no caliper (its diameters are read as on sagittal
    slices), rather than a mislabelled one."""
    stack = _stack("axial")
    mask = np.zeros(stack.shape, dtype=bool)
    mask[stack.shape[0] // 2, 80:96, 90:100] = True
    assert lesion_calipers(stack, measure_mask(stack, mask)) == []
