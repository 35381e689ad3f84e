"""The annotation file of a study: where it lives, how it is found, atomic saving, safe loading.

One JSON file per study (layout: ``docs/annotation-format.md``, encoding:
:mod:`spineviewer.core.annotation_codec`). Source DICOM files are never written: the
annotation file sits beside them as ``spineviewer-<StudyInstanceUID>.spineviewer.json`` when
their folder is writable, and in the per-user data folder otherwise. A UID with characters a
file name cannot hold gets them replaced and a hash of the whole UID appended, so two studies
never share a file; a file found under the name older versions gave such a UID is still read
when it holds that study. A file holding another study's annotations is never written over. A copy keyed by
StudyInstanceUID is kept in the per-user folder too, so a study that arrives again from a PACS
or from another copy of its folder finds its annotations. :func:`annotation_files` is the one
lookup: the workstation, ``measure`` and the export commands all find a study's file with it;
the answer key of a sample study is only read when asked for (:func:`answer_key_path`).

Saving is atomic (:func:`spineviewer.core.safe_write.write_atomically`), so a crash leaves
either the previous file or the new one, never half of one, and temporaries a killed save left
in the folder are removed at the next save. Reading is strict: the JSON Schema of the layout,
finite numbers only (:mod:`spineviewer.core.annotation_schema`). Loading never loses data: a
file that cannot be read or understood is moved aside to ``<name>.unreadable-<timestamp>`` and
the caller gets a message naming both files; a file of an older schema version is migrated in
memory and its original kept as ``<name>.schema-<n>.bak``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from spineviewer.core.annotation_codec import FormatError, from_json, migrate, to_json
from spineviewer.core.annotation_schema import parse_json, validate
from spineviewer.core.annotations import StudyAnnotations
from spineviewer.core.safe_write import remove_stale_temporaries, write_atomically
from spineviewer.core.xdg import xdg_dir

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")

#: The answer key a sample study carries beside its images (read-only, never saved to).
ANSWER_KEY_NAME = "reference-annotations.json"

#: Folder, inside the per-user folder, of the copies keyed by StudyInstanceUID.
KEYED_FOLDER = "by-study"


class AnnotationFileError(ValueError):
    """An annotation file that cannot be used; the message names the file and the reason."""

    def __init__(self, path: Path, reason: str, *, missing: bool = False):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}" if missing else f"{path} cannot be used ({reason})")


@dataclass(frozen=True)
class AnnotationLoad:
    """What loading an annotation file gave.

    Attributes
    ----------
    path : Path
        The file that was looked for.
    study : StudyAnnotations or None
        None when there is no file yet, or when it could not be used.
    message : str
        A sentence for the user when something needed their attention ('' otherwise).
    moved_to : Path or None
        Where an unreadable file was put aside.
    migrated_from : int or None
        The schema version the file had, when it was older than the current one.
    """

    path: Path
    study: StudyAnnotations | None = None
    message: str = ""
    moved_to: Path | None = None
    migrated_from: int | None = None


def user_annotation_folder() -> Path:
    """``$XDG_DATA_HOME/spineviewer/annotations``, or ``~/.local/share/spineviewer/annotations``."""
    return xdg_dir("XDG_DATA_HOME", ".local/share") / "spineviewer" / "annotations"


def annotation_file_name(study_uid: str) -> str:
    """``spineviewer-<uid>.spineviewer.json``, a different name for every UID.

    Characters unsafe in a file name become ``_`` and, when there were any, the first 12 hex
    digits of the SHA-256 of the UID are appended (``spineviewer-1.2_3-<hash>.spineviewer.json``),
    so ``1.2+3`` and ``1.2*3`` get different files; an ordinary UID keeps its plain name.
    """
    uid = study_uid.strip()
    safe = _UNSAFE.sub("_", uid)
    if safe == uid:
        return f"spineviewer-{uid}.spineviewer.json"
    digest = hashlib.sha256(uid.encode("utf-8")).hexdigest()[:12]
    return f"spineviewer-{safe}-{digest}.spineviewer.json"


def _legacy_file_name(study_uid: str) -> str:
    """The name versions before injective names gave a UID with unsafe characters."""
    return f"spineviewer-{_UNSAFE.sub('_', study_uid.strip())}.spineviewer.json"


def annotation_path_for(study_folder, study_uid: str, *, user_folder: Path | None = None) -> Path:
    """Where the annotations of a study are saved.

    Parameters
    ----------
    study_folder : path-like
        The folder the study was opened from (for a zip archive or a DICOMDIR: its folder).
    study_uid : str
        StudyInstanceUID.
    user_folder : Path, optional
        The per-user folder used when ``study_folder`` is read-only
        (default :func:`user_annotation_folder`).
    """
    folder = _folder_of(study_folder)
    name = annotation_file_name(study_uid)
    if folder.is_dir() and _is_writable(folder):
        return folder / name
    return (user_folder or user_annotation_folder()) / name


def keyed_annotation_path(study_uid: str, *, user_folder: Path | None = None) -> Path:
    """The copy of a study's annotations kept by StudyInstanceUID in the per-user folder.

    Every save writes it as well as the study's own file, so the same study opened from another
    copy of its folder, or fetched again from a PACS, finds its annotations.
    """
    return (user_folder or user_annotation_folder()) / KEYED_FOLDER / annotation_file_name(study_uid)


def answer_key_path(study_folder) -> Path:
    """The answer key a study may carry beside its images (:data:`ANSWER_KEY_NAME`)."""
    return _folder_of(study_folder) / ANSWER_KEY_NAME


def annotation_files(study_folder, study_uids, *, user_folder: Path | None = None) -> list[Path]:
    """Existing annotation files for the studies of a folder, in the order they are used.

    For each study: its own file, beside the study or in the per-user folder (when both
    exist, the one spineviewer saves to comes first: beside a writable folder, else the
    per-user one), then the copy keyed by StudyInstanceUID (:func:`keyed_annotation_path`),
    then the same under the name older versions gave a UID with unsafe characters (such a
    file may hold another study: callers check the UID, :func:`check_study`). Never the
    answer key. Only looks: nothing is created, and the study folder is probed for writing
    only when both own files exist.
    """
    folder = _folder_of(study_folder)
    user = user_folder or user_annotation_folder()
    found = []
    for uid in study_uids:
        for name in dict.fromkeys((annotation_file_name(uid), _legacy_file_name(uid))):
            own = [path for path in (folder / name, user / name) if path.is_file()]
            if len(own) == 2 and not _is_writable(folder):
                own.reverse()
            found += own
            keyed = user / KEYED_FOLDER / name
            if keyed.is_file():
                found.append(keyed)
    return found


def check_study(study: StudyAnnotations, path, study_uids, *, where: str = "the images") -> None:
    """AnnotationFileError when the annotations read from ``path`` belong to none of the
    studies ``study_uids`` (StudyInstanceUIDs); every command and the workstation check so."""
    uids = list(study_uids)
    if study.study_instance_uid not in uids:
        wanted = uids[0] if len(uids) == 1 else f"one of the {len(uids)} studies"
        raise AnnotationFileError(Path(path), f"it annotates study {study.study_instance_uid}, "
                                              f"not {wanted} of {where}")


def study_folder(paths) -> Path | None:
    """The folder a study was opened from: the one path given, or the paths' common folder."""
    if not paths:
        return None
    if len(paths) == 1:
        return Path(paths[0])
    try:
        return Path(os.path.commonpath([str(Path(p).resolve()) for p in paths]))
    except ValueError:  # paths on different drives have no common folder
        return Path(paths[0]).parent


