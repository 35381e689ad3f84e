"""Real mouse input for pyqtgraph views: wheel events and button drags on a view's viewport.

Events go to ``view.viewport()``, the widget Qt delivers a QGraphicsView's mouse input to, so
they travel the same path as a user's: Qt -> pyqtgraph's GraphicsScene -> our ViewBox. The GUI
tests turn off pyqtgraph's mouse-move throttle (``every_mouse_move_taken`` in ``conftest.py``), so
no move is dropped and no event needs a pause before it.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QPoint, QPointF, Qt
from PyQt6.QtGui import QMouseEvent, QWheelEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

NOTCH = 120


def centre(viewport) -> QPoint:
    return viewport.view.viewport().rect().center()


def wheel(viewport, notches: int, *, modifiers=Qt.KeyboardModifier.NoModifier, at: QPoint | None = None) -> None:
    """Turn the wheel by ``notches`` (positive: away from the user) over the image."""
    target = viewport.view.viewport()
    pos = QPointF(at or centre(viewport))
    event = QWheelEvent(pos, QPointF(target.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, notches * NOTCH),
                        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(target, event)


def _send(target, kind: QEvent.Type, pos: QPoint, button, buttons) -> None:
    local = QPointF(pos)
    event = QMouseEvent(kind, local, QPointF(target.mapToGlobal(local)), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, event)


def drag(viewport, dx: int, dy: int, *, button=Qt.MouseButton.LeftButton, steps: int = 8) -> None:
    """Press ``button`` at the centre, move by ``(dx, dy)`` screen pixels in steps, release."""
    target = viewport.view.viewport()
    start = centre(viewport)
    _send(target, QEvent.Type.MouseButtonPress, start, button, button)
    for k in range(1, steps + 1):
        pos = start + QPoint(round(dx * k / steps), round(dy * k / steps))
        _send(target, QEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton, button)
    _send(target, QEvent.Type.MouseButtonRelease, start + QPoint(dx, dy), button, Qt.MouseButton.NoButton)


def hover(viewport, pos: QPoint) -> None:
    """Move the mouse (no button) to ``pos`` in the view's viewport."""
    QTest.mouseMove(viewport.view.viewport(), pos)


def scene_point_to_widget(viewport, x: float, y: float) -> QPoint:
    """The view-widget pixel showing scene point ``(x, y)`` (mm) of a viewport."""
    on_scene = viewport.view_box.mapViewToScene(QPointF(x, y))
    return viewport.view.mapFromScene(on_scene)


def click(viewport, pos: QPoint, *, modifiers=Qt.KeyboardModifier.NoModifier,
          button=Qt.MouseButton.LeftButton) -> None:
    """Press and release ``button`` at ``pos`` in the view's viewport, holding ``modifiers``."""
    QTest.mouseClick(viewport.view.viewport(), button, modifiers, pos)
