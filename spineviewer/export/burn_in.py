"""Annotations burnt into a figure panel: calipers with their lengths, cord paths, outlines,
arrows, text notes and the vertebral level labels beside the spine.

Coordinates: drawings and disc markers are DICOM LPS mm; they are projected onto the panel's
image plane and mapped to panel pixels ``(x, y)`` by :class:`~.panel_view.PanelView`. A
drawing appears on a panel when it lies on the slice shown, by the one rule of the viewer
(:func:`spineviewer.core.stack_geometry.owning_slice`), and reaches into the panel. Lengths
are measured in patient space (the core's definitions), not on the panel; a drawing made in
pixels is labelled ``px``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spineviewer.core.annotations import (
    Arrow,
    Bidirectional,
    Caliper,
    Component,
    CordPath,
    Drawing,
    Outline,
    StudyAnnotations,
    TextNote,
)
from spineviewer.core.levels import LEVEL_NAMES, VertebralLevels, level_name
from spineviewer.core.model import Stack
from spineviewer.core.proposals import accepted
from spineviewer.core.stack_geometry import owning_slice
from spineviewer.core.units import Unit
from spineviewer.export.lettering import Label, Lettering, sideways
from spineviewer.export.panel_view import PanelView
from spineviewer.export.raster import Canvas, arrowhead

CALIPER = (255, 214, 0)
T2_PATH = (0, 200, 255)
ENHANCEMENT_PATH = (255, 110, 200)
OUTLINE = (90, 230, 90)
ARROW = (255, 255, 255)
LEVEL = (255, 255, 255)

#: How far in front of the posterior disc margins the level labels begin, mm (in front of the
#: vertebral bodies, which are 25-45 mm deep from the cervical to the lumbar spine).
LEVEL_LABEL_OFFSET_MM = 50.0
#: Distance of a cord path's bracket from the path, mm (clear of a cord about 10 mm wide).
BRACKET_OFFSET_MM = 9.0
#: Distance between side-by-side brackets of overlapping extents, mm.
BRACKET_SPACING_MM = 5.0


@dataclass(frozen=True)
class DrawingStyle:
    """Line widths and letter sizes for a panel, in panel pixels."""

    line_width: float
    tick: float
    label_size: int
    letter_size: int

    @classmethod
    def for_height(cls, height: int) -> DrawingStyle:
        """Sizes that read well on a panel ``height`` pixels tall (journal figures are printed
        a few centimetres wide, so letters scale with the panel)."""
        unit = max(height / 320.0, 0.75)
        return cls(line_width=max(1.0, round(1.5 * unit, 1)), tick=4.0 * unit,
                   label_size=max(10, round(11 * unit)), letter_size=max(16, round(24 * unit)))


def burn_in(canvas: Canvas, lettering: Lettering, view: PanelView, study: StudyAnnotations, *,
            stack: Stack, index: int, style: DrawingStyle) -> None:
    """Draw the study's annotations that belong to the image shown, and its level labels.

    The image shown is slice ``index`` of ``stack``; a drawing belongs to it when it lies on
    that slice (:func:`~spineviewer.core.stack_geometry.owning_slice`) and reaches into it.

    Lines come first and their labels after, so that each label can find a place clear of
    every line: the level names first (they stay in their column in front of the spine, or are
    left out), then the measurements.
    """
    study = accepted(study)  # a figure shows the reader's annotations, not the proposals
    labels: list[Label] = []
    if study.levels is not None and abs(float(view.plane.normal[2])) < 0.8:
        labels.extend(_levels(canvas, view, study, style))
    brackets: list[tuple[Component, float, float]] = []
    for drawing in study.all_drawings():
        if type(drawing) not in _DRAW and not isinstance(drawing, CordPath):
            continue  # a segmentation mask has no line to burn in
        if not _on_image(drawing, view, stack, index):
            continue
        if isinstance(drawing, CordPath):
            labels.extend(_cord_path(canvas, view, drawing, style, brackets))
        else:
            labels.extend(_DRAW[type(drawing)](canvas, view, drawing, style))
    lettering.ink = canvas.ink
    for label in labels:
        lettering.add(label)


def _on_image(drawing: Drawing, view: PanelView, stack: Stack, index: int) -> bool:
    if owning_slice(stack, drawing) != index:
        return False
    xy = view.to_canvas(drawing.points)
    inside = (xy[:, 0] >= 0) & (xy[:, 0] < view.width) & (xy[:, 1] >= 0) & (xy[:, 1] < view.height)
    return bool(inside.any())


def _length_text(length: float, unit: Unit) -> str:
    return f"{length:.1f} {unit.value}"


def _caliper(canvas, view, caliper: Caliper, style) -> list[Label]:
    a, b = view.to_canvas(caliper.endpoints)
    _ruler(canvas, a, b, CALIPER, style)
    text = _length_text(caliper.length, caliper.unit)
    if caliper.role is not None:
        text = f"{caliper.role.value.upper()} {text}"
    return [Label(text, tuple((a + b) / 2), style.label_size, CALIPER,
                  directions=sideways(a, b), gap=style.tick + 3)]


def _bidirectional(canvas, view, caliper: Bidirectional, style) -> list[Label]:
    long_a, long_b = view.to_canvas(caliper.long_axis)
    short_a, short_b = view.to_canvas(caliper.short_axis)
    _ruler(canvas, long_a, long_b, CALIPER, style)
    _ruler(canvas, short_a, short_b, CALIPER, style)
    # The default font has no multiplication sign; radiology reports write "8.0 x 7.0 mm".
    text = f"{caliper.long_length:.1f} x {caliper.short_length:.1f} {caliper.unit.value}"
    outward = _unit(long_b - long_a)
    return [Label(text, tuple(long_b), style.label_size, CALIPER,
                  directions=(tuple(outward), tuple(-outward)) + sideways(long_a, long_b),
                  gap=style.tick + 3)]


def _cord_path(canvas, view, path: CordPath, style, brackets: list) -> list[Label]:
    """A bracket beside the cord over the path's extent (drawn on the cord it would hide the
    signal it delineates): T2 behind the cord, enhancement in front of it. Brackets whose
    extents overlap stand side by side, the later one further out."""
    points = view.to_canvas(path.vertices)
    is_t2 = path.role is Component.T2
    color = T2_PATH if is_t2 else ENHANCEMENT_PATH
    side = view.direction((0.0, 1.0 if is_t2 else -1.0, 0.0))
    top, bottom = float(points[:, 1].min()), float(points[:, 1].max())
    row = sum(1 for role, a, b in brackets if role is path.role and a < bottom and top < b)
    brackets.append((path.role, top, bottom))
    offset_mm = BRACKET_OFFSET_MM + row * BRACKET_SPACING_MM
    bracket = points + side * offset_mm / view.pixel_mm
    canvas.stroke(bracket, color, style.line_width)
    if np.any(side):
        for start, end in ((points[0], bracket[0]), (points[-1], bracket[-1])):
            canvas.stroke([start + (end - start) * 0.4, end], color, style.line_width)
    name = "T2" if is_t2 else "enhancing"
    top = bracket[int(np.argmin(bracket[:, 1]))]
    return [Label(f"{name} {path.length:.0f} {path.unit.value}", tuple(top), style.label_size,
                  color, directions=((0.0, -1.0), tuple(side) if np.any(side) else (1.0, 0.0),
                                     (1.0, 0.0), (-1.0, 0.0)), gap=style.tick)]


def _outline(canvas, view, outline: Outline, style) -> list[Label]:
    canvas.stroke(view.to_canvas(outline.vertices), OUTLINE, style.line_width, closed=True)
    return []


def _arrow(canvas, view, arrow: Arrow, style) -> list[Label]:
    tail, head = view.to_canvas([arrow.tail, arrow.head])
    head_length = min(style.tick * 3, np.linalg.norm(head - tail) * 0.5)
    shaft_end = head - _unit(head - tail) * head_length * 0.8
    canvas.stroke([tail, shaft_end], ARROW, style.line_width * 1.5)
    canvas.polygon(arrowhead(tail, head, head_length), ARROW)
    if not arrow.text.strip():
        return []
    away = _unit(tail - head)
    return [Label(arrow.text, tuple(tail), style.label_size, ARROW,
                  directions=(tuple(away), (1.0, 0.0), (-1.0, 0.0), (0.0, -1.0)), gap=3.0)]


def _text_note(canvas, view, note: TextNote, style) -> list[Label]:
    anchor = view.to_canvas(note.anchor)
    return [Label(note.text, tuple(anchor), style.label_size,
                  directions=((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.0, -1.0)), gap=0.0)]


def _levels(canvas: Canvas, view: PanelView, study: StudyAnnotations,
            style: DrawingStyle) -> list[Label]:
    """A dot at each disc marker, and each vertebra's name in front of its body (on the
    anterior side of a line :data:`LEVEL_LABEL_OFFSET_MM` in front of the disc markers)."""
    for disc in study.levels.discs:
        canvas.dot(view.to_canvas(disc.point), style.line_width, LEVEL)
    labels = []
    for index, middle in _level_middles(study.levels):
        anterior = view.direction((0.0, -1.0, 0.0))
        if not np.any(anterior):
            continue
        anchor = view.to_canvas(middle) + anterior * LEVEL_LABEL_OFFSET_MM / view.pixel_mm
        edge = style.label_size
        if not (edge <= anchor[1] < view.height - edge and 0 <= anchor[0] < view.width):
            continue
        labels.append(Label(level_name(index), tuple(anchor), style.label_size, LEVEL,
                            directions=(tuple(anterior),), gap=1.0, required=False))
    return labels


def _level_middles(levels: VertebralLevels) -> list[tuple[int, np.ndarray]]:
    """``(level index, middle point)`` of each level between two adjacent marked discs, and of
    the levels just above the first and just below the last disc, extrapolated with their
    neighbour's height (:meth:`~spineviewer.core.levels.VertebralLevels.axis_point`)."""
    discs = levels.discs
    points = [np.asarray(d.point, dtype=float) for d in discs]
    middles = [(upper.lower_index, (a + b) / 2)
               for upper, lower, a, b in zip(discs, discs[1:], points, points[1:])
               if lower.lower_index - upper.lower_index == 1]
    if len(discs) >= 2 and discs[1].lower_index - discs[0].lower_index == 1 and discs[0].lower_index >= 1:
        middles.insert(0, (discs[0].lower_index - 1, levels.axis_point(discs[0].lower_index - 0.5)))
    if len(discs) >= 2 and discs[-1].lower_index - discs[-2].lower_index == 1 \
            and discs[-1].lower_index < len(LEVEL_NAMES):
        middles.append((discs[-1].lower_index, levels.axis_point(discs[-1].lower_index + 0.5)))
    return middles


def _ruler(canvas: Canvas, a, b, color, style: DrawingStyle) -> None:
    """A straight caliper with short ticks across each end (shorter on a short caliper, so
    that the ticks never hide the lesion it measures)."""
    canvas.stroke([a, b], color, style.line_width)
    normal = np.array(sideways(a, b)[0])
    tick = min(style.tick, 0.25 * float(np.linalg.norm(np.subtract(b, a))) + style.line_width)
    for end in (a, b):
        canvas.stroke([end - normal * tick, end + normal * tick], color, style.line_width)


def _unit(vector) -> np.ndarray:
    vector = np.asarray(vector, dtype=float)
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 1e-9 else np.array([1.0, 0.0])


_DRAW = {Caliper: _caliper, Bidirectional: _bidirectional, Outline: _outline, Arrow: _arrow,
         TextNote: _text_note}
