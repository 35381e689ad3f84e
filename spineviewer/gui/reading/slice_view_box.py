"""The view box of a viewport: the wheel scrolls slices, left-drag sets the window, Shift+click
places the 3-D cursor.

Points are emitted in scene mm (:mod:`spineviewer.gui.reading.scene`: the image plane, ``x`` along a
row, ``y`` down); the viewport turns them into slices, windows and patient points.
"""

from __future__ import annotations

import pyqtgraph as pg
from PyQt6.QtCore import Qt, pyqtSignal

#: Wheel delta of one notch (Qt reports eighths of a degree; a notch is 15 degrees).
_WHEEL_NOTCH = 120


class SliceViewBox(pg.ViewBox):
    """A ViewBox whose wheel scrolls slices and whose left-drag sets the window.

    Ctrl+wheel and right-drag keep pyqtgraph's zoom, middle-drag its pan. Shift+left-click, or
    any left click or drag while ``crosshair`` is on, places the cursor (``sigCursor``, scene mm).
    """

    sigScroll = pyqtSignal(int)
    sigWindowDrag = pyqtSignal(float, float, bool)
    sigCursor = pyqtSignal(float, float)

    def __init__(self):
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)
        self._wheel_rest = 0
        self.crosshair = False

    def _places_cursor(self, ev) -> bool:
        shift = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        return ev.button() == Qt.MouseButton.LeftButton and (self.crosshair or shift)

    def mouseClickEvent(self, ev):  # noqa: N802 - Qt override
        if self._places_cursor(ev):
            ev.accept()
            point = self.mapSceneToView(ev.scenePos())
            self.sigCursor.emit(point.x(), point.y())
            return
        super().mouseClickEvent(ev)

    def wheelEvent(self, ev, axis=None):  # noqa: N802 - Qt override
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(ev, axis)
            return
        ev.accept()
        # Touchpads send fractions of a notch: keep the rest for the next event.
        self._wheel_rest += ev.delta()
        steps = int(self._wheel_rest / _WHEEL_NOTCH)
        if steps:
            self._wheel_rest -= steps * _WHEEL_NOTCH
            self.sigScroll.emit(-steps)

    def mouseDragEvent(self, ev, axis=None):  # noqa: N802 - Qt override
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        if self._places_cursor(ev):
            point = self.mapSceneToView(ev.scenePos())
            self.sigCursor.emit(point.x(), point.y())
            return
        delta = ev.screenPos() - ev.buttonDownScreenPos(Qt.MouseButton.LeftButton)
        self.sigWindowDrag.emit(delta.x(), delta.y(), ev.isStart())
