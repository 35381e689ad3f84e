"""Drawings from gestures and from edited handles, in patient space.

Coordinates: gestures and handles arrive as scene points ``(x, y)`` on one slice (image plane
in mm, :mod:`spineviewer.gui.reading.scene`); they leave here as DICOM LPS mm through that adapter,
once, when the gesture or the edit is finished. Plane geometry (the bidirectional caliper's
perpendicular) is worked out in the scene, which is isometric to the slice's plane in patient
space, so a right angle on screen is a right angle in the patient.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from spineviewer.core.annotations import (
    Arrow, Bidirectional, Caliper, CaliperRole, Component, CordPath, Drawing, Outline,
    Segmentation, TextNote,
)
from spineviewer.core.model import Stack
from spineviewer.core.units import Unit
from spineviewer.gui.annotation.slice_projection import from_scene, slice_uids
from spineviewer.gui.annotation.tools import Tool

Point2 = tuple[float, float]

#: Length of a new bidirectional caliper's short axis, as a fraction of its long axis.
SHORT_AXIS_START = 0.5


def describe(drawing: Drawing) -> str:
    """A drawing's name in the reader's words (``"SI caliper"``, ``"T2 path"``)."""
    if isinstance(drawing, Caliper):
        return f"{drawing.role.value.upper()} caliper" if drawing.role else "caliper"
    if isinstance(drawing, CordPath):
        return "T2 path" if drawing.role is Component.T2 else "enhancement path"
    return {Bidirectional: "bidirectional caliper", Outline: "outline", Arrow: "arrow",
            TextNote: "text note", Segmentation: "lesion mask"}.get(type(drawing), drawing.kind)


def new_drawing(tool: Tool, stack: Stack, slice_index: int, points: list[Point2], *,
                text: str = "") -> Drawing:
    """The drawing a finished gesture of ``tool`` makes on a slice.

    Raises ValueError (with the reason) when the gesture cannot make one: too short, too few
    points, an image without position.
    """
    if not stack.has_geometry:
        raise ValueError("this image has no position in its files, so nothing can be measured on it")
    series_uid, sop_uid = slice_uids(stack, slice_index)
    common = {"series_instance_uid": series_uid, "sop_instance_uid": sop_uid,
              "unit": Unit.of_image(stack.spacing_known)}

    def patient(scene_points):
        return from_scene(stack, slice_index, scene_points)

    if tool in (Tool.SI, Tool.AP):
        role = CaliperRole.SI if tool is Tool.SI else CaliperRole.AP
        return Caliper(endpoints=patient(points[:2]), role=role, **common)
    if tool is Tool.BIDIRECTIONAL:
        long_axis = points[:2]
        return Bidirectional(long_axis=patient(long_axis),
                             short_axis=patient(perpendicular_at_middle(long_axis)), **common)
    if tool in (Tool.T2_PATH, Tool.ENHANCEMENT_PATH):
        role = Component.T2 if tool is Tool.T2_PATH else Component.ENHANCEMENT
        return CordPath(vertices=patient(points), role=role, **common)
    if tool is Tool.OUTLINE:
        return Outline(vertices=patient(points), **common)
    if tool is Tool.ARROW:
        head, tail = patient(points[:2])
        return Arrow(head=head, tail=tail, text=text, **common)
    if tool is Tool.TEXT:
        return TextNote(anchor=patient(points[:1])[0], text=text, **common)
    raise ValueError(f"the {tool.value} tool does not draw")


def edited_drawing(drawing: Drawing, stack: Stack, slice_index: int, parts: dict) -> Drawing:
    """``drawing`` with new geometry from handles moved on a slice (same id, new points).

    ``parts`` maps the drawing's geometry fields to scene points: ``endpoints``,
    ``long_axis``, ``short_axis``, ``vertices``, ``head``/``tail`` or ``anchor``.
    """
    values = {}
    for name, points in parts.items():
        converted = from_scene(stack, slice_index, points)
        values[name] = converted[0] if name in ("head", "tail", "anchor") else tuple(converted)
    return replace(drawing, **values)


# Bidirectional caliper geometry (scene points) -----------------------------------------------

def perpendicular_at_middle(long_axis: list[Point2], fraction: float = SHORT_AXIS_START) -> list[Point2]:
    """A short axis through the middle of ``long_axis``, perpendicular, ``fraction`` as long."""
    a, b = np.asarray(long_axis, dtype=float)
    middle, half = (a + b) / 2, (b - a) / 2
    normal = np.array([-half[1], half[0]]) * fraction
    return [tuple(middle - normal), tuple(middle + normal)]


def _frame(long_axis) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    a, b = np.asarray(long_axis, dtype=float)
    length = float(np.linalg.norm(b - a))
    direction = (b - a) / length
    return a, direction, np.array([-direction[1], direction[0]]), length


def short_axis_after_long_moved(old_long, old_short, new_long) -> list[Point2]:
    """Keep the short axis where it was relative to the long axis when the long axis moves:
    same position along it (as a fraction) and the same distances on either side, clamped so
    the short axis stays the shorter."""
    a, direction, normal, length = _frame(old_long)
    short = np.asarray(old_short, dtype=float)
    t = float(np.mean((short - a) @ direction)) / length
    offsets = (short - a) @ normal
    return _short_axis(new_long, t, offsets)


def short_axis_after_short_moved(long_axis, dragged_short) -> list[Point2]:
    """Square the short axis up after one of its ends (or all of it) was dragged: each end
    keeps its distance from the long axis, and the axis crosses the long axis at right angles
    where the ends' mean projects on it (within the long axis)."""
    a, direction, normal, length = _frame(long_axis)
    short = np.asarray(dragged_short, dtype=float)
    t = float(np.clip(np.mean((short - a) @ direction) / length, 0.0, 1.0))
    return _short_axis(long_axis, t, (short - a) @ normal)


def _short_axis(long_axis, t: float, offsets) -> list[Point2]:
    a, direction, normal, length = _frame(long_axis)
    offsets = np.asarray(offsets, dtype=float)
    span = abs(float(offsets[1] - offsets[0]))
    if span > length:
        offsets = offsets * (length / span)
    if span < 1e-6:
        offsets = np.array([-0.25 * length, 0.25 * length])
    crossing = a + direction * (np.clip(t, 0.0, 1.0) * length)
    return [tuple(crossing + normal * offsets[0]), tuple(crossing + normal * offsets[1])]
