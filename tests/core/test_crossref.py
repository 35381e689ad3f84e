"""Cross-referencing in patient space, checked against the analytic planes of the phantom
studies: the committed case 1 (sagittal 1.4 mm, axial 0.94 mm), case 2 with a 15° tilted axial
block and case 3's two sagittal stations."""

from __future__ import annotations

import numpy as np
import pytest

from spineviewer.core.crossref import (nearest_slice, outside_block, parallel,
                                       plane_intersection_segment, same_frame_of_reference,
                                       slice_centre)
from spineviewer.core.loader import load_study
from spineviewer.core.stack_geometry import slice_plane, stack_geometry
from tests.conftest import SAMPLES, write_series

SAGITTAL = (0, 1, 0, 0, 0, -1)
AXIAL = (1, 0, 0, 0, 1, 0)


def _stacks(folder) -> dict[str, list]:
    result = load_study(folder)
    return {series.description: series.stacks for _, _, series in result.iter_series()}


def _series(folder) -> dict:
    result = load_study(folder)
    return {series.description: series for _, _, series in result.iter_series()}


@pytest.fixture(scope="module")
def case1():
    return _stacks(SAMPLES / "case1-breast-t12")


@pytest.fixture(scope="module")
def case3():
    return _stacks(SAMPLES / "case3-lung-multiple")


@pytest.fixture(scope="module")
def tilted(tilted_study):
    return _stacks(tilted_study)


def _assert_same_segment(segment, expected, tolerance):
    """The two end points match, in either order, within ``tolerance`` mm."""
    assert segment is not None
    p0, p1 = segment
    e0, e1 = (np.asarray(e, float) for e in expected)
    if np.linalg.norm(p0 - e0) > np.linalg.norm(p0 - e1):
        e0, e1 = e1, e0
    np.testing.assert_allclose(p0, e0, atol=tolerance)
    np.testing.assert_allclose(p1, e1, atol=tolerance)


def _in_plane(stack, index, point) -> tuple[float, float, float]:
    """Corner mm ``(u, v)`` of a point on a slice and its distance ``w`` from the slice."""
    plane = slice_plane(stack, index)
    u, v = plane.to_corner_mm(point)
    return float(u), float(v), float(plane.distance(point))


def _inside(stack, index, point, slack=1e-6) -> bool:
    u, v, w = _in_plane(stack, index, point)
    width, height = slice_plane(stack, index).extent_mm
    return abs(w) < slack and -slack <= u <= width + slack and -slack <= v <= height + slack


class TestSliceCorners:
    def test_corner_is_half_a_pixel_before_the_first_centre(self, case1):
        """The image's outer corner lies half a pixel before pixel (0, 0)'s centre along both axes."""
        stack = case1["SAG T2 TSE"][0]
        u, v, w = _in_plane(stack, 3, stack.frames[3].position)
        assert (u, v, w) == pytest.approx((0.7, 0.7, 0.0))
        assert slice_plane(stack, 3).extent_mm == pytest.approx((192 * 1.4, 320 * 1.4))

    def test_in_plane_round_trip(self, tilted):
        """from_corner_mm inverts to_corner_mm on a tilted slice."""
        point = slice_plane(tilted["AX T2 TSE"][0], 5).from_corner_mm((31.5, 77.25))
        assert _in_plane(tilted["AX T2 TSE"][0], 5, point) == pytest.approx((31.5, 77.25, 0.0))


