"""Writing an output file safely: atomically, only over regular files, without leftovers.

Every file spineviewer writes (annotation files, CSV tables, figures, SR reports, anonymized
DICOM) goes through :func:`write_atomically`: a temporary file in the same folder, fsync, then
``os.replace``, so a crash leaves either the previous file or the new one, never half of one.
Only a regular file is ever replaced: a device, a FIFO, a socket or a folder at the output path
is refused with :class:`OutputPathError`, so ``--out /dev/full`` cannot turn a device into a
file. Temporaries left behind by a process that was killed while saving are named
``.<name>.<12 hex digits>.tmp``; :func:`remove_stale_temporaries` removes those older than
:data:`STALE_AFTER_S` from a folder spineviewer writes to, and nothing else.
"""

from __future__ import annotations

import os
import re
import stat
import time
import uuid
from pathlib import Path

#: Age after which a temporary of our own naming pattern is taken as left by a killed process.
STALE_AFTER_S = 10 * 60

_TEMPORARY = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$")


class OutputPathError(OSError):
    """An output path spineviewer will not write to; the message names it and says why."""


def check_output_file(path) -> Path:
    """The output file ``path``, or OutputPathError when it cannot be written as one.

    Refused: an existing path that is not a regular file (folder, device, FIFO, socket), and a
    path whose parent exists but is not a folder. Nothing is created.
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputPathError(f"{path} cannot be written ({exc.strerror})") from None
    if mode is not None and not stat.S_ISREG(mode):
        what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise OutputPathError(f"{path} is {what}; spineviewer writes only to a new or regular file")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputPathError(f"{parent} is a file, not a folder, so {path} cannot be written")
            break
    return path


def check_output_folder(path) -> Path:
    """The output folder ``path``, or OutputPathError when it exists and is not a folder."""
    path = Path(path)
    if not path.exists():
        return check_output_file(path)  # its parents must be folders
    if not path.is_dir():
        raise OutputPathError(f"{path} is a file, not a folder; name a new or existing folder")
    return path


def write_atomically(path, data: bytes) -> None:
    """Replace the regular file ``path`` (or create it) with ``data`` atomically.

    A temporary file in the same folder, fsync, ``os.replace``, then fsync of the folder. The
    temporary is removed on failure. Raises :class:`OutputPathError` when ``path`` exists and is
    not a regular file.
    """
    path = check_output_file(path)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    # os.open with 0o666 lets the umask decide the permissions, as for any new file.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # Checked again just before the rename: the path may have changed while writing.
        check_output_file(path)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def remove_stale_temporaries(folder, *, now: float | None = None) -> list[Path]:
    """Remove the temporaries of :func:`write_atomically` older than :data:`STALE_AFTER_S`.

    Only regular files named ``.<name>.<12 hex digits>.tmp`` directly in ``folder`` are
    touched; a temporary being written by a running save is younger and is left alone. Returns
    the files removed; a folder that cannot be listed, or a file that cannot be removed, is
    left as it is.
    """
    limit = (time.time() if now is None else now) - STALE_AFTER_S
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not _TEMPORARY.match(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < limit:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename is done all the same
    finally:
        os.close(descriptor)
