"""Hostile headers: sizes, rescale and geometry that cannot be right make that file a problem,
checked before anything is built from them (issue 10, items 1, 3, 6 and 15)."""

import warnings

import numpy as np
import pydicom
import pytest
from pydicom.uid import RLELossless

from spineviewer.core import headers
from spineviewer.core.headers import read_header
from spineviewer.core.loader import load_study
from spineviewer.core.sources import FileSource
from tests.conftest import write_enhanced, write_series, write_slice


def _edit(path, **values):
    """Set ``values`` in the file at ``path`` (invalid ones too: pydicom's warnings are muted)."""
    ds = pydicom.dcmread(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for keyword, value in values.items():
            setattr(ds, keyword, value)
        ds.save_as(path)
    return path


def _problem(path) -> str:
    frames, problem = read_header(FileSource(str(path)))
    assert frames == [] and problem is not None
    return problem.reason


@pytest.fixture
def no_frames_built(monkeypatch):
    """Fail if the header scan starts building frames (sizes must be checked first)."""
    def refuse(*args, **kwargs):
        raise AssertionError("frames were built before the sizes were checked")

    for name in ("classic_frames", "enhanced_frames", "mosaic_frames"):
        monkeypatch.setattr(headers, name, refuse)


class TestDeclaredSizes:
    def test_huge_number_of_frames_in_a_classic_file(self, tmp_path, no_frames_built):
        """NumberOfFrames 2147483647 on an 8 x 10 image is refused from the sizes alone."""
        path = _edit(write_series(tmp_path, n=1)[0], NumberOfFrames=2147483647)
        reason = _problem(path)
        assert "NumberOfFrames 2147483647" in reason and "holds 160 bytes" in reason

    def test_huge_number_of_frames_in_an_enhanced_file(self, tmp_path, no_frames_built):
        """50,000,000 frames declared in an enhanced MR of two frames is refused."""
        path = write_enhanced(tmp_path / "enh", [((0, 1, 0), (0, 0, -1))] * 2, [(0, 0, 0), (1, 0, 0)])
        reason = _problem(_edit(path, NumberOfFrames=50_000_000))
        assert "NumberOfFrames 50000000" in reason

    def test_encapsulated_frames_must_fit_in_the_file(self, tmp_path, no_frames_built):
        """An RLE file cannot hold more frames than it has room for fragment headers."""
        path = write_series(tmp_path, n=1)[0]
        ds = pydicom.dcmread(path)
        ds.compress(RLELossless)
        ds.NumberOfFrames = 10**6
        ds.save_as(path)
        assert "cannot fit" in _problem(path)

    def test_rows_halved_on_native_data(self, tmp_path):
        """Half the Rows leaves a whole frame of Pixel Data unexplained: a problem, not a wrong image."""
        paths = write_series(tmp_path, n=3)
        _edit(paths[1], Rows=4)
        result = load_study(tmp_path)
        assert next(result.iter_stacks()).shape[0] == 2
        [problem] = result.problems
        assert problem.path == str(paths[1]) and "Pixel Data holds 160 bytes" in problem.reason

    def test_a_few_padding_bytes_are_tolerated(self, tmp_path):
        """Writers that pad the Pixel Data by less than a frame still load."""
        path = write_series(tmp_path, n=1)[0]
        ds = pydicom.dcmread(path)
        ds.PixelData = ds.PixelData + bytes(32)
        ds.save_as(path)
        frames, problem = read_header(FileSource(str(path)))
        assert problem is None and len(frames) == 1

    def test_zero_rows(self, tmp_path):
        """Rows 0 is not an image size (it would allow any number of empty frames)."""
        assert "not an image size" in _problem(_edit(write_series(tmp_path, n=1)[0], Rows=0))


def _count_reads(monkeypatch) -> list[int]:
    """Record the size of every read the header scan makes of a plain file."""
    reads = []
    real_open = FileSource.open

    def counting_open(self):
        fp = real_open(self)
        read = fp.read
        fp.read = lambda size=-1: reads.append(len(data := read(size))) or data
        return fp

    monkeypatch.setattr(FileSource, "open", counting_open)
    return reads


class TestBoundedHeader:
    def test_zeros_in_place_of_a_header_stop_the_parse(self, tmp_path, monkeypatch):
        """A file meta header followed by 2 MB of zeros is read for a few kilobytes only."""
        path = write_series(tmp_path, n=1)[0]
        meta_end = pydicom.dcmread(path).file_meta.FileMetaInformationGroupLength + 144
        path.write_bytes(path.read_bytes()[:meta_end] + bytes(2 << 20))
        reads = _count_reads(monkeypatch)
        assert "zeros where its dataset should start" in _problem(path)
        assert sum(reads) < 64 << 10

    def test_zeros_inside_the_dataset_stop_the_parse(self, tmp_path, monkeypatch):
        """Zeros after a few elements end the header there: no pixel data, read no further."""
        path = write_series(tmp_path, n=1)[0]
        data = path.read_bytes()
        cut = data.index(b"\x08\x00\x16\x00")  # SOPClassUID, the first dataset element
        path.write_bytes(data[:cut + 40] + bytes(2 << 20))
        reads = _count_reads(monkeypatch)
        assert "no pixel data" in _problem(path)
        assert sum(reads) < 64 << 10

    def test_header_longer_than_the_limit(self, tmp_path, monkeypatch):
        """A header that does not reach its pixel data within the limit is a problem."""
        path = write_series(tmp_path, n=1, extra={"ImageComments": "x" * 8000})[0]
        monkeypatch.setattr(headers, "HEADER_LIMIT", 4096)
        assert "without reaching the pixel data" in _problem(path)


class TestRescale:
    @pytest.mark.parametrize("keyword, value", [
        ("RescaleSlope", "nan"), ("RescaleIntercept", "inf"), ("RescaleSlope", "-inf"),
        ("RescaleIntercept", "1e300")])
    def test_non_finite_rescale_is_that_files_problem(self, tmp_path, keyword, value):
        """One file's NaN or infinite rescale costs that file only; the series decodes."""
        paths = write_series(tmp_path, n=3)
        _edit(paths[0], **{keyword: value})
        result = load_study(tmp_path)
        stack = next(result.iter_stacks())
        assert stack.volume().shape == (2, 8, 10) and not stack.decode_problems
        [problem] = result.problems
        assert problem.path == str(paths[0]) and keyword in problem.reason
        assert "not a finite number" in problem.reason

    def test_non_finite_rescale_in_an_enhanced_frame(self, tmp_path):
        """A NaN RescaleSlope in a Pixel Value Transformation item is the file's problem."""
        path = write_enhanced(tmp_path / "enh", [((0, 1, 0), (0, 0, -1))] * 2, [(0, 0, 0), (1, 0, 0)])
        ds = pydicom.dcmread(path)
        transform = pydicom.Dataset()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            transform.RescaleSlope, transform.RescaleIntercept = "nan", "0"
            ds.SharedFunctionalGroupsSequence[0].PixelValueTransformationSequence = pydicom.Sequence([transform])
            ds.save_as(path)
        assert "RescaleSlope 'nan' is not a finite number" in _problem(path)


class TestGeometry:
    @pytest.mark.parametrize("orientation", [
        [0, 0, 0, 0, 0, 0], [1, 0, 0, 1, 0, 0], [1e300, 0, 0, 0, 1e300, 0], [2, 0, 0, 0, 1, 0]])
    def test_unusable_orientation_is_a_problem(self, tmp_path, orientation):
        """Zero, colinear, absurd or non-unit direction cosines give no slice direction."""
        paths = write_series(tmp_path, n=3)
        _edit(paths[2], ImageOrientationPatient=orientation)
        result = load_study(tmp_path)
        stack = next(result.iter_stacks())
        assert stack.shape[0] == 2 and np.all(np.isfinite(stack.geometry.direction))
        assert "ImageOrientationPatient" in result.problems[0].reason

    def test_position_far_away_is_a_problem(self, tmp_path):
        """An ImagePositionPatient of 1e300 mm is garbage, not a place in the scanner."""
        path = _edit(write_series(tmp_path, n=1)[0], ImagePositionPatient=[0, 0, 1e300])
        assert "kilometre" in _problem(path)

    def test_nan_slice_thickness_is_unknown(self, tmp_path):
        """A NaN SliceThickness reads as absent, not as a number."""
        path = write_slice(tmp_path / "one", np.zeros((8, 10), np.uint16), position=(0, 0, 0),
                           series_uid="1.2.3.9", study_uid="1.2.3")
        _edit(path, SliceThickness="nan")
        frames, problem = read_header(FileSource(str(path)))
        assert problem is None and frames[0].slice_thickness is None


class TestDeflateBomb:
    def test_deflated_dataset_inflating_past_the_limit(self, tmp_path, monkeypatch):
        """A deflated file whose dataset inflates beyond the header limit is refused."""
        path = write_series(tmp_path, n=1, shape=(64, 64))[0]
        ds = pydicom.dcmread(path)
        ds.file_meta.TransferSyntaxUID = pydicom.uid.DeflatedExplicitVRLittleEndian
        ds.save_as(path)
        monkeypatch.setattr(headers, "HEADER_LIMIT", 4096)
        assert "inflates past" in _problem(path)

    def test_small_deflated_file_loads(self, tmp_path):
        """A deflated file within the limit loads as before."""
        path = write_series(tmp_path, n=1)[0]
        ds = pydicom.dcmread(path)
        ds.file_meta.TransferSyntaxUID = pydicom.uid.DeflatedExplicitVRLittleEndian
        ds.save_as(path)
        frames, problem = read_header(FileSource(str(path)))
        assert problem is None and len(frames) == 1
