"""Cross-referencing native slices in patient space: where one slice cuts another, which
slice of a stack is nearest a point.

Conventions
-----------
- Patient coordinates are DICOM LPS mm (x to the patient's left, y posterior, z superior).
- A slice is the rectangle its pixels cover, the image's corner-mm extent
  ``[0, columns*ΔC] x [0, rows*ΔR]`` (:mod:`spineviewer.core.plane`): the outer edges lie half
  a pixel beyond the first and last pixel centres. Each slice's own plane is used
  (:mod:`spineviewer.core.stack_geometry`), so unevenly spaced stacks stay exact.
- Distances to a slice are signed, along that slice's normal ``F_row x F_col``.

Everything here is numpy only: the viewer draws the results, tests check them against the
phantom's planes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spineviewer.core.model import Series, Stack
from spineviewer.core.plane import ImagePlane
from spineviewer.core.stack_geometry import slice_plane, stack_geometry

#: Planes closer to parallel than this (sine of the angle, about 0.06 degrees) do not intersect.
_PARALLEL_SINE = 1e-3
#: Stacks whose normals differ by less than this are the same plane for linked scrolling.
PARALLEL_DEGREES = 10.0
#: Which way a point lies from a block, by the LPS axis nearest the block's normal: the words
#: for the negative and the positive direction of x (patient's left), y (posterior), z (superior).
_SIDES = (("to the patient's right of", "to the patient's left of"), ("in front of", "behind"),
          ("below", "above"))


def _clip(plane: ImagePlane, point: np.ndarray, direction: np.ndarray,
          t0: float, t1: float) -> tuple[float, float]:
    """Liang-Barsky: the part ``[t0, t1]`` of ``point + t*direction`` inside the image."""
    start = plane.to_corner_mm(point)
    rates = plane.to_corner_mm(point + direction) - start
    for origin, rate, limit in zip(start, rates, plane.extent_mm):
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
    a, b = slice_plane(stack_a, slice_a), slice_plane(stack_b, slice_b)
    direction = np.cross(a.normal, b.normal)
    sine = float(np.linalg.norm(direction))
    if sine < _PARALLEL_SINE:
        return None
    direction /= sine
    # The point of the line nearest the patient origin: on both planes, normal to the line.
    system = np.array([a.normal, b.normal, direction])
    point = np.linalg.solve(system, [a.normal @ a.position, b.normal @ b.position, 0.0])
    t0, t1 = _clip(a, point, direction, -np.inf, np.inf)
    t0, t1 = _clip(b, point, direction, t0, t1)
    if not t1 > t0:
        return None
    return point + t0 * direction, point + t1 * direction


def nearest_slice(stack: Stack, point: np.ndarray) -> int:
    """The index of the slice whose plane is nearest a patient point (LPS mm).

    Slices beyond either end of the stack give the first or last slice. Ties (a point exactly
    half-way) go to the lower index.
    """
    return stack_geometry(stack).nearest(point)


@dataclass(frozen=True)
class OutsideBlock:
    """Where a point lies beyond the slices of a stack.

    Attributes
    ----------
    distance : float
        From the nearest end slice's plane to the point, along its normal, mm (positive).
    side : str
        The patient direction from the block to the point: ``"above"``, ``"below"``,
        ``"in front of"``, ``"behind"``, ``"to the patient's left of"``, ``"to the patient's
        right of"``.
    """

    distance: float
    side: str

    def __str__(self) -> str:
        return f"{self.distance:.0f} mm {self.side} this block"


def outside_block(stack: Stack, point: np.ndarray) -> OutsideBlock | None:
    """How far beyond a stack's slices a patient point (LPS mm) lies, None when one of them
    holds it.

    A slice holds a point within the one on-slice tolerance of
    :meth:`~spineviewer.core.stack_geometry.StackGeometry.holds` (half the gap to its
    neighbour), so every point between the first and the last slice is held and only a point
    more than half a gap past an end slice is outside. Where it lies within the images' field
    of view is not asked: the block covers a range along its normal.
    """
    geometry = stack_geometry(stack)
    index = geometry.nearest(point)
    if geometry.holds(index, point):
        return None
    plane = geometry.planes[index]
    distance = float(plane.distance(point))
    axis = int(np.argmax(np.abs(plane.normal)))
    towards_positive = distance * plane.normal[axis] > 0
    return OutsideBlock(abs(distance), _SIDES[axis][int(towards_positive)])


def slice_centre(stack: Stack, index: int) -> np.ndarray:
    """LPS mm of the centre of slice ``index``'s image."""
    return slice_plane(stack, index).centre


def parallel(stack_a: Stack, stack_b: Stack, *, max_degrees: float = PARALLEL_DEGREES) -> bool:
    """True when both stacks have geometry and their slice normals are within ``max_degrees``."""
    if not (stack_a.has_geometry and stack_b.has_geometry):
        return False
    cosine = abs(float(slice_plane(stack_a, 0).normal @ slice_plane(stack_b, 0).normal))
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
