"""Finding DICOM files in folders, zip archives, DICOMDIRs and lists."""

import zipfile

from spineviewer.core.loader import load_study
from spineviewer.core.sources import find_files
from tests.conftest import write_series


class TestFindFiles:
    def test_folder_is_searched_recursively_without_extensions(self, tmp_path):
        """Files without extension in nested folders are all found."""
        write_series(tmp_path / "a" / "b", n=3)
        write_series(tmp_path / "c", n=2)
        sources, problems = find_files(tmp_path)
        assert len(sources) == 5 and not problems

    def test_hidden_and_own_files_are_ignored(self, tmp_path):
        """OS litter and spineviewer's own JSON companions are not reported."""
        write_series(tmp_path, n=2)
        (tmp_path / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
        (tmp_path / "ground-truth.json").write_text("{}")
        sources, _ = find_files(tmp_path)
        assert len(sources) == 2

    def test_missing_path_is_a_problem(self, tmp_path):
        """A path that does not exist is reported, not raised."""
        sources, problems = find_files(tmp_path / "nowhere")
        assert sources == [] and "no such file" in problems[0].reason

    def test_zip_archive_members(self, tmp_path):
        """A zip archive loads like the folder it holds."""
        paths = write_series(tmp_path / "src", n=4)
        archive = tmp_path / "study.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for path in paths:
                zf.write(path, f"DICOM/{path.name}")
        result = load_study(archive)
        stack = next(result.iter_stacks())
        assert stack.shape[0] == 4 and not result.problems
        assert stack.volume()[2, 1, 1] == 300

    def test_list_of_files(self, tmp_path):
        """An explicit list of files is taken as given."""
        paths = write_series(tmp_path, n=4)
        result = load_study([str(p) for p in paths[:3]])
        assert next(result.iter_stacks()).shape[0] == 3


class TestDicomdir:
    def test_dicomdir_lists_its_images(self, corpus):
        """Opening a DICOMDIR loads the images it references."""
        result = load_study(corpus / "pydicom" / "dicomdirtests" / "DICOMDIR")
        n_images = sum(len(s.frames) for s in result.iter_stacks())
        assert n_images == 31
        assert not [p for p in result.problems if p.kind.value == "error"]

    def test_dicomdir_variants(self, corpus):
        """Big endian, implicit, offset-free and reordered DICOMDIRs list the same images."""
        folder = corpus / "pydicom" / "dicomdirtests"
        for name in ("DICOMDIR-bigEnd", "DICOMDIR-implicit", "DICOMDIR-nooffset", "DICOMDIR-reordered"):
            result = load_study(folder / name)
            assert sum(len(s.frames) for s in result.iter_stacks()) == 31, name

    def test_dicomdir_with_missing_targets(self, corpus):
        """Files a DICOMDIR lists but that are absent become problems naming them."""
        result = load_study(corpus / "fo-dicom" / "Tests" / "FO-DICOM.Tests" / "Test Data" / "DICOMDIR")
        missing = [p for p in result.problems if "missing" in p.reason]
        assert missing and all(p.path for p in missing)
