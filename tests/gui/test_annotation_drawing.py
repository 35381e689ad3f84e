"""Drawing tools with the mouse: calipers, the bidirectional caliper, paths, outlines, arrows and
notes; editing by handles, deleting, lesions, units, where drawings show, and the measurements
panel taking the reader to the image a value was measured on."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtTest import QTest

from spineviewer.core.annotation_file import annotation_file_name, save_annotations
from spineviewer.core.annotations import (
    Arrow, Bidirectional, Caliper, CordPath, Lesion, Outline, StudyAnnotations, TextNote,
)
from spineviewer.core.loader import load_study
from spineviewer.gui.shell.browser import find_stack, stack_key
from tests.conftest import write_series
from tests.gui.annotation_helpers import click, double_click, drag, key, screen_of, type_into
from tests.gui.conftest import SAGITTAL, STUDY_UID
from tests.gui.mouse import hover, wheel
from tests.gui.test_annotation_session import draw_si

X = -24.0  # the middle slice of the synthetic SAG T2
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(open_window, spine_study):
    return open_window([spine_study])


def _lesion_drawings(window, lesion_id: int = 1):
    return window.annotations.session.study.lesion(lesion_id).annotations


def _only(window, kind):
    drawings = [d for d in window.annotations.session.study.all_drawings() if isinstance(d, kind)]
    assert len(drawings) == 1, drawings
    return drawings[0]


def _label(window, drawing, viewport_index: int = 0) -> str:
    return window.annotations.layers[viewport_index].items[drawing.id].label.textItem.toPlainText()


class TestCalipers:
    def test_si_caliper_value_in_mm(self, window):
        """A drag 20 mm down draws an SI caliper of lesion 1 labelled 20.0 mm."""
        draw_si(window)
        caliper = _only(window, Caliper)
        assert caliper.role.value == "si" and caliper.length == pytest.approx(20.0, abs=1.0)
        assert _label(window, caliper) == f"SI {caliper.length:.1f} mm"
        assert window.annotations.lesion_box.currentText() == "Lesion 1"

    def test_handle_drag_is_one_edit(self, window):
        """Dragging the lower handle 5 mm up shortens the caliper; one undo step restores it."""
        draw_si(window)
        sagittal = window.grid.viewports[0]
        drag(sagittal, screen_of(sagittal, (X, -52.0, 70.0)), screen_of(sagittal, (X, -52.0, 75.0)))
        caliper = _only(window, Caliper)
        assert caliper.length == pytest.approx(15.0, abs=1.0)
        assert _label(window, caliper).startswith("SI 15")
        history = window.annotations.session.history
        assert history.undo_label == "move SI caliper"
        window.annotations.session.undo()
        assert _only(window, Caliper).length == pytest.approx(20.0, abs=1.0)

    def test_delete_key_removes_the_selected_drawing(self, window):
        """Click the caliper's line to select it, Delete removes it."""
        draw_si(window)
        window.annotations.tools.select("")
        sagittal = window.grid.viewports[0]
        click(sagittal, screen_of(sagittal, (X, -52.0, 80.0)))
        assert window.annotations.tools.selected == _only(window, Caliper).id
        key(sagittal, Qt.Key.Key_Delete)
        assert _lesion_drawings(window) == ()

    def test_shown_on_its_slice_faint_on_neighbours(self, window):
        """On the next slice the caliper is a dashed ghost without handles; two away, nothing."""
        draw_si(window)
        sagittal, layer = window.grid.viewports[0], window.annotations.layers[0]
        assert len(layer.items) == 1
        wheel(sagittal, -1)
        assert layer.items == {} and len(layer._other_items) == 1
        assert not layer._other_items[0].style.editable and layer._other_items[0].style.dashed
        wheel(sagittal, -1)
        assert layer.items == {} and layer._other_items == []

    def test_new_lesion_takes_the_next_drawings(self, window):
        """N starts lesion 2: the next caliper is its, and labels carry the lesion number."""
        draw_si(window)
        key(window.grid.viewports[0], Qt.Key.Key_N)
        draw_si(window, top=(X, -50.0, 95.0), bottom=(X, -50.0, 85.0))
        study = window.annotations.session.study
        assert [len(lesion.annotations) for lesion in study.lesions] == [1, 1]
        assert window.annotations.lesion_box.currentText() == "Lesion 2"
        assert _label(window, study.lesion(2).annotations[0]).startswith("#2 SI 10")


