"""A sagittal stack resampled on an upright 1 mm grid, so the column is found the same way
whatever the acquisition's pixel size, in-plane rotation or row/column order.

Conventions
-----------
- Patient coordinates are DICOM LPS mm (x to the patient's left, y posterior, z superior).
- The grid is ``(slice, row, col)``: slices are the stack's own slices (ordered along the
  normal ``F_row × F_col``), rows run *down* (the in-plane direction closest to -z) and columns
  run *back* (closest to +y), :data:`STEP_MM` apart. Grid point ``(k, r, c)`` lies on the plane of
  slice ``k`` at ``origin_k + r*STEP_MM*down + c*STEP_MM*back``; samples outside the image are 0.
- Intensities are divided by a high percentile of the stack (:func:`normalised`), so thresholds
  are fractions of the brightest tissue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from spineviewer.assist.refusal import AssistRefusal
from spineviewer.core.model import Stack
from spineviewer.core.stack_geometry import stack_geometry

#: Grid spacing, mm.
STEP_MM = 1.0
#: The slices must be within this angle of a true sagittal plane (normal along x), degrees.
MAX_OBLIQUITY_DEG = 40.0
#: Largest grid, points per side (a 600 mm field at 1 mm).
_MAX_SIDE = 640


@dataclass(frozen=True, eq=False)
class UprightGrid:
    """One stack on the upright grid.

    Attributes
    ----------
    stack : Stack
    image : ndarray, shape (slices, rows, cols), float32
        Normalised intensities.
    origins : ndarray, shape (slices, 3)
        LPS mm of grid point ``(k, 0, 0)`` on each slice.
    down, back : ndarray, shape (3,)
        Unit in-plane directions of increasing row and column.
    offsets : ndarray, shape (slices,)
        Position of each slice along the normal, mm (increasing).
    inside : ndarray of bool, shape (rows, cols)
        Grid points inside the image of the first slice (a tilted image leaves corners of the
        grid outside it).
    """

    stack: Stack
    image: np.ndarray
    origins: np.ndarray
    down: np.ndarray
    back: np.ndarray
    offsets: np.ndarray
    inside: np.ndarray

    @property
    def slice_spacing(self) -> float:
        """Median distance between neighbouring slices, mm (the thickness for one slice)."""
        if len(self.offsets) < 2:
            return float(self.stack.frames[0].slice_thickness or 3.0)
        return float(np.median(np.diff(self.offsets)))

    def to_lps(self, k: int, rc) -> np.ndarray:
        """LPS mm of continuous grid ``(row, col)`` points ``(..., 2)`` on slice ``k``."""
        rc = np.asarray(rc, dtype=float)
        return (self.origins[k] + rc[..., :1] * STEP_MM * self.down
                + rc[..., 1:2] * STEP_MM * self.back)

    def sop_instance_uid(self, k: int) -> str:
        return self.stack.frames[k].file.sop_instance_uid


def upright_grid(stack: Stack, volume: np.ndarray) -> UprightGrid:
    """Resample ``volume`` ``(slices, rows, cols)`` of a sagittal ``stack`` on the upright grid.

    Raises :class:`AssistRefusal` when the stack has no geometry or is not sagittal.
    """
    if not stack.has_geometry or not stack.spacing_known:
        raise AssistRefusal("the series has no position, orientation or pixel spacing, so "
                            "disc points cannot be placed in patient space")
    geometry = stack_geometry(stack)
    first = geometry.planes[0]
    normal = first.normal
    if abs(normal[0]) < np.cos(np.deg2rad(MAX_OBLIQUITY_DEG)):
        raise AssistRefusal(f"the series is {stack.plane}, not sagittal: levels are proposed on "
                            "a sagittal T2 or T1 series")
    down = _in_plane(np.array([0.0, 0.0, -1.0]), normal)
    back = np.cross(normal, down)
    back *= np.sign(back[1]) or 1.0
    corners = np.array([first.from_index(rc) for rc in
                        ((0, 0), (0, first.columns - 1), (first.rows - 1, 0),
                         (first.rows - 1, first.columns - 1))])
    r_span = (corners - corners[0]) @ down
    c_span = (corners - corners[0]) @ back
    rows = int(np.ceil((r_span.max() - r_span.min()) / STEP_MM)) + 1
    cols = int(np.ceil((c_span.max() - c_span.min()) / STEP_MM)) + 1
    if max(rows, cols) > _MAX_SIDE:
        raise AssistRefusal("the field of view is larger than 640 mm: not a spine series")
    origin = corners[0] + r_span.min() * down + c_span.min() * back
    positions = np.array([plane.position for plane in geometry.planes])
    offsets = (positions - positions[0]) @ normal
    origins = origin + offsets[:, None] * normal
    rr, cc = np.meshgrid(np.arange(rows) * STEP_MM, np.arange(cols) * STEP_MM, indexing="ij")
    image = np.zeros((len(geometry.planes), rows, cols), dtype=np.float32)
    data = np.asarray(volume, dtype=np.float32)
    inside = None
    for k, plane in enumerate(geometry.planes):
        points = origins[k] + rr[..., None] * down + cc[..., None] * back
        index = plane.to_index(points)
        if inside is None:
            inside = ((index[..., 0] >= -0.5) & (index[..., 0] <= plane.rows - 0.5)
                      & (index[..., 1] >= -0.5) & (index[..., 1] <= plane.columns - 0.5))
        image[k] = ndi.map_coordinates(data[k], [index[..., 0], index[..., 1]], order=1,
                                       mode="constant", cval=0.0, prefilter=False)
    return UprightGrid(stack, normalised(image), origins, down, back, offsets, inside)


def normalised(image: np.ndarray) -> np.ndarray:
    """``image`` divided by the 99.5th percentile of its non-zero samples (1 for a blank)."""
    values = image[image > 0]
    top = float(np.percentile(values, 99.5)) if values.size else 0.0
    return image / top if top > 0 else image


def is_t1(stack: Stack) -> bool | None:
    """True for a T1-weighted stack, False for T2 (or STIR), None when nothing tells.

    The series description decides first (``t1_tse_sag``, ``SAG T2``), then the timing tags:
    an echo time of 60 ms or more is T2, a TR under 1000 ms with a TE under 30 ms is T1.
    """
    first = stack.frames[0].file
    for token in re.split(r"[^A-Z0-9]+", first.series_description.upper()):
        if re.match(r"T2(?!\d)", token) or token in {"STIR", "TIRM"}:
            return False
        if re.match(r"T1(?!\d)", token):
            return True
    repetition = first.protocol.get("repetition_time")
    echo = first.protocol.get("echo_time")
    if echo is not None and echo >= 60:
        return False
    if repetition is not None and echo is not None and repetition < 1000 and echo < 30:
        return True
    return None


def _in_plane(vector: np.ndarray, normal: np.ndarray) -> np.ndarray:
    projected = vector - (vector @ normal) * normal
    length = float(np.linalg.norm(projected))
    if length < 1e-6:
        raise AssistRefusal("the slices are axial, not sagittal: levels are proposed on a "
                            "sagittal T2 or T1 series")
    return projected / length
