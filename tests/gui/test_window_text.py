"""The window's text is read whole: prompts, dock rows and forms show every word at the
window's size, and the status bar gives the hint and the cursor readout a place each."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PyQt6.QtCore import QRect, Qt
from PyQt6.QtWidgets import QComboBox, QLabel, QStyle, QStyleOptionComboBox

from tests.gui.annotation_helpers import CASE1, click, copy_case, key, screen_of, type_into, type_field
from tests.gui.mouse import hover, wheel
from tests.gui.test_annotation_session import DISCS, draw_si, label_levels


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
    else:
        needed = metrics.boundingRect(QRect(0, 0, 100000, 100000), 0, label.text())
    fits = needed.width() <= room.width() and needed.height() <= room.height()
    return fits and label.visibleRegion().boundingRect() == label.rect()


def _wrapped_size(metrics, width: int, text: str):
    return metrics.boundingRect(QRect(0, 0, width, 100000), int(Qt.TextFlag.TextWordWrap), text)


def _choice_room(combo: QComboBox) -> int:
    """The width a combo box gives its chosen text, pixels."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    return combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo).width()


def _cut_choices(combos) -> list[str]:
    """The choices of ``combos`` that would not show whole once chosen."""
    return [combo.itemText(k) for combo in combos for k in range(combo.count())
            if combo.fontMetrics().horizontalAdvance(combo.itemText(k)) > _choice_room(combo)]


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
        # Wrapping never parts a level name at its hyphen ("T12-" over "L1").
        assert "T12\u2011L1" in prompt.question.text() and "-" not in prompt.question.text()
        assert sagittal.rect().contains(prompt.geometry())
        assert shows_whole_text(prompt.question)
        assert prompt.edit.width() > 100

    def test_prompt_follows_a_narrowed_viewport(self, qtbot, window):
        """A window made narrower while the prompt is open keeps it inside the viewport."""
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_L)
        click(sagittal, screen_of(sagittal, DISCS[0]))
        prompt = window.annotations.layers[0].prompt
        width = sagittal.width()
        window.resize(window.width() - 240, window.height())
        qtbot.waitUntil(lambda: sagittal.width() < width - 40)
        assert sagittal.rect().contains(prompt.geometry())
        assert shows_whole_text(prompt.question)

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


