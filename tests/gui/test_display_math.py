"""Plain functions behind the display: scene <-> patient, window/level, overlay text, scale bar."""

from __future__ import annotations

import numpy as np
import pytest

from spineviewer.core.loader import load_study
from spineviewer.core.stack_geometry import stack_geometry
from spineviewer.gui.reading import scene
from spineviewer.gui.reading.overlay_text import (find_context, format_date, format_person_name,
                                          image_lines, scale_bar_length)
from spineviewer.gui.shell.thumbnails import thumbnail_array
from spineviewer.gui.reading.windowing import auto_window, dragged_window, window_levels
from tests.conftest import SAMPLES, write_series
from tests.gui.conftest import SAGITTAL


@pytest.fixture
def sagittal_study(tmp_path):
    """5 sagittal slices from x = +6 to -6 mm, 40 rows x 24 columns, ΔR 1.0, ΔC 0.5 mm."""
    write_series(tmp_path, n=5, gap=3.0, start=(6.0, -60.0, 100.0), orientation=SAGITTAL,
                 shape=(40, 24), spacing=(1.0, 0.5))
    return load_study(tmp_path)


@pytest.fixture
def sagittal_stack(sagittal_study):
    return next(sagittal_study.iter_stacks())


class TestScene:
    def test_image_rect_in_mm(self, sagittal_stack):
        """The scene rectangle is columns x ΔC wide and rows x ΔR tall."""
        assert scene.image_rect(sagittal_stack) == (0.0, 0.0, 12.0, 40.0)

    def test_pixel_centre_maps_to_its_position(self, sagittal_stack):
        """The centre of pixel (row 2, col 4) is IPP + 4*ΔC*F_row + 2*ΔR*F_col."""
        point = scene.scene_to_patient(sagittal_stack, 0, x=4.5 * 0.5, y=2.5 * 1.0)
        ipp = sagittal_stack.slice_positions[0]
        assert point == pytest.approx(ipp + 4 * 0.5 * np.array([0, 1, 0]) + 2 * 1.0 * np.array([0, 0, -1]))

    def test_scene_to_pixel_bounds(self, sagittal_stack):
        """Points off the image have no pixel."""
        assert scene.scene_to_pixel(sagittal_stack, 0.1, 0.1) == (0, 0)
        assert scene.scene_to_pixel(sagittal_stack, 11.9, 39.9) == (39, 23)
        assert scene.scene_to_pixel(sagittal_stack, 12.1, 5.0) is None

    def test_agrees_with_the_stack_geometry(self, sagittal_stack):
        """Scene -> patient matches the stack's (slice, row, col) -> patient at pixel centres."""
        row, col, k = 7, 3, 2
        point = scene.scene_to_patient(sagittal_stack, k, x=(col + 0.5) * 0.5, y=(row + 0.5) * 1.0)
        assert point == pytest.approx(stack_geometry(sagittal_stack).from_index((k, row, col)))
        assert point == pytest.approx(np.array([6.0 - 3.0 * k, -60.0 + col * 0.5, 100.0 - row * 1.0]))

    def test_slice_location_names_the_side(self, sagittal_stack):
        """Slices run along the normal (towards the right): x = +6 is L 6, x = -6 is R 6."""
        assert scene.slice_location(sagittal_stack, 0) == "L 6.0 mm"
        assert scene.slice_location(sagittal_stack, 4) == "R 6.0 mm"


class TestWindowing:
    def test_levels(self):
        """Centre 400, width 800 shows 0 as black and 800 as white."""
        assert window_levels((400, 800)) == (0, 800)

    def test_auto_window_ignores_outliers(self):
        """A single hot pixel does not stretch the automatic window."""
        pixels = np.tile(np.arange(100, dtype=np.int16), (100, 1))
        pixels[0, 0] = 30000
        centre, width = auto_window(pixels)
        assert 90 < width < 110 and 40 < centre < 60

    def test_auto_window_of_a_flat_image(self):
        """A uniform image still gets a usable window."""
        assert auto_window(np.full((4, 4), 7.0))[1] >= 1

    def test_drag_directions(self):
        """Right widens, left narrows, down raises the level; width never drops below 1."""
        assert dragged_window((100, 200), 30, 0)[1] > 200
        assert dragged_window((100, 200), -30, 0)[1] < 200
        assert dragged_window((100, 200), 0, 30)[0] > 100
        assert dragged_window((100, 200), -10_000, 0)[1] == 1


class TestOverlayText:
    def test_dates_and_names(self):
        """DICOM dates and person names as a reader writes them."""
        assert format_date("20240301") == "2024-03-01"
        assert format_person_name("DOE^JANE^M") == "DOE, JANE M"
        assert format_person_name("ANONYMOUS") == "ANONYMOUS"

    def test_image_lines(self, sagittal_study, sagittal_stack):
        """Series, slice n/N with plane, position and thickness."""
        lines = image_lines(find_context(sagittal_study, sagittal_stack), sagittal_stack, 0)
        assert lines == ["Se 1  AX T2", "Slice 1/5   sagittal", "L 6.0 mm   Th 3.0 mm"]

    def test_station_named_on_the_short_line(self):
        """A series split into two stations says which one on the slice line, never cut off."""
        result = load_study(SAMPLES / "case3-lung-multiple")
        series = next(s for _, _, s in result.iter_series() if s.description == "SAG T2 TSE")
        lines = image_lines(find_context(result, series.stacks[1]), series.stacks[1], 6)
        assert lines[:2] == ["Se 1  SAG T2 TSE", "Slice 7/13   sagittal   stack 2/2"]

    @pytest.mark.parametrize("units_per_pixel, room, expected", [
        (0.1, 250, 20.0), (0.5, 250, 100.0), (0.05, 100, 5.0), (1.0, 40, 20.0), (0.0, 100, 0.0)])
    def test_scale_bar_length(self, units_per_pixel, room, expected):
        """The longest 1/2/5 x 10^k length that fits."""
        assert scale_bar_length(units_per_pixel, longest_pixels=room) == pytest.approx(expected)


class TestThumbnail:
    def test_keeps_aspect_in_mm(self):
        """A 40 x 24 slice of 1.0 x 0.5 mm pixels (40 x 12 mm) becomes 64 x 19."""
        small = thumbnail_array(np.ones((40, 24)), (1.0, 0.5), window=(0.5, 1.0))
        assert small.shape == (64, 19) and small.dtype == np.uint8

    def test_shrinking_averages_areas(self):
        """Halving a 4 x 4 image averages each 2 x 2 block."""
        pixels = 2 * np.arange(16.0).reshape(4, 4)
        small = thumbnail_array(pixels, (1.0, 1.0), window=(127.5, 255.0), size=2)
        assert small.tolist() == [[5, 9], [21, 25]]

    def test_window_maps_to_grey_levels(self):
        """Below the window is black, above it white."""
        pixels = np.array([[0.0, 1000.0]] * 2)
        small = thumbnail_array(pixels, (1.0, 1.0), window=(500, 200), size=2)
        assert small.tolist() == [[0, 255], [0, 255]]
