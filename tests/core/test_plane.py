"""Image planes: LPS mm to pixel indices, corner mm and SR image coordinates, on tiny synthetic
planes; the three conventions against each other."""

import numpy as np
import pytest

from spineviewer.core.plane import (
    ImagePlane, corner_mm_to_index, corner_mm_to_pixel, index_to_corner_mm, index_to_scoord,
    scoord_to_index,
)

SAGITTAL = ImagePlane(position=np.array([-3.0, -100.0, 80.0]), row_direction=np.array([0.0, 1.0, 0.0]),
                      column_direction=np.array([0.0, 0.0, -1.0]), spacing=(1.25, 0.5), rows=64, columns=48)
#: An oblique plane (rotated 20° about x, then 10° about z) with non-square pixels.
_A, _B = np.radians(20.0), np.radians(10.0)
OBLIQUE = ImagePlane(position=np.array([12.0, -40.0, 35.0]),
                     row_direction=np.array([np.cos(_B), np.sin(_B), 0.0]),
                     column_direction=np.array([-np.sin(_B) * np.cos(_A), np.cos(_B) * np.cos(_A),
                                                -np.sin(_A)]),
                     spacing=(0.9, 0.6), rows=30, columns=40)
INDICES = np.array([[0.0, 0.0], [2.0, 7.0], [3.25, 10.5], [29.0, 39.0], [-0.5, -0.5]])


class TestToIndex:
    def test_first_pixel_centre_is_the_image_position(self):
        """ImagePositionPatient is the centre of pixel (0, 0)."""
        assert SAGITTAL.to_index(SAGITTAL.position) == pytest.approx([0.0, 0.0])

    def test_column_along_row_direction_row_along_column_direction(self):
        """Moving 1 mm posterior is 2 columns (ΔC 0.5 mm); 5 mm inferior is 4 rows (ΔR 1.25)."""
        point = SAGITTAL.position + [0.0, 1.0, -5.0]
        assert SAGITTAL.to_index(point) == pytest.approx([4.0, 2.0])

    def test_off_plane_points_project_along_the_normal(self):
        """A point 7 mm off the plane lands on the same pixel as its projection."""
        point = SAGITTAL.position + [0.0, 4.0, -10.0]
        assert SAGITTAL.to_index(point + 7 * SAGITTAL.normal) == pytest.approx(SAGITTAL.to_index(point))
        assert SAGITTAL.distance(point + 7 * SAGITTAL.normal) == pytest.approx(7.0)

    def test_round_trip(self):
        """from_index inverts to_index for in-plane points."""
        pixels = np.array([[3.25, 10.5], [47.0, 63.0]])
        assert SAGITTAL.to_index(SAGITTAL.from_index(pixels)) == pytest.approx(pixels)

    def test_oblique_follows_the_dicom_formula(self):
        """P = IPP + col*ΔC*F_row + row*ΔR*F_col on an oblique plane."""
        expected = OBLIQUE.position + 7 * 0.6 * OBLIQUE.row_direction + 2 * 0.9 * OBLIQUE.column_direction
        assert OBLIQUE.from_index([2.0, 7.0]) == pytest.approx(expected)
        assert OBLIQUE.to_index(expected) == pytest.approx([2.0, 7.0])


class TestCornerMm:
    def test_first_pixel_centre_is_half_a_pixel_from_the_corner(self):
        """The centre of pixel (0, 0) is (ΔC/2, ΔR/2) from the outer corner."""
        assert SAGITTAL.to_corner_mm(SAGITTAL.position) == pytest.approx([0.25, 0.625])

    def test_extent_and_centre(self):
        """The image spans columns*ΔC by rows*ΔR; its centre is half of both from the corner."""
        assert SAGITTAL.extent_mm == pytest.approx((24.0, 80.0))
        assert SAGITTAL.to_corner_mm(SAGITTAL.centre) == pytest.approx([12.0, 40.0])

    def test_round_trip_on_an_oblique_plane(self):
        """from_corner_mm inverts to_corner_mm, and patient points round-trip through corner mm."""
        xy = np.array([[0.0, 0.0], [3.1, 17.9], [24.0, 27.0]])
        assert OBLIQUE.to_corner_mm(OBLIQUE.from_corner_mm(xy)) == pytest.approx(xy)
        points = OBLIQUE.from_index(INDICES)
        assert OBLIQUE.from_corner_mm(OBLIQUE.to_corner_mm(points)) == pytest.approx(points)

    def test_corner_mm_is_index_times_spacing_plus_half_a_pixel(self):
        """x = (col + 1/2)*ΔC and y = (row + 1/2)*ΔR, for points and for bare indices."""
        points = OBLIQUE.from_index(INDICES)
        expected = np.column_stack([(INDICES[:, 1] + 0.5) * 0.6, (INDICES[:, 0] + 0.5) * 0.9])
        assert OBLIQUE.to_corner_mm(points) == pytest.approx(expected)
        assert index_to_corner_mm(INDICES, OBLIQUE.spacing) == pytest.approx(expected)
        assert corner_mm_to_index(expected, OBLIQUE.spacing) == pytest.approx(INDICES)

    def test_pixel_containing_a_corner_mm_point(self):
        """Pixel (r, c) covers [c*ΔC, (c+1)*ΔC) x [r*ΔR, (r+1)*ΔR)."""
        assert corner_mm_to_pixel([0.59, 0.0], (0.9, 0.6)).tolist() == [0, 0]
        assert corner_mm_to_pixel([0.6, 1.8], (0.9, 0.6)).tolist() == [2, 1]
        assert corner_mm_to_pixel([-0.01, 0.5], (0.9, 0.6)).tolist() == [0, -1]


class TestScoord:
    def test_top_left_corner_is_origin(self):
        """PS3.3 C.18.6.1.1: the centre of the first pixel is (0.5, 0.5)."""
        assert SAGITTAL.to_scoord(SAGITTAL.position[None])[0] == pytest.approx([0.5, 0.5])

    def test_round_trip(self):
        """from_scoord inverts to_scoord."""
        points = SAGITTAL.from_index(np.array([[2.0, 1.0], [40.25, 30.5]]))
        assert SAGITTAL.from_scoord(SAGITTAL.to_scoord(points)) == pytest.approx(points)

    def test_scoord_is_column_row_plus_half(self):
        """SCOORD = (col + 1/2, row + 1/2) of the index, for points and for bare indices."""
        points = OBLIQUE.from_index(INDICES)
        expected = INDICES[:, ::-1] + 0.5
        assert OBLIQUE.to_scoord(points) == pytest.approx(expected)
        assert index_to_scoord(INDICES) == pytest.approx(expected)
        assert scoord_to_index(expected) == pytest.approx(INDICES)

    def test_scoord_is_corner_mm_in_pixels(self):
        """SCOORD and corner mm share their origin: SCOORD = corner mm / (ΔC, ΔR)."""
        points = OBLIQUE.from_index(INDICES)
        assert OBLIQUE.to_scoord(points) == pytest.approx(OBLIQUE.to_corner_mm(points) / [0.6, 0.9])
