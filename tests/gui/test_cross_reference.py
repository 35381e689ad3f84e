"""Cross-referencing on screen, driven by real mouse and key events: reference lines against the
analytic intersection of the slice planes, the 3-D cursor, linked scrolling, synchronized zoom.

Studies: the committed sample case 1 (sagittal 1.4 mm pixels, axial 0.94 mm), case 3 (two
sagittal stations), phantom case 2 with a 15° tilted axial block, and the small study of
``conftest.py`` whose two sagittal series have different slice positions.
"""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtTest import QTest

from spineviewer.gui.shell.browser import stack_key
from tests.conftest import SAMPLES, write_series
from tests.gui.conftest import AXIAL
from tests.gui.mouse import click, drag, hover, scene_point_to_widget, wheel

SHIFT = Qt.KeyboardModifier.ShiftModifier


def _viewport(window, description: str, stack_number: int = 1):
    for viewport in window.grid.viewports:
        state = viewport.state
        if state and state.context.series.description == description and state.stack.number == stack_number:
            return viewport
    raise AssertionError(f"{description} (stack {stack_number}) is not shown")


def _show(window, viewport, description: str, stack_number: int = 1) -> None:
    """Put a stack in a viewport the way a double-click in the browser does."""
    for _, _, series in window.result.iter_series():
        if series.description == description:
            window.show_stack(viewport, stack_key(series.stacks[stack_number - 1]))
            return
    raise AssertionError(description)


def _to_scene(stack, index: int, point) -> np.ndarray:
    """Scene mm of an LPS point on a slice, written out from the DICOM definition."""
    spacing_c, spacing_r = stack.geometry.spacing[:2]
    offset = np.asarray(point, float) - stack.frames[index].position
    row_dir, col_dir = stack.geometry.direction[:, 0], stack.geometry.direction[:, 1]
    return np.array([offset @ row_dir + spacing_c / 2, offset @ col_dir + spacing_r / 2])


def _from_colour(viewport, window, colour):
    return [line for line in viewport.references.shown if line.colour == window.crossref.colour(colour)]


def _assert_segment(line, expected, tolerance):
    """A drawn line's scene end points equal ``expected`` (either order) within ``tolerance`` mm."""
    drawn = np.array([line.start, line.end])
    expected = np.asarray(expected, float)
    if np.linalg.norm(drawn[0] - expected[0]) > np.linalg.norm(drawn[0] - expected[1]):
        expected = expected[::-1]
    assert np.abs(drawn - expected).max() < tolerance


def _shift_click_at(viewport, point) -> None:
    """Shift+click the screen pixel showing LPS ``point`` on the viewport's current slice."""
    state = viewport.state
    x, y = _to_scene(state.stack, state.slice_index, point)
    click(viewport, scene_point_to_widget(viewport, x, y), modifiers=SHIFT)


def _opened(qtbot, folder, tmp_path_factory):
    """A shown main window that finished loading ``folder`` (kept for the whole module)."""
    from PyQt6.QtCore import QSettings

    from spineviewer.gui.shell.app import main_window

    ini = tmp_path_factory.mktemp("settings") / "settings.ini"
    window = main_window([str(folder)], settings=QSettings(str(ini), QSettings.Format.IniFormat))
    window.resize(1200, 700)
    window.show()
    qtbot.waitUntil(lambda: window.result is not None and not window.work.running(), timeout=30000)
    return window


def _fresh(window):
    """The window as just opened: its study hung again, every reading tool at its default."""
    tools = window.tools
    for action, checked in ((tools.crosshair, False), (tools.reference_lines, True),
                            (tools.all_slices, False), (tools.link, True), (tools.sync_zoom, False)):
        action.setChecked(checked)
    window.set_level_namer(None)
    window.crossref.clear_cursor()
    window.hang(window.result)
    # Shortcuts (C, the number keys) go to the active window; another module's may have been.
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    return window


@pytest.fixture(scope="module")
def _case1_window(module_qtbot, tmp_path_factory):
    window = _opened(module_qtbot, SAMPLES / "case1-breast-t12", tmp_path_factory)
    yield window
    window.close()


@pytest.fixture(scope="module")
def _case3_window(module_qtbot, tmp_path_factory):
    window = _opened(module_qtbot, SAMPLES / "case3-lung-multiple", tmp_path_factory)
    yield window
    window.close()


