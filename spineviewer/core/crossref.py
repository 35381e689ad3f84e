"""Cross-referencing native slices in patient space: where one slice cuts another, which
slice of a stack is nearest a point.

Conventions
-----------
- Patient coordinates are DICOM LPS mm (x to the patient's left, y posterior, z superior).
- A slice is the rectangle its pixels cover: pixel ``(row, col)`` is centred on
  ``IPP + col*ΔC*F_row + row*ΔR*F_col`` (PS3.3 C.7.6.2.1.1), so the image's outer edges lie
  half a pixel beyond the first and last centres. The slice's own ImagePositionPatient is used,
  so unevenly spaced stacks stay exact.
- In-plane coordinates ``(u, v)`` of a slice are mm from the outer corner of pixel
  ``(0, 0)``: ``u`` along ``F_row`` (column index grows), ``v`` along ``F_col`` (row index
  grows); the image covers ``[0, columns*ΔC] x [0, rows*ΔR]``. These are the scene
  coordinates of :mod:`spineviewer.gui.reading.scene`.
- Distances to a slice are signed, along the stack's normal ``F_row x F_col``.

Everything here is numpy only: the viewer draws the results, tests check them against the
phantom's planes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spineviewer.core.model import Series, Stack

#: Planes closer to parallel than this (sine of the angle, about 0.06 degrees) do not intersect.
_PARALLEL_SINE = 1e-3
#: Stacks whose normals differ by less than this are the same plane for linked scrolling.
PARALLEL_DEGREES = 10.0


@dataclass(frozen=True)
class SliceRectangle:
    """One slice as a rectangle in patient space.

    Attributes
    ----------
    corner : ndarray, shape (3,)
        LPS mm of the outer corner of pixel ``(0, 0)`` (half a pixel before its centre).
    row_dir, col_dir, normal : ndarray, shape (3,)
        Unit vectors ``F_row``, ``F_col`` and ``F_row x F_col``.
    width, height : float
        ``columns * ΔC`` and ``rows * ΔR``, mm.
    """

    corner: np.ndarray
    row_dir: np.ndarray
    col_dir: np.ndarray
    normal: np.ndarray
    width: float
    height: float

    def in_plane(self, point: np.ndarray) -> np.ndarray:
        """``(..., 3)`` LPS points as ``(u, v, w)``: in-plane mm and signed distance to the plane."""
        offset = np.asarray(point, dtype=float) - self.corner
        return np.stack([offset @ self.row_dir, offset @ self.col_dir, offset @ self.normal], axis=-1)

    def to_patient(self, u: float, v: float) -> np.ndarray:
        """LPS mm of the in-plane point ``(u, v)``."""
        return self.corner + u * self.row_dir + v * self.col_dir


def slice_rectangle(stack: Stack, index: int) -> SliceRectangle:
    """The rectangle covered by slice ``index`` of a stack with geometry."""
    spacing_c, spacing_r = (float(v) for v in stack.geometry.spacing[:2])
    direction = stack.geometry.direction
    row_dir, col_dir = direction[:, 0], direction[:, 1]
    position = stack.frames[index].position if stack.has_geometry else stack.slice_positions[index]
    corner = np.asarray(position, dtype=float) - 0.5 * spacing_c * row_dir - 0.5 * spacing_r * col_dir
    _, rows, cols = stack.shape
    return SliceRectangle(corner, row_dir, col_dir, direction[:, 2], cols * spacing_c, rows * spacing_r)


def _clip(rect: SliceRectangle, point: np.ndarray, direction: np.ndarray,
          t0: float, t1: float) -> tuple[float, float]:
    """Liang-Barsky: the part ``[t0, t1]`` of ``point + t*direction`` inside ``rect``."""
    start = rect.in_plane(point)
    rates = (float(direction @ rect.row_dir), float(direction @ rect.col_dir))
    for origin, rate, limit in zip(start[:2], rates, (rect.width, rect.height)):
        if abs(rate) < 1e-12:
            if not 0.0 <= origin <= limit:
                return 1.0, 0.0
            continue
        low, high = sorted(((0.0 - origin) / rate, (limit - origin) / rate))
        t0, t1 = max(t0, low), min(t1, high)
    return t0, t1


def plane_intersection_segment(stack_a: Stack, slice_a: int, stack_b: Stack,
                               slice_b: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Where slice ``slice_b`` of ``stack_b`` cuts the image of slice ``slice_a`` of ``stack_a``.

    The intersection line of the two slice planes, kept where it lies inside both images: a
    reference line is drawn only where the other image actually exists, so an axial slice above
    a cervical sagittal station leaves no line on it, and the line of an axial slice on a
    sagittal spans the axial's field of view.

    Parameters
    ----------
    stack_a, slice_a : Stack, int
        The image the line is drawn on.
    stack_b, slice_b : Stack, int
        The slice whose position is shown.

    Returns
    -------
    (p0, p1) : tuple of ndarray, shape (3,)
        End points in LPS mm, or None when the planes are parallel, either stack has no
        geometry, or the line misses one of the images.
    """
    if not (stack_a.has_geometry and stack_b.has_geometry):
        return None
    a, b = slice_rectangle(stack_a, slice_a), slice_rectangle(stack_b, slice_b)
    direction = np.cross(a.normal, b.normal)
    sine = float(np.linalg.norm(direction))
    if sine < _PARALLEL_SINE:
        return None
    direction /= sine
    # The point of the line nearest the patient origin: on both planes, normal to the line.
    system = np.array([a.normal, b.normal, direction])
    point = np.linalg.solve(system, [a.normal @ a.corner, b.normal @ b.corner, 0.0])
    t0, t1 = _clip(a, point, direction, -np.inf, np.inf)
    t0, t1 = _clip(b, point, direction, t0, t1)
    if not t1 > t0:
        return None
    return point + t0 * direction, point + t1 * direction


