"""Anonymizing real enhanced MR files keeps them as valid as they were: Type 1 attributes get
dummy values instead of being emptied, optional ones are removed instead of emptied."""

import shutil

import pydicom
import pytest

from spineviewer.core.loader import load_study
from spineviewer.export.anonymize import anonymize_study
from spineviewer.export.deid_profile import DUMMY_VALUES
from tests.export.dicom_checks import validation_errors, walk

#: Enhanced MR Image Storage files of the shared corpus: Philips, Siemens XA, a Bruker animal
#: study and a multi-frame example whose coil names match a name part of the patient.
ENHANCED = ("dcm_qa_enh/In/Philips/IM_0027_fMAP.dcm", "dcm_qa_enh/In/Siemens/XA10/6_1.dcm",
            "fo-dicom/Tests/FO-DICOM.Tests/Test Data/mr_brucker.dcm",
            "fo-dicom/Tests/FO-DICOM.Tests/Test Data/MOVEKNEE.dcm")
TYPE_1 = ("ContentDate", "ContentTime", "DeviceSerialNumber", "AcquisitionDateTime",
          "FrameAcquisitionDateTime", "FrameReferenceDateTime")


@pytest.fixture(params=ENHANCED, ids=lambda p: p.rsplit("/", 1)[-1])
def anonymized(request, corpus, tmp_path):
    """One enhanced MR file of the corpus and its anonymized copy."""
    source = corpus / request.param
    if not source.is_file():
        pytest.skip(f"{request.param} is not in the corpus")
    (tmp_path / "in").mkdir()
    shutil.copy(source, tmp_path / "in" / "a.dcm")
    done = anonymize_study(load_study(tmp_path / "in"), tmp_path / "out", pseudonym="ANON-7")
    assert len(done.files) == 1, done.problems
    return source, done.files[0]


def test_no_more_validator_errors_than_the_source(anonymized, validator_tools):
    """dciodvfy finds no error in the copy that it did not find in the source."""
    if "dciodvfy" not in validator_tools:
        pytest.skip("needs dciodvfy (Debian package dicom3tools)")
    source, copy = anonymized
    before = validation_errors(source, ["dciodvfy"])
    after = validation_errors(copy, ["dciodvfy"])
    new = sorted(set(after) - set(before))
    assert len(after) <= len(before) and new == []


def test_type_1_values_are_dummies_not_emptied(anonymized):
    """Every Type 1 date, time and serial number that had a value has a dummy one."""
    source, copy = anonymized
    had = {e.keyword for e in walk(pydicom.dcmread(source, stop_before_pixels=True))
           if e.keyword in TYPE_1 and e.value not in (None, "")}
    found = {}
    for element in walk(pydicom.dcmread(copy, stop_before_pixels=True)):
        if element.keyword in TYPE_1:
            found.setdefault(element.keyword, set()).add(str(element.value))
    assert had and set(found) == had
    for keyword, values in found.items():
        assert values <= set(DUMMY_VALUES.values()), keyword


def test_no_empty_sequences(anonymized):
    """Optional sequences of the profile are removed, never left present and empty."""
    _, copy = anonymized
    ds = pydicom.dcmread(copy, stop_before_pixels=True)
    for keyword in ("ReferencedStudySequence", "ReferencedPerformedProcedureStepSequence"):
        assert keyword not in ds or len(ds[keyword].value) > 0
