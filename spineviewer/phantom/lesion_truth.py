"""True lesion masks and the true cord centreline of a phantom case, on any stack's grid.

Coordinates: patient DICOM LPS in mm; masks are ``(slice, row, col)`` arrays on the grid of a
:class:`spineviewer.core.model.Stack` in its slice order (pixel centres per
:mod:`spineviewer.core.stack_geometry`). A voxel covers its pixel in-plane and the slice
thickness along the normal; its *fraction* is the share of ``samples**3`` regular sub-samples
that the tissue model labels as the lesion (its solid part, cystic centre or core), the same
sampling the renderer uses, so the fraction is the lesion's partial volume in that voxel.
The true mask is ``fraction >= 0.5``.
"""

from __future__ import annotations

import numpy as np

from spineviewer.core.model import Stack
from spineviewer.core.stack_geometry import stack_geometry
from spineviewer.phantom.study import case_anatomy, case_slug

_MARGIN_MM = 3.0


def lesion_fraction(case, lesion_id: int, stack: Stack, *, samples: int = 3) -> np.ndarray:
    """Partial volume of lesion ``lesion_id`` (1-based) of ``case`` in every voxel of ``stack``.

    Returns
    -------
    ndarray of float32, shape (slices, rows, cols)
        0 outside the lesion, 1 inside, between at its edge.
    """
    anatomy = case_anatomy(case_slug(case))
    placed = anatomy.cord.lesions[lesion_id - 1]
    labels = {placed.solid_label, placed.cyst_label, placed.core_label} - {None}
    geometry = stack_geometry(stack)
    centre = anatomy.curve.point(placed.a, placed.v)
    centre[0] = placed.x
    radius = 0.5 * max(placed.si, placed.ap, placed.transverse) + _MARGIN_MM
    corners = centre + radius * np.array([[i, j, k] for i in (-1, 1) for j in (-1, 1)
                                          for k in (-1, 1)], dtype=float)
    index = geometry.to_index(corners)
    shape = np.array(stack.shape)
    lo = np.clip(np.floor(index.min(axis=0)).astype(int) - 1, 0, shape - 1)
    hi = np.clip(np.ceil(index.max(axis=0)).astype(int) + 1, 0, shape - 1)
    out = np.zeros(stack.shape, dtype=np.float32)
    offsets = (np.arange(samples) + 0.5) / samples - 0.5
    ks, rs, cs = (np.arange(lo[i], hi[i] + 1) for i in range(3))
    grid = np.stack(np.meshgrid(rs, cs, indexing="ij"), axis=-1).reshape(-1, 2).astype(float)
    for k in ks:
        plane = geometry.planes[k]
        inside = np.zeros(len(grid))
        for dr in offsets:
            for dc in offsets:
                points = plane.from_index(grid + [dr, dc])
                for dt in offsets * geometry.thickness:
                    inside += _in_lesion(anatomy, points + dt * plane.normal, labels)
        block = (inside / samples ** 3).reshape(len(rs), len(cs))
        out[k, rs[0]:rs[-1] + 1, cs[0]:cs[-1] + 1] = block
    return out


def _in_lesion(anatomy, points: np.ndarray, labels: set) -> np.ndarray:
    """True for the points ``(n, 3)`` the tissue model labels as the lesion (the painters take
    one lateral position per call, so the points are grouped by x)."""
    found = np.zeros(len(points), dtype=bool)
    xs = np.round(points[:, 0], 6)
    for x in np.unique(xs):
        chosen = np.flatnonzero(xs == x)
        sec = anatomy.section_of_patient_points(points[chosen, 1], points[chosen, 2])
        found[chosen] = np.isin(anatomy.labels(float(x), sec), list(labels))
    return found


def lesion_mask(case, lesion_id: int, stack: Stack, *, samples: int = 3) -> np.ndarray:
    """True mask of a lesion on ``stack``'s grid: the voxels at least half inside it."""
    return lesion_fraction(case, lesion_id, stack, samples=samples) >= 0.5


def lesion_volume_mm3(case, lesion_id: int) -> float:
    """Volume of the whole lesion (the ellipsoid, cyst and core included), mm3."""
    placed = case_anatomy(case_slug(case)).cord.lesions[lesion_id - 1]
    return float(np.pi / 6.0 * placed.ap * placed.transverse * placed.si)


def cord_centreline(case, *, step_mm: float = 1.0) -> np.ndarray:
    """The true cord centreline from the foramen magnum to the conus tip, LPS mm, (N, 3),
    head to foot, points ``step_mm`` apart along the cord."""
    anatomy = case_anatomy(case_slug(case))
    tip = anatomy.cord.conus_tip_a
    return anatomy.curve.point(np.append(np.arange(0.0, tip, step_mm), tip))
