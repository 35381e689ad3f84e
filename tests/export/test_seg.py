"""DICOM SEG of lesion masks: valid for dciodvfy, read back to the same masks, and refused for
another series or a file that is no SEG."""

import numpy as np
import pydicom
import pytest

from spineviewer.export.seg import SEG_SERIES_NUMBER, read_seg, write_seg
from tests.assist.phantom_cases import sample
from tests.export.dicom_checks import validation_errors

SLUG = "case3-lung-multiple"


def _stacks():
    result, truth = sample(SLUG)
    by_uid = {s["series_uid"]: s for s in truth["series"]}
    post = next(uid for uid, s in by_uid.items() if s["plane"] == "sagittal" and s["post_contrast"])
    t2 = next(uid for uid, s in by_uid.items() if s["plane"] == "sagittal" and s["contrast"] == "T2")
    return result.series_by_uid(post).stacks, result.series_by_uid(t2).stacks


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Two lesion masks on the thoracic post-contrast stack, written once."""
    stack = _stacks()[0][1]
    first = np.zeros(stack.shape, dtype=bool)
    first[5:8, 100:112, 90:96] = True
    first[6, 104:108, 92:94] = False
    second = np.zeros(stack.shape, dtype=bool)
    second[6, 200, 80] = True
    path = write_seg(tmp_path_factory.mktemp("seg") / "lesions.dcm", stack,
                     [(2, first), (4, second)])
    return stack, {2: first, 4: second}, path


def test_validator_finds_no_error(written, validator_tools):
    """dciodvfy reports no error."""
    if "dciodvfy" not in validator_tools:
        pytest.skip("needs dciodvfy (Debian package dicom3tools)")
    assert validation_errors(written[2], ["dciodvfy"]) == []


def test_reads_back_to_the_same_masks(written):
    """Each lesion's mask comes back voxel for voxel, with its lesion number."""
    stack, masks, path = written
    back = read_seg(path, stack)
    assert [number for number, _ in back] == [2, 4]
    for number, mask in back:
        assert mask.shape == stack.shape
        assert np.array_equal(mask, masks[number])


def test_references_the_source_images(written):
    """A binary SEG in the images' study and frame of reference, one segment per lesion,
    referencing the source images that carry the lesions."""
    stack, _, path = written
    ds = pydicom.dcmread(path)
    source = stack.frames[0].file
    assert ds.SOPClassUID == pydicom.uid.SegmentationStorage
    assert ds.SegmentationType == "BINARY"
    assert ds.SeriesNumber == SEG_SERIES_NUMBER
    assert [s.SegmentLabel for s in ds.SegmentSequence] == ["Lesion 2", "Lesion 4"]
    with source.source.open() as handle:
        header = pydicom.dcmread(handle, stop_before_pixels=True)
    assert ds.FrameOfReferenceUID == header.FrameOfReferenceUID
    assert ds.StudyInstanceUID == header.StudyInstanceUID
    referenced = {item.ReferencedSOPInstanceUID for series in ds.ReferencedSeriesSequence
                  for item in series.ReferencedInstanceSequence}
    assert referenced <= {frame.file.sop_instance_uid for frame in stack.frames}


def test_other_series_refused(written):
    """Reading the SEG onto another stack is a ValueError naming the file."""
    _, _, path = written
    other = _stacks()[1][1]
    with pytest.raises(ValueError, match="lesions.dcm: made on other images"):
        read_seg(path, other)


def test_not_a_seg_refused(tmp_path):
    """A file that is not a SEG, or no DICOM at all, is a ValueError naming it."""
    stack = _stacks()[0][1]
    junk = tmp_path / "junk.dcm"
    junk.write_bytes(b"not dicom at all" * 10)
    with pytest.raises(ValueError, match="junk.dcm"):
        read_seg(junk, stack)
    image = stack.frames[0].file.source.display
    with pytest.raises(ValueError, match="not a DICOM Segmentation"):
        read_seg(image, stack)


def test_empty_or_misfit_mask_refused(tmp_path):
    """An empty mask or one of another shape is not written."""
    stack = _stacks()[0][1]
    with pytest.raises(ValueError, match="empty"):
        write_seg(tmp_path / "a.dcm", stack, [(1, np.zeros(stack.shape, dtype=bool))])
    with pytest.raises(ValueError, match="series is"):
        write_seg(tmp_path / "b.dcm", stack, [(1, np.ones((2, 2, 2), dtype=bool))])
    assert not list(tmp_path.iterdir())
