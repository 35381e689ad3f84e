"""A stack as the planes of its slices: ``(slice, row, col)`` <-> patient, and which slice owns
a point or a drawing.

Conventions
-----------
- Patient coordinates are DICOM LPS mm; each slice is its own :class:`~.plane.ImagePlane`
  (its own ImagePositionPatient and ImageOrientationPatient), so unevenly spaced stacks and
  enhanced frames with their own orientation stay exact. Nothing assumes an even slice gap.
- Slices are ordered along the normal ``F_row × F_col``; a continuous slice index ``s`` between
  slices ``k`` and ``k + 1`` lies the fraction ``s - k`` of the way from plane ``k`` to plane
  ``k + 1``. Beyond the first or last slice the end pair is extended; a stack of one slice is
  taken to be its SliceThickness deep (1 mm when the files give none).
- A stack without ImagePositionPatient/ImageOrientationPatient (shown in file order) gets
  nominal planes: slice ``k`` at ``(0, 0, k)``, rows along y and columns along x.
- A point lies on slice ``k`` when slice ``k`` is the nearest and the point is within half the
  gap to the neighbouring slice on its side (:func:`on_slice_tolerance`), at least
  :data:`MIN_ON_SLICE_MM`. This one rule decides where drawings, disc markers and the 3-D
  cursor are shown in the viewer and in figures.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from spineviewer.core.plane import ImagePlane

if TYPE_CHECKING:
    from spineviewer.core.annotations import Drawing
    from spineviewer.core.model import Stack

#: Half-thickness below which "on a slice" never shrinks, mm: a very thin or single slice still
#: holds what was drawn on it.
MIN_ON_SLICE_MM = 0.5
#: Rounding slack, mm: a point placed exactly half-way between two slices lies on both.
_SLACK_MM = 1e-6


@dataclass(frozen=True, eq=False)
class StackGeometry:
    """The planes of a stack's slices, in slice order.

    Attributes
    ----------
    planes : tuple of ImagePlane
        One per slice, in order of increasing position along the normal.
    thickness : float
        Depth of a single-slice stack (SliceThickness, or 1 mm), mm.
    """

    planes: tuple[ImagePlane, ...]
    thickness: float

    @classmethod
    def of_stack(cls, stack: Stack) -> StackGeometry:
        """The planes of every slice of ``stack`` (nominal planes for a stack without geometry)."""
        if stack.has_geometry:
            planes = tuple(ImagePlane.of_frame(frame) for frame in stack.frames)
        else:
            planes = tuple(_nominal_plane(stack, index) for index in range(len(stack.frames)))
        return cls(planes, float(stack.frames[0].slice_thickness or 1.0))

    def __len__(self) -> int:
        return len(self.planes)

    def distances(self, points) -> np.ndarray:
        """Signed distances (mm) of LPS points ``(..., 3)`` from every slice's own plane,
        along its normal; shape ``(..., slices)``."""
        positions, normals = self._positions_normals
        return np.asarray(points, dtype=float) @ normals.T - np.sum(positions * normals, axis=-1)

    def nearest(self, point) -> int:
        """The slice whose plane is nearest an LPS point; beyond either end, the end slice.
        A point exactly half-way goes to the lower index."""
        return int(np.argmin(np.abs(self.distances(point))))

    def gap(self, index: int, towards: float) -> float:
        """Distance (mm) from slice ``index`` to its neighbour on the side of ``towards`` (a
        signed distance along the normal): the other neighbour for an end slice, the
        thickness for a stack of one."""
        if len(self.planes) == 1:
            return self.thickness
        step = 1 if towards > 0 else -1
        neighbour = index + step if 0 <= index + step < len(self.planes) else index - step
        return abs(float(self.planes[index].distance(self.planes[neighbour].position)))

    def holds(self, index: int, point) -> bool:
        """True when an LPS point lies on slice ``index`` (see the module's rule)."""
        distance = float(self.planes[index].distance(point))
        return abs(distance) <= on_slice_tolerance(self.gap(index, distance))

    def to_index(self, points) -> np.ndarray:
        """Continuous ``(slice, row, col)`` of LPS points ``(..., 3)``; shape ``(..., 3)``.

        Row and column are those of the point's projection, interpolated between the two
        slices it lies between, so the result is exact for parallel slices whatever their gaps.
        """
        points = np.asarray(points, dtype=float)
        if len(self.planes) == 1:
            plane = self.planes[0]
            depth = plane.distance(points) / self.thickness
            return np.concatenate([depth[..., None], plane.to_index(points)], axis=-1)
        distances = self.distances(points)
        below = np.clip(np.sum(distances > 0, axis=-1) - 1, 0, len(self.planes) - 2)
        d0 = np.take_along_axis(distances, below[..., None], axis=-1)[..., 0]
        d1 = np.take_along_axis(distances, below[..., None] + 1, axis=-1)[..., 0]
        fraction = d0 / (d0 - d1)
        first = self._indices_on(below, points)
        second = self._indices_on(below + 1, points)
        row_col = first + fraction[..., None] * (second - first)
        return np.concatenate([(below + fraction)[..., None], row_col], axis=-1)

    def from_index(self, index) -> np.ndarray:
        """LPS mm ``(..., 3)`` of continuous ``(slice, row, col)`` indices ``(..., 3)``."""
        index = np.asarray(index, dtype=float)
        depth, row_col = index[..., 0], index[..., 1:]
        if len(self.planes) == 1:
            plane = self.planes[0]
            return plane.from_index(row_col) + (depth * self.thickness)[..., None] * plane.normal
        below = np.clip(np.floor(depth).astype(int), 0, len(self.planes) - 2)
        fraction = (depth - below)[..., None]
        first = self._points_on(below, row_col)
        second = self._points_on(below + 1, row_col)
        return first + fraction * (second - first)

    @cached_property
    def _positions_normals(self) -> tuple[np.ndarray, np.ndarray]:
        return (np.array([plane.position for plane in self.planes]),
                np.array([plane.normal for plane in self.planes]))

    def _indices_on(self, slices: np.ndarray, points: np.ndarray) -> np.ndarray:
        """``(row, col)`` of each point ``(..., 3)`` on the plane of its slice in ``slices``."""
        found = np.empty(points.shape[:-1] + (2,))
        for k in np.unique(slices):
            chosen = slices == k
            found[chosen] = self.planes[k].to_index(points[chosen])
        return found

    def _points_on(self, slices: np.ndarray, row_col: np.ndarray) -> np.ndarray:
        """LPS mm of each ``(row, col)`` ``(..., 2)`` on the plane of its slice in ``slices``."""
        found = np.empty(row_col.shape[:-1] + (3,))
        for k in np.unique(slices):
            chosen = slices == k
            found[chosen] = self.planes[k].from_index(row_col[chosen])
        return found


def _nominal_plane(stack: Stack, index: int) -> ImagePlane:
    frame = stack.frames[index]
    return ImagePlane(np.array([0.0, 0.0, float(index)]), np.array([1.0, 0.0, 0.0]),
                      np.array([0.0, 1.0, 0.0]), frame.pixel_spacing or (1.0, 1.0),
                      frame.file.rows, frame.file.columns)


def on_slice_tolerance(gap: float) -> float:
    """How far (mm) a point may lie from a slice and still be on it: half the ``gap`` to the
    neighbouring slice, at least :data:`MIN_ON_SLICE_MM`."""
    return max(0.5 * gap, MIN_ON_SLICE_MM) + _SLACK_MM


# A stack's slices never change once it is built, and viewports ask for its planes on every
# redraw: each stack's planes are built once and dropped with the stack.
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def stack_geometry(stack: Stack) -> StackGeometry:
    """The :class:`StackGeometry` of ``stack``, built on first use."""
    geometry = _CACHE.get(stack)
    if geometry is None:
        geometry = _CACHE[stack] = StackGeometry.of_stack(stack)
    return geometry


def slice_plane(stack: Stack, index: int) -> ImagePlane:
    """The plane of slice ``index`` of ``stack``."""
    return stack_geometry(stack).planes[index]


def owning_slice(stack: Stack, drawing: Drawing) -> int | None:
    """The slice of ``stack`` a drawing lies on, or None when it lies on none of them.

    A drawing belongs to the image it was drawn on: a slice of a stack of its
    SeriesInstanceUID whose SOPInstanceUID it records, which must also be the slice holding the
    centre of its points (for multi-frame files and split series, whose frames share UIDs, this
    picks the frame).
    """
    if drawing.series_instance_uid != stack.series_uid or not stack.has_geometry:
        return None
    geometry = stack_geometry(stack)
    centre = np.mean(np.asarray(drawing.points, dtype=float), axis=0)
    index = geometry.nearest(centre)
    if not geometry.holds(index, centre):
        return None
    if stack.frames[index].file.sop_instance_uid != drawing.sop_instance_uid:
        return None
    return index
