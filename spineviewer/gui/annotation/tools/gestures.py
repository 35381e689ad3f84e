"""Mouse gestures of the drawing tools, caught by an invisible item laid over the image.

Coordinates: the item lives in the viewport's view box, so the points it collects are scene
points ``(x, y)`` on the displayed slice (image plane in mm, :mod:`spineviewer.gui.reading.scene`).

While the reader reads (:attr:`~spineviewer.gui.annotation.tools.Tool.READ`), the item declines every
event and the view box below does window/level, zoom and pan as before. With a tool active,
it takes left clicks and left drags: a line is a drag (or two clicks), a path or an outline is
a series of clicks finished by a double-click (or Enter, see the layer); a seed is a click or
a box dragged from corner to corner; a paint stroke sends every point the mouse passes to
``painting`` as it goes. Drawings and disc markers sit above it, so their handles still get
the mouse first.
"""

from __future__ import annotations

from typing import Callable

import pyqtgraph as pg
from PyQt6.QtCore import QRectF, Qt

from spineviewer.gui.annotation.tools import Gesture, ToolSpec

Point2 = tuple[float, float]

#: Z value of the input item: above the image, below drawings and markers.
INPUT_Z = 50


class ToolInput(pg.GraphicsObject):
    """Collects one gesture at a time for the active tool.

    Parameters
    ----------
    active_spec : callable
        Returns the active tool's spec, or None when the mouse should read images.
    finished : callable
        Called with the gesture's scene points and the screen position of its last event
        (a seed: one point for a click, two opposite corners for a box).
    painting : callable, optional
        ``painting(points, done)`` for a paint stroke: the scene points the mouse passed since
        the last call; ``done`` is True at the end of the stroke.
    """

    def __init__(self, active_spec: Callable[[], ToolSpec | None],
                 finished: Callable[[list[Point2], object], None],
                 painting: Callable[[list[Point2], bool], None] | None = None):
        super().__init__()
        self._active_spec = active_spec
        self._finished = finished
        self._painting = painting
        self._rect = QRectF()
        self.points: list[Point2] = []
        self._gesture = Gesture.NONE
        self.setZValue(INPUT_Z)
        # Not part of the image's extent when the view box fits what it holds.
        self.setFlag(self.GraphicsItemFlag.ItemHasNoContents)
        pen = pg.mkPen("#ffe37a", width=1.5, style=Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.preview = pg.PlotCurveItem(pen=pen)
        self.preview.setZValue(INPUT_Z + 1)

    # -- QGraphicsItem ---------------------------------------------------------------------

    def set_rect(self, rect: QRectF) -> None:
        """Take input over ``rect`` (scene mm; the image plus a margin)."""
        self.prepareGeometryChange()
        self._rect = QRectF(rect)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect

    def paint(self, painter, option, widget=None) -> None:
        pass

    # -- gestures --------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a gesture is under way (points collected, not finished)."""
        return bool(self.points)

    def cancel(self) -> None:
        """Forget the gesture under way."""
        self.points = []
        self._gesture = Gesture.NONE
        self.preview.setData([], [])

    def take_back(self) -> bool:
        """Remove the last point of a path under way; False when there was none."""
        if not self.points:
            return False
        self.points.pop()
        self._show(self.points)
        return True

    def finish(self, screen_pos=None) -> None:
        """End a path or outline under way (Enter)."""
        points, self.points = self.points, []
        self.preview.setData([], [])
        self._gesture = Gesture.NONE
        if points:
            self._finished(points, screen_pos)

    def hover(self, point: Point2) -> None:
        """Rubber band from the last point to the mouse."""
        if self.points:
            self._show(self.points + [point])

    def _show(self, points: list[Point2]) -> None:
        closing = self._gesture is Gesture.POLYGON and len(points) > 2
        shown = points + [points[0]] if closing else points
        self.preview.setData([p[0] for p in shown], [p[1] for p in shown])

    def _spec(self, ev) -> ToolSpec | None:
        spec = self._active_spec()
        if spec is None or spec.gesture is Gesture.NONE or ev.button() != Qt.MouseButton.LeftButton:
            return None
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            return None  # Shift+click places the 3-D cursor whatever the tool
        return spec

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph override
        spec = self._spec(ev)
        if spec is None:
            ev.ignore()
            return
        ev.accept()
        point = (float(ev.pos().x()), float(ev.pos().y()))
        if spec.gesture is Gesture.PAINT:
            if self._painting is not None:
                self._painting([point], True)
        elif spec.gesture in (Gesture.POINT, Gesture.SEED):
            self.cancel()
            self._finished([point], ev.screenPos())
        elif spec.gesture is Gesture.LINE:
            # Two clicks draw a line as well as a drag does.
            if self.points and self._gesture is Gesture.LINE:
                start = self.points[0]
                self.cancel()
                self._finished([start, point], ev.screenPos())
            else:
                self.points, self._gesture = [point], Gesture.LINE
        elif ev.double():
            self.finish(ev.screenPos())
        else:
            self._gesture = spec.gesture
            self.points.append(point)
            self._show(self.points)

    def mouseDragEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph override
        spec = self._spec(ev)
        if spec is None or spec.gesture not in (Gesture.LINE, Gesture.SEED, Gesture.PAINT):
            ev.ignore()
            return
        ev.accept()
        start = ev.buttonDownPos()
        points = [(float(start.x()), float(start.y())), (float(ev.pos().x()), float(ev.pos().y()))]
        if spec.gesture is Gesture.PAINT:
            if self._painting is not None:
                last = start if ev.isStart() else ev.lastPos()
                self._painting([(float(last.x()), float(last.y())), points[1]], ev.isFinish())
            return
        self._gesture = spec.gesture
        if spec.gesture is Gesture.SEED:
            (x0, y0), (x1, y1) = points
            self.preview.setData([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0])
        else:
            self.preview.setData([p[0] for p in points], [p[1] for p in points])
        if ev.isFinish():
            self.cancel()
            self._finished(points, ev.screenPos())