class TestPlaneIntersectionSegment:
    def test_axial_on_sagittal_case1(self, case1):
        """An axial line on the sagittal runs at the axial's height, across the axial's field of view."""
        sagittal, axial = case1["SAG T2 TSE"][0], case1["AX T2 TSE"][0]
        for s, a in [(6, 8), (0, 0), (12, 16), (3, 11)]:
            x = sagittal.frames[s].position[0]
            z = axial.frames[a].position[2]
            sag_y = sagittal.frames[s].position[1] + np.array([-0.7, 192 * 1.4 - 0.7])
            ax_y = axial.frames[a].position[1] + np.array([-0.46875, 192 * 0.9375 - 0.46875])
            y0, y1 = max(sag_y[0], ax_y[0]), min(sag_y[1], ax_y[1])
            expected = ([x, y0, z], [x, y1, z])
            _assert_same_segment(plane_intersection_segment(sagittal, s, axial, a), expected, 1e-6)

    def test_sagittal_on_axial_is_the_same_line(self, case1):
        """Where the sagittal cuts the axial is where the axial cuts the sagittal."""
        sagittal, axial = case1["SAG T1 TSE +C"][0], case1["AX T1 TSE +C"][0]
        for s, a in [(6, 8), (1, 15)]:
            _assert_same_segment(plane_intersection_segment(axial, a, sagittal, s),
                                 plane_intersection_segment(sagittal, s, axial, a), 1e-9)

    def test_parallel_slices_have_no_line(self, case1):
        """Two sagittal series never cut each other."""
        assert plane_intersection_segment(case1["SAG T2 TSE"][0], 6, case1["SAG T1 TSE"][0], 2) is None

    def test_tilted_axial_block(self, tilted):
        """A 15° tilted axial slice cuts the sagittal along its own column at the sagittal's x."""
        sagittal, axial = tilted["SAG T2 TSE"][0], tilted["AX T2 TSE"][0]
        normal = axial.geometry.direction[:, 2]
        assert np.degrees(np.arccos(abs(normal[2]))) == pytest.approx(15.0, abs=0.01)
        spacing_c, spacing_r = axial.geometry.spacing[:2]
        _, rows, _ = axial.shape
        row_dir, col_dir = axial.geometry.direction[:, 0], axial.geometry.direction[:, 1]
        for s, a in [(7, 9), (0, 0), (14, 18), (4, 12)]:
            ipp = axial.frames[a].position
            x = sagittal.frames[s].position[0]
            along = (x - ipp[0]) / row_dir[0]
            # The axial column through x, from the top edge of its first row to the bottom
            # edge of its last: the sagittal is large enough to hold it whole.
            top = ipp + along * row_dir - 0.5 * spacing_r * col_dir
            bottom = top + rows * spacing_r * col_dir
            assert _inside(sagittal, s, top) and _inside(sagittal, s, bottom)
            _assert_same_segment(plane_intersection_segment(sagittal, s, axial, a), (top, bottom), 1e-6)

    def test_end_points_on_both_planes_inside_both_images(self, tilted):
        """Every line of the tilted study lies on both slices and inside both images."""
        sagittal, axial = tilted["SAG T1 TSE +C"][0], tilted["AX T1 TSE +C"][0]
        for s in range(0, sagittal.shape[0], 3):
            for a in range(0, axial.shape[0], 4):
                segment = plane_intersection_segment(axial, a, sagittal, s)
                assert segment is not None
                for point in segment:
                    assert _inside(axial, a, point) and _inside(sagittal, s, point)

    def test_second_sagittal_station(self, case3):
        """Both stations of case 3 cross its axial block; each line lies on its own station."""
        station1, station2 = case3["SAG T2 TSE"]
        axial = case3["AX T2 TSE"][0]
        for a in (0, 8, 16):
            z = axial.frames[a].position[2]
            for station in (station1, station2):
                segment = plane_intersection_segment(station, 6, axial, a)
                assert segment is not None
                assert [p[2] for p in segment] == pytest.approx([z, z])
                assert all(_inside(station, 6, p) for p in segment)

    def test_no_line_where_a_station_does_not_reach(self, tmp_path):
        """An axial slice below a cervical station leaves no line on it and takes none from it."""
        write_series(tmp_path / "upper", n=5, gap=3.0, start=(-6.0, -60.0, 200.0), orientation=SAGITTAL,
                     shape=(100, 60), spacing=(1.0, 2.0), series_uid="1.2.3.10", frame_of_reference="9.9")
        write_series(tmp_path / "lower", n=5, gap=3.0, start=(-6.0, -60.0, 110.0), orientation=SAGITTAL,
                     shape=(100, 60), spacing=(1.0, 2.0), series_uid="1.2.3.10", frame_of_reference="9.9")
        write_series(tmp_path / "axial", n=3, gap=5.0, start=(-40.0, -50.0, 50.0), orientation=AXIAL,
                     shape=(40, 40), spacing=(2.0, 2.0), series_uid="1.2.3.11", frame_of_reference="9.9")
        result = load_study(tmp_path)
        stations = result.series_by_uid("1.2.3.10").stacks
        upper, lower = sorted(stations, key=lambda st: -st.frames[0].position[2])
        axial = result.series_by_uid("1.2.3.11").stacks[0]
        # The upper station covers z 100.5..200.5, the lower 10.5..110.5; the axial is at z 50.
        assert plane_intersection_segment(upper, 2, axial, 0) is None
        assert plane_intersection_segment(axial, 0, upper, 2) is None
        assert plane_intersection_segment(lower, 2, axial, 0) is not None
        assert plane_intersection_segment(axial, 0, lower, 2) is not None


class TestNearestSlice:
    def test_point_on_a_slice(self, case1):
        """A point on axial slice k (anywhere in its plane) gives k."""
        axial = case1["AX T2 TSE"][0]
        for k in range(axial.shape[0]):
            point = axial.frames[k].position + np.array([40.0, 25.0, 0.0])
            assert nearest_slice(axial, point) == k

    def test_between_slices_goes_to_the_closer(self, tilted):
        """Along a tilted normal, 0.4 gap past slice k is k and 0.6 gap past is k + 1."""
        axial = tilted["AX T2 TSE"][0]
        normal, gap = axial.geometry.direction[:, 2], axial.geometry.spacing[2]
        assert nearest_slice(axial, axial.frames[5].position + 0.4 * gap * normal) == 5
        assert nearest_slice(axial, axial.frames[5].position + 0.6 * gap * normal) == 6

    def test_beyond_the_ends(self, case1):
        """Points past either end of a stack give its first or last slice."""
        axial = case1["AX T2 TSE"][0]
        assert nearest_slice(axial, [0.0, 0.0, -1000.0]) == 0
        assert nearest_slice(axial, [0.0, 0.0, 1000.0]) == axial.shape[0] - 1

    def test_sagittal_slice_nearest_an_axial_click(self, case1):
        """The sagittal slice nearest a point is the one at the point's left-right position."""
        sagittal = case1["SAG T2 TSE"][0]
        xs = sagittal.slice_positions[:, 0]
        point = np.array([xs[9] + 1.0, -20.0, -140.0])
        assert nearest_slice(sagittal, point) == 9


