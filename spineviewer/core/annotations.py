"""The annotations of a study: levels, lesions with their drawings and findings, patient findings.

Coordinates are DICOM LPS mm (see :mod:`spineviewer.core.drawings`). Everything is frozen;
:mod:`spineviewer.core.edits` holds the pure functions that return an edited copy, which keeps
undo a matter of keeping the previous object. This module re-exports the drawing kinds and the
findings forms so that ``spineviewer.core.annotations`` is the one import a caller needs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from spineviewer.core.drawings import (
    DRAWING_KINDS,
    PERPENDICULAR_TOLERANCE_DEG,
    Arrow,
    Bidirectional,
    Caliper,
    CaliperRole,
    Component,
    CordPath,
    Drawing,
    Outline,
    Segmentation,
    TextNote,
    new_id,
)
from spineviewer.core.findings import LesionFindings, PatientFindings
from spineviewer.core.levels import SegmentRule, VertebralLevels
from spineviewer.core.sent import MAX_SENT, Sent, SentObject
from spineviewer.core.validation import assign, enum_value, text_value

__all__ = [
    "DRAWING_KINDS", "MAX_DRAWINGS", "MAX_LESIONS", "PERPENDICULAR_TOLERANCE_DEG", "SCHEMA_VERSION",
    "Arrow", "Bidirectional", "Caliper", "CaliperRole", "Component", "CordPath", "Drawing", "Lesion",
    "LesionFindings", "Outline", "PatientFindings", "Segmentation", "Sent", "SentObject",
    "StudyAnnotations", "TextNote", "check_size",
    "new_id", "timestamp",
]

#: Version of the annotation model and of its file layout (docs/annotation-format.md).
SCHEMA_VERSION = 4

#: Most lesions, and drawings, a study holds: far beyond a real study (the ISCM series has at
#: most 8 lesions per patient), and few enough that reading a file, an SR and a figure take
#: seconds, not hours. Edits beyond them are refused and files beyond them are not read.
MAX_LESIONS = 100
MAX_DRAWINGS = 500


@dataclass(frozen=True)
class Lesion:
    """One intramedullary lesion: its number in the study, its drawings and its findings.

    ``not_assessable`` names the extents (:class:`Component`) the reader declared impossible
    to measure on this study (a cord T2 signal hidden by artefact, a lesion that does not
    enhance), so that a missing drawing is a decision rather than an omission.
    """

    lesion_id: int
    annotations: tuple[Drawing, ...] = ()
    findings: LesionFindings = field(default_factory=LesionFindings)
    not_assessable: tuple[Component, ...] = ()

    def __post_init__(self):
        if isinstance(self.lesion_id, bool) or not isinstance(self.lesion_id, int) or self.lesion_id < 1:
            raise ValueError(f"a lesion id is a whole number from 1, got {self.lesion_id!r}")
        assign(self, "annotations", _drawings(self.annotations, f"lesion {self.lesion_id}"))
        if not isinstance(self.findings, LesionFindings):
            raise ValueError(f"lesion {self.lesion_id}: findings must be LesionFindings")
        try:
            parts = sorted({Component(part) for part in self.not_assessable}, key=list(Component).index)
        except (ValueError, TypeError):
            raise ValueError(f"lesion {self.lesion_id}: not_assessable takes "
                             f"{[c.value for c in Component]}, got {self.not_assessable!r}") from None
        assign(self, "not_assessable", tuple(parts))

    def of_kind(self, kind: type[Drawing]) -> tuple:
        """The lesion's drawings of one kind, in drawing order."""
        return tuple(a for a in self.annotations if isinstance(a, kind))


