"""Where the text over one viewport goes: disc names, the conus tip and drawing values, placed
clear of each other, of the markers and of the drawn lines.

The placing is that of the teaching figures (:class:`~spineviewer.export.lettering.Lettering`):
each text tries its directions from its anchor, best first, at growing distances, and takes the
first place inside the view that covers no text placed before it, no marker and no line; with
none free, the least crowded; text that had to move away from what it names gets a thin leader
line to it, as in figures. Text is placed in order, so what comes first keeps its place: the
layer gives the values and the conus tip first, then the disc names, which stand in a column
in front of the spine and are left out where no room is left (their neighbours still name the
levels); a value goes further from its drawing than in figures (:data:`REACH`, with its
leader) before it would cover anything.

Coordinates: anchors and lines come in scene mm (:mod:`spineviewer.gui.reading.scene`, y down);
text keeps its size in screen pixels whatever the zoom, so the placing is done in the view's
pixels (``(x, y)`` from the top left corner of the view) and the result goes back to scene mm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QLineF, QRectF
from PyQt6.QtGui import QColor, QPen
from PyQt6.QtWidgets import QGraphicsLineItem
from skimage.draw import line as raster_line

from spineviewer.export.lettering import Label, Lettering

Point2 = tuple[float, float]
Direction = tuple[float, float]

#: The four sides, right first (the side a reader looks for a value on).
SIDES: tuple[Direction, ...] = ((1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0))
#: Distances tried, in gaps: further than in figures, for a viewport of a 1x3 layout holds
#: little room beside the spine and a value with a leader is better than one over a name.
REACH = (1.0, 3.0, 6.0, 10.0, 15.0, 20.0)


@dataclass
class ViewText:
    """One text item waiting for its place.

    Attributes
    ----------
    item : pg.TextItem
        The text; it is moved (and hidden when it has no place).
    anchor : (x, y)
        The scene point it is placed from, mm.
    directions : tuple of (dx, dy)
        Where to put it from the anchor, best first (screen directions, y down).
    gap : float
        Screen pixels between the anchor and the text, at the nearest.
    subject : (x, y) or None
        The scene point the text names (a marker, a drawing); out of view, the text is hidden.
        None: the anchor.
    leader : bool
        Draw a leader line to the anchor when the text had to move away from it (False for
        text whose anchor is a place, not the thing it names).
    required : bool
        False: hide the text when it finds no free place (a disc name, when the discs stand
        closer than a line of text: the reader counts from the names shown).
    """

    item: pg.TextItem
    anchor: Point2
    directions: tuple[Direction, ...] = SIDES
    gap: float = 4.0
    subject: Point2 | None = None
    leader: bool = True
    required: bool = True


class _ViewPixels:
    """Scene mm <-> the view's pixels, for the range the view box shows now."""

    def __init__(self, view_box: pg.ViewBox):
        (self.x0, x1), (self.y0, y1) = view_box.viewRange()
        self.dx, self.dy = view_box.viewPixelSize()
        self.width = int(round((x1 - self.x0) / self.dx))
        self.height = int(round((y1 - self.y0) / self.dy))

    def to_pixels(self, point: Point2) -> Point2:
        return (point[0] - self.x0) / self.dx, (point[1] - self.y0) / self.dy

    def to_scene(self, x: float, y: float) -> Point2:
        return self.x0 + x * self.dx, self.y0 + y * self.dy

    def inside(self, point: Point2) -> bool:
        x, y = self.to_pixels(point)
        return 0 <= x <= self.width and 0 <= y <= self.height


def _draw_ink(ink: np.ndarray, lines: list) -> None:
    """Mark the pixels of ``lines`` (polylines in the view's pixels) on ``ink``, and those
    beside them: the pen is about two pixels wide with its dark halo."""
    for polyline in lines:
        ends = [np.round(point).astype(int) for point in polyline]
        for (c0, r0), (c1, r1) in zip(ends, ends[1:]):
            rows, cols = raster_line(r0, c0, r1, c1)
            for dr, dc in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)):
                r, c = rows + dr, cols + dc
                kept = (r >= 0) & (r < ink.shape[0]) & (c >= 0) & (c < ink.shape[1])
                ink[r[kept], c[kept]] = True