class TestFindingsDock:
    def test_every_choice_shows_whole(self, qtbot, window):
        """The suggested location 'thoracic-conus' and every word of every list show whole in
        the dock at the window's size, and no field reaches past the dock's edge."""
        label_levels(window, "T11-T12")
        draw_si(window)
        form = window.annotations.findings
        window.annotations.findings_dock.raise_()
        location = form.lesion_fields["location_override"]
        assert location.itemText(0) == "suggested: thoracic-conus"
        combos = [w for w in (*form.lesion_fields.values(), *form.patient_fields.values())
                  if isinstance(w, QComboBox)]
        assert not _cut_choices(combos)
        for page in range(form.tabs.count()):
            form.tabs.setCurrentIndex(page)
            area = form.tabs.currentWidget()
            qtbot.waitUntil(area.isVisible)
            fields = area.widget().findChildren(QLabel) + combos
            past = [w for w in fields if w.isVisible() and w.window() is window and
                    w.mapTo(area.viewport(), w.rect().topRight()).x() >= area.viewport().width()]
            assert not past

    def test_a_narrowed_dock_still_shows_the_whole_form(self, qtbot, window):
        """With the measurements dock closed, dragging the findings dock narrow stops at the
        width the form needs: nothing is cut."""
        form = window.annotations.findings
        dock = window.annotations.findings_dock
        window.annotations.measurements_dock.toggleViewAction().trigger()
        assert not window.annotations.measurements_dock.isVisible()
        form.tabs.setCurrentIndex(1)
        window.resizeDocks([dock], [120], Qt.Orientation.Horizontal)
        area = form.tabs.currentWidget()
        page = area.widget()
        qtbot.waitUntil(lambda: dock.width() < 500)
        assert page.minimumSizeHint().width() <= page.width() <= area.viewport().width()
        area.ensureWidgetVisible(form.intervals)
        qtbot.waitUntil(lambda: shows_whole_text(form.intervals))

    def test_intervals_wrap(self, qtbot, window):
        """The intervals between the dates wrap inside the dock."""
        form = window.annotations.findings
        window.annotations.findings_dock.raise_()
        form.tabs.setCurrentIndex(1)
        type_field(form.patient_fields["primary_diagnosis_date"], "2020-01-01")
        type_field(form.patient_fields["iscm_presentation_date"], "2022-01-01")
        type_field(form.patient_fields["iscm_diagnosis_date"], "2022-02-01")
        assert "primary → diagnosis" in form.intervals.text()
        form.tabs.currentWidget().ensureWidgetVisible(form.intervals)
        qtbot.waitUntil(lambda: shows_whole_text(form.intervals))

    def test_invalid_date_is_named_by_its_label_and_kept(self, window):
        """'31/03/2012' is refused in one line naming 'Primary tumour diagnosed', not the
        internal key, and stays in the red field while other fields are edited."""
        form = window.annotations.findings
        window.annotations.findings_dock.raise_()
        form.tabs.setCurrentIndex(1)
        field = form.patient_fields["primary_diagnosis_date"]
        type_field(field, "31/03/2012")
        message = form.error.text()
        assert message.startswith("Primary tumour diagnosed: '31/03/2012' is not a date")
        assert "primary_diagnosis_date" not in message and "\n" not in message
        assert message in window.statusBar().currentMessage()
        type_field(form.patient_fields["age_years"], "61")
        assert window.annotations.session.study.patient.age_years == 61.0
        assert field.text() == "31/03/2012" and "e05a5a" in field.styleSheet()
        assert form.error.isVisible() and form.error.text() == message
        type_field(field, "2012-03-31")
        assert window.annotations.session.study.patient.primary_diagnosis_date.isoformat() == "2012-03-31"
        assert not form.error.isVisible() and field.styleSheet() == ""


class TestStatusBar:
    def test_hint_and_readout_each_have_their_place(self, qtbot, window):
        """At the window's default size the Levels hint shows whole beside the readout, which
        keeps its size as the mouse moves."""
        window.resize(1500, 900)
        qtbot.waitUntil(lambda: window.statusBar().width() > 1400)
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_L)
        hint = window.statusBar().currentMessage()
        assert hint.startswith("Click the posterior margin")
        readout = window.cursor_label
        size = readout.size()
        hover(sagittal, screen_of(sagittal, (-24.0, -54.0, 87.0)))
        assert "value" in readout.text() and readout.size() == size
        assert shows_whole_text(readout)
        room = readout.x() - window.statusBar().contentsRect().x()
        assert window.statusBar().fontMetrics().horizontalAdvance(hint) < room


class TestCursorReadout:
    def test_follows_a_wheel_scroll(self, qtbot, window):
        """With the mouse still, a wheel notch shows the new slice's number and value."""
        sagittal = window.grid.viewports[0]
        # Points no other test hovers: QTest moves the real cursor, and a move to where it
        # already is sends no event.
        still = screen_of(sagittal, (-24.0, -54.0, 83.0))
        hover(sagittal, still)
        qtbot.waitUntil(lambda: "Slice 5 " in window.cursor_label.text())
        assert "value 500" in window.cursor_label.text()
        wheel(sagittal, -1, at=still)
        assert sagittal.state.slice_index == 5
        qtbot.waitUntil(lambda: "Slice 6 " in window.cursor_label.text())
        qtbot.waitUntil(lambda: "value 600" in window.cursor_label.text())

    def test_follows_an_undo(self, qtbot, window):
        """The level under a still mouse goes when Ctrl+Z takes back the discs naming it."""
        label_levels(window)
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        hover(sagittal, screen_of(sagittal, (-24.0, -54.0, 79.0)))
        assert "level: T11" in window.cursor_label.text()
        for _ in range(3):
            key(sagittal, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert len(window.annotations.session.study.levels.discs) == 1
        assert "level" not in window.cursor_label.text()
        assert "(LPS)" in window.cursor_label.text()
