"""What a cohort is made of: the rows of studies' annotation files and of CSV files.

An input is a study folder or a parent folder of many studies (searched recursively for
annotation files), an annotation file, or a ``lesions.csv`` / ``patients.csv`` in the export
contract (:mod:`spineviewer.export.csv_tables`). In each folder, the study's annotation file is
the first that :func:`~spineviewer.core.annotation_file.annotation_files` names for it (the
study's own file, its copy keyed by StudyInstanceUID, then the answer key), as for
``spineviewer measure``; files are only read. An annotation file becomes rows through the same
functions that write ``lesions.csv`` and ``patients.csv``, so both kinds of input are checked
and summarised alike.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

from spineviewer.cohort.rows import CohortRow, Problem, Source
from spineviewer.core.annotation_file import (
    ANSWER_KEY_NAME, AnnotationFileError, annotation_files, read_annotations,
)
from spineviewer.core.annotations import StudyAnnotations
from spineviewer.core.metrics import CONUS_ZONE_MM, patient_metrics
from spineviewer.export.csv_tables import LESION_COLUMNS, PATIENT_COLUMNS, lesion_rows, patient_row

_OWN_PREFIX, _OWN_SUFFIX = "spineviewer-", ".spineviewer.json"
NO_READER = "(no reader named)"


class CohortError(ValueError):
    """The cohort cannot be tabulated; the message is one line for the user."""


class SeveralReaders(CohortError):
    """The input holds several readers' readings and none was chosen.

    Attributes
    ----------
    readers : list of str
        Their names, in the order they were found, for a caller to offer as a choice.
    """

    def __init__(self, message: str, readers: list[str]):
        super().__init__(message)
        self.readers = readers


@dataclass
class Gathered:
    """The rows of every input, in the order they were found, and what went wrong."""

    lesions: list[CohortRow] = field(default_factory=list)
    patients: list[CohortRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def gather(inputs, *, conus_zone_mm: float = CONUS_ZONE_MM, answer_key: bool = False) -> Gathered:
    """Read every input into contract rows.

    Parameters
    ----------
    inputs : iterable of path-like
        Study folders, parent folders, annotation files, ``lesions.csv`` and ``patients.csv``.
    conus_zone_mm : float, keyword-only
        Length of the conus zone, for the location of lesions read from annotation files.
    answer_key : bool, keyword-only
        Count a sample study's answer key (``reference-annotations.json``) where the study has
        no reading of its own; never otherwise, as for ``spineviewer measure``.

    Returns
    -------
    Gathered
        A file that cannot be used is a problem naming it; the other inputs are still read.
    """
    gathered = Gathered()
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files = _annotation_files_under(path, gathered.problems, answer_key=answer_key)
            if not files:
                gathered.problems.append(Problem(str(path), "", "", "no annotation files found "
                                                 f"({_OWN_PREFIX}*{_OWN_SUFFIX}"
                                                 + (f" or {ANSWER_KEY_NAME})" if answer_key else ")")))
            for file, study in files:
                _add_study(gathered, file, study, conus_zone_mm)
        elif path.is_file() and path.suffix.lower() == ".csv":
            _add_csv(gathered, path)
        elif path.is_file() and path.suffix.lower() == ".json":
            study = _read(path, gathered.problems)
            if study is not None:
                _add_study(gathered, path, study, conus_zone_mm)
        elif path.exists():
            gathered.problems.append(Problem(str(path), "", "", "not a folder, an annotation "
                                             "file or a CSV file; left out"))
        else:
            gathered.problems.append(Problem(str(path), "", "", "no such file or folder"))
    return gathered


def readers(gathered: Gathered) -> dict[str, Source]:
    """Each reader's name (:data:`NO_READER` for rows without one) and where it first appears."""
    found: dict[str, Source] = {}
    for row in (*gathered.patients, *gathered.lesions):
        found.setdefault(row.cells.get("reader", "").strip() or NO_READER, row.source)
    return found


