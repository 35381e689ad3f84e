"""The DICOM PS3.15 Basic Application Level Confidentiality Profile, applied to one dataset.

The actions are those of PS3.15 Annex E, Table E.1-1, for the attributes MR studies carry:

- ``D``: replaced by a dummy value (the pseudonym for PatientName and PatientID);
- ``Z``: replaced by an empty value;
- ``X``: removed;
- ``U``: replaced by a UID of our own, the same for the same original everywhere in the study.

A combined action is resolved so that the output stays as valid as its input (PS3.15 E.1.1:
an attribute the IOD requires with a value gets a dummy one, an optional one is removed rather
than emptied): the attributes that some MR IOD requires with a value (:data:`TYPE_1_SOMEWHERE`,
e.g. ContentDate and DeviceSerialNumber of the enhanced MR image, the frame content
date-times) get a dummy value of their VR (:data:`DUMMY_VALUES`) when they had a value; other
``X/Z`` and ``X/Z/D`` attributes are removed, and ``Z/D`` ones emptied. On top of the table,
for every element at every depth:

- private elements and the curve (50xx) and overlay (60xx) groups are removed;
- every UID (VR UI) that is not one the DICOM standard defines (``1.2.840.10008.*``: SOP
  classes, transfer syntaxes, coding schemes) is remapped, so references inside sequences
  (Referenced SOP Instance UID, Referenced Frame of Reference UID ...) still point at the right,
  renamed instance;
- person names (VR PN) not in the table are removed;
- dates and date-times not in the table are removed, or shifted with the dates;
- a retained text that contains any identifying value of the source (name parts, IDs,
  accession number, dates, institution) is emptied, or set to the dummy word when its VR is a
  short or long string (a coil name or code meaning that matches a name part is Type 1);
- for an animal (PS3.3 C.7.1.1: Patient Species present), ResponsiblePerson and
  ResponsibleOrganization are emptied, not removed, as the Patient module then requires them.

Options (PS3.15 E.3): the Clean Descriptors Option keeps descriptions (study, series,
protocol, contrast agent) that contain no identifying value, since readers and hanging
protocols need them; the Retain Longitudinal Temporal Information with Modified Dates Option
shifts every date by a number of days (times are then kept); the Retain Patient
Characteristics Option keeps sex, age, size and weight. The birth date is always emptied.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass, field

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.valuerep import PersonName

#: Table E.1-1 actions of the attributes found in MR studies (keyword: action).
BASIC_PROFILE: dict[str, str] = {
    # Patient
    "PatientName": "Z", "PatientID": "Z/D", "PatientBirthDate": "Z", "PatientBirthTime": "X",
    "PatientSex": "Z", "PatientAge": "X", "PatientSize": "X", "PatientWeight": "X",
    "OtherPatientIDs": "X", "OtherPatientIDsSequence": "X", "OtherPatientNames": "X",
    "PatientBirthName": "X", "PatientMotherBirthName": "X", "PatientAddress": "X",
    "PatientTelephoneNumbers": "X", "PatientTelecomInformation": "X", "IssuerOfPatientID": "X",
    "MedicalRecordLocator": "X", "MilitaryRank": "X", "BranchOfService": "X", "EthnicGroup": "X",
    "Occupation": "X", "AdditionalPatientHistory": "X", "PatientComments": "X",
    "MedicalAlerts": "X", "Allergies": "X", "SmokingStatus": "X", "PregnancyStatus": "X",
    "LastMenstrualDate": "X", "PatientReligiousPreference": "X", "CountryOfResidence": "X",
    "RegionOfResidence": "X", "PatientInsurancePlanCodeSequence": "X",
    "PatientPrimaryLanguageCodeSequence": "X", "ReferencedPatientSequence": "X",
    "ResponsiblePerson": "X", "ResponsibleOrganization": "X", "PatientState": "X",
    "SpecialNeeds": "X", "ReferencedPatientPhotoSequence": "X",
    # Study, visit and request
    "StudyDate": "Z", "StudyTime": "Z", "AccessionNumber": "Z", "StudyID": "Z",
    "StudyDescription": "X", "ReferringPhysicianName": "Z", "ReferringPhysicianAddress": "X",
    "ReferringPhysicianTelephoneNumbers": "X", "ReferringPhysicianIdentificationSequence": "X",
    "ConsultingPhysicianName": "Z", "PhysiciansOfRecord": "X", "NameOfPhysiciansReadingStudy": "X",
    "PhysiciansReadingStudyIdentificationSequence": "X", "RequestingPhysician": "X",
    "RequestingService": "X", "ReasonForStudy": "X", "StudyComments": "X",
    "AdmittingDiagnosesDescription": "X", "AdmittingDiagnosesCodeSequence": "X",
    "AdmissionID": "X", "IssuerOfAdmissionIDSequence": "X", "ReferencedStudySequence": "X/Z",
    "RequestAttributesSequence": "X", "RequestedProcedureDescription": "X/Z",
    "RequestedProcedureID": "X", "RequestedProcedureComments": "X",
    "ReasonForTheRequestedProcedure": "X", "RequestedContrastAgent": "X",
    "PlacerOrderNumberImagingServiceRequest": "Z", "FillerOrderNumberImagingServiceRequest": "Z",
    "ImagingServiceRequestComments": "X", "ScheduledProcedureStepDescription": "X",
    "ScheduledProcedureStepID": "X", "PerformedProcedureStepDescription": "X",
    "PerformedProcedureStepID": "X", "PerformedProcedureStepStartDate": "X",
    "PerformedProcedureStepStartTime": "X", "PerformedProcedureStepEndDate": "X",
    "PerformedProcedureStepEndTime": "X", "PerformedStationAETitle": "X",
    "PerformedStationName": "X", "PerformedLocation": "X",
    "CommentsOnThePerformedProcedureStep": "X", "ReferencedPerformedProcedureStepSequence": "X/Z/D",
    "ProcedureCodeSequence": "X", "ServiceEpisodeID": "X", "ServiceEpisodeDescription": "X",
    "VisitComments": "X", "CurrentPatientLocation": "X", "PatientInstitutionResidence": "X",
    # Series, equipment and acquisition
    "SeriesDescription": "X", "ProtocolName": "X/D", "SeriesDate": "X/D", "SeriesTime": "X/D",
    "AcquisitionDate": "X/Z", "AcquisitionTime": "X/Z", "AcquisitionDateTime": "X/Z/D",
    "ContentDate": "Z/D", "ContentTime": "Z/D", "InstanceCreationDate": "X/D",
    "InstanceCreationTime": "X/Z/D", "InstanceCreatorUID": "U", "TimezoneOffsetFromUTC": "X",
    "OperatorsName": "X/Z/D", "OperatorIdentificationSequence": "X/D",
    "PerformingPhysicianName": "X", "PerformingPhysicianIdentificationSequence": "X",
    "InstitutionName": "X/Z/D", "InstitutionAddress": "X", "InstitutionCodeSequence": "X/Z/D",
    "InstitutionalDepartmentName": "X", "InstitutionalDepartmentTypeCodeSequence": "X",
    "StationName": "X/Z/D", "StationAETitle": "X", "RetrieveAETitle": "X",
    "DeviceSerialNumber": "X/Z/D", "DeviceUID": "U", "DeviceDescription": "X", "GantryID": "X",
    "DateOfLastCalibration": "X", "TimeOfLastCalibration": "X", "DateOfSecondaryCapture": "X",
    "TimeOfSecondaryCapture": "X", "ContrastBolusAgent": "Z/D", "ContrastBolusStartTime": "X",
    "ContrastBolusStopTime": "X", "AcquisitionComments": "X", "AcquisitionProtocolDescription": "X",
    "AcquisitionDeviceProcessingDescription": "X/D", "DerivationDescription": "X",
    "ImageComments": "X", "FrameComments": "X", "IdentifyingComments": "X",
    "ImagePresentationComments": "X", "IconImageSequence": "X", "OverlayDate": "X",
    "OverlayTime": "X", "CurveDate": "X", "CurveTime": "X", "TextComments": "X",
    "ModifiedImageDescription": "X", "ModifiedImageDate": "X", "ModifiedImageTime": "X",
    "OriginalAttributesSequence": "X", "ModifiedAttributesSequence": "X",
    "DigitalSignaturesSequence": "X", "ContentCreatorName": "Z/D",
    "FrameAcquisitionDateTime": "D", "FrameReferenceDateTime": "D",
    "ContentCreatorIdentificationCodeSequence": "X",
    # Identifiers and references
    "StudyInstanceUID": "U", "SeriesInstanceUID": "U", "SOPInstanceUID": "U",
    "FrameOfReferenceUID": "U", "ReferencedSOPInstanceUID": "U", "ReferencedImageSequence": "X/Z/U*",
    "SourceImageSequence": "X/Z/U*", "IrradiationEventUID": "U", "ConcatenationUID": "U",
    "DimensionOrganizationUID": "U", "SynchronizationFrameOfReferenceUID": "U",
    "StorageMediaFileSetUID": "U", "UID": "U", "TrackingUID": "U",
}

#: Attributes of the profile that an MR IOD requires with a value (Type 1 or 1C), so a dummy
#: value replaces them: the Multi-frame Functional Groups module (ContentDate/Time), Enhanced
#: General Equipment (DeviceSerialNumber), the MR Image and Spectroscopy Instance macro
#: (AcquisitionDateTime) and the Frame Content macro (Frame Acquisition/Reference DateTime).
TYPE_1_SOMEWHERE = frozenset({
    "ContentDate", "ContentTime", "DeviceSerialNumber", "AcquisitionDateTime",
    "FrameAcquisitionDateTime", "FrameReferenceDateTime",
})

#: The dummy value of each VR: a date and time that say nothing of the study, a word for text.
DUMMY_VALUES = {"DA": "19000101", "TM": "000000", "DT": "19000101000000",
                "LO": "ANONYMIZED", "SH": "ANONYMIZED", "CS": "ANONYMIZED"}

#: Kept under the Clean Descriptors Option when they contain no identifying value.
CLEAN_DESCRIPTORS = frozenset({
    "StudyDescription", "SeriesDescription", "ProtocolName", "ContrastBolusAgent",
    "AcquisitionDeviceProcessingDescription", "DerivationDescription",
    "RequestedProcedureDescription", "PerformedProcedureStepDescription", "ImageComments",
})

#: Kept under the Retain Patient Characteristics Option.
PATIENT_CHARACTERISTICS = frozenset({"PatientSex", "PatientAge", "PatientSize", "PatientWeight"})

#: Texts shorter than this are not searched for in other values (a sex, a one-letter initial).
_SHORTEST_SECRET = 3
_DICOM_UID_ROOT = "1.2.840.10008."
_TEXT_VRS = {"SH", "LO", "ST", "LT", "UT", "UC", "PN", "UR"}
_DATE_VRS = {"DA", "DT"}
_NAME_SEPARATORS = re.compile(r"[\^=\s,]+")
_ANIMAL_TYPE_2 = frozenset({"ResponsiblePerson", "ResponsibleOrganization"})


class UidMap:
    """New UIDs for original ones: the same original always gives the same new UID.

    A new UID is ``2.25.`` followed by 128 bits of HMAC-SHA256 of the original under a secret
    key, so it cannot be traced back without the key (a random one unless given).
    """

    def __init__(self, key: bytes):
        self._key = key
        self.mapping: dict[str, str] = {}

    def __call__(self, uid: str) -> str:
        uid = str(uid).strip().rstrip("\0")
        if not uid or uid.startswith(_DICOM_UID_ROOT):
            return uid
        if uid not in self.mapping:
            digest = hmac.new(self._key, uid.encode("ascii", "replace"), hashlib.sha256).digest()
            self.mapping[uid] = f"2.25.{int.from_bytes(digest[:16], 'big')}"
        return self.mapping[uid]


@dataclass(frozen=True)
class Deidentification:
    """How to de-identify: the pseudonym, the UID map, the date rule, the options.

    Attributes
    ----------
    pseudonym : str
        PatientName and PatientID of the output.
    uids : UidMap
    date_shift_days : int or None
        None removes dates (and times); a number of days shifts every date by it.
    keep_patient_characteristics : bool
        Retain sex, age, size and weight.
    secrets : tuple of str
        Identifying values of the source, searched for in every retained text.
    """

    pseudonym: str
    uids: UidMap
    date_shift_days: int | None = None
    keep_patient_characteristics: bool = False
    secrets: tuple[str, ...] = field(default=())

    def method_description(self) -> list[str]:
        """DeidentificationMethod values (LO, at most 64 characters each)."""
        dates = ("dates removed" if self.date_shift_days is None
                 else f"dates shifted by {self.date_shift_days} days")
        values = ["DICOM PS3.15 Basic Application Confidentiality Profile",
                  "Clean Descriptors Option", f"spineviewer; {dates}"]
        if self.keep_patient_characteristics:
            values.insert(2, "Retain Patient Characteristics Option")
        return values

    def method_codes(self) -> list[tuple[str, str]]:
        """DeidentificationMethodCodeSequence entries (CID 7050, scheme DCM)."""
        codes = [("113100", "Basic Application Confidentiality Profile"),
                 ("113105", "Clean Descriptors Option")]
        if self.date_shift_days is not None:
            codes.append(("113107", "Retain Longitudinal Temporal Information Modified Dates Option"))
        if self.keep_patient_characteristics:
            codes.append(("113108", "Retain Patient Characteristics Option"))
        return codes


def identifying_values(ds: Dataset) -> list[str]:
    """The identifying texts of a source dataset, to be searched for in retained values:
    names and their parts, IDs, accession number, institution, station and every date."""
    found: set[str] = set()
    for element in _walk(ds):
        keyword, value = element.keyword, element.value
        if value in (None, "") or element.tag.is_private:
            continue
        if element.VR == "PN":
            for name in _values(value):
                found.add(str(name))
                found.update(_NAME_SEPARATORS.split(str(name)))
        elif element.VR in _DATE_VRS:
            for date in _values(value):
                text = str(date)[:8]
                found.add(text)
                if len(text) == 8 and text.isdigit():
                    found.add(f"{text[:4]}-{text[4:6]}-{text[6:]}")
        elif keyword in ("PatientID", "OtherPatientIDs", "AccessionNumber", "InstitutionName",
                         "InstitutionAddress", "StationName", "DeviceSerialNumber", "StudyID",
                         "InstitutionalDepartmentName", "IssuerOfPatientID"):
            found.update(str(v) for v in _values(value))
    return sorted({s.strip() for s in found if len(s.strip()) >= _SHORTEST_SECRET}, key=len,
                  reverse=True)


def deidentify(ds: Dataset, how: Deidentification) -> Dataset:
    """Apply the profile to ``ds`` in place and return it (the caller passes a copy).

    The dataset's file meta is left alone; the caller builds a new one.
    """
    ds.remove_private_tags()
    _clean(ds, how, top=True)
    # One name component, marked as such by the trailing caret (PS3.5 6.2.1.2).
    ds.PatientName = how.pseudonym if "^" in how.pseudonym else f"{how.pseudonym}^"
    ds.PatientID = how.pseudonym
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = how.method_description()
    ds.DeidentificationMethodCodeSequence = Sequence([_code(value, meaning)
                                                      for value, meaning in how.method_codes()])
    ds.LongitudinalTemporalInformationModified = "REMOVED" if how.date_shift_days is None else "MODIFIED"
    return ds


def shift_date(value: str, days: int) -> str:
    """A DA (``YYYYMMDD``) or the date part of a DT moved by ``days``; '' when unreadable."""
    text = str(value).strip()
    try:
        return (dt.datetime.strptime(text[:8], "%Y%m%d").date()
                + dt.timedelta(days=days)).strftime("%Y%m%d") + text[8:]
    except (ValueError, OverflowError):  # unreadable, or moved past the year 9999
        return ""


def _clean(ds: Dataset, how: Deidentification, *, top: bool) -> None:
    for element in list(ds):
        tag = element.tag
        if tag.group & 0xFF00 in (0x5000, 0x6000):
            del ds[tag]
            continue
        action = _action(element, how)
        if action == "X" and element.keyword in _ANIMAL_TYPE_2 and _is_animal(ds):
            action = "Z"
        if action == "X":
            del ds[tag]
        elif action == "Z":
            element.value = [] if element.VR == "SQ" else None
        elif action == "D":
            element.value = DUMMY_VALUES[element.VR]
        elif action == "SHIFT":
            element.value = _shifted(element.value, how.date_shift_days)
        elif element.VR == "SQ":
            for item in element.value:
                _clean(item, how, top=False)
        elif element.VR == "UI":
            element.value = _mapped(element.value, how.uids)
        elif element.VR in _TEXT_VRS and _contains_secret(element.value, how.secrets):
            element.value = DUMMY_VALUES.get(element.VR) if element.VR in ("SH", "LO") else None


def _action(element: DataElement, how: Deidentification) -> str:
    """``X`` (remove), ``Z`` (empty), ``D`` (dummy), ``SHIFT`` or ``KEEP`` for one element."""
    keyword, vr = element.keyword, element.VR
    if keyword in PATIENT_CHARACTERISTICS and how.keep_patient_characteristics:
        return "KEEP"
    if keyword == "PatientBirthDate":
        return "Z"
    if keyword in CLEAN_DESCRIPTORS:
        return "Z" if _contains_secret(element.value, how.secrets) else "KEEP"
    rule = BASIC_PROFILE.get(keyword)
    is_date = vr in _DATE_VRS or (vr == "TM" and rule is not None)
    if how.date_shift_days is not None and is_date:
        return "SHIFT" if vr in _DATE_VRS else "KEEP"
    if rule is None:
        if vr in _DATE_VRS or vr == "TM" or vr == "PN":
            return "X"
        return "KEEP"
    if rule in ("U", "X/Z/U*"):
        return "KEEP"
    if keyword in TYPE_1_SOMEWHERE and element.VR in DUMMY_VALUES:
        return "D" if element.value not in (None, "", []) else "KEEP"
    if rule in ("X", "X/D", "X/Z", "X/Z/D"):
        return "X"
    return "Z"


def _is_animal(ds: Dataset) -> bool:
    return "PatientSpeciesDescription" in ds or "PatientSpeciesCodeSequence" in ds


def _shifted(value, days: int):
    if isinstance(value, (list, tuple)) or hasattr(value, "__iter__") and not isinstance(value, str):
        return [shift_date(v, days) for v in value]
    return shift_date(value, days)


def _mapped(value, uids: UidMap):
    if isinstance(value, str):
        return uids(value)
    return [uids(v) for v in value]


def _contains_secret(value, secrets: tuple[str, ...]) -> bool:
    if value in (None, ""):
        return False
    text = " ".join(str(v) for v in _values(value)).casefold()
    return any(secret.casefold() in text for secret in secrets)


def _values(value) -> list:
    if isinstance(value, (str, bytes, PersonName)) or not hasattr(value, "__iter__"):
        return [value]
    return list(value)


def _walk(ds: Dataset):
    for element in ds:
        if element.VR == "SQ":
            for item in element.value:
                yield from _walk(item)
        else:
            yield element


def _code(value: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, "DCM", meaning
    return item