def slice_distance(stack: Stack, index: int, point: np.ndarray) -> float:
    """Signed distance in mm from slice ``index`` to a patient point, along the stack normal."""
    normal = stack.geometry.direction[:, 2]
    return float((np.asarray(point, dtype=float) - stack.slice_positions[index]) @ normal)


def slice_distances(stack: Stack, point: np.ndarray) -> np.ndarray:
    """Signed distances in mm from every slice of a stack to a point, shape ``(slices,)``."""
    normal = stack.geometry.direction[:, 2]
    return (np.asarray(point, dtype=float) - stack.slice_positions) @ normal


def nearest_slice(stack: Stack, point: np.ndarray) -> int:
    """The index of the slice whose plane is nearest a patient point (LPS mm).

    Slices beyond either end of the stack give the first or last slice. Ties (a point exactly
    half-way) go to the lower index.
    """
    return int(np.argmin(np.abs(slice_distances(stack, point))))


def slice_centre(stack: Stack, index: int) -> np.ndarray:
    """LPS mm of the centre of slice ``index``'s image."""
    rect = slice_rectangle(stack, index)
    return rect.to_patient(rect.width / 2.0, rect.height / 2.0)


def parallel(stack_a: Stack, stack_b: Stack, *, max_degrees: float = PARALLEL_DEGREES) -> bool:
    """True when both stacks have geometry and their slice normals are within ``max_degrees``."""
    if not (stack_a.has_geometry and stack_b.has_geometry):
        return False
    cosine = abs(float(stack_a.geometry.direction[:, 2] @ stack_b.geometry.direction[:, 2]))
    return cosine >= np.cos(np.radians(max_degrees))


def same_frame_of_reference(series_a: Series | None, series_b: Series | None) -> bool:
    """True when two series share patient coordinates (FrameOfReferenceUID, C.7.4.1.1.1).

    A series is always in its own frame; different series need the same non-empty UID.
    """
    if series_a is None or series_b is None:
        return False
    if series_a is series_b or series_a.uid == series_b.uid:
        return True
    uid = series_a.frame_of_reference_uid
    return bool(uid) and uid == series_b.frame_of_reference_uid