def select_reader(gathered: Gathered, reader: str | None) -> Gathered:
    """The rows of one reader; the others are left out, and each file's count is said.

    Raises
    ------
    SeveralReaders
        Several readers and none chosen (the message names them and where each appears).
    CohortError
        A chosen reader who has no rows.
    """
    present = readers(gathered)
    if reader is None:
        if len(present) <= 1:
            return gathered
        names = "; ".join(f"{name} (first in {source.file}, {source.row}, column reader)"
                          for name, source in present.items())
        raise SeveralReaders(f"the input holds the readings of {len(present)} readers: {names}; "
                             "choose one with --reader NAME", list(present))
    wanted = reader.strip()
    if wanted not in present:
        raise CohortError(f"no rows of reader {wanted!r}; the readers are "
                          f"{', '.join(sorted(present))}")
    chosen = Gathered(problems=list(gathered.problems))
    left_out: dict[str, int] = {}
    for kind in ("lesions", "patients"):
        for row in getattr(gathered, kind):
            if (row.cells.get("reader", "").strip() or NO_READER) == wanted:
                getattr(chosen, kind).append(row)
            else:
                left_out[row.source.file] = left_out.get(row.source.file, 0) + 1
    for file, count in left_out.items():
        chosen.problems.append(Problem(file, "", "reader", f"{count} row(s) of other readers "
                                       f"left out (--reader {wanted})"))
    return chosen


def _annotation_files_under(folder: Path, problems: list[Problem], *,
                            answer_key: bool) -> list[tuple[Path, StudyAnnotations]]:
    """The annotation file in use for each study found under ``folder``, with its content:
    the workstation's own, else (with ``answer_key``) the folder's answer key."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        candidates = sorted(name for name in names if (answer_key and name == ANSWER_KEY_NAME)
                            or (name.startswith(_OWN_PREFIX) and name.endswith(_OWN_SUFFIX)))
        if not candidates:
            continue
        read = {Path(root) / name: _read(Path(root) / name, problems) for name in candidates}
        uids = list(dict.fromkeys(study.study_instance_uid for study in read.values() if study))
        used = set()
        # annotation_files orders the files of each study as the workstation uses them.
        key = Path(root) / ANSWER_KEY_NAME
        for path in [*annotation_files(root, uids), *([key] if key in read else [])]:
            study = read[path] if path in read else _read(path, problems)
            if study is not None and study.study_instance_uid not in used:
                used.add(study.study_instance_uid)
                found.append((path, study))
    return found


def _read(path: Path, problems: list[Problem]) -> StudyAnnotations | None:
    try:
        return read_annotations(path)[0]
    except AnnotationFileError as exc:
        problems.append(Problem(str(path), "", "", f"{exc.reason}; left out"))
        return None


def _add_study(gathered: Gathered, path: Path, study: StudyAnnotations, conus_zone_mm: float) -> None:
    metrics = patient_metrics(study, conus_zone_mm=conus_zone_mm)
    for row in lesion_rows(study, metrics=metrics):
        gathered.lesions.append(CohortRow(Source(str(path), f"lesion {row['lesion_id']}"), row))
    gathered.patients.append(CohortRow(Source(str(path), "patient"),
                                       patient_row(study, metrics=metrics)))


def _add_csv(gathered: Gathered, path: Path) -> None:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            table = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror
        gathered.problems.append(Problem(str(path), "", "", f"cannot be read ({reason}); left out"))
        return
    except csv.Error as exc:
        gathered.problems.append(Problem(str(path), "", "", f"not a CSV file ({exc}); left out"))
        return
    if not table:
        gathered.problems.append(Problem(str(path), "row 1", "", "the file is empty; left out"))
        return
    header = [name.strip() for name in table[0]]
    kind, columns = _contract(path, header)
    missing = [name for name in columns if name not in header]
    unexpected = [name for name in header if name not in columns]
    if missing or unexpected:
        said = "; ".join(part for part in (
            f"missing {', '.join(missing)}" if missing else "",
            f"unexpected {', '.join(unexpected)}" if unexpected else "") if part)
        gathered.problems.append(Problem(str(path), "row 1", "", f"the header is not the {kind} "
                                         f"contract ({said}); the file is left out"))
        return
    target = gathered.lesions if kind == "lesions.csv" else gathered.patients
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            gathered.problems.append(Problem(str(path), f"row {number}", "", f"{len(cells)} cells "
                                             f"for {len(header)} columns; the row is left out"))
            continue
        target.append(CohortRow(Source(str(path), f"row {number}"), dict(zip(header, cells))))


def _contract(path: Path, header: list[str]) -> tuple[str, tuple[str, ...]]:
    """Which table a CSV claims to be: by its header, else by its name."""
    if "lesion_id" in header or "lesion" in path.name.lower():
        return "lesions.csv", LESION_COLUMNS
    return "patients.csv", PATIENT_COLUMNS
