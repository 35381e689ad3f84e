"""The worklist of a case series: every study found, how far its reading went, which is open.

A :class:`Worklist` holds one :class:`WorklistEntry` per study of a scanned selection
(:mod:`spineviewer.core.study_scan`), in the order the scan met them or, with a seed, in a
shuffled order that the seed reproduces (:func:`~spineviewer.core.blinding.shuffled_rank`).
Each entry's status and lesion count come from the study's annotation file, read without
changing anything on disk, and follow the open study's annotations as the reader edits them.
Observers connect to :attr:`Worklist.changed`; nothing here knows about Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from spineviewer.core.annotation_file import (
    AnnotationFileError,
    annotation_files,
    read_annotations,
)
from spineviewer.core.annotations import StudyAnnotations
from spineviewer.core.blinding import shuffled_rank
from spineviewer.core.history import Signal
from spineviewer.core.reading_status import ReadingStatus, reading_status
from spineviewer.core.study_scan import FoundStudy


@dataclass(frozen=True)
class WorklistEntry:
    """One study of the worklist, as its row shows it (patient fields are the DICOM values;
    a blinded view shows a pseudonym instead).

    Attributes
    ----------
    uid : str
        StudyInstanceUID.
    patient_name, patient_id, date : str
        DICOM PatientName, PatientID and StudyDate (``YYYYMMDD``).
    description : str
        StudyDescription.
    n_series : int
    status : ReadingStatus
    n_lesions : int
    reader : str
        Who the annotation file says read it ('' when nobody yet).
    """

    uid: str
    patient_name: str = ""
    patient_id: str = ""
    date: str = ""
    description: str = ""
    n_series: int = 0
    status: ReadingStatus = ReadingStatus.NOT_STARTED
    n_lesions: int = 0
    reader: str = ""

    def with_annotations(self, study: StudyAnnotations | None) -> WorklistEntry:
        """The entry with the status, lesion count and reader of ``study``."""
        return replace(self, status=reading_status(study),
                       n_lesions=len(study.lesions) if study is not None else 0,
                       reader=study.reader if study is not None else "")


def saved_annotations(folder, study_uid: str, *, user_folder: Path | None = None
                      ) -> StudyAnnotations | None:
    """The annotations the workstation would open for a study, read only (None: none yet,
    or none readable; opening the study deals with an unreadable file)."""
    for path in annotation_files(folder, [study_uid], user_folder=user_folder):
        try:
            study, _ = read_annotations(path)
        except AnnotationFileError:
            continue
        if study.study_instance_uid == study_uid:
            return study
    return None


def entry_for(found: FoundStudy, *, user_folder: Path | None = None) -> WorklistEntry:
    """The worklist entry of a scanned study, its status read from its annotation file."""
    patients = found.result.patients
    patient = patients[0] if patients else None
    study = found.study
    entry = WorklistEntry(
        found.uid,
        patient_name=patient.name if patient is not None else "",
        patient_id=patient.id if patient is not None else "",
        date=study.date if study is not None else "",
        description=study.description if study is not None else "",
        n_series=len(study.series) if study is not None else 0)
    return entry.with_annotations(saved_annotations(found.folder, found.uid, user_folder=user_folder))


class Worklist:
    """The studies of a case series, their reading status and the one being read.

    Attributes
    ----------
    current : str or None
        StudyInstanceUID of the study being read.
    seed : int or None
        The seed of the shuffled order; None: the order the scan met the studies.
    changed : Signal
        Emitted with no argument when an entry, the order or the current study changed.
    """

    def __init__(self, seed: int | None = None):
        self._entries: dict[str, WorklistEntry] = {}
        self._studies: dict[str, FoundStudy] = {}
        self.current: str | None = None
        self.seed = seed
        self.changed = Signal()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._studies.clear()
        self.current = None
        self.changed.emit()

    def add(self, found: list[tuple[FoundStudy, WorklistEntry]]) -> None:
        """Add studies (or replace them, when a later part of the scan found more of them)."""
        for study, entry in found:
            self._studies[study.uid] = study
            self._entries[study.uid] = entry
        self.changed.emit()

    def set_seed(self, seed: int | None) -> None:
        self.seed = seed
        self.changed.emit()

    def study(self, uid: str) -> FoundStudy:
        return self._studies[uid]

    def entry(self, uid: str) -> WorklistEntry:
        return self._entries[uid]

    def entries(self) -> list[WorklistEntry]:
        """The entries in reading order."""
        entries = list(self._entries.values())
        if self.seed is not None:
            entries.sort(key=lambda e: shuffled_rank(e.uid, self.seed))
        return entries

    def set_current(self, uid: str | None) -> None:
        if uid != self.current:
            self.current = uid
            self.changed.emit()

    def follow(self, study: StudyAnnotations | None) -> None:
        """Take the status of the open study from its annotations as they are now."""
        if study is None or study.study_instance_uid not in self._entries:
            return
        uid = study.study_instance_uid
        updated = self._entries[uid].with_annotations(study)
        if updated != self._entries[uid]:
            self._entries[uid] = updated
            self.changed.emit()

    def neighbour(self, step: int) -> str | None:
        """The study ``step`` places from the current one in reading order (None past the
        ends); with no current study, the first (or last) one."""
        uids = [entry.uid for entry in self.entries()]
        if not uids:
            return None
        if self.current not in uids:
            return uids[0] if step > 0 else uids[-1]
        index = uids.index(self.current) + step
        return uids[index] if 0 <= index < len(uids) else None

    def first_unfinished(self) -> str | None:
        """The first study in reading order not marked done (the first one when all are):
        where a reader resumes a series."""
        entries = self.entries()
        waiting = [entry for entry in entries if entry.status is not ReadingStatus.DONE] or entries
        return waiting[0].uid if waiting else None

    def progress(self) -> str:
        """``"12 of 49 done"`` (``", 3 in progress"`` added when some are)."""
        statuses = [entry.status for entry in self._entries.values()]
        text = f"{statuses.count(ReadingStatus.DONE)} of {len(statuses)} done"
        started = statuses.count(ReadingStatus.IN_PROGRESS)
        return f"{text}, {started} in progress" if started else text
