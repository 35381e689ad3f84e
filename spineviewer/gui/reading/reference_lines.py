"""What a viewport draws over its image for cross-referencing: reference lines and the cursor.

Items live in the viewport's ViewBox, so they are placed in scene mm (:mod:`spineviewer.gui.reading.scene`:
the image plane, ``x`` along a row, ``y`` down) and move with zoom and pan; their pens are
cosmetic, so lines keep their width in screen pixels. The geometry is computed elsewhere (in
patient space, :mod:`spineviewer.core.crossref`); this module only draws what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from PyQt6.QtCore import QLineF, QPointF, Qt
from PyQt6.QtGui import QColor, QPainterPath, QPen
from PyQt6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsPathItem

Point2 = tuple[float, float]

#: Drawn above the image (z 0) and below annotations.
_Z_LINES, _Z_CURSOR = 10, 11
#: Screen pixels: line widths, the cursor cross's arm and the gap left open at its centre.
_CURRENT_WIDTH, _FAINT_WIDTH = 1.6, 1.0
_CROSS_ARM, _CROSS_GAP = 13.0, 4.0
#: Opacity of a slice position that is not the source viewport's current slice.
_FAINT_ALPHA = 85
#: Length of one colour's dash along coincident lines, in pen widths.
_DASH = 4.0
CURSOR_COLOUR = QColor(255, 70, 70)


@dataclass(frozen=True)
class ReferenceLine:
    """One line to draw, in scene mm.

    Attributes
    ----------
    start, end : (x, y)
        End points in the target viewport's scene.
    colour : str
        The source viewport's colour (``#rrggbb``).
    current : bool
        True for the source's current slice (bright), False for its other slices (faint).
    share : (int, int)
        ``(k, n)``: the k-th of n lines that coincide (sagittal series at the same position).
        The first is drawn solid, the others as dashes in turn over it, so every colour shows.
    """

    start: Point2
    end: Point2
    colour: str
    current: bool = True
    share: tuple[int, int] = (0, 1)


class ReferenceLayer:
    """The reference lines and the cursor cross of one viewport's ViewBox."""

    def __init__(self, view_box):
        self._view_box = view_box
        self._lines: list[QGraphicsLineItem] = []
        self.shown: list[ReferenceLine] = []
        self.cursor: Point2 | None = None
        self._cross = QGraphicsPathItem()
        path = QPainterPath()
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            path.moveTo(dx * _CROSS_GAP, dy * _CROSS_GAP)
            path.lineTo(dx * _CROSS_ARM, dy * _CROSS_ARM)
        self._cross.setPath(path)
        # The cross keeps its size in screen pixels whatever the zoom.
        self._cross.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self._cross.setPen(_pen(CURSOR_COLOUR, 2.0))
        # A dark outline keeps the cross visible over bright fat and over a reference line.
        self._cross_outline = QGraphicsPathItem(path)
        self._cross_outline.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self._cross_outline.setPen(_pen(QColor(0, 0, 0, 200), 4.5))
        for z, item in ((_Z_CURSOR, self._cross_outline), (_Z_CURSOR + 0.5, self._cross)):
            item.setZValue(z)
            item.hide()
            view_box.addItem(item, ignoreBounds=True)

    def set_lines(self, lines: list[ReferenceLine]) -> None:
        """Draw exactly ``lines`` (items are reused; nothing is redrawn when nothing changed)."""
        if lines == self.shown:
            return
        self.shown = list(lines)
        while len(self._lines) < len(lines):
            item = QGraphicsLineItem()
            item.setZValue(_Z_LINES)
            self._view_box.addItem(item, ignoreBounds=True)
            self._lines.append(item)
        # Faint lines first, so the current ones are drawn over them.
        ordered = sorted(lines, key=lambda line: line.current)
        for item, line in zip(self._lines, ordered):
            colour = QColor(line.colour)
            if not line.current:
                colour.setAlpha(_FAINT_ALPHA)
            pen = _pen(colour, _CURRENT_WIDTH if line.current else _FAINT_WIDTH)
            k, n = line.share
            if k > 0:
                pen.setDashPattern([_DASH, _DASH * (n - 1)])
                pen.setDashOffset(_DASH * (n - k))
            item.setPen(pen)
            item.setLine(QLineF(QPointF(*line.start), QPointF(*line.end)))
            item.setZValue(_Z_LINES + (0.5 if line.current else 0.0) + 0.01 * line.share[0])
            item.show()
        for item in self._lines[len(lines):]:
            item.hide()

    def set_cursor(self, point: Point2 | None) -> None:
        """Mark the 3-D cursor at scene ``point``; None hides the mark."""
        self.cursor = point
        for item in (self._cross_outline, self._cross):
            item.setVisible(point is not None)
            if point is not None:
                item.setPos(QPointF(*point))


def _pen(colour: QColor, width: float) -> QPen:
    pen = QPen(colour, width)
    pen.setCosmetic(True)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen
