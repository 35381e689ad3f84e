"""Loading a radiologist's selection: find files, scan headers, build the study model.

``load_study`` never raises for a bad file: every unreadable, undecodable or non-image file
becomes a :class:`~spineviewer.core.problems.Problem` in the result and the rest still loads.
Pixels are not decoded here; each :class:`~spineviewer.core.model.Stack` decodes its volume on
request (in the GUI, in the background).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Callable, Iterable, Iterator

from spineviewer.core.duplicates import drop_duplicates
from spineviewer.core.frames import Frame
from spineviewer.core.headers import read_header
from spineviewer.core.model import LoadResult, Patient, Series, Study
from spineviewer.core.problems import Problem
from spineviewer.core.sources import FileSource, find_files
from spineviewer.core.stacks import build_stacks

ProgressCallback = Callable[[int, int], None]


def scan_headers(sources: list[FileSource], *, cancel: threading.Event | None = None
                 ) -> Iterator[tuple[FileSource, list[Frame], Problem | None]]:
    """Read the header of every file, yielding ``(source, frames, problem)`` in input order.

    Results arrive as files are read, so a caller can show the first image before the scan ends.
    Stops early (yielding nothing more) once ``cancel`` is set. The scan runs in the caller's
    thread: parsing is bound by the interpreter, not the disk, and pydicom's warnings are
    captured per file (``warnings.catch_warnings`` is not thread-safe).
    """
    for source in sources:
        if cancel is not None and cancel.is_set():
            return
        frames, problem = read_header(source)
        yield source, frames, problem


def _series_key(frame: Frame) -> str:
    image = frame.file
    if image.series_uid:
        return image.series_uid
    return f"{image.study_uid}/{image.series_number}/{image.series_description}"


def assemble(frames: Iterable[Frame], problems: list[Problem]) -> LoadResult:
    """Group frames into patients > studies > series > stacks.

    Studies are sorted by date, series by series number, patients by ID.
    """
    by_series: dict[str, list[Frame]] = defaultdict(list)
    for frame in frames:
        by_series[_series_key(frame)].append(frame)
    patients: dict[tuple[str, str], Patient] = {}
    studies: dict[tuple[tuple[str, str], str], Study] = {}
    for key, series_frames in by_series.items():
        first = series_frames[0].file
        patient_key = (first.patient_id, first.patient_name)
        patient = patients.get(patient_key)
        if patient is None:
            patient = patients[patient_key] = Patient(
                first.patient_id, first.patient_name, first.patient_birth_date, first.patient_sex)
        study_key = (patient_key, first.study_uid)
        study = studies.get(study_key)
        if study is None:
            study = studies[study_key] = Study(first.study_uid, first.study_date, first.study_time,
                                               first.study_description, first.accession_number)
            patient.studies.append(study)
        series = Series(
            uid=first.series_uid or key, number=first.series_number,
            description=first.series_description, modality=first.modality,
            frame_of_reference_uid=first.frame_of_reference_uid,
            sop_class_uid=first.sop_class_uid, protocol=dict(first.protocol),
        )
        series.stacks = build_stacks(series.uid, series_frames)
        study.series.append(series)
    for study in studies.values():
        study.series.sort(key=lambda s: (s.number is None, s.number or 0, s.description))
    for patient in patients.values():
        patient.studies.sort(key=lambda s: (s.date, s.time, s.uid))
    ordered = sorted(patients.values(), key=lambda p: (p.id, p.name))
    return LoadResult(patients=ordered, problems=problems)


def load_study(paths, *, progress: ProgressCallback | None = None,
               cancel: threading.Event | None = None,
               on_first_image: Callable[[Frame], None] | None = None) -> LoadResult:
    """Open a folder (recursively), files, a zip archive or a DICOMDIR and build the model.

    Parameters
    ----------
    paths : path or iterable of paths
    progress : callable, optional
        ``progress(files_scanned, files_total)``, called as headers are read.
    cancel : threading.Event, optional
        When set, scanning stops; the result holds what was scanned so far.
    on_first_image : callable, optional
        Called once with the first image frame found, as soon as its header is read, so a viewer
        can decode and show it (:func:`spineviewer.core.pixels.frame_pixels`) while the scan
        of a large study goes on.

    Returns
    -------
    LoadResult
        Patients with their studies, series and stacks (pixels not yet decoded), and a problem
        for each file that gave no image (a second file with an already seen SOPInstanceUID
        included: :mod:`spineviewer.core.duplicates`).
    """
    sources, problems = find_files(paths)
    frames: list[Frame] = []
    for done, (_, found, problem) in enumerate(scan_headers(sources, cancel=cancel), start=1):
        if found and not frames and on_first_image is not None:
            on_first_image(found[len(found) // 2])
        frames.extend(found)
        if problem is not None:
            problems.append(problem)
        if progress is not None:
            progress(done, len(sources))
    frames, duplicates = drop_duplicates(frames)
    return assemble(frames, problems + duplicates)
