"""Finding DICOM files: a folder (recursively), a list of files, a zip archive or a DICOMDIR.

DICOM is recognised by content, not by extension: scanners often write files with no extension
at all. This module only finds candidate files and says where their bytes are; reading headers is
:mod:`spineviewer.core.headers`.
"""

from __future__ import annotations

import os
import stat
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from spineviewer.core.problems import Problem, ProblemKind, describe_exception

#: spineviewer's own companion files, kept beside the images and never reported as problems
#: (the phantom's ground truth and the answer key, ``annotation_file.ANSWER_KEY_NAME``).
OWN_FILE_NAMES = frozenset({"ground-truth.json", "reference-annotations.json"})
OWN_FILE_SUFFIXES = (".spineviewer.json",)

#: The most a zip member may inflate to: members are streamed, never inflated whole to be
#: scanned, and one that declares more than this is refused before it is read.
MAX_MEMBER_BYTES = 4 << 30

_zip_lock = threading.Lock()
_open_zips: dict[str, zipfile.ZipFile] = {}

#: What a path is when it is not a regular file, by its ``stat`` mode.
_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


def _open_nonblocking(path: str, flags: int) -> int:
    # Opening a FIFO for reading blocks until a writer appears; O_NONBLOCK returns at once
    # (it changes nothing for a regular file), and the caller then refuses what is not one.
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


class NotRegularFileError(OSError):
    """A path that is not a regular file (a FIFO, socket or device): never read."""


def special_kind(mode: int) -> str | None:
    """What a ``stat`` mode describes when it is not a regular file, or None for a regular one."""
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _SPECIAL_KINDS if test(mode)), "not a regular file")


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
        """Open the bytes for reading (a file object the caller closes).

        A plain file is opened without blocking and refused unless it is a regular file, so a
        FIFO or a device that took a file's place since the folder was listed cannot hang or
        flood the reader. A zip member is streamed (seekable), never inflated whole.

        Raises
        ------
        NotRegularFileError
            The path is a FIFO, socket, device or folder.
        OSError
            The file cannot be opened, or a member declares more than ``MAX_MEMBER_BYTES``.
        """
        if self.member is None:
            fp = open(self.path, "rb", opener=_open_nonblocking)
            kind = special_kind(os.fstat(fp.fileno()).st_mode)
            if kind is not None:
                fp.close()
                raise NotRegularFileError(f"{kind}, not a regular file: not read")
            return fp
        with _zip_lock:
            archive = _open_zips.get(self.path)
            if archive is None:
                archive = _open_zips[self.path] = zipfile.ZipFile(self.path)
            info = archive.getinfo(self.member)
            if info.file_size > MAX_MEMBER_BYTES:
                raise OSError(f"the member declares {info.file_size} bytes, more than the "
                              f"{MAX_MEMBER_BYTES >> 30} GiB a member may hold")
            return archive.open(info)

    def size(self) -> int:
        """The length of the file in bytes (a member's declared uncompressed size)."""
        if self.member is None:
            return os.stat(self.path).st_size
        with _zip_lock:
            archive = _open_zips.get(self.path)
            if archive is None:
                archive = _open_zips[self.path] = zipfile.ZipFile(self.path)
            return archive.getinfo(self.member).file_size

    def read_range(self, offset: int, length: int) -> bytes:
        """Read ``length`` bytes starting at ``offset``."""
        with self.open() as fp:
            fp.seek(offset)
            return fp.read(length)


def is_own_file(name: str) -> bool:
    """True for spineviewer's own companion files (ground truth, answer key, annotations)."""
    return name in OWN_FILE_NAMES or name.endswith(OWN_FILE_SUFFIXES)


def is_hidden(name: str) -> bool:
    """True for hidden entries and the desktop litter a folder walk passes over."""
    return name.startswith(".") or name in {"Thumbs.db", "desktop.ini", "__MACOSX"}


def _not_regular(path: str) -> Problem | None:
    """A ``skipped`` problem for a path that is not a regular file (after symlinks), else None."""
    try:
        kind = special_kind(os.stat(path).st_mode)
    except OSError:
        return None  # a dangling link: reading it reports the reason
    return None if kind is None else Problem(path, f"{kind}, not a regular file: not read",
                                             ProblemKind.SKIPPED)


