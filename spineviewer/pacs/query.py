"""What a study query asks and what a PACS answers, the same for DICOMweb and DIMSE.

:class:`StudyQuery` holds the filters a radiologist types (patient name and ID, a date range,
modality, accession number, study description); :func:`qido_params` and
:func:`find_identifier` turn it into QIDO-RS query parameters (DICOM PS3.18 §10.6) and a
C-FIND STUDY-level identifier (PS3.4 C.6.1.1.2). The answers, DICOM JSON from QIDO-RS
(PS3.18 F.2) or C-FIND datasets, are hostile input: :func:`study_result` and
:func:`series_result` read them defensively (wrong types, missing or invalid UIDs, absurd
counts) and raise ValueError for an answer that is not a study or a series.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from spineviewer.core.tags import date
from spineviewer.pacs.uids import checked_uid

#: Attributes asked for in a study query (returned by every conformant server).
STUDY_FIELDS = ("StudyInstanceUID", "PatientName", "PatientID", "StudyDate", "StudyDescription",
                "AccessionNumber", "ModalitiesInStudy", "NumberOfStudyRelatedSeries",
                "NumberOfStudyRelatedInstances")
SERIES_FIELDS = ("SeriesInstanceUID", "SeriesNumber", "Modality", "SeriesDescription",
                 "NumberOfSeriesRelatedInstances")

_TAGS = {"StudyInstanceUID": "0020000D", "PatientName": "00100010", "PatientID": "00100020",
         "StudyDate": "00080020", "StudyDescription": "00081030", "AccessionNumber": "00080050",
         "ModalitiesInStudy": "00080061", "NumberOfStudyRelatedSeries": "00201206",
         "NumberOfStudyRelatedInstances": "00201208", "SeriesInstanceUID": "0020000E",
         "SeriesNumber": "00200011", "Modality": "00080060", "SeriesDescription": "0008103E",
         "NumberOfSeriesRelatedInstances": "00201209", "SOPInstanceUID": "00080018",
         "SOPClassUID": "00080016", "InstanceNumber": "00200013"}

#: Longest text kept from an answer (a hostile server may send megabytes in a name).
MAX_TEXT = 256
#: Largest count believed (a study with more instances than this is an error in the answer).
MAX_COUNT = 10_000_000


@dataclass(frozen=True)
class StudyQuery:
    """The filters of a study search; empty means "any". Names accept ``*`` and ``?``;
    ``study_uid`` finds one study (a worklist entry)."""

    patient_name: str = ""
    patient_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    modality: str = ""
    accession: str = ""
    description: str = ""
    study_uid: str = ""

    def __post_init__(self):
        for name in ("patient_name", "patient_id", "modality", "accession", "description",
                     "study_uid"):
            value = getattr(self, name)
            if not isinstance(value, str) or "\\" in value or any(ord(c) < 32 for c in value):
                raise ValueError(f"{name} must be text on one line without a backslash")
            if len(value) > 64:
                raise ValueError(f"{name} is longer than 64 characters")
            object.__setattr__(self, name, value.strip())
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, dt.date):
                raise ValueError(f"{name} must be a date")
        if self.study_uid:
            checked_uid(self.study_uid, "StudyInstanceUID")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"the date range ends ({self.date_to}) before it starts ({self.date_from})")

    @property
    def date_range(self) -> str:
        """The DICOM DA range ``YYYYMMDD-YYYYMMDD`` (open at either end), '' for any date."""
        if self.date_from is None and self.date_to is None:
            return ""
        start = self.date_from.strftime("%Y%m%d") if self.date_from else ""
        end = self.date_to.strftime("%Y%m%d") if self.date_to else ""
        return start if start == end else f"{start}-{end}"


@dataclass(frozen=True)
class StudyResult:
    """One study a PACS found."""

    study_uid: str
    patient_name: str = ""
    patient_id: str = ""
    study_date: dt.date | None = None
    description: str = ""
    accession: str = ""
    modalities: tuple[str, ...] = ()
    n_series: int | None = None
    n_instances: int | None = None


@dataclass(frozen=True)
class SeriesResult:
    """One series of a study a PACS found."""

    series_uid: str
    number: int | None = None
    modality: str = ""
    description: str = ""
    n_instances: int | None = None


def _filters(query: StudyQuery) -> dict[str, str]:
    """The filters of ``query`` by attribute keyword, '' for those not set."""
    return {"PatientName": query.patient_name, "PatientID": query.patient_id,
            "StudyDate": query.date_range, "ModalitiesInStudy": query.modality,
            "AccessionNumber": query.accession, "StudyDescription": query.description,
            "StudyInstanceUID": query.study_uid}


def qido_params(query: StudyQuery) -> dict[str, str]:
    """QIDO-RS search parameters of ``query`` (PS3.18 §8.3.4), keyword form."""
    return {key: value for key, value in _filters(query).items() if value}


def dimse_identifier(level: str, **attributes):
    """A C-FIND / C-GET / C-MOVE identifier at ``level`` holding ``attributes``."""
    from pydicom.dataset import Dataset

    identifier = Dataset()
    identifier.QueryRetrieveLevel = level
    for keyword, value in attributes.items():
        setattr(identifier, keyword, value)
    return identifier


def find_identifier(query: StudyQuery):
    """The C-FIND STUDY-level identifier of ``query``: filters set, return keys empty."""
    return dimse_identifier("STUDY", **{**dict.fromkeys(STUDY_FIELDS, ""), **_filters(query)})


def study_result(answer) -> StudyResult:
    """A study from a DICOM JSON object (QIDO-RS) or a pydicom Dataset (C-FIND)."""
    get = _reader(answer)
    return StudyResult(
        study_uid=checked_uid(get("StudyInstanceUID"), "StudyInstanceUID"),
        patient_name=_text(get("PatientName")).rstrip("^= "), patient_id=_text(get("PatientID")),
        study_date=_date(get("StudyDate")), description=_text(get("StudyDescription")),
        accession=_text(get("AccessionNumber")),
        modalities=_codes(get("ModalitiesInStudy", many=True)),
        n_series=_count(get("NumberOfStudyRelatedSeries")),
        n_instances=_count(get("NumberOfStudyRelatedInstances")))


def series_result(answer) -> SeriesResult:
    """A series from a DICOM JSON object (QIDO-RS) or a pydicom Dataset (C-FIND)."""
    get = _reader(answer)
    return SeriesResult(
        series_uid=checked_uid(get("SeriesInstanceUID"), "SeriesInstanceUID"),
        number=_count(get("SeriesNumber")), modality=_text(get("Modality"))[:16],
        description=_text(get("SeriesDescription")),
        n_instances=_count(get("NumberOfSeriesRelatedInstances")))


def in_series_order(series: list[SeriesResult]) -> list[SeriesResult]:
    """Series by series number (those without one last), then UID."""
    return sorted(series, key=lambda s: (s.number is None, s.number or 0, s.series_uid))


def instance_uid(answer) -> str:
    """The SOPInstanceUID of an instance-level answer, checked."""
    return checked_uid(_reader(answer)("SOPInstanceUID"), "SOPInstanceUID")


def _reader(answer):
    """``get(keyword, many=False)``: the first value (or all values) of an attribute."""
    if isinstance(answer, dict):
        def get(keyword, many=False):
            element = answer.get(_TAGS[keyword])
            values = element.get("Value") if isinstance(element, dict) else None
            if not isinstance(values, list) or not values:
                return [] if many else None
            return values if many else values[0]
        return get
    from pydicom.dataset import Dataset
    if not isinstance(answer, Dataset):
        raise ValueError(f"an answer is a DICOM JSON object or a dataset, not {type(answer).__name__}")

    def get_ds(keyword, many=False):
        try:
            value = answer.get(keyword)
        except Exception:
            value = None
        if many:
            if value is None or value == "":
                return []
            return list(value) if not isinstance(value, str) else [value]
        return value
    return get_ds


def _text(value) -> str:
    """Text of a string, a person name (DICOM JSON ``{"Alphabetic": ...}``) or a number."""
    if isinstance(value, dict):
        value = value.get("Alphabetic", "")
    if value is None or isinstance(value, (list, dict, bool)):
        return ""
    text = " ".join(str(value).split())
    return text[:MAX_TEXT]


def _codes(values) -> tuple[str, ...]:
    codes = []
    for value in values[:32]:
        text = _text(value)
        codes.extend(part for part in text.split("\\") if part)
    return tuple(dict.fromkeys(code[:16] for code in codes))


def _date(value) -> dt.date | None:
    # ``YYYY.MM.DD`` (the old ACR-NEMA form) too; only digits left (``date`` would strip spaces).
    text = _text(value).replace(".", "")
    return date(text) if text.isdigit() else None


def _count(value) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(value) if isinstance(value, int) else int(str(value).strip())
    except (ValueError, TypeError):
        return None
    return number if 0 <= number <= MAX_COUNT else None
