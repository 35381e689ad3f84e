"""The readers' lesions of an agreement study, read from annotation files and ``lesions.csv``.

What an INPUT is:

- a folder: every annotation file under it, searched recursively, is one reader's reading of one
  study. Annotation files are those named ``*.spineviewer.json`` (the name the workstation
  saves under, so one reader's files can sit in a folder of their own, or several readers' files
  beside the study under any names that end so, such as
  ``spineviewer-<uid>.reader-b.spineviewer.json``) and the answer key of a sample study,
  ``reference-annotations.json``. Who read a file and which study it is come from its content
  (``reader``, ``patient_id``, ``study_date``, ``study_instance_uid``), never from its name;
- a file ending in ``.csv``: a ``lesions.csv`` export, whose ``reader`` column says whose row it is;
- any other file: an annotation file.

Files are read with :func:`~spineviewer.core.annotation_file.read_annotations` and only read.
A study is known between readers by its PatientID and study date (a study without a PatientID
by its StudyInstanceUID), which a ``lesions.csv`` row carries too.

Each lesion gets the values its ``lesions.csv`` row has (an annotation file's lesion is turned
into that row by :func:`~spineviewer.export.csv_tables.lesion_rows`, so both sources mean the
same thing by a column), plus, for annotation files, the centre of its enhancing lesion in
patient coordinates (DICOM LPS mm: x left, y posterior, z superior; :func:`enhancing_centre`).

Nothing is dropped silently: a file that cannot be used, a header that is not the column
contract, a cell that does not parse, a second reading of one study by one reader, each becomes
a line of ``problems`` naming the file (and the row and column).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from spineviewer.core.annotation_file import ANSWER_KEY_NAME, AnnotationFileError, read_annotations
from spineviewer.core.annotations import (
    Bidirectional, Caliper, Component, CordPath, Lesion, Outline, StudyAnnotations,
)
from spineviewer.core.findings import LESION_VOCABULARY
from spineviewer.core.levels import level_index
from spineviewer.core.measurement import measured_columns
from spineviewer.core.metrics import LesionMetrics
from spineviewer.core.proposals import accepted
from spineviewer.core.units import Unit
from spineviewer.core.vocabulary import (
    parse,
)
from spineviewer.export.csv_tables import LESION_COLUMNS, lesion_rows

#: The end of the names of annotation files found in a folder.
ANNOTATION_SUFFIX = ".spineviewer.json"

#: The continuous measures compared, the measured columns of ``lesions.csv``, with their units
#: (what the column name adds to the metric's name: ``ap_mm`` is in mm, ``t2_segments`` and
#: ``t2_enhancement_ratio_mm``, a ratio of lengths in mm, have none).
MEASURE_UNITS: dict[str, str] = {column: column[len(name) + 1:]
                                 for name, column in measured_columns(LesionMetrics).items()}
MEASURE_COLUMNS: tuple[str, ...] = tuple(MEASURE_UNITS)

#: The categorical findings compared, with their vocabularies: the location, then the lesion
#: findings in ``lesions.csv`` order.
FINDING_VOCABULARIES: dict[str, type] = {
    "location" if name == "location_override" else name: vocabulary
    for name, vocabulary in LESION_VOCABULARY.items()}


@dataclass(frozen=True)
class ReaderLesion:
    """One reader's lesion in one study.

    Attributes
    ----------
    reader : str
    study : str
        The study's key, the same for every reader: ``"<PatientID> <study date>"``.
    lesion_id : int
        The reader's number for the lesion.
    source : str
        The file it came from (with the row for a CSV).
    centre : tuple of 3 float or None
        Centre of the enhancing lesion, LPS mm (None from a CSV or without drawings in mm).
    levels : tuple of 2 int or None
        Level indices of the top and bottom of the enhancing extent (C1 = 0, T1 = 7, ...).
    measures : dict of str to float
        ``lesions.csv`` column -> value, for the values measured.
    findings : dict of str to str
        Finding (a key of :data:`FINDING_VOCABULARIES`) -> word, for the findings assessed.
    """

    reader: str
    study: str
    lesion_id: int
    source: str
    centre: tuple[float, float, float] | None = None
    levels: tuple[int, int] | None = None
    measures: dict[str, float] = field(default_factory=dict)
    findings: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadingSet:
    """Every reading found: the lesions by (reader, study), the studies read, the problems."""

    lesions: dict[tuple[str, str], list[ReaderLesion]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    _sources: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def readers(self) -> list[str]:
        """Every reader found, sorted."""
        return sorted({reader for reader, _ in self.lesions})

    def studies(self, reader: str) -> set[str]:
        """The studies a reader read (with or without lesions)."""
        return {study for who, study in self.lesions if who == reader}

    def add_reading(self, reader: str, study: str, source: str,
                    lesions: list[ReaderLesion]) -> None:
        """Add one reader's reading of one study; a second reading of it is a problem."""
        key = (reader, study)
        if key in self._sources:
            self.problems.append(f"{source}: {reader!r} read study {study} already in "
                                 f"{self._sources[key]}; this reading is left out")
            return
        self._sources[key] = source
        self.lesions[key] = lesions


