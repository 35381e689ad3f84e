"""Where annotations fall on a displayed slice: drawings, disc markers and the current level.

Coordinates: annotations are DICOM LPS mm; a viewport's scene is the image plane in mm
(:mod:`spineviewer.gui.reading.scene` adapts the slice's :class:`~spineviewer.core.plane.ImagePlane`).
A drawing belongs to the image it was drawn on, by the rule of
:func:`spineviewer.core.stack_geometry.owning_slice`: the slice whose SOPInstanceUID it records,
in a stack of its SeriesInstanceUID, and (for multi-frame files and split series, whose frames
share UIDs) the slice whose plane holds its points.
"""

from __future__ import annotations

import numpy as np

from spineviewer.core.levels import VertebralLevels
from spineviewer.core.model import Stack
from spineviewer.core.stack_geometry import slice_plane
from spineviewer.gui.reading import scene

Point2 = tuple[float, float]


def slice_uids(stack: Stack, slice_index: int) -> tuple[str, str]:
    """``(SeriesInstanceUID, SOPInstanceUID)`` of one slice."""
    return stack.series_uid, stack.frames[slice_index].file.sop_instance_uid


def to_scene(stack: Stack, slice_index: int, points) -> list[Point2]:
    """Scene ``(x, y)`` of patient points projected onto a slice."""
    projected = [scene.patient_to_scene(stack, slice_index, p) for p in points]
    return [(x, y) for x, y, _ in projected]


def from_scene(stack: Stack, slice_index: int, points) -> list[tuple[float, float, float]]:
    """Patient LPS mm of scene points on a slice."""
    return [tuple(float(v) for v in scene.scene_to_patient(stack, slice_index, x, y))
            for x, y in points]


def shows_levels(stack: Stack, frame_of_reference_uid: str, series_frame_of_reference: str) -> bool:
    """True when disc markers belong on this stack: a sagittal stack of the levels' frame of
    reference (or either one unknown: a study with one frame of reference says nothing)."""
    if stack.plane != "sagittal":
        return False
    return not (frame_of_reference_uid and series_frame_of_reference
                and frame_of_reference_uid != series_frame_of_reference)


def anterior_in_scene(stack: Stack) -> Point2:
    """Unit scene vector pointing to the patient's anterior (−y in LPS) on this stack's
    images; ``(0, 0)`` when the images do not show the anterior direction."""
    vector = slice_plane(stack, 0).in_plane((0.0, -1.0, 0.0))
    length = float(np.linalg.norm(vector))
    if length < 0.3:
        return 0.0, 0.0
    return float(vector[0] / length), float(vector[1] / length)


def level_on_slice(levels: VertebralLevels | None, stack: Stack, slice_index: int) -> str | None:
    """The vertebral level an axial slice cuts, where the spine axis through the disc points
    crosses its plane; None without two discs or when the axis never reaches the plane.

    The axis is the polyline of the disc points, continued beyond the first and last discs by
    one level height (as the level coordinate extrapolates).
    """
    if levels is None or not levels.is_usable or not stack.has_geometry:
        return None
    first, last = levels.discs[0].lower_index, levels.discs[-1].lower_index
    axis = np.vstack([levels.axis_point(first - 1), [d.point for d in levels.discs],
                      levels.axis_point(last + 1)])
    depth = slice_plane(stack, slice_index).distance(axis)
    for k in range(len(axis) - 1):
        a, b = depth[k], depth[k + 1]
        if a * b > 0 or a == b:
            continue
        return level_at_point(levels, axis[k] + (axis[k + 1] - axis[k]) * (a / (a - b)))
    return None


def level_at_point(levels: VertebralLevels | None, point) -> str | None:
    """The level containing a patient point, None without two discs."""
    if levels is None or not levels.is_usable or point is None:
        return None
    try:
        return levels.level_at(point)
    except (ValueError, OverflowError):  # degenerate markers give no coordinate
        return None
