"""Image planes: LPS mm to pixel indices and SR image coordinates, on tiny synthetic planes."""

import numpy as np
import pytest

from spineviewer.export.image_plane import ImagePlane

SAGITTAL = ImagePlane(position=np.array([-3.0, -100.0, 80.0]), row_direction=np.array([0.0, 1.0, 0.0]),
                      column_direction=np.array([0.0, 0.0, -1.0]), spacing=(1.25, 0.5), rows=64, columns=48)


class TestToPixel:
    def test_first_pixel_centre_is_the_image_position(self):
        """ImagePositionPatient is the centre of pixel (0, 0)."""
        assert SAGITTAL.to_pixel(SAGITTAL.position) == pytest.approx([0.0, 0.0])

    def test_column_along_row_direction_row_along_column_direction(self):
        """Moving 1 mm posterior is 2 columns (ΔC 0.5 mm); 2.5 mm inferior is 2 rows (ΔR 1.25)."""
        point = SAGITTAL.position + [0.0, 1.0, -2.5]
        assert SAGITTAL.to_pixel(point) == pytest.approx([2.0, 2.0])

    def test_off_plane_points_project_along_the_normal(self):
        """A point 7 mm off the plane lands on the same pixel as its projection."""
        point = SAGITTAL.position + [0.0, 4.0, -10.0]
        assert SAGITTAL.to_pixel(point + 7 * SAGITTAL.normal) == pytest.approx(SAGITTAL.to_pixel(point))
        assert SAGITTAL.distance(point + 7 * SAGITTAL.normal) == pytest.approx(7.0)

    def test_round_trip(self):
        """to_patient inverts to_pixel for in-plane points."""
        pixels = np.array([[3.25, 10.5], [47.0, 63.0]])
        assert SAGITTAL.to_pixel(SAGITTAL.to_patient(pixels)) == pytest.approx(pixels)


class TestScoord:
    def test_top_left_corner_is_origin(self):
        """PS3.3 C.18.6.1.1: the centre of the first pixel is (0.5, 0.5)."""
        assert SAGITTAL.to_scoord(SAGITTAL.position[None])[0] == pytest.approx([0.5, 0.5])

    def test_round_trip(self):
        """from_scoord inverts to_scoord."""
        points = SAGITTAL.to_patient(np.array([[1.0, 2.0], [30.5, 40.25]]))
        assert SAGITTAL.from_scoord(SAGITTAL.to_scoord(points)) == pytest.approx(points)
