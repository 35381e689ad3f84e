"""Real mouse and key input for the annotation tests, placed at patient-space points.

A patient point (LPS mm) is projected onto the viewport's displayed slice with
:func:`spineviewer.gui.reading.scene.patient_to_scene`, then mapped to the widget pixel that shows it.
Events go to ``view.viewport()``, as a user's do. The GUI tests turn off pyqtgraph's mouse-move
throttle (``every_mouse_move_taken`` in ``conftest.py``), so no move is dropped and none waits.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PyQt6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PyQt6.QtGui import QMouseEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from spineviewer.gui.reading import scene

REPO = Path(__file__).resolve().parents[2]
CASE1 = REPO / "sample_dicom" / "case1-breast-t12"


def copy_case(target: Path, case: Path = CASE1) -> Path:
    """A copy of a sample case (its annotation file must not land in the repository)."""
    return Path(shutil.copytree(case, target))


def widget_point(viewport, x: float, y: float) -> QPoint:
    """The view-widget pixel showing scene point ``(x, y)`` mm."""
    on_scene = viewport.view_box.mapViewToScene(QPointF(x, y))
    return viewport.view.mapFromScene(on_scene)


def screen_of(viewport, point) -> QPoint:
    """The widget pixel showing patient point ``point`` projected onto the displayed slice."""
    state = viewport.state
    x, y, _ = scene.patient_to_scene(state.stack, state.slice_index, point)
    return widget_point(viewport, x, y)


def _send(viewport, kind: QEvent.Type, pos: QPoint, button, buttons,
          modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    target = viewport.view.viewport()
    local = QPointF(pos)
    event = QMouseEvent(kind, local, QPointF(target.mapToGlobal(local)), button, buttons, modifiers)
    QApplication.sendEvent(target, event)


def click(viewport, pos: QPoint, *, button=Qt.MouseButton.LeftButton) -> None:
    """Press and release at ``pos`` without moving."""
    _send(viewport, QEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
    _send(viewport, QEvent.Type.MouseButtonPress, pos, button, button)
    _send(viewport, QEvent.Type.MouseButtonRelease, pos, button, Qt.MouseButton.NoButton)


def double_click(viewport, pos: QPoint) -> None:
    """Press, release, double-click, release at ``pos`` (what Qt delivers for a double-click)."""
    left = Qt.MouseButton.LeftButton
    click(viewport, pos)
    _send(viewport, QEvent.Type.MouseButtonDblClick, pos, left, left)
    _send(viewport, QEvent.Type.MouseButtonRelease, pos, left, Qt.MouseButton.NoButton)


def drag(viewport, start: QPoint, end: QPoint, *, button=Qt.MouseButton.LeftButton, steps: int = 4) -> None:
    """Press at ``start``, move to ``end`` in steps, release."""
    _send(viewport, QEvent.Type.MouseMove, start, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
    _send(viewport, QEvent.Type.MouseButtonPress, start, button, button)
    for k in range(1, steps + 1):
        pos = start + (end - start) * (k / steps)
        _send(viewport, QEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton, button)
    _send(viewport, QEvent.Type.MouseMove, end, Qt.MouseButton.NoButton, button)
    _send(viewport, QEvent.Type.MouseButtonRelease, end, button, Qt.MouseButton.NoButton)


def key(widget, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press and release on ``widget`` (shortcuts are looked up from it)."""
    QTest.keyClick(widget, key, modifiers)


def type_into(widget, text: str) -> None:
    """Type ``text`` then Enter."""
    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, Qt.Key.Key_Return)


def type_field(line_edit, text: str) -> None:
    """Replace a form field's text by typing, then leave it with Tab (as a reader does)."""
    line_edit.setFocus()
    line_edit.selectAll()
    QTest.keyClicks(line_edit, text)
    QTest.keyClick(line_edit, Qt.Key.Key_Tab)


def zoom_on(viewport, point, width_mm: float) -> None:
    """Zoom and pan so a ``width_mm`` wide square around a patient point fills the viewport
    (as a reader zooms in before measuring)."""
    state = viewport.state
    x, y, _ = scene.patient_to_scene(state.stack, state.slice_index, point)
    half = width_mm / 2
    viewport.view_box.setRange(xRange=(x - half, x + half), yRange=(y - half, y + half), padding=0.0)
    shown = viewport.view_box.viewRect().adjusted(-1e-6, -1e-6, 1e-6, 1e-6)
    assert shown.contains(QRectF(x - half, y - half, width_mm, width_mm)), shown
