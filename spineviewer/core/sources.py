"""Finding DICOM files: a folder (recursively), a list of files, a zip archive or a DICOMDIR.

DICOM is recognised by content, not by extension: scanners often write files with no extension
at all. This module only finds candidate files and says where their bytes are; reading headers is
:mod:`spineviewer.core.headers`.
"""

from __future__ import annotations

import io
import os
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable

from spineviewer.core.problems import Problem, ProblemKind, describe_exception

#: spineviewer's own companion files, kept beside the images and never reported as problems
#: (the phantom's ground truth and the answer key, ``annotation_file.ANSWER_KEY_NAME``).
OWN_FILE_NAMES = frozenset({"ground-truth.json", "reference-annotations.json"})
OWN_FILE_SUFFIXES = (".spineviewer.json",)

_zip_lock = threading.Lock()
_open_zips: dict[str, zipfile.ZipFile] = {}


@dataclass(frozen=True, order=True)
class FileSource:
    """Where one file's bytes are: a path on disk, or a member of a zip archive.

    Attributes
    ----------
    path : str
        The file on disk, or the archive that holds it.
    member : str or None
        The member name inside the archive, or None for a plain file.
    """

    path: str
    member: str | None = None

    @property
    def display(self) -> str:
        """The name shown to users and written in problems."""
        return f"{self.path}!{self.member}" if self.member else self.path

    def open(self) -> BinaryIO:
        """Open the bytes for reading (a file object the caller closes)."""
        if self.member is None:
            return open(self.path, "rb")
        with _zip_lock:
            archive = _open_zips.get(self.path)
            if archive is None:
                archive = _open_zips[self.path] = zipfile.ZipFile(self.path)
            data = archive.read(self.member)
        return io.BytesIO(data)

    def read_range(self, offset: int, length: int) -> bytes:
        """Read ``length`` bytes starting at ``offset``."""
        with self.open() as fp:
            fp.seek(offset)
            return fp.read(length)


def _is_own_file(name: str) -> bool:
    return name in OWN_FILE_NAMES or name.endswith(OWN_FILE_SUFFIXES)


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name in {"Thumbs.db", "desktop.ini", "__MACOSX"}


def _walk_folder(folder: Path) -> list[FileSource]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _is_hidden(d))
        for name in sorted(files):
            if not _is_hidden(name) and not _is_own_file(name):
                found.append(FileSource(os.path.join(root, name)))
    return found


def _zip_members(archive: Path) -> list[FileSource]:
    with zipfile.ZipFile(archive) as zf:
        names = [info.filename for info in zf.infolist() if not info.is_dir()]
    keep = []
    for name in sorted(names):
        base = name.rsplit("/", 1)[-1]
        if any(_is_hidden(part) for part in name.split("/")) or _is_own_file(base):
            continue
        keep.append(FileSource(str(archive), name))
    return keep


def _has_dicm_magic(path: Path) -> bool:
    with open(path, "rb") as fp:
        head = fp.read(132)
    return head[128:132] == b"DICM"


def is_dicomdir(path: Path) -> bool:
    """True if ``path`` is a DICOMDIR (Media Storage Directory) file."""
    if path.name.upper() == "DICOMDIR":
        return True
    try:
        from pydicom import dcmread

        ds = dcmread(path, stop_before_pixels=True, specific_tags=["MediaStorageSOPClassUID"])
        return ds.file_meta.get("MediaStorageSOPClassUID", "") == "1.2.840.10008.1.3.10"
    except Exception:  # noqa: BLE001 - any unreadable file is simply not a DICOMDIR
        return False


def _case_insensitive(base: Path, parts: list[str]) -> Path | None:
    current = base
    for part in parts:
        candidate = current / part
        if candidate.exists():
            current = candidate
            continue
        try:
            matches = [p for p in current.iterdir() if p.name.upper() == part.upper()]
        except OSError:
            return None
        if not matches:
            return None
        current = matches[0]
    return current


def dicomdir_files(dicomdir: Path) -> tuple[list[FileSource], list[Problem]]:
    """The image files a DICOMDIR lists, and a problem for each listed file that is missing.

    Reads the Directory Record Sequence (0004,1220) directly (PS3.10 §8 and PS3.3 F.3), so a
    DICOMDIR without record offsets or with reordered records still works.
    """
    from pydicom import dcmread

    try:
        ds = dcmread(dicomdir)
        records = ds.DirectoryRecordSequence
    except Exception as exc:  # noqa: BLE001 - reported as a per-file problem
        return [], [Problem(str(dicomdir), f"unreadable DICOMDIR: {describe_exception(exc)}")]
    sources, problems, seen = [], [], set()
    for record in records:
        file_id = record.get("ReferencedFileID")
        if not file_id:
            continue
        parts = [file_id] if isinstance(file_id, str) else list(file_id)
        target = _case_insensitive(dicomdir.parent, [str(p) for p in parts])
        shown = str(dicomdir.parent.joinpath(*[str(p) for p in parts]))
        if target is None or not target.is_file():
            problems.append(Problem(shown, "listed in the DICOMDIR but the file is missing"))
        elif str(target) not in seen:
            seen.add(str(target))
            sources.append(FileSource(str(target)))
    if not records:
        problems.append(Problem(str(dicomdir), "the DICOMDIR lists no files", ProblemKind.SKIPPED))
    return sources, problems


def find_files(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> tuple[list[FileSource], list[Problem]]:
    """Expand the user's selection into candidate files.

    Parameters
    ----------
    paths : path or iterable of paths
        Folders (searched recursively), files, zip archives, or DICOMDIR files.

    Returns
    -------
    sources : list of FileSource
        Every candidate file, once, in a stable order.
    problems : list of Problem
        Paths that do not exist or cannot be listed.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    sources: list[FileSource] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        try:
            if path.is_dir():
                sources.extend(_walk_folder(path))
            elif not path.exists():
                problems.append(Problem(str(path), "no such file or folder"))
            elif not _has_dicm_magic(path) and zipfile.is_zipfile(path):
                sources.extend(_zip_members(path))
            elif is_dicomdir(path):
                found, missing = dicomdir_files(path)
                sources.extend(found)
                problems.extend(missing)
            else:
                sources.append(FileSource(str(path)))
        except (OSError, zipfile.BadZipFile) as exc:
            problems.append(Problem(str(path), describe_exception(exc)))
    unique = list(dict.fromkeys(sources))
    return unique, problems