class TestBidirectional:
    def _draw(self, window):
        axial = window.grid.viewports[2]
        axial.setFocus()
        key(axial, Qt.Key.Key_B)
        z = axial.state.stack.slice_positions[axial.state.slice_index][2]
        drag(axial, screen_of(axial, (-34.0, -50.0, z)), screen_of(axial, (-26.0, -50.0, z)))
        return axial, z

    def test_short_axis_appears_perpendicular_at_the_middle(self, window):
        """Dragging an 8 mm long axis gives a 4 mm short axis across its middle."""
        self._draw(window)
        caliper = _only(window, Bidirectional)
        assert caliper.long_length == pytest.approx(8.0, abs=0.5)
        assert caliper.short_length == pytest.approx(caliper.long_length / 2, abs=0.01)
        long_dir = np.subtract(*caliper.long_axis)
        short_dir = np.subtract(*caliper.short_axis)
        assert abs(long_dir @ short_dir) < 1e-6
        assert np.allclose(np.mean(caliper.short_axis, axis=0), np.mean(caliper.long_axis, axis=0))

    def test_short_axis_end_resizes_it_and_stays_square(self, window):
        """Dragging one short-axis end outwards lengthens that side; the axes stay perpendicular."""
        axial, z = self._draw(window)
        before = _only(window, Bidirectional)
        end = before.short_axis[1]
        drag(axial, screen_of(axial, end), screen_of(axial, (end[0] + 1.0, end[1] + 1.5, z)))
        after = _only(window, Bidirectional)
        assert after.id == before.id
        assert after.short_length == pytest.approx(before.short_length + 1.5, abs=0.5)
        assert abs(np.subtract(*after.long_axis) @ np.subtract(*after.short_axis)) < 1e-6
        assert "AP" in _label(window, after, 2) and "TR" in _label(window, after, 2)


class TestPathsAndTeaching:
    def test_t2_path_clicks_backspace_enter(self, window):
        """Clicks along the cord, Backspace takes one back, Enter finishes the T2 path."""
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_T)
        for z in (95.0, 85.0, 80.0, 75.0):
            click(sagittal, screen_of(sagittal, (X, -53.0, z)))
        key(sagittal, Qt.Key.Key_Backspace)
        click(sagittal, screen_of(sagittal, (X, -53.0, 70.0)))
        key(sagittal, Qt.Key.Key_Return)
        path = _only(window, CordPath)
        assert path.role.value == "t2" and len(path.vertices) == 4
        assert path.length == pytest.approx(25.0, abs=1.0)

    def test_double_click_finishes_escape_cancels(self, window):
        """A double-click ends a path; Esc in the middle of one draws nothing."""
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_E)
        click(sagittal, screen_of(sagittal, (X, -53.0, 90.0)))
        double_click(sagittal, screen_of(sagittal, (X, -53.0, 80.0)))
        assert _only(window, CordPath).role.value == "enhancement"
        click(sagittal, screen_of(sagittal, (X, -53.0, 70.0)))
        key(sagittal, Qt.Key.Key_Escape)
        key(sagittal, Qt.Key.Key_Return)
        assert len(list(window.annotations.session.study.all_drawings())) == 1

    def test_outline_area(self, window):
        """Clicks round a square of 2 x 4 mm close into an outline of 8 mm²."""
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_O)
        for y, z in ((-55.0, 90.0), (-53.0, 90.0), (-53.0, 86.0)):
            click(sagittal, screen_of(sagittal, (X, y, z)))
        double_click(sagittal, screen_of(sagittal, (X, -55.0, 86.0)))
        outline = _only(window, Outline)
        assert outline.area == pytest.approx(8.0, abs=1.0)
        assert _label(window, outline).endswith("mm²")

    def test_arrow_and_note_are_free_drawings(self, window):
        """An arrow and a note belong to no lesion and carry the typed text."""
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_A, SHIFT)
        drag(sagittal, screen_of(sagittal, (X, -53.0, 80.0)), screen_of(sagittal, (X, -58.0, 90.0)))
        type_into(window.annotations.layers[0].prompt.edit, "lesion")
        key(sagittal, Qt.Key.Key_T, SHIFT)
        click(sagittal, screen_of(sagittal, (X, -57.0, 70.0)))
        type_into(window.annotations.layers[0].prompt.edit, "edema")
        study = window.annotations.session.study
        assert study.lesions == ()
        arrow, note = study.annotations
        assert isinstance(arrow, Arrow) and arrow.text == "lesion" and arrow.head[2] == pytest.approx(80, abs=1)
        assert isinstance(note, TextNote) and note.text == "edema"


