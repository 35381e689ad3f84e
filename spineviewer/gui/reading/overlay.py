"""The annotations painted over a viewport: corner text, orientation letters, scale bar.

The overlay is a transparent widget laid over the image view. It paints in screen pixels, so
text stays the same size whatever the zoom, and every glyph is outlined in black to stay
legible over bright fat and fluid. It holds only what to paint (:class:`OverlayContent`),
computed by the viewport from the model; mouse events pass through it.

The overlay is painted with every slice the reader scrolls to, so text must be cheap: the
outline is the text drawn in black at small offsets around it (stroking the glyph paths looks
the same and costs about twenty times as much), and each outlined string is drawn once into a
small pixmap and reused while it stays on screen (:class:`_TextPixmaps`).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap
from PyQt6.QtWidgets import QWidget

from spineviewer.core.units import Unit

_TEXT = QColor(235, 235, 225)
_DIM = QColor(170, 200, 235)
_LETTER = QColor(255, 214, 90)
_OUTLINE = QColor(0, 0, 0, 230)
#: The cursor cross's red, lightened so that small text reads on a dark image.
_NOTICE = QColor(255, 130, 120)
_MARGIN = 8
#: Outlined strings kept as pixmaps: the corner lines of a few hundred slices.
_PIXMAPS_KEPT = 512
#: Where the black copies of a string go around it (screen pixels): a 1.5 px outline.
_OUTLINE_OFFSETS = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if dx or dy] + \
    [(0, -1.5), (0, 1.5), (-1.5, 0), (1.5, 0)]


@dataclass
class OverlayContent:
    """Everything the overlay paints, in screen terms.

    Attributes
    ----------
    corners : dict
        ``top_left``, ``top_right``, ``bottom_left`` -> lines of text.
    letters : dict
        ``left``, ``right``, ``top``, ``bottom`` -> patient direction letters.
    scale_length : float
        Length the scale bar stands for (0: no bar), in ``scale_unit``.
    scale_pixels : float
        Its length on screen, pixels.
    message : str
        A centred notice (empty viewport, loading, an error).
    accent : str
        The viewport's colour (``#rrggbb``, that of the reference lines it casts on the others),
        shown as a swatch before the first top-left line; empty for none.
    notice : str
        A line under the top-left corner in the cursor's colour: where the 3-D cursor lies when
        this image cannot show it; empty for none.
    """

    corners: dict[str, list[str]] = field(default_factory=dict)
    letters: dict[str, str] = field(default_factory=dict)
    scale_length: float = 0.0
    scale_pixels: float = 0.0
    scale_unit: Unit = Unit.MM
    message: str = ""
    accent: str = ""
    notice: str = ""


class _TextPixmaps:
    """Outlined strings rendered once into pixmaps, least recently used dropped first."""

    def __init__(self):
        self._kept: OrderedDict[tuple, tuple[QPixmap, QPointF]] = OrderedDict()

    def get(self, text: str, font: QFont, colour: QColor, ratio: float) -> tuple[QPixmap, QPointF]:
        """The pixmap of ``text`` and the offset of its top-left corner from the baseline origin."""
        key = (text, font.key(), colour.rgba(), ratio)
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
            return found
        bounds = QFontMetricsF(font).boundingRect(text).adjusted(-3, -3, 3, 3)
        left, top = math.floor(bounds.left()), math.floor(bounds.top())
        width, height = math.ceil(bounds.right()) - left, math.ceil(bounds.bottom()) - top
        pixmap = QPixmap(max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(-left, -top)
        painter.setFont(font)
        painter.setPen(_OUTLINE)
        for dx, dy in _OUTLINE_OFFSETS:
            painter.drawText(QPointF(dx, dy), text)
        painter.setPen(colour)
        painter.drawText(QPointF(0, 0), text)
        painter.end()
        found = self._kept[key] = (pixmap, QPointF(left, top))
        while len(self._kept) > _PIXMAPS_KEPT:
            self._kept.popitem(last=False)
        return found


def _format_length(value: float, unit: Unit) -> str:
    return f"{value:g} {unit.value}"


class ViewportOverlay(QWidget):
    """Paints an :class:`OverlayContent` over its parent's area."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.content = OverlayContent()
        self._font = QFont(self.font())
        self._font.setPointSizeF(10.0)
        self._font.setStyleHint(QFont.StyleHint.SansSerif)
        # A monospaced face gives "I" its serifs, so it never reads as a stray line.
        self._letter_font = QFont("monospace")
        self._letter_font.setStyleHint(QFont.StyleHint.TypeWriter)
        self._letter_font.setPointSizeF(14.0)
        self._letter_font.setBold(True)
        self._message_font = QFont(self._font)
        self._message_font.setPointSizeF(12.0)
        self._pixmaps = _TextPixmaps()

    def set_content(self, content: OverlayContent) -> None:
        self.content = content
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN)
        content = self.content
        for corner, lines in content.corners.items():
            self._paint_corner(painter, area, corner, lines)
        if content.notice:
            self._paint_notice(painter, area, len(content.corners.get("top_left", [])))
        self._paint_letters(painter, area, content.letters)
        if content.scale_length > 0 and content.scale_pixels > 4:
            self._paint_scale_bar(painter, area)
        if content.message:
            self._paint_message(painter, content.message)
        painter.end()

    def _outlined_text(self, painter: QPainter, point: QPointF, text: str, font: QFont,
                       colour: QColor) -> None:
        pixmap, offset = self._pixmaps.get(text, font, colour, self.devicePixelRatioF())
        # Whole pixels: a pixmap drawn between pixels would be resampled and blur.
        painter.drawPixmap(QPointF(round(point.x()) + offset.x(), round(point.y()) + offset.y()), pixmap)

    def _corner_width(self, area: QRectF) -> float:
        """Room for one corner's text: half the width, less the centred edge letter."""
        letter = QFontMetricsF(self._letter_font).horizontalAdvance("SI") / 2 + 10
        return max(40.0, area.width() / 2 - letter)

    def _top_row_room(self, area: QRectF, corner: str, row: int, metrics: QFontMetricsF) -> float:
        """Room for one row of a top corner, so that narrow viewports cut as little as possible.

        A row may run past the middle when the other corner's row beside it is short (each
        side keeps at least half); the rows beside the centred edge letter stay clear of it.
        """
        gap = 16.0
        other = self.content.corners.get("top_right" if corner == "top_left" else "top_left", [])
        room = area.width()
        if row < len(other):
            other_width = metrics.horizontalAdvance(other[row])
            if row == 0 and corner == "top_right" and self.content.accent:
                other_width += metrics.ascent() * 0.8 + 5  # the swatch before the left title
            room = max(area.width() / 2 - gap / 2, area.width() - other_width - gap)
        # Orientation letters have no descenders: the top one ends at its cap height.
        row_top = row * metrics.lineSpacing() + metrics.ascent() - metrics.capHeight()
        beside_letter = row_top < QFontMetricsF(self._letter_font).capHeight() + 2
        if beside_letter and self.content.letters.get("top"):
            room = min(room, self._corner_width(area))
        return max(40.0, room)

    def _paint_corner(self, painter: QPainter, area: QRectF, corner: str, lines: list[str]) -> None:
        metrics = QFontMetricsF(self._font)
        step = metrics.lineSpacing()
        top = corner.startswith("top")
        left = corner.endswith("left")
        swatch = metrics.ascent() * 0.8 if corner == "top_left" and self.content.accent else 0.0
        for k, line in enumerate(lines if top else reversed(lines)):
            room = self._top_row_room(area, corner, k, metrics) if top else self._corner_width(area)
            indent = swatch + 5 if swatch and k == 0 else 0.0
            # Long descriptions are cut rather than allowed to run into the other corner.
            line = metrics.elidedText(line, Qt.TextElideMode.ElideRight, room - indent)
            width = metrics.horizontalAdvance(line)
            x = area.left() + indent if left else area.right() - width
            y = area.top() + metrics.ascent() + k * step if top else area.bottom() - metrics.descent() - k * step
            if indent:
                box = QRectF(area.left(), y - swatch, swatch, swatch)
                painter.fillRect(box.adjusted(-1, -1, 1, 1), _OUTLINE)
                painter.fillRect(box, QColor(self.content.accent))
            colour = _TEXT if (k == 0 and top) else _DIM if corner == "top_right" else _TEXT
            self._outlined_text(painter, QPointF(x, y), line, self._font, colour)

    def _paint_notice(self, painter: QPainter, area: QRectF, row: int) -> None:
        """The notice from the row under the top-left lines, wrapped (not cut: its end says
        where the cursor is) to the corner's room."""
        metrics = QFontMetricsF(self._font)
        lines: list[str] = []
        for word in self.content.notice.split():
            room = self._top_row_room(area, "top_left", row + max(len(lines) - 1, 0), metrics)
            if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= room:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        for k, line in enumerate(lines):
            y = area.top() + metrics.ascent() + (row + k) * metrics.lineSpacing()
            self._outlined_text(painter, QPointF(area.left(), y), line, self._font, _NOTICE)

    def _letter_points(self, area: QRectF) -> dict[str, QPointF]:
        """The baseline origin of each orientation letter."""
        metrics = QFontMetricsF(self._letter_font)
        centre = area.center()
        points = {}
        for edge, text in self.content.letters.items():
            width = metrics.horizontalAdvance(text)
            if edge == "left":
                points[edge] = QPointF(area.left(), centre.y() + metrics.ascent() / 2)
            elif edge == "right":
                points[edge] = QPointF(area.right() - width, centre.y() + metrics.ascent() / 2)
            elif edge == "top":
                points[edge] = QPointF(centre.x() - width / 2, area.top() + metrics.capHeight())
            else:
                points[edge] = QPointF(centre.x() - width / 2, area.bottom() - metrics.descent())
        return points

    def letter_rects(self) -> list[QRectF]:
        """Where the orientation letters are painted (this widget's pixels, with their
        outline), so that text drawn over the image can keep clear of them."""
        metrics = QFontMetricsF(self._letter_font)
        area = QRectF(self.rect()).adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN)
        return [metrics.boundingRect(self.content.letters[edge]).translated(point).adjusted(-3, -3, 3, 3)
                for edge, point in self._letter_points(area).items()]

    def _paint_letters(self, painter: QPainter, area: QRectF, letters: dict[str, str]) -> None:
        for edge, point in self._letter_points(area).items():
            self._outlined_text(painter, point, letters[edge], self._letter_font, _LETTER)

    def _paint_scale_bar(self, painter: QPainter, area: QRectF) -> None:
        content = self.content
        metrics = QFontMetricsF(self._font)
        right = area.right()
        left = right - content.scale_pixels
        y = area.bottom() - metrics.lineSpacing() - 4
        for pen in (QPen(_OUTLINE, 5.0), QPen(_TEXT, 2.0)):
            painter.setPen(pen)
            painter.drawLine(QPointF(left, y), QPointF(right, y))
            painter.drawLine(QPointF(left, y - 5), QPointF(left, y + 5))
            painter.drawLine(QPointF(right, y - 5), QPointF(right, y + 5))
        label = _format_length(content.scale_length, content.scale_unit)
        width = metrics.horizontalAdvance(label)
        self._outlined_text(painter, QPointF(right - width, area.bottom() - metrics.descent()),
                            label, self._font, _TEXT)

    def _paint_message(self, painter: QPainter, message: str) -> None:
        painter.setFont(self._message_font)
        painter.setPen(QColor(150, 160, 175))
        painter.drawText(QRectF(self.rect()).adjusted(24, 24, -24, -24),
                         Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, message)
