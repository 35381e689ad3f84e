"""Bad input never stops a load: each bad file becomes a problem naming it."""

import shutil

import pytest

from spineviewer.core.headers import read_header
from spineviewer.core.loader import load_study
from spineviewer.core.problems import ProblemKind
from spineviewer.core.sources import FileSource, find_files
from tests.conftest import write_series


def _by_name(result):
    return {p.path.rsplit("/", 1)[-1]: p for p in result.all_problems()}


class TestMixedFolder:
    @pytest.fixture
    def folder(self, tmp_path):
        paths = write_series(tmp_path / "study", n=6)
        data = paths[2].read_bytes()
        (tmp_path / "study" / "TRUNCATED").write_bytes(data[: len(data) - 40])
        (tmp_path / "study" / "report.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
        (tmp_path / "study" / "EMPTY").write_bytes(b"")
        return tmp_path / "study"

    def test_good_slices_still_load(self, folder):
        """The six good slices form one stack despite three bad files beside them."""
        result = load_study(folder)
        stacks = list(result.iter_stacks())
        assert len(stacks) == 1 and stacks[0].shape[0] == 6

    def test_truncated_file_is_an_error_naming_it(self, folder):
        """A truncated copy is reported as truncated."""
        problem = _by_name(load_study(folder))["TRUNCATED"]
        assert problem.kind is ProblemKind.ERROR and "truncated" in problem.reason

    def test_pdf_is_skipped_with_a_reason(self, folder):
        """A PDF in the folder is named and described."""
        problem = _by_name(load_study(folder))["report.pdf"]
        assert problem.kind is ProblemKind.SKIPPED and "PDF" in problem.reason

    def test_empty_file(self, folder):
        """An empty file is reported as empty."""
        assert "empty" in _by_name(load_study(folder))["EMPTY"].reason


class TestMissingTags:
    def test_no_pixel_spacing_means_pixels(self, tmp_path):
        """Without PixelSpacing the stack says its measurements are in pixels."""
        write_series(tmp_path, n=3, pixel_spacing=False)
        stack = next(load_study(tmp_path).iter_stacks())
        assert not stack.spacing_known
        assert any("pixels" in note for note in stack.notes)

    def test_no_position_still_shows(self, tmp_path):
        """Slices without ImagePositionPatient load in instance order, without geometry."""
        paths = write_series(tmp_path, n=3, reverse_numbers=True)
        import pydicom

        for path in paths:
            ds = pydicom.dcmread(path)
            del ds.ImagePositionPatient
            ds.save_as(path)
        stack = next(load_study(tmp_path).iter_stacks())
        assert stack.plane == "unknown" and stack.shape[0] == 3
        assert [f.instance_number for f in stack.frames] == [1, 2, 3]


class TestCorpus:
    def test_every_corpus_file_loads_or_is_a_problem(self, corpus):
        """Each corpus file gives frames or exactly one problem; nothing raises."""
        sources, _ = find_files(corpus)
        for source in sources:
            frames, problem = read_header(source)
            assert bool(frames) != (problem is not None), source.display

    def test_whole_corpus_decodes_without_exceptions(self, corpus):
        """Decoding every stack either works or records a decode problem naming the file."""
        result = load_study(corpus)
        for stack in result.iter_stacks():
            volume = stack.volume()
            assert volume.shape == stack.shape
        paths = {p.path.rsplit("/", 1)[-1]: p.reason for p in result.all_problems()}
        assert "MR1_JPLY" not in paths  # 12-bit lossy JPEG: decoded by libjpeg-turbo
        assert "truncated" in paths["MR_truncated.dcm"]
        assert "not an image" in paths["rtplan.dcm"]
        assert "structured report" in paths["test-SR.dcm"]

    def test_file_without_meta_or_geometry(self, corpus):
        """The Philips file with no meta header and no position loads its header, no geometry."""
        source = FileSource(str(corpus / "fo-dicom" / "Tests" / "FO-DICOM.Tests" / "Test Data" / "GH340.dcm"))
        frames, problem = read_header(source)
        assert problem is None and not frames[0].has_geometry

    def test_corpus_folder_copy_is_untouched(self, corpus, tmp_path):
        """Loading and decoding never writes to the source files."""
        folder = tmp_path / "copy"
        shutil.copytree(corpus / "dcm_qa_ts", folder)
        before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        result = load_study(folder)
        for stack in result.iter_stacks():
            stack.volume()
        assert before == {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