def test_pixels_when_the_series_has_no_spacing(open_window, tmp_path):
    """A series without PixelSpacing measures in px, and says so on the image and in the panel."""
    write_series(tmp_path / "nospacing", n=5, gap=3.0, start=(0.0, -60.0, 100.0), orientation=SAGITTAL,
                 shape=(40, 24), pixel_spacing=False, description="SAG T2")
    window = open_window([tmp_path / "nospacing"])
    sagittal = window.grid.viewports[0]
    sagittal.setFocus()
    key(sagittal, Qt.Key.Key_S)
    drag(sagittal, screen_of(sagittal, (-6.0, -55.0, 95.0)), screen_of(sagittal, (-6.0, -55.0, 75.0)))
    caliper = _only(window, Caliper)
    assert caliper.unit.value == "px"
    assert _label(window, caliper).endswith(" px")
    assert window.annotations.measurements.value(1, "si").endswith(" px")


class TestMeasurementsPanel:
    def _click_row(self, window, lesion_id, name):
        tree = window.annotations.measurements.tree
        item = window.annotations.measurements.row(lesion_id, name)
        tree.scrollToItem(item)
        cell = tree.visualRect(tree.indexFromItem(item, 1))
        QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=cell.center())

    def test_longest_t2_extent_says_what_is_missing(self, window):
        """Without a T2 path the patient summary says so; with a path but no discs it asks for
        the discs instead of claiming no path was drawn."""
        panel = window.annotations.measurements
        draw_si(window)
        assert panel.value(None, "max_t2_segments") == "no T2 path drawn"
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_T)
        for z in (95.0, 85.0, 75.0):
            click(sagittal, screen_of(sagittal, (X, -53.0, z)))
        key(sagittal, Qt.Key.Key_Return)
        assert panel.value(None, "max_t2_segments") == "mark two discs to count segments"

    def test_row_shows_the_slice_of_the_drawing(self, qtbot, window):
        """Scrolled away, a click on the SI row brings the SAG T2 back to the caliper's slice."""
        draw_si(window)
        sagittal = window.grid.viewports[0]
        wheel(sagittal, 3)
        assert sagittal.state.slice_index == 1
        window.annotations.tools.select("")
        self._click_row(window, 1, "si")
        qtbot.waitUntil(lambda: sagittal.state.slice_index == 4)
        assert window.annotations.tools.selected == _only(window, Caliper).id

    def test_row_puts_the_series_back_in_a_viewport(self, qtbot, window):
        """When no viewport shows the caliper's series any more, one of the same plane does."""
        draw_si(window)
        sag_t1 = find_stack(window.result, stack_key(window.grid.viewports[1].state.stack))
        window.show_stack(window.grid.viewports[0], stack_key(sag_t1))
        assert window.grid.viewports[0].state.context.series.description == "SAG T1 FS"
        self._click_row(window, 1, "si")
        qtbot.waitUntil(lambda: window.grid.viewports[0].state.context.series.description == "SAG T2 TSE")
        assert window.grid.viewports[0].state.slice_index == 4

    def test_volume_row_shows_the_first_enhancement_outline(self, qtbot, open_window, spine_study):
        """With a T2 outline drawn before the enhancement outlines, a click on the volume row
        selects the first enhancement outline, one the volume was computed from."""
        axial = next(s for s in load_study(spine_study).iter_stacks() if s.plane == "axial")

        def outline(k, role):
            z = float(axial.slice_positions[k][2])
            return Outline(vertices=[(-34, -54, z), (-30, -54, z), (-30, -50, z), (-34, -50, z)],
                           role=role, series_instance_uid=axial.series_uid,
                           sop_instance_uid=axial.frames[k].file.sop_instance_uid)

        t2, first, second = outline(1, "t2"), outline(2, "enhancement"), outline(3, "enhancement")
        save_annotations(StudyAnnotations(STUDY_UID, lesions=(Lesion(1, (t2, first, second)),)),
                         spine_study / annotation_file_name(STUDY_UID))
        window = open_window([spine_study])
        assert window.annotations.measurements.value(1, "volume") == "128 mm3"
        self._click_row(window, 1, "volume")
        qtbot.waitUntil(lambda: window.annotations.tools.selected == first.id)


