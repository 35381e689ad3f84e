"""The window's text is read whole: prompts, dock rows and forms show every word at the
window's size, and the status bar gives the hint and the cursor readout a place each."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QRect, Qt
from PyQt6.QtWidgets import QLabel

from tests.gui.annotation_helpers import click, key, screen_of, type_into
from tests.gui.test_annotation_session import DISCS


@pytest.fixture
def window(open_window, spine_study):
    return open_window([spine_study])


def shows_whole_text(label: QLabel) -> bool:
    """Every word of ``label`` is inside its own rectangle and none of it is clipped away by a
    parent (a prompt past the viewport's edge, a form past the dock's)."""
    room = label.contentsRect()
    metrics = label.fontMetrics()
    if label.wordWrap():
        needed = metrics.boundingRect(QRect(0, 0, room.width(), 100000),
                                      int(Qt.TextFlag.TextWordWrap), label.text())
        fits = needed.width() <= room.width() and needed.height() <= room.height()
    else:
        fits = metrics.horizontalAdvance(label.text()) <= room.width()
    return fits and label.visibleRegion().boundingRect() == label.rect()


class TestNamePrompt:
    def test_question_shows_its_whole_sentence(self, window):
        """The first disc's prompt, over a viewport a third of the window wide, shows the
        question whole, inside the viewport."""
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_L)
        click(sagittal, screen_of(sagittal, DISCS[0]))
        prompt = window.annotations.layers[0].prompt
        assert prompt.question.text().endswith("the others are named by counting")
        assert sagittal.rect().contains(prompt.geometry())
        assert shows_whole_text(prompt.question)
        assert prompt.edit.width() > 100

    def test_reason_for_a_refused_name_shows_whole(self, window):
        """A refused name's reason wraps under the entry, inside the viewport."""
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_L)
        click(sagittal, screen_of(sagittal, DISCS[-1]))
        prompt = window.annotations.layers[0].prompt
        type_into(prompt.edit, "T13-L1")
        assert "not a vertebral level" in prompt.error.text()
        assert sagittal.rect().contains(prompt.geometry())
        assert shows_whole_text(prompt.error) and shows_whole_text(prompt.question)