@dataclass(frozen=True)
class StudyAnnotations:
    """Everything the reader recorded on one study: levels, lesions, patient findings.

    Attributes
    ----------
    study_instance_uid : str
    patient_id : str
        DICOM PatientID (kept so that cohort tables can group studies; pseudonymised on export).
    frame_of_reference_uid : str
        The frame of reference of the levels and drawings ('' if the study has none).
    reader : str
        Who read the study.
    done : bool
        The reader's explicit mark that the reading of this study is finished
        (:mod:`spineviewer.core.reading_status`).
    study_date : datetime.date or None
        DICOM StudyDate.
    levels : VertebralLevels or None
        The marked discs and conus tip.
    segment_rule : SegmentRule
        How this study counts extents in vertebral segments (span by default).
    lesions : tuple of Lesion
        In lesion-id order; ids are unique.
    annotations : tuple of Drawing
        Drawings not tied to a lesion (teaching arrows, notes, other distances).
    patient : PatientFindings
    sent : tuple of Sent
        Where and when objects of this study were sent to a PACS, oldest first (at most
        :data:`~spineviewer.core.sent.MAX_SENT`).
    created, modified : str
        ISO 8601 timestamps (UTC).
    schema_version : int
        Always :data:`SCHEMA_VERSION` in memory; older files are migrated on load.
    """

    study_instance_uid: str
    patient_id: str = ""
    frame_of_reference_uid: str = ""
    reader: str = ""
    study_date: dt.date | None = None
    levels: VertebralLevels | None = None
    lesions: tuple[Lesion, ...] = ()
    annotations: tuple[Drawing, ...] = ()
    patient: PatientFindings = field(default_factory=PatientFindings)
    created: str = ""
    modified: str = ""
    segment_rule: SegmentRule = SegmentRule.SPAN
    done: bool = False
    sent: tuple[Sent, ...] = ()
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self):
        if not isinstance(self.study_instance_uid, str) or not self.study_instance_uid.strip():
            raise ValueError("study annotations need the StudyInstanceUID")
        if self.schema_version != SCHEMA_VERSION:
            raise ValueError(f"schema_version {self.schema_version} is not {SCHEMA_VERSION}; "
                             "older files are migrated when they are loaded")
        for name in ("patient_id", "frame_of_reference_uid", "reader", "created", "modified"):
            assign(self, name, text_value(getattr(self, name), name))
        if not isinstance(self.done, bool):
            raise ValueError(f"done must be true or false, got {self.done!r}")
        if self.study_date is not None and not isinstance(self.study_date, dt.date):
            raise ValueError(f"study_date must be a date, got {self.study_date!r}")
        if self.levels is not None and not isinstance(self.levels, VertebralLevels):
            raise ValueError("levels must be VertebralLevels or None")
        if not isinstance(self.patient, PatientFindings):
            raise ValueError("patient must be PatientFindings")
        assign(self, "segment_rule", enum_value(SegmentRule, self.segment_rule, "segment_rule"))
        sent = tuple(self.sent)
        if len(sent) > MAX_SENT or not all(isinstance(item, Sent) for item in sent):
            raise ValueError(f"sent holds at most {MAX_SENT} Sent records")
        assign(self, "sent", sent)
        lesions = tuple(sorted(self.lesions, key=lambda lesion: lesion.lesion_id))
        ids = [lesion.lesion_id for lesion in lesions]
        if len(set(ids)) != len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1} if len(ids) <= MAX_LESIONS else ())
            raise ValueError("lesion ids must be unique" + (f"; repeated: {twice}" if twice else ""))
        assign(self, "lesions", lesions)
        assign(self, "annotations", _drawings(self.annotations, "the study"))
        every = [a.id for a in self.all_drawings()]
        check_size(len(lesions), len(every))
        if len(set(every)) != len(every):
            raise ValueError("annotation ids must be unique within a study")

    @classmethod
    def new(cls, study_instance_uid: str, *, now: dt.datetime | None = None, **values) -> "StudyAnnotations":
        """Empty annotations of a study, created and modified ``now`` (UTC by default)."""
        stamp = timestamp(now)
        return cls(study_instance_uid, created=stamp, modified=stamp, **values)

    def all_drawings(self):
        """Every drawing of the study: those of the lesions first, then the free ones."""
        for lesion in self.lesions:
            yield from lesion.annotations
        yield from self.annotations

    def lesion(self, lesion_id: int) -> Lesion:
        """The lesion with this id; KeyError if there is none."""
        for lesion in self.lesions:
            if lesion.lesion_id == lesion_id:
                return lesion
        raise KeyError(f"no lesion {lesion_id} in this study")


def timestamp(now: dt.datetime | None = None) -> str:
    """ISO 8601 UTC timestamp to the second (``2024-05-01T09:30:00+00:00``)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return now.astimezone(dt.timezone.utc).isoformat(timespec="seconds")




def _drawings(values, owner: str) -> tuple[Drawing, ...]:
    values = tuple(values)
    for value in values:
        if not isinstance(value, Drawing) or type(value) is Drawing:
            raise ValueError(f"{owner}: {value!r} is not a drawing")
    return values


def check_size(lesions: int, drawings: int) -> None:
    """ValueError when a study would hold more than :data:`MAX_LESIONS` lesions or
    :data:`MAX_DRAWINGS` drawings."""
    if lesions > MAX_LESIONS or drawings > MAX_DRAWINGS:
        raise ValueError(f"{lesions} lesions and {drawings} drawings are more than a study holds: "
                         f"at most {MAX_LESIONS} lesions and {MAX_DRAWINGS} drawings")