def _ink(pixels: _ViewPixels, lines: list[list[Point2]]) -> np.ndarray:
    """The view's pixels covered by ``lines`` (scene polylines)."""
    ink = np.zeros((pixels.height, pixels.width), dtype=bool)
    _draw_ink(ink, [[pixels.to_pixels(p) for p in polyline] for polyline in lines])
    return ink


def letter_boxes(viewport) -> list[QRectF]:
    """Scene rectangles under a viewport's orientation letters (painted over the view by its
    overlay, in widget pixels)."""
    view, overlay = viewport.view, viewport.overlay
    boxes = []
    for rect in overlay.letter_rects():
        corners = [viewport.view_box.mapSceneToView(view.mapToScene(
                       view.mapFrom(viewport, overlay.mapTo(viewport, p))))
                   for p in (rect.topLeft().toPoint(), rect.bottomRight().toPoint())]
        boxes.append(QRectF(corners[0], corners[1]).normalized())
    return boxes


class TextPlacer:
    """Places the text of one view box and draws its leader lines."""

    #: Leaders lie under the text (drawing values are at z 140, names at 131) and over lines.
    LEADER_Z = 125

    def __init__(self, view_box: pg.ViewBox):
        self.view_box = view_box
        self._leaders: list[QGraphicsLineItem] = []

    def clear(self) -> None:
        """Hide every leader (the text they led to is gone)."""
        for leader in self._leaders:
            leader.hide()

    def place(self, texts: list[ViewText], *, lines: list[list[Point2]],
              reserved: list[QRectF]) -> list[QRectF]:
        """Place ``texts`` in order, clear of each other, of the ``reserved`` scene rectangles
        (markers, orientation letters) and of the ``lines`` (scene polylines of the drawings).

        Returns
        -------
        list of QRectF
            The scene rectangle of each text placed (none for a hidden one); empty before the
            view has a size.
        """
        self.clear()
        size = self.view_box.viewPixelSize()
        if not size or size[0] <= 0 or size[1] <= 0:
            return []
        pixels = _ViewPixels(self.view_box)
        lettering = Lettering(pixels.width, pixels.height, ink=_ink(pixels, lines))
        for box in reserved:
            left, top = pixels.to_pixels((box.left(), box.top()))
            right, bottom = pixels.to_pixels((box.right(), box.bottom()))
            lettering.reserve((left, top, right, bottom))
        placed, leaders = [], []
        for text in texts:
            if not pixels.inside(text.subject or text.anchor):
                text.item.hide()
                continue
            bounds = text.item.textItem.boundingRect()
            label = Label(text.item.textItem.toPlainText(), pixels.to_pixels(text.anchor), 0,
                          directions=text.directions, gap=text.gap, required=text.required,
                          # Only text with a leader may go far: a name without one must not.
                          reach=REACH if text.leader else Label.reach,
                          extent=(bounds.width(), bounds.height()))
            box = lettering.add(label)
            if box is None:
                text.item.hide()
                continue
            leader = lettering.leader(label, box) if text.leader else None
            if leader is not None:
                leaders.append((leader, text.item.color))
                # Later text keeps off the leader too, or it would seem to lead to that text.
                _draw_ink(lettering.ink, [leader])
            left, top = pixels.to_scene(box[0], box[1])
            right, bottom = pixels.to_scene(box[2], box[3])
            text.item.setAnchor((0.0, 0.0))
            text.item.setPos(left, top)
            text.item.show()
            placed.append(QRectF(left, top, right - left, bottom - top))
        for k, ((start, end), colour) in enumerate(leaders):
            self._leader(k).setLine(QLineF(*pixels.to_scene(*start), *pixels.to_scene(*end)))
            self._leaders[k].setPen(_leader_pen(colour))
            self._leaders[k].show()
        return placed

    def _leader(self, k: int) -> QGraphicsLineItem:
        while len(self._leaders) <= k:
            item = QGraphicsLineItem()
            item.setZValue(self.LEADER_Z)
            self.view_box.addItem(item, ignoreBounds=True)
            self._leaders.append(item)
        return self._leaders[k]


def _leader_pen(colour) -> QPen:
    pen = QPen(QColor(colour), 1.0)
    pen.setCosmetic(True)
    return pen
