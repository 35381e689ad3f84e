"""Stacks as the planes of their slices: (slice, row, col) <-> patient on an unevenly spaced
stack and on an enhanced file whose frames have their own orientation, and the one rule for
which slice a point or a drawing lies on."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.uid import generate_uid

from spineviewer.core.annotations import Caliper
from spineviewer.core.crossref import nearest_slice
from spineviewer.core.loader import load_study
from spineviewer.core.stack_geometry import StackGeometry, owning_slice, slice_plane, stack_geometry
from tests.conftest import write_enhanced, write_series, write_slice

AXIAL = (1, 0, 0, 0, 1, 0)
#: Slice positions along z (the axial normal), mm: gaps of 3, 1, 6 and 2.
DEPTHS = (0.0, 3.0, 4.0, 10.0, 12.0)


@pytest.fixture
def uneven(tmp_path):
    """Five axial slices 8 x 10 (ΔR 0.8, ΔC 0.5 mm) at z = 0, 3, 4, 10 and 12 mm."""
    series = generate_uid()
    for k, z in enumerate(DEPTHS):
        write_slice(tmp_path / f"IM{k}", np.full((8, 10), k, np.uint16), position=(-20.0, 30.0, z),
                    spacing=(0.8, 0.5), series_uid=series, study_uid="1.2.3", instance=k + 1)
    return next(load_study(tmp_path).iter_stacks())


def _caliper(stack, index: int, points, *, sop: str | None = None, series: str | None = None):
    return Caliper(endpoints=tuple(tuple(float(v) for v in p) for p in points),
                   series_instance_uid=series or stack.series_uid,
                   sop_instance_uid=sop or stack.frames[index].file.sop_instance_uid)


class TestUnevenStack:
    def test_each_slice_at_its_own_position(self, uneven):
        """(k, row, col) -> IPP[k] + col*ΔC*F_row + row*ΔR*F_col, whatever the gaps."""
        geometry = stack_geometry(uneven)
        for k, z in enumerate(DEPTHS):
            expected = np.array([-20.0 + 7 * 0.5, 30.0 + 3 * 0.8, z])
            assert geometry.from_index((k, 3, 7)) == pytest.approx(expected)
            assert geometry.to_index(expected) == pytest.approx([k, 3, 7])

    def test_between_slices_by_each_gap(self, uneven):
        """Half-way between z = 4 and 10 is slice 2.5; a quarter of the way from 0 to 3 is 0.25."""
        geometry = stack_geometry(uneven)
        assert geometry.to_index([-20.0, 30.0, 7.0]) == pytest.approx([2.5, 0.0, 0.0])
        assert geometry.to_index([-20.0, 30.0, 0.75]) == pytest.approx([0.25, 0.0, 0.0])
        assert geometry.from_index((2.5, 1.0, 2.0)) == pytest.approx([-19.0, 30.8, 7.0])

    def test_beyond_the_ends_by_the_end_gaps(self, uneven):
        """1 mm below the first slice is -1/3 (gap 3); 1 mm above the last is 4.5 (gap 2)."""
        geometry = stack_geometry(uneven)
        assert geometry.to_index([-20.0, 30.0, -1.0])[0] == pytest.approx(-1 / 3)
        assert geometry.to_index([-20.0, 30.0, 13.0])[0] == pytest.approx(4.5)
        assert geometry.from_index((4.5, 0.0, 0.0)) == pytest.approx([-20.0, 30.0, 13.0])

    def test_many_points_round_trip(self, uneven):
        """Index -> patient -> index for an array of points (the shape a mask would give)."""
        rng = np.random.default_rng(0)
        index = rng.uniform([-0.5, 0, 0], [4.5, 7, 9], size=(4, 6, 3))
        geometry = stack_geometry(uneven)
        assert geometry.to_index(geometry.from_index(index)) == pytest.approx(index)

    def test_nearest_slice_by_each_gap(self, uneven):
        """z = 6.9 is nearer slice 2 (z 4) than slice 3 (z 10); z = 7.1 the other way."""
        assert nearest_slice(uneven, [0.0, 0.0, 6.9]) == 2
        assert nearest_slice(uneven, [0.0, 0.0, 7.1]) == 3

    def test_holds_within_half_the_gap_on_its_side(self, uneven):
        """The last slice holds 1 mm beyond it (half its gap of 2), not 1.2; the first 1.4."""
        geometry = stack_geometry(uneven)
        assert geometry.holds(4, [0.0, 0.0, 13.0]) and not geometry.holds(4, [0.0, 0.0, 13.2])
        assert geometry.holds(0, [0.0, 0.0, -1.4]) and not geometry.holds(0, [0.0, 0.0, -1.6])

    def test_holds_at_least_half_a_millimetre(self, uneven):
        """Slice 1 (z 3), 1 mm from slice 2, still holds a point 0.5 mm towards it."""
        geometry = stack_geometry(uneven)
        assert geometry.holds(1, [0.0, 0.0, 3.5]) and geometry.holds(2, [0.0, 0.0, 3.5])
        assert not geometry.holds(1, [0.0, 0.0, 3.6])

    def test_single_slice_is_its_thickness_deep(self, tmp_path):
        """One slice of SliceThickness 3 mm: 1.5 mm off is slice 0.5 and still on it."""
        write_slice(tmp_path / "IM0", np.zeros((4, 4), np.uint16), position=(0.0, 0.0, 5.0),
                    series_uid=generate_uid(), study_uid="1.2.3")
        geometry = stack_geometry(next(load_study(tmp_path).iter_stacks()))
        assert geometry.to_index([0.0, 0.0, 6.5])[0] == pytest.approx(0.5)
        assert geometry.from_index((0.5, 0.0, 0.0)) == pytest.approx([0.0, 0.0, 6.5])
        assert geometry.holds(0, [0.0, 0.0, 6.5]) and not geometry.holds(0, [0.0, 0.0, 6.6])


class TestOwningSlice:
    def test_drawing_on_its_slice(self, uneven):
        """A caliper drawn on slice 3 belongs to slice 3."""
        points = [slice_plane(uneven, 3).from_index(rc) for rc in ((1.0, 1.0), (6.0, 8.0))]
        assert owning_slice(uneven, _caliper(uneven, 3, points)) == 3

    def test_image_must_match(self, uneven):
        """The same points recorded on slice 2's image belong to no slice."""
        points = [slice_plane(uneven, 3).from_index(rc) for rc in ((1.0, 1.0), (6.0, 8.0))]
        drawing = _caliper(uneven, 3, points, sop=uneven.frames[2].file.sop_instance_uid)
        assert owning_slice(uneven, drawing) is None

    def test_other_series_never_owned(self, uneven):
        """A drawing of another series lies on no slice of this stack."""
        points = [slice_plane(uneven, 3).from_index(rc) for rc in ((1.0, 1.0), (6.0, 8.0))]
        assert owning_slice(uneven, _caliper(uneven, 3, points, series="9.9.9")) is None

    def test_too_far_off_its_slice(self, uneven):
        """Drawn on the last slice but 1.5 mm beyond it (half the gap is 1 mm): on none."""
        points = [slice_plane(uneven, 4).from_index(rc) + [0, 0, 1.5] for rc in ((1.0, 1.0), (2.0, 2.0))]
        assert owning_slice(uneven, _caliper(uneven, 4, points)) is None


