"""Splitting series into stacks and ordering slices by position along the normal."""

import numpy as np
import pydicom

from spineviewer.core.loader import load_study
from tests.conftest import write_series

SAGITTAL = (0, 1, 0, 0, 0, -1)
CORONAL = (1, 0, 0, 0, 0, -1)


def _stacks(folder):
    return list(load_study(folder).iter_stacks())


class TestOrdering:
    def test_reversed_instance_numbers_sorted_by_position(self, tmp_path):
        """Slices are ordered along the normal, not by InstanceNumber."""
        write_series(tmp_path, n=5, gap=4.0, reverse_numbers=True)
        stack = _stacks(tmp_path)[0]
        depth = stack.slice_positions[:, 2]
        assert np.all(np.diff(depth) > 0)
        assert [f.instance_number for f in stack.frames] == [5, 4, 3, 2, 1]
        np.testing.assert_allclose(stack.geometry.spacing, [0.8, 0.8, 4.0])

    def test_origin_is_first_slice_along_normal(self, tmp_path):
        """The origin is the slice with the smallest position along F_row × F_col."""
        write_series(tmp_path, n=4, gap=3.0, orientation=SAGITTAL, start=(10.0, -50.0, 80.0),
                     reverse_numbers=True)
        stack = _stacks(tmp_path)[0]
        normal = stack.geometry.direction[:, 2]
        np.testing.assert_allclose(normal, [-1, 0, 0], atol=1e-9)
        # Slices were written at x = 10, 7, 4, 1; the normal points to -x (patient right).
        np.testing.assert_allclose(stack.geometry.origin, [10.0, -50.0, 80.0])
        np.testing.assert_allclose(stack.slice_positions[-1], [1.0, -50.0, 80.0])
        assert stack.plane == "sagittal"
        assert stack.edge_letters() == {"right": "P", "left": "A", "bottom": "I", "top": "S"}


class TestSplitting:
    def test_localizer_planes_split(self, tmp_path):
        """Three orientations in one series become three stacks."""
        uid = pydicom.uid.generate_uid()
        write_series(tmp_path / "ax", n=3, series_uid=uid, prefix="AX")
        write_series(tmp_path / "sag", n=3, series_uid=uid, orientation=SAGITTAL, prefix="SAG")
        write_series(tmp_path / "cor", n=3, series_uid=uid, orientation=CORONAL, prefix="COR")
        planes = sorted(s.plane for s in _stacks(tmp_path))
        assert planes == ["axial", "coronal", "sagittal"]

    def test_two_stations_split_cranial_first(self, tmp_path):
        """Two sagittal stations of one series (same IOP, shifted in plane) are two stacks."""
        uid = pydicom.uid.generate_uid()
        write_series(tmp_path / "c", n=5, series_uid=uid, orientation=SAGITTAL,
                     start=(-8, -100, 200), prefix="C")
        write_series(tmp_path / "t", n=5, series_uid=uid, orientation=SAGITTAL,
                     start=(-8, -100, -100), prefix="T")
        stacks = _stacks(tmp_path)
        assert [s.shape[0] for s in stacks] == [5, 5]
        assert stacks[0].geometry.origin[2] == 200 and stacks[1].geometry.origin[2] == -100
        assert [s.number for s in stacks] == [1, 2]

    def test_repeated_positions_split_by_echo(self, tmp_path):
        """Two echoes at the same positions become two stacks, told apart by EchoNumbers."""
        uid = pydicom.uid.generate_uid()
        write_series(tmp_path / "e1", n=4, series_uid=uid, prefix="E1", extra={"EchoNumbers": 1})
        write_series(tmp_path / "e2", n=4, series_uid=uid, prefix="E2", extra={"EchoNumbers": 2})
        stacks = _stacks(tmp_path)
        assert [s.shape[0] for s in stacks] == [4, 4]
        assert {s.frames[0].variant[0] for s in stacks} == {1, 2}

    def test_repeated_positions_without_distinguishing_tag(self, tmp_path):
        """Repeats with no telling tag split by occurrence, each stack with distinct positions."""
        uid = pydicom.uid.generate_uid()
        write_series(tmp_path / "a", n=3, series_uid=uid, prefix="A")
        write_series(tmp_path / "b", n=3, series_uid=uid, prefix="B")
        stacks = _stacks(tmp_path)
        assert [s.shape[0] for s in stacks] == [3, 3]

    def test_uneven_spacing_is_noted(self, tmp_path):
        """A missing slice leaves one stack with a note about uneven spacing."""
        paths = write_series(tmp_path, n=6)
        paths[3].unlink()
        stack = _stacks(tmp_path)[0]
        assert stack.shape[0] == 5 and "unevenly" in stack.notes[0]

    def test_different_matrix_splits(self, tmp_path):
        """Slices with a different matrix cannot share a volume."""
        uid = pydicom.uid.generate_uid()
        write_series(tmp_path / "a", n=3, series_uid=uid, prefix="A", shape=(8, 10))
        write_series(tmp_path / "b", n=2, series_uid=uid, prefix="B", shape=(6, 6), start=(0, 0, 50))
        assert sorted(s.shape for s in _stacks(tmp_path)) == [(2, 6, 6), (3, 8, 10)]


class TestHierarchy:
    def test_patients_studies_series(self, tmp_path):
        """Two studies of one patient, two series in the first, grouped and ordered."""
        write_series(tmp_path / "s1a", n=2, study_uid="1.2.3.1", extra={"StudyDate": "20240102"})
        write_series(tmp_path / "s1b", n=2, study_uid="1.2.3.1", extra={"StudyDate": "20240102"})
        write_series(tmp_path / "s2", n=2, study_uid="1.2.3.2", extra={"StudyDate": "20230101"})
        result = load_study(tmp_path)
        assert len(result.patients) == 1
        studies = result.patients[0].studies
        assert [s.date for s in studies] == ["20230101", "20240102"]
        assert [len(s.series) for s in studies] == [1, 2]


class TestDefaultWindow:
    @staticmethod
    def _with_windows(folder, windows):
        for path, (centre, width) in zip(write_series(folder, n=len(windows)), windows):
            ds = pydicom.dcmread(path)
            ds.WindowCenter, ds.WindowWidth = centre, width
            ds.save_as(path)
        return _stacks(folder)[0]

    def test_one_odd_file_does_not_decide(self, tmp_path):
        """Four files say W307/L153 and the middle one W6020/L3010: the common window wins."""
        stack = self._with_windows(tmp_path, [(153, 307)] * 2 + [(3010, 6020)] + [(153, 307)] * 2)
        assert stack.default_window == (153.0, 307.0)

    def test_disagreeing_files_leave_it_to_the_histogram(self, tmp_path):
        """Every file with its own window: no header window is the default."""
        stack = self._with_windows(tmp_path, [(100 + k, 200 + k) for k in range(5)])
        assert stack.default_window is None

    def test_no_window_in_the_files(self, tmp_path):
        """Files without WindowCenter/WindowWidth have no default window."""
        write_series(tmp_path, n=3)
        assert _stacks(tmp_path)[0].default_window is None