class TestPathEditing:
    """The segments of a drawn path: narrow to grab, highlighted under the pointer and with
    their path, clicked to select it, double-clicked to add a vertex."""

    def _t2_path(self, window):
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_T)
        for z in (95.0, 85.0, 75.0):
            click(sagittal, screen_of(sagittal, (X, -53.0, z)))
        key(sagittal, Qt.Key.Key_Return)
        path = _only(window, CordPath)
        return sagittal, path, window.annotations.layers[0].items[path.id]._path

    def test_click_on_a_segment_selects_the_path(self, window):
        """A click between two vertices selects the path and changes nothing."""
        sagittal, path, _ = self._t2_path(window)
        window.annotations.tools.select("")
        click(sagittal, screen_of(sagittal, (X, -53.0, 90.0)))
        assert window.annotations.tools.selected == path.id
        assert _only(window, CordPath) == path

    def test_double_click_on_a_segment_adds_a_vertex(self, window):
        """A double-click between two vertices adds one there, as one undoable edit."""
        sagittal, path, _ = self._t2_path(window)
        double_click(sagittal, screen_of(sagittal, (X, -53.0, 80.0)))
        vertices = _only(window, CordPath).vertices
        assert len(vertices) == 4
        assert [round(v[2]) for v in vertices] == [95, 85, 80, 75]
        window.annotations.session.undo()
        assert _only(window, CordPath) == path

    def test_hover_highlights_the_segment_under_the_pointer(self, qtbot, window):
        """The pointer on a segment of a cord path highlights that segment; away, none."""
        sagittal, _, roi = self._t2_path(window)
        hover(sagittal, screen_of(sagittal, (X, -53.0, 90.0)))
        qtbot.waitUntil(lambda: [s.currentPen == s.hoverPen for s in roi.segments] == [True, False])
        hover(sagittal, screen_of(sagittal, (X, -45.0, 90.0)))
        qtbot.waitUntil(lambda: all(s.currentPen == s.pen for s in roi.segments))

    def test_hover_inside_an_outline_highlights_all_its_segments(self, qtbot, window):
        """The pointer inside an outline highlights every segment of it; outside, none."""
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_O)
        for y, z in ((-57.0, 90.0), (-49.0, 90.0), (-49.0, 80.0)):
            click(sagittal, screen_of(sagittal, (X, y, z)))
        double_click(sagittal, screen_of(sagittal, (X, -57.0, 80.0)))
        roi = window.annotations.layers[0].items[_only(window, Outline).id]._path
        assert len(roi.segments) == 4
        hover(sagittal, screen_of(sagittal, (X, -53.0, 85.0)))
        qtbot.waitUntil(lambda: all(s.currentPen == s.hoverPen for s in roi.segments))
        hover(sagittal, screen_of(sagittal, (X, -40.0, 90.0)))
        qtbot.waitUntil(lambda: all(s.currentPen == s.pen for s in roi.segments))

    def test_segment_grab_area_is_a_few_pixels_wide(self, window):
        """A press 10 screen pixels beside a segment misses it: the path stays unselected."""
        sagittal, path, _ = self._t2_path(window)
        window.annotations.tools.select("")
        beside = screen_of(sagittal, (X, -53.0, 90.0)) + QPoint(10, 0)
        click(sagittal, beside)
        assert window.annotations.tools.selected == ""
        assert _only(window, CordPath) == path