def read_inputs(paths) -> ReadingSet:
    """Every reader's lesions in ``paths`` (folders, annotation files, ``lesions.csv`` files).

    A path that does not exist, and an input with nothing to read, are problems, not errors.
    """
    found = ReadingSet()
    seen: set[Path] = set()

    def first_time(file: Path) -> bool:
        # A file reached twice (named, and inside a folder named too) is one reading.
        key = file.resolve()
        if key in seen:
            return False
        seen.add(key)
        return True

    for path in map(Path, paths):
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _is_annotation_file(p))
            if not files:
                found.problems.append(f"{path}: no annotation files ({ANSWER_KEY_NAME} or "
                                      f"*{ANNOTATION_SUFFIX}) in this folder")
            for file in filter(first_time, files):
                _read_annotation_file(file, found)
        elif path.is_file() and first_time(path):
            if path.suffix.lower() == ".csv":
                _read_lesions_csv(path, found)
            else:
                _read_annotation_file(path, found)
        elif not path.exists():
            found.problems.append(f"{path}: no such file or folder")
    return found


def study_key(patient_id: str, study_date: str, study_uid: str = "") -> str:
    """``"<PatientID> <date>"``; the StudyInstanceUID stands for a missing PatientID."""
    return f"{patient_id.strip() or study_uid.strip()} {study_date.strip()}".strip()


def enhancing_centre(lesion: Lesion) -> tuple[float, float, float] | None:
    """Centre of the enhancing lesion from its drawings, LPS mm; None without one in mm.

    The mean of the centres of the drawings that delineate the enhancing lesion: the midpoint
    of each SI or AP caliper, the midpoint of each axial bidirectional caliper (the mean of
    its two axes' midpoints), the point halfway along each enhancement cord path and the mean
    vertex of each enhancement outline. T2 paths and outlines are left out (the T2
    hyperintensity reaches well beyond the lesion, often much further to one side), as are
    plain distances, arrows and notes; so are drawings in pixels, which have no place in mm.
    """
    centres = []
    for drawing in lesion.annotations:
        if drawing.unit is not Unit.MM:
            continue
        if isinstance(drawing, Caliper) and drawing.role is not None:
            centres.append(np.mean(drawing.endpoints, axis=0))
        elif isinstance(drawing, Bidirectional):
            centres.append(np.mean(drawing.long_axis + drawing.short_axis, axis=0))
        elif isinstance(drawing, CordPath) and drawing.role is Component.ENHANCEMENT:
            centres.append(_halfway(np.asarray(drawing.vertices, dtype=float)))
        elif isinstance(drawing, Outline) and drawing.role is Component.ENHANCEMENT:
            centres.append(np.mean(drawing.vertices, axis=0))
    if not centres:
        return None
    return tuple(float(v) for v in np.mean(centres, axis=0))