def _rotated(angle: float) -> tuple[np.ndarray, np.ndarray]:
    """A sagittal F_row turned ``angle`` rad about the patient's z axis, and F_col (inferior)."""
    return np.array([-np.sin(angle), np.cos(angle), 0.0]), np.array([0.0, 0.0, -1.0])


class TestEnhancedPerFrameOrientation:
    """Three sagittal frames turned 0, 0.4 and 0.8 mrad (one stack: within the loader's
    orientation tolerance) at uneven depths, and an axial frame (a stack of its own)."""

    ANGLES = (0.0, 4e-4, 8e-4)
    DEPTHS = (0.0, 2.0, 7.0)

    @pytest.fixture
    def stacks(self, tmp_path):
        orientations = [_rotated(a) for a in self.ANGLES] + [(np.array([1.0, 0, 0]), np.array([0, 1.0, 0]))]
        positions = [np.array([4.0 - d, -60.0, 90.0]) for d in self.DEPTHS] + [np.array([-30.0, -60.0, 40.0])]
        write_enhanced(tmp_path / "enhanced.dcm", orientations, positions)
        stacks = sorted(load_study(tmp_path).iter_stacks(), key=lambda s: -s.shape[0])
        return stacks, orientations, positions

    def test_split_by_plane(self, stacks):
        """The turned sagittal frames make one stack, the axial frame another."""
        (sagittal, axial), _, _ = stacks
        assert (sagittal.shape[0], axial.shape[0]) == (3, 1)

    def test_every_frame_uses_its_own_orientation(self, stacks):
        """Pixel (row 5, col 11) of each frame is IPP + 11*ΔC*F_row + 5*ΔR*F_col of that frame's
        own Plane Orientation and Position, not the first frame's."""
        (sagittal, axial), orientations, positions = stacks
        geometry = stack_geometry(sagittal)
        for k, frame in enumerate(sagittal.frames):
            f_row, f_col = orientations[frame.index]
            expected = positions[frame.index] + 11 * 1.0 * f_row + 5 * 1.5 * f_col
            assert slice_plane(sagittal, k).from_index((5.0, 11.0)) == pytest.approx(expected, abs=1e-9)
            assert geometry.from_index((k, 5.0, 11.0)) == pytest.approx(expected, abs=1e-9)
            assert geometry.to_index(expected) == pytest.approx([k, 5.0, 11.0], abs=1e-9)
        expected = positions[3] + 11 * 1.0 * np.array([1.0, 0, 0]) + 5 * 1.5 * np.array([0, 1.0, 0])
        assert slice_plane(axial, 0).from_index((5.0, 11.0)) == pytest.approx(expected)

    def test_the_turned_frames_differ_from_the_first(self, stacks):
        """Pixel (5, 11) of the last frame lies 0.009 mm from where the first frame's
        orientation would put it: the planes are really the frames' own."""
        (sagittal, _), orientations, positions = stacks
        last = sagittal.frames[-1].index
        f_row, f_col = orientations[0]
        first_orientation = positions[last] + 11 * 1.0 * f_row + 5 * 1.5 * f_col
        shift = np.linalg.norm(slice_plane(sagittal, 2).from_index((5.0, 11.0)) - first_orientation)
        assert shift == pytest.approx(11 * 8e-4, rel=1e-3)

    def test_nearest_and_owning_frame(self, stacks):
        """A caliper on the middle frame (which shares the file's SOP UID with the others) is
        owned by that frame only."""
        (sagittal, _), _, _ = stacks
        plane = slice_plane(sagittal, 1)
        points = [plane.from_index(rc) for rc in ((1.0, 2.0), (4.0, 9.0))]
        drawing = _caliper(sagittal, 1, points)
        assert [owning_slice(sagittal, drawing) == k for k in range(3)] == [False, True, False]


def test_stack_without_geometry_has_nominal_planes(tmp_path):
    """Slices without position are stacked in file order, slice k at (0, 0, k)."""
    for path in write_series(tmp_path, n=3):
        ds = pydicom.dcmread(path)
        del ds.ImagePositionPatient
        ds.save_as(path)
    stack = next(load_study(tmp_path).iter_stacks())
    geometry = StackGeometry.of_stack(stack)
    assert not stack.has_geometry
    np.testing.assert_allclose([p.position for p in geometry.planes], stack.slice_positions)
    np.testing.assert_allclose(stack.slice_positions, [[0, 0, 0], [0, 0, 1], [0, 0, 2]])
