"""Two files with one SOPInstanceUID: a copy loads once, different pixels are a problem
(issue 10, item 15)."""

import shutil

import pydicom

from spineviewer.core.loader import load_study
from spineviewer.core.problems import ProblemKind
from tests.conftest import write_series


class TestDuplicateInstances:
    def test_exact_copy_loads_once(self, tmp_path):
        """A copy of a slice is skipped, naming the file it copies; the stack has no repeat."""
        paths = write_series(tmp_path / "a", n=3)
        shutil.copy(paths[1], tmp_path / "a" / "copy")
        result = load_study(tmp_path)
        assert [s.shape[0] for s in result.iter_stacks()] == [3]
        [problem] = result.problems
        assert problem.path == str(tmp_path / "a" / "copy") and problem.kind is ProblemKind.SKIPPED
        assert str(paths[1]) in problem.reason

    def test_same_uid_different_pixels_is_an_error(self, tmp_path):
        """A file reusing another's SOPInstanceUID with other pixels is flagged, not loaded."""
        paths = write_series(tmp_path / "a", n=3)
        ds = pydicom.dcmread(paths[2])
        ds.SOPInstanceUID = pydicom.dcmread(paths[0]).SOPInstanceUID
        ds.save_as(paths[2])
        result = load_study(tmp_path)
        assert sum(s.shape[0] for s in result.iter_stacks()) == 2
        [problem] = result.problems
        assert problem.path == str(paths[2]) and problem.kind is ProblemKind.ERROR
        assert "different pixels" in problem.reason and str(paths[0]) in problem.reason