def study_lesions(study: StudyAnnotations, source: str, problems: list[str]) -> list[ReaderLesion]:
    """The lesions of one reader's annotations of a study, with their values and centres;
    values that cannot be used are added to ``problems``."""
    key = _key_of(study)
    study = accepted(study)  # a reader's values are the ones the reader accepted
    lesions = []
    for lesion, row in zip(study.lesions, lesion_rows(study)):
        values = _row_values(row, f"{source}, lesion {lesion.lesion_id}", problems)
        lesions.append(ReaderLesion(study.reader, key, lesion.lesion_id, source,
                                    enhancing_centre(lesion), *values))
    return lesions


def _is_annotation_file(path: Path) -> bool:
    return path.name.endswith(ANNOTATION_SUFFIX) or path.name == ANSWER_KEY_NAME


def _read_annotation_file(path: Path, found: ReadingSet) -> None:
    try:
        study = read_annotations(path)[0]
    except AnnotationFileError as exc:
        found.problems.append(str(exc))
        return
    if not study.reader.strip():
        found.problems.append(f"{path}: the file names no reader; it is left out")
        return
    found.add_reading(study.reader, _key_of(study), str(path),
                      study_lesions(study, str(path), found.problems))


def _key_of(study: StudyAnnotations) -> str:
    date = study.study_date.isoformat() if study.study_date else ""
    return study_key(study.patient_id, date, study.study_instance_uid)


def _read_lesions_csv(path: Path, found: ReadingSet) -> None:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in LESION_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                found.problems.append(f"{path}: not a lesions.csv export (no column "
                                      f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''})")
                return
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        found.problems.append(f"{path}: cannot be read ({exc})")
        return
    readings: dict[tuple[str, str], list[ReaderLesion]] = {}
    for number, row in enumerate(rows, start=2):
        where = f"{path}, row {number}"
        who = (row.get("reader") or "").strip()
        try:
            lesion_id = int(row.get("lesion_id") or "")
        except ValueError:
            found.problems.append(f"{where}, column lesion_id: {row.get('lesion_id')!r} is not "
                                  "a lesion number; the row is left out")
            continue
        if not who:
            found.problems.append(f"{where}, column reader: empty; the row is left out")
            continue
        key = study_key(row.get("patient_id") or "", row.get("study_date") or "")
        values = _row_values(row, where, found.problems)
        readings.setdefault((who, key), []).append(
            ReaderLesion(who, key, lesion_id, where, None, *values))
    for (who, key), lesions in readings.items():
        found.add_reading(who, key, str(path), lesions)


def _row_values(row: dict, where: str, problems: list[str]):
    """``(levels, measures, findings)`` of a ``lesions.csv`` row; bad cells become problems."""
    measures, findings = {}, {}
    for column in MEASURE_COLUMNS:
        text = (row.get(column) or "").strip()
        if text:
            try:
                measures[column] = float(text)
            except ValueError:
                problems.append(f"{where}, column {column}: {text!r} is not a number; left out")
    for name, vocabulary in FINDING_VOCABULARIES.items():
        try:
            word = parse(vocabulary, row.get(name) or None)
        except ValueError as exc:
            problems.append(f"{where}, column {name}: {exc}; left out")
            continue
        if word is not None:
            findings[name] = word.value
    levels = None
    top, bottom = (row.get("level_top") or "").strip(), (row.get("level_bottom") or "").strip()
    if top and bottom:
        try:
            levels = tuple(sorted((level_index(top), level_index(bottom))))
        except ValueError as exc:
            problems.append(f"{where}, columns level_top/level_bottom: {exc}; left out")
    return levels, measures, findings


def _halfway(vertices: np.ndarray) -> np.ndarray:
    """The point halfway along a polyline, shape (3,)."""
    steps = np.linalg.norm(np.diff(vertices, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    half = along[-1] / 2
    i = min(int(np.searchsorted(along, half, side="right")) - 1, len(steps) - 1)
    fraction = 0.0 if steps[i] == 0 else (half - along[i]) / steps[i]
    return vertices[i] + fraction * (vertices[i + 1] - vertices[i])