class TestOutsideBlock:
    def test_every_point_between_the_end_slices_is_held(self, case1):
        """Points on, between and within half a gap past the end slices are inside the block."""
        axial = case1["AX T2 TSE"][0]
        zs = axial.slice_positions[:, 2]
        gap = abs(zs[-1] - zs[-2])
        top = max(zs)
        for z in np.linspace(min(zs), top, 57).tolist() + [top + 0.49 * gap]:
            assert outside_block(axial, [10.0, 5.0, z]) is None

    def test_above_and_below_an_axial_block(self, case1):
        """42 mm past the upper end slice is "42 mm above", past the lower one "below"."""
        axial = case1["AX T2 TSE"][0]
        zs = axial.slice_positions[:, 2]
        above = outside_block(axial, [0.0, 0.0, max(zs) + 42.0])
        below = outside_block(axial, [0.0, 0.0, min(zs) - 7.0])
        assert above.distance == pytest.approx(42.0) and above.side == "above"
        assert str(above) == "42 mm above this block"
        assert below.distance == pytest.approx(7.0) and below.side == "below"

    def test_just_past_half_a_gap_is_outside(self, case1):
        """The edge is the on-slice tolerance of the end slice: half the gap to its neighbour."""
        axial = case1["AX T2 TSE"][0]
        zs = axial.slice_positions[:, 2]
        gap = abs(zs[-1] - zs[-2])
        assert outside_block(axial, [0.0, 0.0, max(zs) + 0.51 * gap]) is not None

    def test_sagittal_block_names_the_patient_side(self, case1):
        """Beyond a sagittal block in +x (LPS) is to the patient's left of it."""
        sagittal = case1["SAG T2 TSE"][0]
        xs = sagittal.slice_positions[:, 0]
        assert outside_block(sagittal, [max(xs) + 30.0, 0.0, 0.0]).side == "to the patient's left of"
        assert outside_block(sagittal, [min(xs) - 30.0, 0.0, 0.0]).side == "to the patient's right of"

    def test_along_a_tilted_normal(self, tilted):
        """On a tilted block the distance is along its normal, not along z."""
        axial = tilted["AX T2 TSE"][0]
        normal = axial.geometry.direction[:, 2]
        last = axial.frames[-1].position
        outside = outside_block(axial, last + 20.0 * normal)
        assert outside.distance == pytest.approx(20.0)
        assert outside.side == ("above" if normal[2] > 0 else "below")


class TestSliceDistance:
    def test_signed_along_the_normal(self, case1):
        """Distance is positive on the normal's side (sagittal normal points to the right)."""
        sagittal = case1["SAG T2 TSE"][0]
        point = sagittal.frames[4].position + np.array([-2.0, 50.0, -30.0])
        assert slice_plane(sagittal, 4).distance(point) == pytest.approx(2.0)
        assert stack_geometry(sagittal).distances(point)[4] == pytest.approx(2.0)

    def test_slice_centre_lies_on_the_slice(self, tilted):
        """The image centre of a tilted slice is at distance 0 and in the middle of its rectangle."""
        axial = tilted["AX T2 TSE"][0]
        centre = slice_centre(axial, 3)
        width, height = slice_plane(axial, 3).extent_mm
        assert _in_plane(axial, 3, centre) == pytest.approx((width / 2, height / 2, 0.0))


class TestParallelAndFrame:
    def test_parallel(self, case1, tilted):
        """Sagittal series are parallel; the tilted axial is not parallel to the sagittal."""
        assert parallel(case1["SAG T2 TSE"][0], case1["SAG T1 TSE +C"][0])
        assert not parallel(tilted["SAG T2 TSE"][0], tilted["AX T2 TSE"][0])

    def test_frame_of_reference(self):
        """Series share a frame when their FrameOfReferenceUIDs match and are not empty."""
        folder = SAMPLES / "case1-breast-t12"
        series = list(_series(folder).values())
        assert same_frame_of_reference(series[0], series[2])
        other = _series(SAMPLES / "case3-lung-multiple")["AX T2 TSE"]
        assert not same_frame_of_reference(series[0], other)
        assert not same_frame_of_reference(series[0], None)
