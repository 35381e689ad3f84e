"""A list of studies to fetch from a PACS: StudyInstanceUIDs or accession numbers.

The file is plain text, one study per line (``#`` starts a comment; a line that is a DICOM
UID is a StudyInstanceUID, any other an accession number), or CSV with a header naming a
``StudyInstanceUID`` (or ``study_uid``) column and/or an ``AccessionNumber`` (or
``accession``) column; a row with both uses the UID. Duplicates are dropped, the order kept.
:func:`resolve_study_list` asks a PACS for each entry, so an accession number becomes its study.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from spineviewer.pacs.query import StudyQuery, StudyResult
from spineviewer.pacs.uids import is_uid

#: Largest list read (about 200,000 UIDs).
MAX_LIST_BYTES = 16_000_000
_UID_COLUMNS = ("studyinstanceuid", "study_uid", "study instance uid", "studyuid")
_ACCESSION_COLUMNS = ("accessionnumber", "accession", "accession number", "accession_number")


def read_study_list(path) -> list[tuple[str, str]]:
    """``("study_uid" | "accession", value)`` for every study the file lists.

    Raises ValueError naming the file when it is not a readable list (not a regular file,
    too large, not text, a CSV header without either column, a value on more than one line).
    """
    path = Path(path)
    try:
        if not path.is_file():
            raise ValueError("not a regular file")
        if path.stat().st_size > MAX_LIST_BYTES:
            raise ValueError("larger than 16 MB")
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return []
    header = [cell.strip().lower() for cell in next(csv.reader([lines[0]]))]
    if any(name in _UID_COLUMNS + _ACCESSION_COLUMNS for name in header):
        entries = _from_csv(lines, header)
    elif len(header) > 1:
        raise ValueError(f"{path}: a CSV list needs a StudyInstanceUID or AccessionNumber column")
    else:
        entries = [_entry(line.strip()) for line in lines]
    return list(dict.fromkeys(entry for entry in entries if entry[1]))


def _entry(value: str) -> tuple[str, str]:
    value = value.strip().strip('"').strip()
    if any(ord(c) < 32 for c in value) or len(value) > 64:
        raise ValueError(f"{value[:40]!r} is neither a UID nor an accession number")
    return ("study_uid", value) if is_uid(value) else ("accession", value)


def _from_csv(lines: list[str], header: list[str]) -> list[tuple[str, str]]:
    uid_column = next((header.index(n) for n in _UID_COLUMNS if n in header), None)
    accession_column = next((header.index(n) for n in _ACCESSION_COLUMNS if n in header), None)
    entries = []
    for row in csv.reader(io.StringIO("\n".join(lines[1:]))):
        uid = row[uid_column].strip() if uid_column is not None and uid_column < len(row) else ""
        accession = (row[accession_column].strip()
                     if accession_column is not None and accession_column < len(row) else "")
        if uid:
            if not is_uid(uid):
                raise ValueError(f"{uid[:40]!r} is not a StudyInstanceUID")
            entries.append(("study_uid", uid))
        elif accession:
            entries.append(_entry(accession))
    return entries


def resolve_study_list(client, entries, *, cancel=None) -> tuple[list[StudyResult], list[str]]:
    """The studies a PACS holds for the entries of :func:`read_study_list`, in their order.

    Returns the studies found (each once) and a line for each entry that found none or, for an
    accession number, more than one study (all of them are kept). A failing server raises
    :class:`~spineviewer.pacs.errors.PacsError`.
    """
    found: dict[str, StudyResult] = {}
    problems = []
    for kind, value in entries:
        query = StudyQuery(study_uid=value) if kind == "study_uid" else StudyQuery(accession=value)
        studies = client.query_studies(query, limit=20, cancel=cancel)
        if not studies:
            problems.append(f"{'study' if kind == 'study_uid' else 'accession'} {value}: "
                            f"not on {client.node.name}")
        elif kind == "accession" and len(studies) > 1:
            problems.append(f"accession {value}: {len(studies)} studies on {client.node.name}")
        for study in studies:
            found.setdefault(study.study_uid, study)
    return list(found.values()), problems