def read_annotations(path) -> tuple[StudyAnnotations, int]:
    """Read an annotation file without changing anything on disk.

    Returns the annotations (older schema versions migrated in memory) and the schema version
    the file had. Raises :class:`AnnotationFileError` naming the file and the reason.
    """
    path = Path(path)
    if not path.is_file():
        raise AnnotationFileError(path, "no such annotation file", missing=True)
    try:
        value, version = migrate(parse_json(path.read_bytes().decode("utf-8")))
        validate(value)
        return from_json(value), version
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, FormatError) as exc:
        raise AnnotationFileError(path, _reason(exc)) from None
    except RecursionError:
        raise AnnotationFileError(path, "its JSON is nested too deeply to be an annotation file") from None


def save_annotations(study: StudyAnnotations, path) -> Path:
    """Write study annotations atomically (creating the folder if needed); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # allow_nan=False: JSON has no NaN, and a file that other tools cannot read is no backup.
    text = json.dumps(to_json(study), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    write_atomically(path, text.encode("utf-8"))
    remove_stale_temporaries(path.parent)
    return path


def load_annotations(path, study_uid: str | None = None) -> AnnotationLoad:
    """Read the annotation file at ``path``; never raises for a bad file.

    A missing file gives an empty result. A file that cannot be read, parsed or understood
    (including one from a newer spineviewer), or that annotates another study than
    ``study_uid`` when one is given, is moved aside, never overwritten, and the message says
    where it went and why.
    """
    path = Path(path)
    remove_stale_temporaries(path.parent)
    if not path.exists():
        return AnnotationLoad(path)
    if not path.is_file():
        return AnnotationLoad(path, message=f"{path} is not a file; the study starts without annotations")
    try:
        study, version = read_annotations(path)
        if study_uid is not None:
            check_study(study, path, [study_uid], where="the study opened")
    except AnnotationFileError as exc:
        return _put_aside(path, exc.reason)
    if version == study.schema_version:
        return AnnotationLoad(path, study)
    backup = path.with_name(f"{path.name}.schema-{version}.bak")
    try:
        if not backup.exists():
            shutil.copy2(path, backup)
        kept = f"the original is kept as {backup.name}"
    except OSError as exc:
        kept = f"the original could not be copied aside ({exc.strerror})"
    return AnnotationLoad(path, study, migrated_from=version,
                          message=f"{path.name} was converted from schema version {version}; {kept}")


def put_aside_if_unreadable(path, study_uid: str | None = None) -> AnnotationLoad:
    """Move a file that is about to be written over aside when it cannot be used.

    A file from a newer spineviewer, a damaged one, or one annotating another study than
    ``study_uid`` is kept as ``<name>.unreadable-<timestamp>`` (the message says so), never
    replaced; a missing or usable file is left as it is.
    """
    path = Path(path)
    if not path.is_file():
        return AnnotationLoad(path)
    try:
        study, _ = read_annotations(path)
        if study_uid is not None:
            check_study(study, path, [study_uid], where="the study opened")
    except AnnotationFileError as exc:
        return _put_aside(path, exc.reason, then="a new one is written at the next change")
    return AnnotationLoad(path)


def _put_aside(path: Path, reason: str, *,
               then: str = "the study starts without annotations") -> AnnotationLoad:
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.unreadable-{stamp}")
    counter = 2
    while target.exists():
        target = path.with_name(f"{path.name}.unreadable-{stamp}-{counter}")
        counter += 1
    try:
        os.replace(path, target)
    except OSError as exc:
        return AnnotationLoad(path, message=f"{path} cannot be used ({reason}) and could not be "
                                            f"moved aside ({exc.strerror}); it is left as it is")
    return AnnotationLoad(path, moved_to=target,
                          message=f"{path.name} cannot be used ({reason}); it was kept as "
                                  f"{target.name} and {then}")


def _folder_of(study_folder) -> Path:
    """The folder of a study: itself, or the folder of a zip archive or DICOMDIR."""
    folder = Path(study_folder)
    return folder.parent if folder.is_file() else folder


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg} at line {exc.lineno}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(exc, OSError):
        return exc.strerror or "it could not be read"
    return str(exc)


def _is_writable(folder: Path) -> bool:
    """True when a file can be created in ``folder`` (tried, as permissions can mislead)."""
    if not os.access(folder, os.W_OK):
        return False
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False
