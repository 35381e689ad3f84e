"""Reading with mouse and keyboard: real events on a viewport showing a loaded series."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtTest import QTest

from tests.gui.mouse import centre, drag, hover, wheel


@pytest.fixture
def window(open_window, spine_study):
    return open_window([spine_study])


@pytest.fixture
def sagittal(window):
    """The first viewport: the sagittal T2 (9 slices), starting on the middle slice."""
    viewport = window.grid.viewports[0]
    assert viewport.state.stack.shape[0] == 9
    return viewport


def _view_range(viewport) -> list[float]:
    """``[x0, x1, y0, y1]`` of the visible scene, mm."""
    (x0, x1), (y0, y1) = viewport.view_box.viewRange()
    return [x0, x1, y0, y1]


def _view_width(viewport) -> float:
    (x0, x1), _ = viewport.view_box.viewRange()
    return x1 - x0


class TestSliceScrolling:
    def test_starts_on_middle_slice(self, sagittal):
        """A series opens on its middle slice."""
        assert sagittal.state.slice_index == 4

    def test_wheel_towards_user_goes_to_next_slice(self, sagittal):
        """One wheel notch towards the user shows the next slice."""
        wheel(sagittal, -1)
        assert sagittal.state.slice_index == 5

    def test_wheel_away_goes_back(self, sagittal):
        """Two notches away from the user go back two slices."""
        wheel(sagittal, 2)
        assert sagittal.state.slice_index == 2

    def test_wheel_stops_at_last_slice(self, sagittal):
        """Scrolling past the end stays on the last slice."""
        wheel(sagittal, -20)
        assert sagittal.state.slice_index == 8

    def test_arrow_keys(self, sagittal):
        """Down shows the next slice, Up the previous one."""
        QTest.keyClick(sagittal, Qt.Key.Key_Down)
        QTest.keyClick(sagittal, Qt.Key.Key_Down)
        QTest.keyClick(sagittal, Qt.Key.Key_Up)
        assert sagittal.state.slice_index == 5

    def test_page_home_end_keys(self, sagittal):
        """Home and End jump to the ends; Page Down moves a tenth of the stack (at least one)."""
        QTest.keyClick(sagittal, Qt.Key.Key_Home)
        assert sagittal.state.slice_index == 0
        QTest.keyClick(sagittal, Qt.Key.Key_PageDown)
        assert sagittal.state.slice_index == 1
        QTest.keyClick(sagittal, Qt.Key.Key_End)
        assert sagittal.state.slice_index == 8

    def test_image_follows_the_slice(self, qtbot, sagittal):
        """The drawn pixels are those of the new slice (slice k holds 100 * (k + 1))."""
        wheel(sagittal, -1)
        qtbot.waitUntil(lambda: sagittal.image.image is not None and sagittal.image.image[5, 5] == 600)


class TestWindowLevel:
    def test_drag_right_widens_the_window(self, sagittal):
        """Left-drag to the right increases the window width, the level stays."""
        centre_before, width_before = sagittal.state.window
        drag(sagittal, 60, 0)
        centre_after, width_after = sagittal.state.window
        assert width_after > width_before
        assert centre_after == pytest.approx(centre_before)

    def test_drag_down_raises_the_level(self, sagittal):
        """Left-drag downwards raises the window centre."""
        centre_before, width_before = sagittal.state.window
        drag(sagittal, 0, 50)
        centre_after, width_after = sagittal.state.window
        assert centre_after > centre_before
        assert width_after == pytest.approx(width_before)

    def test_drawn_levels_follow_the_window(self, sagittal):
        """The image item draws with the window the state holds."""
        drag(sagittal, -40, 30)
        centre, width = sagittal.state.window
        low, high = sagittal.image.getLevels()
        assert (low, high) == pytest.approx((centre - width / 2, centre + width / 2))

    def test_r_resets_the_window(self, sagittal):
        """R brings back the initial window."""
        before = sagittal.state.window
        drag(sagittal, 80, 40)
        QTest.keyClick(sagittal, Qt.Key.Key_R)
        assert sagittal.state.window == pytest.approx(before)

    def test_drag_does_not_pan(self, sagittal):
        """A window drag leaves the view where it was."""
        before = _view_range(sagittal)
        drag(sagittal, 60, 60)
        assert _view_range(sagittal) == pytest.approx(before)


class TestZoomAndPan:
    def test_ctrl_wheel_zooms_in_without_changing_slice(self, sagittal):
        """Ctrl+wheel away from the user magnifies and keeps the slice."""
        width = _view_width(sagittal)
        wheel(sagittal, 3, modifiers=Qt.KeyboardModifier.ControlModifier)
        assert _view_width(sagittal) < width
        assert sagittal.state.slice_index == 4

    def test_right_drag_zooms(self, sagittal):
        """Right-drag upwards magnifies."""
        width = _view_width(sagittal)
        drag(sagittal, 0, -60, button=Qt.MouseButton.RightButton)
        assert _view_width(sagittal) < width

    def test_middle_drag_pans(self, sagittal):
        """Middle-drag moves the image with the mouse, keeping the zoom."""
        (x0, x1), _ = sagittal.view_box.viewRange()
        drag(sagittal, 80, 0, button=Qt.MouseButton.MiddleButton)
        (y0, y1), _ = sagittal.view_box.viewRange()
        assert y0 < x0 and y1 - y0 == pytest.approx(x1 - x0)

    def test_f_fits_again(self, sagittal):
        """F undoes zoom and pan."""
        before = _view_range(sagittal)
        wheel(sagittal, 4, modifiers=Qt.KeyboardModifier.ControlModifier)
        drag(sagittal, 30, 10, button=Qt.MouseButton.MiddleButton)
        QTest.keyClick(sagittal, Qt.Key.Key_F)
        assert _view_range(sagittal) == pytest.approx(before)


class TestGeometryOnScreen:
    def test_pixels_are_square_in_mm(self, sagittal):
        """A 24 x 40 image with 0.5 x 1.0 mm pixels is drawn 12 mm wide and 40 mm tall."""
        rect = sagittal.image.mapRectToParent(sagittal.image.boundingRect())
        assert (rect.width(), rect.height()) == pytest.approx((12.0, 40.0))
        assert sagittal.view_box.state["aspectLocked"] == 1

    def test_fitted_image_is_centred(self, sagittal):
        """Fitting centres the image and shows all of it."""
        x0, x1, y0, y1 = _view_range(sagittal)
        assert ((x0 + x1) / 2, (y0 + y1) / 2) == pytest.approx((6.0, 20.0))
        assert x0 <= 0 and x1 >= 12 and y0 <= 0 and y1 >= 40

    def test_sagittal_edge_letters(self, sagittal):
        """IOP [0,1,0,0,0,-1]: anterior left, posterior right, superior top, inferior bottom."""
        assert sagittal.overlay.content.letters == {"left": "A", "right": "P", "top": "S", "bottom": "I"}

    def test_corner_text(self, sagittal):
        """The overlay names the series, the slice n/N, its position and the patient."""
        corners = sagittal.overlay.content.corners
        assert corners["top_left"][0] == "Se 2  SAG T2 TSE"
        assert corners["top_left"][1].startswith("Slice 5/9")
        assert corners["top_left"][2].startswith("R 24.0 mm")
        assert corners["top_right"][:2] == ["TEST, PATIENT", "ID TEST001"]
        assert corners["bottom_left"][0].startswith("W ")

    def test_i_hides_patient_data(self, window, sagittal):
        """I hides the patient corner in every viewport, and shows it again."""
        QTest.keyClick(sagittal, Qt.Key.Key_I)
        assert all("top_right" not in v.overlay.content.corners for v in window.grid.viewports)
        QTest.keyClick(sagittal, Qt.Key.Key_I)
        assert "top_right" in sagittal.overlay.content.corners

    def test_scale_bar_is_a_round_length_in_mm(self, sagittal):
        """The scale bar is 1, 2 or 5 x 10^k mm and its screen length matches the zoom."""
        content = sagittal.overlay.content
        assert content.scale_unit == "mm"
        assert content.scale_length in (1, 2, 5, 10, 20, 50)
        mm_per_pixel = sagittal.view_box.viewPixelSize()[0]
        assert content.scale_pixels * mm_per_pixel == pytest.approx(content.scale_length)

    def test_cursor_readout(self, qtbot, window, sagittal):
        """Hovering shows the pixel, its value and its patient position in the status bar."""
        sagittal.fit()
        point = centre(sagittal)
        hover(sagittal, point + QPoint(1, 1))
        qtbot.waitUntil(lambda: "value" in window.cursor_label.text())
        text = window.cursor_label.text()
        assert "value 500" in text and "mm (LPS)" in text
        assert "x -24.0" in text
