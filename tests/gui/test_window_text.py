"""The window's text is read whole: prompts, dock rows and forms show every word at the
window's size, and the status bar gives the hint and the cursor readout a place each."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PyQt6.QtCore import QRect, Qt
from PyQt6.QtWidgets import QLabel, QStyle

from tests.gui.annotation_helpers import CASE1, click, copy_case, key, screen_of, type_into
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
        needed = _wrapped_size(metrics, room.width(), label.text())
        fits = needed.width() <= room.width() and needed.height() <= room.height()
    else:
        fits = metrics.horizontalAdvance(label.text()) <= room.width()
    return fits and label.visibleRegion().boundingRect() == label.rect()


def _wrapped_size(metrics, width: int, text: str):
    return metrics.boundingRect(QRect(0, 0, width, 100000), int(Qt.TextFlag.TextWordWrap), text)


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


@pytest.mark.skipif(not (CASE1 / "reference-annotations.json").is_file(),
                    reason="sample case 1 has no answer key")
class TestMeasurementsDock:
    def test_both_value_columns_show_their_text(self, open_window, tmp_path):
        """With case 1's answer key beside a read that equals it, every cell of the dock,
        the answer-key column included, shows its whole text (wrapped, never cut)."""
        window = open_window([copy_case(tmp_path / "case1")])
        controls = window.annotations
        controls.answer_key_action.trigger()
        key_read = controls.session.reference
        controls.session.apply(lambda study: replace(study, lesions=key_read.lesions,
                                                     levels=key_read.levels), label="copy the key")
        tree = controls.measurements.tree
        assert controls.measurements.row(1, "location").text(2)
        margin = tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, tree) + 1
        metrics = tree.fontMetrics()
        items = [tree.topLevelItem(k) for k in range(tree.topLevelItemCount())]
        items += [top.child(k) for top in items for k in range(top.childCount())]
        cut = []
        for item in items:
            height = tree.visualItemRect(item).height()
            for column in (1, 2):
                room = tree.columnWidth(column) - 2 * margin
                needed = _wrapped_size(metrics, room, item.text(column))
                if needed.width() > room or needed.height() > height:
                    cut.append(item.text(column))
            label_room = tree.columnWidth(0) - tree.visualItemRect(item).x() - 2 * margin
            if metrics.horizontalAdvance(item.text(0)) > label_room:
                cut.append(item.text(0))
        assert not cut
