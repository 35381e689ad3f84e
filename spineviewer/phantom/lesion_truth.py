"""True lesion masks and the true cord centreline of a phantom case, on any stack's grid.

Coordinates: patient DICOM LPS in mm; masks are ``(slice, row, col)`` arrays on the grid of a
:class:`spineviewer.core.model.Stack` in its slice order (pixel centres per
:mod:`spineviewer.core.stack_geometry`). A voxel covers its pixel in-plane and the slice
thickness along the normal; its *fraction* is the share of ``samples**3`` regular sub-samples
that the tissue model labels as the lesion (its solid part, cystic centre or core), the same
sampling the renderer uses, so the fraction is the lesion's partial volume in that voxel.
The true mask is ``fraction >= 0.5``. :func:`write_truth_masks` writes the masks of a
generated case on its post-contrast grids, with the true cord centreline, beside its truth.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

from spineviewer.core.loader import load_study
from spineviewer.core.model import Stack
from spineviewer.core.safe_write import write_atomically
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
        if abs(plane.row_direction[0]) > 1 - 1e-9 and abs(plane.column_direction[0]) < 1e-9:
            block = _axial_fraction(anatomy, plane, rs, cs, offsets, geometry.thickness, labels)
        else:
            inside = np.zeros(len(grid))
            for dr in offsets:
                for dc in offsets:
                    points = plane.from_index(grid + [dr, dc])
                    for dt in offsets * geometry.thickness:
                        inside += _in_lesion(anatomy, points + dt * plane.normal, labels)
            block = (inside / samples ** 3).reshape(len(rs), len(cs))
        out[k, rs[0]:rs[-1] + 1, cs[0]:cs[-1] + 1] = block
    return out


def _axial_fraction(anatomy, plane, rs, cs, offsets, thickness, labels) -> np.ndarray:
    """Partial volumes on a slice whose columns run along x (an axial or oblique-axial slice
    of the phantom): the rows' axis coordinates do not depend on the column, so each row is
    one section point painted at every column's x (as the renderer does)."""
    inside = np.zeros((len(rs), len(cs)))
    for dr in offsets:
        rows = plane.from_index(np.column_stack([rs + dr, np.zeros(len(rs))]))
        for dt in offsets * thickness:
            p = rows + dt * plane.normal
            sec = anatomy.section_of_patient_points(p[:, 1:2], p[:, 2:3])
            for dc in offsets:
                x = plane.from_index(np.column_stack([np.zeros(len(cs)), cs + dc]))[:, 0]
                inside += np.isin(anatomy.labels(x[None, :], sec), list(labels))
    return inside / len(offsets) ** 3


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


def write_truth_masks(folder, path) -> Path:
    """Write the true masks of every lesion of a generated case on the grid of every
    post-contrast stack, and the true cord centreline, to a compressed ``.npz`` at ``path``.

    Arrays: ``lesion<id>_series<number>_stack<k>`` (bool ``(slices, rows, cols)``, the voxels at
    least half inside the lesion, stack slice order) with ``..._sop_instance_uids`` (the
    stack's images in that order, so the mask is tied to the files, not to a position), and
    ``cord_centreline_lps_mm`` (``(N, 3)``, 1 mm apart, head to foot).

    Parameters
    ----------
    folder : path-like
        A case folder written by :func:`spineviewer.phantom.generate_case`.
    path : path-like
        The file to write (only this file is written).
    """
    folder = Path(folder)
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    case = truth["case"]
    images = load_study(folder / "dicom")
    arrays: dict[str, np.ndarray] = {}
    for entry in truth["series"]:
        if not entry["post_contrast"]:
            continue
        series = images.series_by_uid(entry["series_uid"])
        for k, stack in enumerate(series.stacks if series is not None else (), start=1):
            name = f"series{entry['series_number']}_stack{k}"
            arrays[f"{name}_sop_instance_uids"] = np.array(
                [frame.file.sop_instance_uid for frame in stack.frames])
            for lesion in truth["lesions"]:
                arrays[f"lesion{lesion['lesion_id']}_{name}"] = lesion_mask(
                    case, lesion["lesion_id"], stack)
    arrays["cord_centreline_lps_mm"] = cord_centreline(case)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    path = Path(path)
    write_atomically(path, buffer.getvalue())
    return path
