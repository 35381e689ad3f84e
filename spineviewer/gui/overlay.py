"""The annotations painted over a viewport: corner text, orientation letters, scale bar.

The overlay is a transparent widget laid over the image view. It paints in screen pixels, so
text stays the same size whatever the zoom, and every glyph is outlined in black to stay
legible over bright fat and fluid. It holds only what to paint (:class:`OverlayContent`),
computed by the viewport from the model; mouse events pass through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PyQt6.QtWidgets import QWidget

_TEXT = QColor(235, 235, 225)
_DIM = QColor(170, 200, 235)
_LETTER = QColor(255, 214, 90)
_OUTLINE = QColor(0, 0, 0, 230)
_MARGIN = 8


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
    """

    corners: dict[str, list[str]] = field(default_factory=dict)
    letters: dict[str, str] = field(default_factory=dict)
    scale_length: float = 0.0
    scale_pixels: float = 0.0
    scale_unit: str = "mm"
    message: str = ""


def _format_length(value: float, unit: str) -> str:
    return f"{value:g} {unit}"


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
        self._paint_letters(painter, area, content.letters)
        if content.scale_length > 0 and content.scale_pixels > 4:
            self._paint_scale_bar(painter, area)
        if content.message:
            self._paint_message(painter, content.message)
        painter.end()

    def _outlined_text(self, painter: QPainter, point: QPointF, text: str, font: QFont,
                       colour: QColor) -> None:
        path = QPainterPath()
        path.addText(point, font, text)
        painter.strokePath(path, QPen(_OUTLINE, 3.0, Qt.PenStyle.SolidLine,
                                      Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        painter.fillPath(path, colour)

    def _corner_width(self, area: QRectF) -> float:
        """Room for one corner's text: half the width, less the centred edge letter."""
        letter = QFontMetricsF(self._letter_font).horizontalAdvance("SI") / 2 + 10
        return max(40.0, area.width() / 2 - letter)

    def _paint_corner(self, painter: QPainter, area: QRectF, corner: str, lines: list[str]) -> None:
        metrics = QFontMetricsF(self._font)
        step = metrics.lineSpacing()
        top = corner.startswith("top")
        left = corner.endswith("left")
        room = self._corner_width(area)
        for k, line in enumerate(lines if top else reversed(lines)):
            # Long descriptions are cut rather than allowed to run into the other corner.
            line = metrics.elidedText(line, Qt.TextElideMode.ElideRight, room)
            width = metrics.horizontalAdvance(line)
            x = area.left() if left else area.right() - width
            y = area.top() + metrics.ascent() + k * step if top else area.bottom() - metrics.descent() - k * step
            colour = _TEXT if (k == 0 and top) else _DIM if corner == "top_right" else _TEXT
            self._outlined_text(painter, QPointF(x, y), line, self._font, colour)

    def _paint_letters(self, painter: QPainter, area: QRectF, letters: dict[str, str]) -> None:
        metrics = QFontMetricsF(self._letter_font)
        centre = area.center()
        for edge, text in letters.items():
            width = metrics.horizontalAdvance(text)
            if edge == "left":
                point = QPointF(area.left(), centre.y() + metrics.ascent() / 2)
            elif edge == "right":
                point = QPointF(area.right() - width, centre.y() + metrics.ascent() / 2)
            elif edge == "top":
                point = QPointF(centre.x() - width / 2, area.top() + metrics.ascent())
            else:
                point = QPointF(centre.x() - width / 2, area.bottom() - metrics.descent())
            self._outlined_text(painter, point, text, self._letter_font, _LETTER)

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