def walk_folder(folder: str | os.PathLike) -> Iterator[str]:
    """The paths of the files under ``folder``, recursively, in sorted order, passing over
    hidden entries and spineviewer's own companion files (annotations, answer key)."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not is_hidden(d))
        for name in sorted(files):
            if not (is_hidden(name) or is_own_file(name)):
                yield os.path.join(root, name)


def _walk_folder(folder: Path) -> tuple[list[FileSource], list[Problem]]:
    found, skipped = [], []
    for path in walk_folder(folder):
        problem = _not_regular(path)
        if problem is None:
            found.append(FileSource(path))
        else:
            skipped.append(problem)
    return found, skipped


def _zip_members(archive: Path) -> tuple[list[FileSource], list[Problem]]:
    with zipfile.ZipFile(archive) as zf:
        names = [info.filename for info in zf.infolist() if not info.is_dir()]
    keep, problems = [], []
    for name in sorted(names):
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            # A crafted archive: the name would leave the folder the archive unpacks into.
            problems.append(Problem(f"{archive}!{name}", "the member's name leads outside the "
                                    "archive (an absolute path or '..'): not read"))
            continue
        if any(is_hidden(part) for part in parts) or is_own_file(parts[-1]):
            continue
        keep.append(FileSource(str(archive), name))
    return keep, problems


def _has_dicm_magic(path: Path) -> bool:
    with FileSource(str(path)).open() as fp:
        head = fp.read(132)
    return head[128:132] == b"DICM"


def is_dicomdir(path: Path) -> bool:
    """True if ``path`` is a DICOMDIR (Media Storage Directory) file.

    Only the File Meta Information is read (PS3.10 §7.1), so a large file is not parsed.
    """
    if path.name.upper() == "DICOMDIR":
        return True
    try:
        from pydicom.filereader import read_file_meta_info

        meta = read_file_meta_info(path)
        return meta.get("MediaStorageSOPClassUID", "") == "1.2.840.10008.1.3.10"
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


def _inside(target: Path, folder: Path) -> bool:
    """True when ``target``, symlinks resolved, lies inside ``folder`` (also resolved)."""
    try:
        return target.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def dicomdir_files(dicomdir: Path) -> tuple[list[FileSource], list[Problem]]:
    """The image files a DICOMDIR lists, and a problem for each listed file that is missing.

    Reads the Directory Record Sequence (0004,1220) directly (PS3.10 §8 and PS3.3 F.3), so a
    DICOMDIR without record offsets or with reordered records still works. A Referenced File ID
    names a file of the media, below the DICOMDIR's folder (PS3.10 §8.5): one that leads
    elsewhere (``..``, an absolute path, a symlink out of the folder) is reported, never opened.
    """
    from pydicom import dcmread

    try:
        with FileSource(str(dicomdir)).open() as fp:
            ds = dcmread(fp)
        records = ds.DirectoryRecordSequence
    except Exception as exc:  # noqa: BLE001 - reported as a per-file problem
        return [], [Problem(str(dicomdir), f"unreadable DICOMDIR: {describe_exception(exc)}")]
    sources, problems, seen = [], [], set()
    for record in records:
        file_id = record.get("ReferencedFileID")
        if not file_id:
            continue
        parts = [str(p) for p in ([file_id] if isinstance(file_id, str) else list(file_id))]
        shown = str(dicomdir.parent.joinpath(*parts))
        target = _case_insensitive(dicomdir.parent, parts)
        if not _inside(target or dicomdir.parent.joinpath(*parts), dicomdir.parent):
            problems.append(Problem(shown, "listed in the DICOMDIR but outside its folder: not read"))
        elif target is None or not target.exists():
            problems.append(Problem(shown, "listed in the DICOMDIR but the file is missing"))
        elif (special := _not_regular(str(target))) is not None:
            problems.append(special)
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
        Paths that do not exist or cannot be listed, files that are not regular files (FIFOs,
        sockets, devices: ``skipped``, never opened), zip members whose names lead outside the
        archive and DICOMDIR records that lead outside the DICOMDIR's folder.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    sources: list[FileSource] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        try:
            if path.is_dir():
                found, skipped = _walk_folder(path)
            elif not path.exists():
                found, skipped = [], [Problem(str(path), "no such file or folder")]
            elif (special := _not_regular(str(path))) is not None:
                found, skipped = [], [special]
            elif not _has_dicm_magic(path) and zipfile.is_zipfile(path):
                found, skipped = _zip_members(path)
            elif is_dicomdir(path):
                found, skipped = dicomdir_files(path)
            else:
                found, skipped = [FileSource(str(path))], []
            sources.extend(found)
            problems.extend(skipped)
        except (OSError, zipfile.BadZipFile) as exc:
            problems.append(Problem(str(path), describe_exception(exc)))
    unique = list(dict.fromkeys(sources))
    return unique, problems
