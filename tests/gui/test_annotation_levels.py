"""Level labelling with the mouse: naming the first disc, counting, moving, renaming and
deleting markers, the conus tip, and where the levels show (both sagittal series, projected on
every slice, the axial corner, the cursor readout)."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from spineviewer.gui.annotation.tools import Tool
from tests.gui.annotation_helpers import click, drag, key, screen_of, type_into
from tests.gui.mouse import hover, wheel
from tests.gui.test_annotation_session import DISCS, label_levels


@pytest.fixture
def window(open_window, spine_study):
    return open_window([spine_study])


def _levels(window):
    return window.annotations.session.study.levels


def _menu_click(menu, starts_with: str) -> None:
    action = next(a for a in menu.actions() if a.text().startswith(starts_with))
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


class TestLabelling:
    def test_first_disc_is_named_the_others_counted(self, window):
        """Naming the top disc T9-T10 names the next three by counting."""
        label_levels(window)
        assert [d.name for d in _levels(window).discs] == ["T9-T10", "T10-T11", "T11-T12", "T12-L1"]
        assert np.allclose(_levels(window).discs[0].point, DISCS[0], atol=0.5)

    def test_invalid_name_is_refused_with_the_reason(self, window):
        """'T13-L1' is not a disc: the prompt stays, says why, and nothing is marked."""
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_L)
        click(sagittal, screen_of(sagittal, DISCS[0]))
        prompt = window.annotations.layers[0].prompt
        type_into(prompt.edit, "T13-L1")
        assert prompt.isVisible() and "not a vertebral level" in prompt.error.text()
        assert window.annotations.session.study.levels is None
        prompt.edit.clear()
        type_into(prompt.edit, "t12/l1")
        assert [d.name for d in _levels(window).discs] == ["T12-L1"]
        assert not prompt.isVisible()

    def test_escape_cancels_the_prompt(self, window):
        """Esc closes the prompt without marking a disc (and without cancelling anything else)."""
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_L)
        click(sagittal, screen_of(sagittal, DISCS[0]))
        prompt = window.annotations.layers[0].prompt
        key(prompt.edit, Qt.Key.Key_Escape)
        assert not prompt.isVisible() and window.annotations.session.study.levels is None

    def test_axial_click_is_not_a_disc(self, window):
        """In levels mode a click on the axial image says to use a sagittal one."""
        axial = window.grid.viewports[2]
        axial.setFocus()
        key(axial, Qt.Key.Key_L)
        click(axial, axial.view.viewport().rect().center())
        assert window.annotations.session.study.levels is None
        assert "sagittal" in window.statusBar().currentMessage()

    def test_disc_between_two_takes_the_name_and_pushes_the_lower_down(self, window):
        """A disc clicked between T9-T10 and T10-T11 is T10-T11 (the undo step says so), the
        lower one becomes T11-T12, and one undo takes the disc back."""
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_L)
        click(sagittal, screen_of(sagittal, DISCS[0]))
        type_into(window.annotations.layers[0].prompt.edit, "T9-T10")
        click(sagittal, screen_of(sagittal, DISCS[2]))
        before = _levels(window)
        click(sagittal, screen_of(sagittal, DISCS[1]))
        discs = _levels(window).discs
        assert [d.name for d in sorted(discs, key=lambda d: -d.point[2])] == ["T9-T10", "T10-T11", "T11-T12"]
        assert np.allclose(next(d.point for d in discs if d.name == "T10-T11"), DISCS[1], atol=0.5)
        history = window.annotations.session.history
        assert history.undo_label == "mark disc T10-T11"
        window.annotations.session.undo()
        assert _levels(window) == before

    def test_disc_past_the_end_of_the_spine_is_refused(self, window):
        """Below a disc named S4-S5 there is no disc to count: nothing is marked, the status
        bar says why."""
        sagittal = window.grid.viewports[0]
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_L)
        click(sagittal, screen_of(sagittal, DISCS[0]))
        type_into(window.annotations.layers[0].prompt.edit, "S4-S5")
        before = _levels(window)
        click(sagittal, screen_of(sagittal, DISCS[1]))
        assert _levels(window) == before
        assert window.statusBar().currentMessage().startswith("Cannot mark a disc here")

    def test_conus_tip(self, window):
        """K then a click marks the conus tip and goes back to the previous tool."""
        label_levels(window)
        sagittal = window.grid.viewports[0]
        key(sagittal, Qt.Key.Key_L)
        key(sagittal, Qt.Key.Key_K)
        click(sagittal, screen_of(sagittal, (-24.0, -55.0, 62.0)))
        assert np.allclose(_levels(window).conus_tip, (-24.0, -55.0, 62.0), atol=0.5)
        assert window.annotations.tools.tool is Tool.LEVELS


class TestEditingMarkers:
    def test_drag_moves_a_disc_in_levels_mode(self, window):
        """Dragging the T10-T11 marker moves it (one undo step), keeping its name."""
        label_levels(window)
        sagittal = window.grid.viewports[0]
        key(sagittal, Qt.Key.Key_L)
        drag(sagittal, screen_of(sagittal, DISCS[1]), screen_of(sagittal, (-24.0, -53.0, 87.0)))
        disc = next(d for d in _levels(window).discs if d.name == "T10-T11")
        assert np.allclose(disc.point, (-24.0, -53.0, 87.0), atol=0.5)
        assert window.annotations.session.history.undo_label == "move disc T10-T11"

    def test_markers_do_not_move_while_reading(self, window):
        """In reading mode a drag over a marker sets the window, the disc stays."""
        label_levels(window)
        sagittal = window.grid.viewports[0]
        window_before = sagittal.state.window
        drag(sagittal, screen_of(sagittal, DISCS[1]), screen_of(sagittal, (-24.0, -50.0, 80.0)))
        assert np.allclose(_levels(window).discs[1].point, DISCS[1], atol=0.5)
        assert sagittal.state.window != window_before

    def test_right_click_renames_and_all_follow(self, window):
        """Right-click > Rename T10-T11 as T11-T12: every disc shifts by one level."""
        label_levels(window)
        sagittal = window.grid.viewports[0]
        layer = window.annotations.layers[0]
        key(sagittal, Qt.Key.Key_L)
        click(sagittal, screen_of(sagittal, DISCS[1]), button=Qt.MouseButton.RightButton)
        _menu_click(layer.context_menu, "Rename")
        layer.prompt.edit.selectAll()
        type_into(layer.prompt.edit, "T11-T12")
        assert [d.name for d in _levels(window).discs] == ["T10-T11", "T11-T12", "T12-L1", "L1-L2"]

    def test_right_click_deletes(self, window):
        """Right-click > Delete removes that disc only."""
        label_levels(window)
        sagittal = window.grid.viewports[0]
        key(sagittal, Qt.Key.Key_L)
        click(sagittal, screen_of(sagittal, DISCS[2]), button=Qt.MouseButton.RightButton)
        _menu_click(window.annotations.layers[0].context_menu, "Delete")
        assert [d.name for d in _levels(window).discs] == ["T9-T10", "T10-T11", "T12-L1"]


class TestWhereLevelsShow:
    def test_labels_on_both_sagittal_series(self, window):
        """The SAG T1 series (another series, same frame of reference) shows the same names."""
        label_levels(window)
        for layer in window.annotations.layers[:2]:
            assert set(layer.levels.labels) == {"T9-T10", "T10-T11", "T11-T12", "T12-L1"}
            assert layer.levels.labels["T9-T10"].textItem.toPlainText() == "T9-T10"
        assert window.annotations.layers[2].levels.labels == {}

    def test_projected_on_other_slices_hollow(self, window):
        """Scrolled two slices away, the markers are still drawn, hollow."""
        label_levels(window)
        sagittal = window.grid.viewports[0]
        layer = window.annotations.layers[0]
        assert layer.levels.markers["T9-T10"].brush.color().alpha() == 255
        wheel(sagittal, -2)
        assert sagittal.state.slice_index == 6
        assert layer.levels.markers["T9-T10"].brush.color().alpha() == 0

    def test_axial_corner_names_the_level(self, window):
        """The axial viewport's corner says which level its slice cuts."""
        axial = window.grid.viewports[2]
        assert not any(line.startswith("Level") for line in axial.overlay.content.corners["top_left"])
        label_levels(window)
        axial.state.set_slice(0)  # z = 60 mm: between T12-L1 (65) and L1-L2 (extrapolated, 55)
        assert "Level L1" in axial.overlay.content.corners["top_left"]

    def test_cursor_readout_names_the_level(self, window):
        """Hovering over the sagittal image shows the level under the mouse."""
        label_levels(window)
        sagittal = window.grid.viewports[0]
        hover(sagittal, screen_of(sagittal, (-24.0, -54.0, 80.0)))
        assert "level: T11" in window.cursor_label.text()