@pytest.fixture
def case1(_case1_window):
    """Sample case 1 in 1x3: sagittal T2, sagittal T1+C, axial T1+C (one window per module,
    reset before each test)."""
    return _fresh(_case1_window)


@pytest.fixture
def case3(_case3_window):
    """Sample case 3 (two sagittal stations), reset before each test."""
    return _fresh(_case3_window)


class TestReferenceLines:
    def test_axial_line_on_sagittal_is_the_plane_intersection(self, case1):
        """After scrolling the axial, its line on the sagittal is the analytic intersection."""
        sagittal, axial = _viewport(case1, "SAG T2 TSE"), _viewport(case1, "AX T1 TSE +C")
        wheel(axial, -3)
        wheel(sagittal, 2)
        s, a = sagittal.state.slice_index, axial.state.slice_index
        assert (s, a) == (4, 11)
        sag, ax = sagittal.state.stack, axial.state.stack
        x, z = sag.frames[s].position[0], ax.frames[a].position[2]
        y0 = max(sag.frames[s].position[1] - 0.7, ax.frames[a].position[1] - 0.9375 / 2)
        y1 = min(sag.frames[s].position[1] + 191.5 * 1.4, ax.frames[a].position[1] + 191.5 * 0.9375)
        expected = [_to_scene(sag, s, [x, y0, z]), _to_scene(sag, s, [x, y1, z])]
        (line,) = _from_colour(sagittal, case1, axial)
        _assert_segment(line, expected, tolerance=0.5 * 1.4)
        assert line.current

    def test_line_moves_with_every_slice_change(self, case1):
        """One notch on the axial moves its line on the sagittal one slice gap (3.85 mm) up."""
        sagittal, axial = _viewport(case1, "SAG T2 TSE"), _viewport(case1, "AX T1 TSE +C")
        before = _from_colour(sagittal, case1, axial)[0].start[1]
        wheel(axial, -1)
        after = _from_colour(sagittal, case1, axial)[0].start[1]
        gap = axial.state.stack.geometry.spacing[2]
        assert before - after == pytest.approx(gap, abs=1e-6)

    def test_sagittal_lines_on_axial(self, case1):
        """Both sagittal series cut the axial at the sagittal slice's x; the second is dashed."""
        sagittal, t1c, axial = (_viewport(case1, d) for d in ("SAG T2 TSE", "SAG T1 TSE +C", "AX T1 TSE +C"))
        QTest.keyClick(sagittal, Qt.Key.Key_Up)
        x = sagittal.state.stack.frames[sagittal.state.slice_index].position[0]
        ax, a = axial.state.stack, axial.state.slice_index
        for source in (sagittal, t1c):
            (line,) = _from_colour(axial, case1, source)
            expected_x = _to_scene(ax, a, [x, 0.0, 0.0])[0]
            assert line.start[0] == pytest.approx(expected_x, abs=0.5 * 0.9375)
            assert line.end[0] == pytest.approx(expected_x, abs=0.5 * 0.9375)
        assert [line.share for line in axial.references.shown] == [(0, 2), (1, 2)]

    def test_parallel_series_draw_no_line(self, case1):
        """The two sagittal series do not cut each other."""
        sagittal, t1c = _viewport(case1, "SAG T2 TSE"), _viewport(case1, "SAG T1 TSE +C")
        assert _from_colour(sagittal, case1, t1c) == []

    def test_all_slice_positions_toggle(self, case1):
        """View > All slice positions draws every axial slice on the sagittal, one of them bright."""
        sagittal, axial = _viewport(case1, "SAG T2 TSE"), _viewport(case1, "AX T1 TSE +C")
        case1.tools.all_slices.trigger()
        lines = _from_colour(sagittal, case1, axial)
        assert len(lines) == axial.state.slice_count
        assert sum(line.current for line in lines) == 1
        # The axial keeps one line per sagittal: many faint lines would hide the cord.
        assert len(_from_colour(axial, case1, sagittal)) == 1
        case1.tools.reference_lines.trigger()
        assert sagittal.references.shown == []

    def test_hidden_viewports_cast_no_lines(self, case1):
        """In 1x1 the sagittal shows no lines: the others are not on screen."""
        QTest.keyClick(case1.grid.viewports[0], Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        assert case1.grid.viewports[0].references.shown == []

    def test_other_frame_of_reference_draws_nothing(self, open_window, spine_study):
        """An axial series in another frame of reference casts no line on the sagittal."""
        write_series(spine_study / "ax_other", n=5, gap=4.0, start=(-40.0, -60.0, 60.0), orientation=AXIAL,
                     shape=(24, 24), spacing=(0.8, 0.8), description="AX OTHER FRAME",
                     study_uid="1.2.826.0.1.3680043.8.498.77", frame_of_reference="7.7.7",
                     extra={"SeriesNumber": 9})
        window = open_window([spine_study])
        sagittal, axial = window.grid.viewports[0], window.grid.viewports[2]
        assert len(sagittal.references.shown) == 1
        _show(window, axial, "AX OTHER FRAME")
        assert sagittal.references.shown == []

    def test_tilted_axial_block(self, open_window, tilted_study):
        """A 15° tilted axial's line on the sagittal is its own column at the sagittal's x."""
        window = open_window([tilted_study])
        sagittal, axial = _viewport(window, "SAG T2 TSE"), _viewport(window, "AX T1 TSE +C")
        wheel(axial, 4)
        ax, a = axial.state.stack, axial.state.slice_index
        sag, s = sagittal.state.stack, sagittal.state.slice_index
        row_dir, col_dir = ax.geometry.direction[:, 0], ax.geometry.direction[:, 1]
        ipp = ax.frames[a].position
        along = (sag.frames[s].position[0] - ipp[0]) / row_dir[0]
        top = ipp + along * row_dir - 0.5 * ax.geometry.spacing[1] * col_dir
        bottom = top + ax.shape[1] * ax.geometry.spacing[1] * col_dir
        (line,) = _from_colour(sagittal, window, axial)
        _assert_segment(line, [_to_scene(sag, s, top), _to_scene(sag, s, bottom)], tolerance=0.5 * 1.4)
        # Tilted: the line rises 15° across the image.
        dx, dy = np.subtract(line.end, line.start)
        assert np.degrees(np.arctan2(abs(dy), abs(dx))) == pytest.approx(15.0, abs=0.1)

    def test_second_sagittal_station(self, case3):
        """In 2x2 with both sagittal stations, the axial's line is on each, at the axial's height,
        and the axial shows a line from each station."""
        station1 = _viewport(case3, "SAG T2 TSE", 1)
        station2 = case3.grid.viewports[3]
        _show(case3, station2, "SAG T2 TSE", 2)
        QTest.keyClick(station1, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
        axial = _viewport(case3, "AX T1 TSE +C")
        ax, a = axial.state.stack, axial.state.slice_index
        z = ax.frames[a].position[2]
        for station in (station1, station2):
            stack, s = station.state.stack, station.state.slice_index
            (line,) = _from_colour(station, case3, axial)
            expected_y = _to_scene(stack, s, [0.0, 0.0, z])[1]
            assert line.start[1] == pytest.approx(expected_y, abs=0.5 * 1.25)
            assert len(_from_colour(axial, case3, station)) == 1


class TestCursor:
    def test_shift_click_on_sagittal_moves_the_axial(self, case1):
        """Shift+click on the sagittal at a known point: the axial lands on the nearest slice
        and marks the point; the click is within a screen pixel of the point."""
        sagittal, axial = _viewport(case1, "SAG T2 TSE"), _viewport(case1, "AX T1 TSE +C")
        ax = axial.state.stack
        z = ax.frames[3].position[2] + 1.2
        x = sagittal.state.stack.frames[sagittal.state.slice_index].position[0]
        point = np.array([x, 10.0, z])
        _shift_click_at(sagittal, point)
        assert np.linalg.norm(case1.crossref.cursor - point) <= 1.5 * sagittal.mm_per_pixel()
        assert axial.state.slice_index == int(np.argmin(np.abs(ax.slice_positions[:, 2] - z))) == 3
        mark = axial.references.cursor
        assert mark is not None
        assert np.subtract(mark, _to_scene(ax, 3, point)) == pytest.approx([0, 0], abs=1.5 * sagittal.mm_per_pixel())
        assert sagittal.references.cursor is not None

    def test_shift_click_on_axial_moves_both_sagittals(self, case1):
        """The reverse: Shift+click on the axial sends both sagittal series to the nearest slice."""
        sagittal, t1c, axial = (_viewport(case1, d) for d in ("SAG T2 TSE", "SAG T1 TSE +C", "AX T1 TSE +C"))
        sag = sagittal.state.stack
        ax, a = axial.state.stack, axial.state.slice_index
        x = sag.frames[2].position[0] + 0.9
        _shift_click_at(axial, [x, 15.0, ax.frames[a].position[2]])
        expected = int(np.argmin(np.abs(sag.slice_positions[:, 0] - case1.crossref.cursor[0])))
        assert expected == 2
        assert sagittal.state.slice_index == t1c.state.slice_index == 2

    def test_plain_click_does_not_move_the_cursor(self, case1):
        """Without Shift (and crosshair mode off) a click only activates the viewport."""
        axial = _viewport(case1, "AX T1 TSE +C")
        click(axial, axial.view.viewport().rect().center())
        assert case1.crossref.cursor is None

    def test_crosshair_mode_on_key_c(self, case1):
        """C turns crosshair mode on: a plain click places the cursor and a drag moves it
        instead of changing the window; C again turns it off."""
        sagittal, axial = _viewport(case1, "SAG T2 TSE"), _viewport(case1, "AX T1 TSE +C")
        QTest.keyClick(sagittal, Qt.Key.Key_C)
        assert case1.tools.crosshair.isChecked()
        window_before = sagittal.state.window
        before = axial.state.slice_index
        drag(sagittal, 0, -60)
        assert sagittal.state.window == window_before
        assert axial.state.slice_index > before
        QTest.keyClick(sagittal, Qt.Key.Key_C)
        assert not case1.tools.crosshair.isChecked()
        drag(sagittal, 40, 0)
        assert sagittal.state.window != window_before

    def test_shift_click_above_the_axial_block(self, case1):
        """Shift+click 42 mm above the axial block: the axial keeps its slice, draws no cross
        and says where the cursor is; the sagittal T1 still goes to the point."""
        sagittal, t1c, axial = (_viewport(case1, d) for d in ("SAG T2 TSE", "SAG T1 TSE +C", "AX T1 TSE +C"))
        ax = axial.state.stack
        axial.state.set_slice(4)
        top = ax.slice_positions[:, 2].max()
        x = sagittal.state.stack.frames[sagittal.state.slice_index].position[0] + 1.0
        t1c.state.set_slice(0)
        _shift_click_at(sagittal, [x, 10.0, top + 42.0])
        assert case1.crossref.cursor[2] == pytest.approx(top + 42.0, abs=1.5 * sagittal.mm_per_pixel())
        assert axial.state.slice_index == 4
        assert axial.references.cursor is None
        notice = axial.overlay.content.notice
        assert notice.startswith("3-D cursor ") and notice.endswith(" mm above this block")
        assert abs(float(notice.split()[2]) - 42.0) <= 1.0
        assert "above this block, slice left as it was" in case1.statusBar().currentMessage()
        assert t1c.state.slice_index == sagittal.state.slice_index
        assert t1c.references.cursor is not None and not t1c.overlay.content.notice

    def test_cursor_in_the_block_clears_the_notice(self, case1):
        """A cursor the axial block holds moves the axial again and the notice goes."""
        sagittal, axial = _viewport(case1, "SAG T2 TSE"), _viewport(case1, "AX T1 TSE +C")
        ax = axial.state.stack
        x = sagittal.state.stack.frames[sagittal.state.slice_index].position[0]
        _shift_click_at(sagittal, [x, 10.0, ax.slice_positions[:, 2].min() - 30.0])
        assert "below this block" in axial.overlay.content.notice
        _shift_click_at(sagittal, [x, 10.0, ax.frames[2].position[2]])
        assert axial.state.slice_index == 2
        assert axial.overlay.content.notice == ""
        assert axial.references.cursor is not None

    def test_mark_hidden_once_scrolled_away(self, case1):
        """The cross shows only on a slice within half a gap of the cursor."""
        sagittal, axial = _viewport(case1, "SAG T2 TSE"), _viewport(case1, "AX T1 TSE +C")
        _shift_click_at(sagittal, [0.0, 0.0, axial.state.stack.frames[8].position[2]])
        assert axial.references.cursor is not None
        wheel(axial, -2)
        assert axial.references.cursor is None


class TestLinkedScrolling:
    def test_by_position_not_index(self, open_window, spine_study):
        """The sagittal T1 (7 slices from x = -9) follows the T2 (9 from x = -12) by position: its
        index stays one ahead."""
        window = open_window([spine_study])
        t2, t1 = window.grid.viewports[0], window.grid.viewports[1]
        for notches in (-1, 3, -2):
            wheel(t2, notches)
            x_t2 = t2.state.stack.frames[t2.state.slice_index].position[0]
            x_t1 = t1.state.stack.frames[t1.state.slice_index].position[0]
            assert x_t1 == pytest.approx(x_t2) and t1.state.slice_index == t2.state.slice_index + 1

    def test_axial_does_not_follow_the_sagittal(self, case1):
        """Scrolling a sagittal leaves the axial where it was (different plane)."""
        sagittal, axial = _viewport(case1, "SAG T2 TSE"), _viewport(case1, "AX T1 TSE +C")
        before = axial.state.slice_index
        wheel(sagittal, -2)
        assert axial.state.slice_index == before

    def test_unlinked(self, case1):
        """With View > Linked scrolling off, the sagittal T1+C stays put."""
        sagittal, t1c = _viewport(case1, "SAG T2 TSE"), _viewport(case1, "SAG T1 TSE +C")
        case1.tools.link.trigger()
        wheel(sagittal, -2)
        assert t1c.state.slice_index == sagittal.state.slice_index - 2

    def test_two_stations_of_case3(self, case3):
        """The thoracic station scrolls with the cervical one, to the same left-right position."""
        station1 = _viewport(case3, "SAG T2 TSE", 1)
        station2 = case3.grid.viewports[3]
        _show(case3, station2, "SAG T2 TSE", 2)
        for notches in (-2, 5, -1):
            wheel(station1, notches)
            x1 = station1.state.stack.frames[station1.state.slice_index].position[0]
            x2 = station2.state.stack.frames[station2.state.slice_index].position[0]
            assert x2 == pytest.approx(x1, abs=0.01)
        wheel(station2, 3)
        assert station1.state.slice_index == station2.state.slice_index


class TestSyncZoom:
    def test_zoom_one_zooms_all(self, case1):
        """With synchronized zoom on, Ctrl+wheel on the sagittal gives every viewport its mm scale."""
        sagittal, t1c, axial = (_viewport(case1, d) for d in ("SAG T2 TSE", "SAG T1 TSE +C", "AX T1 TSE +C"))
        assert axial.mm_per_pixel() != pytest.approx(sagittal.mm_per_pixel(), rel=0.05)
        case1.tools.sync_zoom.trigger()
        wheel(sagittal, 3, modifiers=Qt.KeyboardModifier.ControlModifier)
        scale = sagittal.mm_per_pixel()
        assert t1c.mm_per_pixel() == pytest.approx(scale, rel=1e-3)
        assert axial.mm_per_pixel() == pytest.approx(scale, rel=1e-3)

    def test_pan_keeps_parallel_series_on_the_same_anatomy(self, case1):
        """Panning the sagittal T2 centres the sagittal T1+C on the same patient point."""
        sagittal, t1c = _viewport(case1, "SAG T2 TSE"), _viewport(case1, "SAG T1 TSE +C")
        case1.tools.sync_zoom.trigger()
        wheel(sagittal, 2, modifiers=Qt.KeyboardModifier.ControlModifier)
        drag(sagittal, 80, 50, button=Qt.MouseButton.MiddleButton)
        centre, other = sagittal.view_centre(), t1c.view_centre()
        assert (other.x(), other.y()) == pytest.approx((centre.x(), centre.y()), abs=0.5)

    def test_off_by_default(self, case1):
        """Without it, zooming one viewport leaves the others alone."""
        sagittal, axial = _viewport(case1, "SAG T2 TSE"), _viewport(case1, "AX T1 TSE +C")
        before = axial.mm_per_pixel()
        wheel(sagittal, 3, modifiers=Qt.KeyboardModifier.ControlModifier)
        assert axial.mm_per_pixel() == pytest.approx(before)


class TestReadout:
    def test_level_hook(self, case1):
        """Moving the mouse over the image shows value, LPS position and the hook's level name."""
        sagittal = _viewport(case1, "SAG T2 TSE")
        seen = []
        case1.set_level_namer(lambda p: seen.append(p) or "T11")
        hover(sagittal, sagittal.view.viewport().rect().center())
        text = case1.cursor_label.text()
        assert "value" in text and "(LPS)" in text and text.endswith("level: T11")
        assert seen and seen[-1][0] == pytest.approx(0.0, abs=0.01)
        case1.set_level_namer(lambda p: None)
        hover(sagittal, sagittal.view.viewport().rect().center() + QPoint(3, 3))
        assert "level" not in case1.cursor_label.text()
