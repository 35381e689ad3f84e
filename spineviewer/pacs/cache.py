"""The local cache of studies retrieved from a PACS, one folder per StudyInstanceUID.

Layout: ``<root>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm``, every UID
checked (:mod:`spineviewer.pacs.uids`) before it becomes a path, so nothing a server sends can
write outside the cache. Each instance is written to a temporary file and renamed into place:
a file with its final name is a complete instance, which is what lets a retrieve interrupted
by a crash, a cancel or a server that stopped resume without fetching it again. The study's
manifest (``.spineviewer-cache.json``, hidden from the loader) records how many instances each
series holds on the server and whether the whole study arrived; a complete study opens
without asking the server.

The cache has a size limit (20 GB by default); :meth:`StudyCache.evict` removes the least
recently used studies (:meth:`StudyCache.touch` marks a use) until it fits, and never a study
that has annotations: the reader's file beside the images or the copy keyed by
StudyInstanceUID in the per-user folder (:func:`has_annotations`), nor one the caller protects
(the study on screen).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from spineviewer.core.annotation_file import annotation_files
from spineviewer.core.safe_write import remove_stale_temporaries, write_atomically
from spineviewer.core.xdg import xdg_dir
from spineviewer.pacs.uids import checked_uid, is_uid

MANIFEST = ".spineviewer-cache.json"
DEFAULT_LIMIT_BYTES = 20 * 1024**3
#: Largest manifest read (one line per series; far more than any study).
MAX_MANIFEST_BYTES = 5_000_000


def default_root() -> Path:
    """``$XDG_CACHE_HOME/spineviewer/studies`` (``~/.cache`` by default)."""
    return xdg_dir("XDG_CACHE_HOME", ".cache") / "spineviewer" / "studies"


def has_annotations(folder: Path, study_uid: str) -> bool:
    """True when the study has an annotation file (beside its images or keyed by its UID)."""
    return bool(annotation_files(folder, [study_uid]))


class StudyCache:
    """Studies retrieved from PACS nodes, kept under ``root`` within ``limit_bytes``."""

    def __init__(self, root=None, limit_bytes: int = DEFAULT_LIMIT_BYTES):
        if isinstance(limit_bytes, bool) or not isinstance(limit_bytes, int) or limit_bytes < 0:
            raise ValueError(f"the cache limit is a number of bytes, got {limit_bytes!r}")
        self.root = Path(root) if root is not None else default_root()
        self.limit_bytes = limit_bytes

    # ---- where things are ----------------------------------------------------------------
    def folder(self, study_uid: str) -> Path:
        """The folder of a study (not created); ValueError for a UID that is not one."""
        return self.root / checked_uid(study_uid, "StudyInstanceUID")

    def instance_path(self, study_uid: str, series_uid: str, sop_uid: str) -> Path:
        """Where an instance is kept; ValueError when a UID is not one."""
        return (self.folder(study_uid) / checked_uid(series_uid, "SeriesInstanceUID")
                / f"{checked_uid(sop_uid, 'SOPInstanceUID')}.dcm")

    def studies(self) -> list[str]:
        """The StudyInstanceUIDs in the cache (complete or not)."""
        try:
            return sorted(e.name for e in os.scandir(self.root)
                          if is_uid(e.name) and e.is_dir(follow_symlinks=False))
        except OSError:
            return []

    # ---- what is there ---------------------------------------------------------------------
    def instances(self, study_uid: str, series_uid: str) -> set[str]:
        """The SOPInstanceUIDs of a series already complete in the cache."""
        folder = self.folder(study_uid) / checked_uid(series_uid, "SeriesInstanceUID")
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return set()
        return {e.name[:-4] for e in entries
                if e.name.endswith(".dcm") and is_uid(e.name[:-4]) and e.is_file(follow_symlinks=False)}

    def files(self, study_uid: str) -> list[Path]:
        """Every complete instance file of a study, series by series."""
        folder = self.folder(study_uid)
        found = []
        for series in sorted(p for p in _subfolders(folder) if is_uid(p.name)):
            found += sorted(series / f"{uid}.dcm" for uid in self.instances(study_uid, series.name))
        return found

    def manifest(self, study_uid: str) -> dict:
        """The study's manifest: ``{"complete": bool, "series": {uid: {"expected": n}}}``."""
        path = self.folder(study_uid) / MANIFEST
        try:
            if path.is_file() and path.stat().st_size <= MAX_MANIFEST_BYTES:
                value = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(value, dict) and isinstance(value.get("series"), dict):
                    return {"complete": value.get("complete") is True, "series": value["series"]}
        except (OSError, UnicodeDecodeError, ValueError):
            pass
        return {"complete": False, "series": {}}

    def is_complete(self, study_uid: str) -> bool:
        """True when every instance of the study arrived (and the files are still there)."""
        manifest = self.manifest(study_uid)
        if not manifest["complete"]:
            return False
        for series_uid, entry in manifest["series"].items():
            expected = entry.get("expected") if isinstance(entry, dict) else None
            if not is_uid(series_uid) or not isinstance(expected, int):
                return False
            if len(self.instances(study_uid, series_uid)) < expected:
                return False
        return True

    # ---- writing -------------------------------------------------------------------------
    def begin(self, study_uid: str) -> Path:
        """Create the study's folder (removing temporaries a killed retrieve left) and mark it used."""
        folder = self.folder(study_uid)
        folder.mkdir(parents=True, exist_ok=True)
        for series in _subfolders(folder):
            remove_stale_temporaries(series, now=time.time() + 3600)
        self.touch(study_uid)
        return folder

    def write_instance(self, study_uid: str, series_uid: str, sop_uid: str, data: bytes) -> Path:
        """Write one instance atomically (temporary file, then rename); returns its path."""
        path = self.instance_path(study_uid, series_uid, sop_uid)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
        try:
            with open(temporary, "xb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return path

    def record_series(self, study_uid: str, series_uid: str, expected: int) -> None:
        """Record how many instances a series holds on the server."""
        manifest = self.manifest(study_uid)
        manifest["series"][checked_uid(series_uid, "SeriesInstanceUID")] = {"expected": int(expected)}
        self._write_manifest(study_uid, manifest)

    def mark_complete(self, study_uid: str, series: dict[str, int]) -> None:
        """Record that the study arrived whole: ``series`` maps each series to its count."""
        manifest = {"complete": True,
                    "series": {checked_uid(uid, "SeriesInstanceUID"): {"expected": int(n)}
                               for uid, n in series.items()}}
        self._write_manifest(study_uid, manifest)

    def _write_manifest(self, study_uid: str, manifest: dict) -> None:
        folder = self.folder(study_uid)
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": 1, "study_uid": study_uid, **manifest}, indent=1)
        write_atomically(folder / MANIFEST, text.encode("utf-8"))

    # ---- use and eviction ----------------------------------------------------------------
    def touch(self, study_uid: str) -> None:
        """Mark the study as just used (its folder's modification time)."""
        folder = self.folder(study_uid)
        if folder.is_dir():
            os.utime(folder)

    def last_used(self, study_uid: str) -> float:
        """When the study was last used (seconds since the epoch; 0 when absent)."""
        try:
            return self.folder(study_uid).stat().st_mtime
        except OSError:
            return 0.0

    def study_size(self, study_uid: str) -> int:
        """Bytes the study's folder holds."""
        return _tree_size(self.folder(study_uid))

    def size(self) -> int:
        """Bytes the whole cache holds."""
        return _tree_size(self.root)

    def evict(self, *, protect: Callable[[str], bool] | None = None) -> list[str]:
        """Remove least recently used studies until the cache fits its limit.

        A study with annotations (:func:`has_annotations`) is never removed, nor one for which
        ``protect(study_uid)`` is true (the study on screen, one being retrieved). Returns the
        StudyInstanceUIDs removed, oldest first; the cache may stay over the limit when only
        protected studies are left.
        """
        sizes = {uid: self.study_size(uid) for uid in self.studies()}
        total = sum(sizes.values())
        removed = []
        for uid in sorted(sizes, key=self.last_used):
            if total <= self.limit_bytes:
                break
            folder = self.folder(uid)
            if has_annotations(folder, uid) or (protect is not None and protect(uid)):
                continue
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                total -= sizes[uid]
                removed.append(uid)
        return removed


def _subfolders(folder: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _tree_size(folder: Path) -> int:
    total = 0
    for base, dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(base, name)).st_size
            except OSError:
                continue
    return total
