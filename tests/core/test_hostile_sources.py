"""Hostile selections: special files, crafted zip archives and DICOMDIRs are reported, never
followed, and no file is read further than its header needs (issue 10, items 2, 3, 9, 15)."""

import os
import warnings
import zipfile

import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from spineviewer.core import sources
from spineviewer.core.headers import read_header
from spineviewer.core.loader import load_study
from spineviewer.core.problems import ProblemKind
from spineviewer.core.sources import FileSource, NotRegularFileError, find_files
from tests.conftest import write_series
from tests.core.test_hostile_headers import _count_reads


class TestSpecialFiles:
    @pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
    def test_fifo_in_folder_is_skipped_and_named(self, tmp_path):
        """A FIFO beside the images is reported as skipped and never opened."""
        write_series(tmp_path, n=2)
        os.mkfifo(tmp_path / "pipe")
        result = load_study(tmp_path)
        assert next(result.iter_stacks()).shape[0] == 2
        [problem] = result.problems
        assert problem.path == str(tmp_path / "pipe") and problem.kind is ProblemKind.SKIPPED
        assert "FIFO" in problem.reason

    def test_device_given_directly_is_refused(self):
        """A character device named on the command line gives a problem, not a source."""
        found, problems = find_files("/dev/null")
        assert found == [] and "character device" in problems[0].reason

    def test_open_refuses_a_device(self):
        """A source that turned into a device since it was listed is refused when opened."""
        with pytest.raises(NotRegularFileError):
            FileSource("/dev/null").open()
        _, problem = read_header(FileSource("/dev/null"))
        assert "character device" in problem.reason


def _member_with_trailing_zeros(tmp_path, zeros: int) -> bytes:
    path = write_series(tmp_path / "src", n=1)[0]
    return path.read_bytes() + bytes(zeros)


class TestBoundedReads:
    def test_trailing_bytes_after_pixel_data_are_not_read(self, tmp_path, monkeypatch):
        """4 MB of zeros after the Pixel Data: the header scan reads a few kilobytes."""
        path = tmp_path / "padded"
        path.write_bytes(_member_with_trailing_zeros(tmp_path, 4 << 20))
        reads = _count_reads(monkeypatch)
        frames, problem = read_header(FileSource(str(path)))
        assert problem is None and len(frames) == 1
        assert sum(reads) < 64 << 10

    def test_zip_member_is_streamed_not_inflated(self, tmp_path, monkeypatch):
        """A member of a header plus 32 MB of zeros: the scan inflates only its header."""
        archive = tmp_path / "study.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("IM1", _member_with_trailing_zeros(tmp_path, 32 << 20))
        inflated = []
        real_read = zipfile.ZipExtFile.read
        monkeypatch.setattr(zipfile.ZipExtFile, "read",
                            lambda self, n=-1: inflated.append(len(data := real_read(self, n))) or data)
        result = load_study(archive)
        assert next(result.iter_stacks()).shape[0] == 1 and not result.problems
        assert sum(inflated) < 1 << 20

    def test_member_declaring_too_much_is_refused(self, tmp_path, monkeypatch):
        """A member larger than the limit is refused from its declared size, before reading."""
        archive = tmp_path / "study.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("IM1", _member_with_trailing_zeros(tmp_path, 1 << 20))
        monkeypatch.setattr(sources, "MAX_MEMBER_BYTES", 1 << 20)
        [problem] = load_study(archive).problems
        assert problem.path == f"{archive}!IM1" and "declares" in problem.reason

    def test_zip_member_leaving_the_archive_is_reported(self, tmp_path):
        """Members named ``../x`` or ``/x`` are problems, not silently dropped."""
        data = write_series(tmp_path / "src", n=1)[0].read_bytes()
        archive = tmp_path / "study.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("DICOM/IM1", data)
            zf.writestr("../evil", data)
            zf.writestr("/abs/evil", data)
        found, problems = find_files(archive)
        assert [s.member for s in found] == ["DICOM/IM1"]
        assert sorted(p.path for p in problems) == [f"{archive}!../evil", f"{archive}!/abs/evil"]
        assert all("outside the archive" in p.reason for p in problems)


def _write_records(folder, file_ids) -> None:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.1.3.10"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    records = []
    for file_id in file_ids:
        record = Dataset()
        record.DirectoryRecordType = "IMAGE"
        record.ReferencedFileID = file_id
        records.append(record)
    ds.DirectoryRecordSequence = Sequence(records)
    ds.save_as(folder / "DICOMDIR", enforce_file_format=True)


def _write_dicomdir(folder, file_ids) -> None:
    """A DICOMDIR listing ``file_ids``, hostile ones included (pydicom warns about them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _write_records(folder, file_ids)


class TestDicomdirContainment:
    def test_records_outside_the_folder_are_reported_not_read(self, tmp_path):
        """``..``, absolute paths, /proc and symlinks out of the media folder are never opened."""
        media = tmp_path / "media"
        write_series(media / "IMAGES", n=1, prefix="IM")
        outside = write_series(tmp_path / "elsewhere", n=1, prefix="OUT")[0]
        (media / "LINK").symlink_to(outside)
        _write_dicomdir(media, [["IMAGES", "IM0000"], ["..", "elsewhere", "OUT0000"],
                                str(outside), "/proc/self/environ", "LINK"])
        result = load_study(media / "DICOMDIR")
        assert [f for s in result.iter_stacks() for f in s.files] == [str(media / "IMAGES" / "IM0000")]
        outside_problems = [p for p in result.problems if "outside its folder" in p.reason]
        assert len(outside_problems) == 4
        assert all(p.kind is ProblemKind.ERROR for p in outside_problems)

    def test_nested_dicomdir_file_ids_still_load(self, tmp_path):
        """A plain multi-component Referenced File ID still resolves inside the folder."""
        write_series(tmp_path / "A" / "B", n=2, prefix="IM")
        _write_dicomdir(tmp_path, [["A", "B", "IM0000"], ["a", "b", "im0001"]])
        result = load_study(tmp_path / "DICOMDIR")
        assert next(result.iter_stacks()).shape[0] == 2 and not result.problems


def test_pydicom_reads_our_dicomdir(tmp_path):
    """The test DICOMDIR writer produces what pydicom reads back (guards the helper)."""
    _write_dicomdir(tmp_path, ["X"])
    assert pydicom.dcmread(tmp_path / "DICOMDIR").DirectoryRecordSequence[0].ReferencedFileID == "X"
