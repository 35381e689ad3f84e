"""The phantom's true lesion masks and cord centreline, as the assist benchmarks use them."""

import numpy as np

from spineviewer.phantom.lesion_truth import (
    cord_centreline, lesion_fraction, lesion_volume_mm3, write_truth_masks,
)
from tests.assist.phantom_cases import SAMPLES, sagittal, sample


def test_fraction_sums_to_the_imaged_volume():
    """Partial volumes times the voxel volume give the lesion's volume inside the slices (the
    ellipsoid less what falls in the 0.3 mm gaps between slices)."""
    _, truth = sample("case1-breast-t12")
    stack = sagittal("case1-breast-t12", truth["lesions"][0]["centre_lps_mm"], post=True)
    fraction = lesion_fraction(1, 1, stack)
    d_r, d_c = stack.frames[0].pixel_spacing
    imaged = fraction.sum() * d_r * d_c * stack.frames[0].slice_thickness
    assert 0.85 * lesion_volume_mm3(1, 1) < imaged <= lesion_volume_mm3(1, 1)
    assert fraction.min() >= 0 and fraction.max() == 1


def test_centreline_ends_at_the_conus_tip():
    """The true centreline runs head to foot, 1 mm apart, to the truth's conus tip."""
    _, truth = sample("case3-lung-multiple")
    line = cord_centreline("case3-lung-multiple")
    assert np.all(np.diff(line[:, 2]) < 0)
    assert np.allclose(line[-1], truth["conus_tip_lps_mm"], atol=1e-3)
    assert np.allclose(np.linalg.norm(np.diff(line[:-1], axis=0), axis=1), 1.0, atol=0.01)


def test_written_file(tmp_path):
    """The written file holds every lesion's mask on every post-contrast stack, tied to the
    stack's images, and the centreline; nothing else is written."""
    out = write_truth_masks(SAMPLES / "case1-breast-t12", tmp_path / "masks.npz")
    assert [p.name for p in tmp_path.iterdir()] == ["masks.npz"]
    with np.load(out) as data:
        names = set(data.files)
        assert {"lesion1_series4_stack1", "lesion1_series5_stack1",
                "cord_centreline_lps_mm"} <= names
        mask = data["lesion1_series4_stack1"]
        uids = data["series4_stack1_sop_instance_uids"]
    assert mask.dtype == bool and mask.any() and len(uids) == mask.shape[0]
