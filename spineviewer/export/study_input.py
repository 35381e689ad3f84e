"""What an export starts from: a study that holds images, and its annotation file.

The measure, figure, anonymize and sr commands read their input through these functions; bad
input raises ValueError with one line for the user. Annotation files are only read, never
moved. Which file is read follows one rule for every command: the file named with
``--annotations``; else, with ``--answer-key``, the ``reference-annotations.json`` answer key
a sample study carries; else the study's own file
(:func:`~spineviewer.core.annotation_file.annotation_files`). The answer key is never read
unless asked for, so a reader's file that went missing is not silently replaced by it. Whatever
the file, it must annotate a study of the images
(:func:`~spineviewer.core.annotation_file.check_study`).
"""

from __future__ import annotations

from pathlib import Path

from spineviewer.core.annotation_file import (
    ANSWER_KEY_NAME,
    AnnotationFileError,
    annotation_file_name,
    annotation_files,
    answer_key_path,
    check_study,
    read_annotations,
)
from spineviewer.core.annotations import StudyAnnotations
from spineviewer.core.loader import load_study
from spineviewer.core.model import LoadResult


def load_images(paths) -> LoadResult:
    """The study at ``paths``; ValueError naming the first problems when it holds no images."""
    result = load_study(paths)
    if not result.patients:
        reasons = "; ".join(f"{p.path}: {p.reason}" for p in result.problems[:3])
        raise ValueError(f"no images found in {paths}" + (f" ({reasons})" if reasons else ""))
    return result


def find_annotation_file(given, source, study_uids, *, answer_key: bool = False) -> Path | None:
    """The annotation file a command reads (see the module notes); None when there is none.

    Parameters
    ----------
    given : path-like or None
        The file named with ``--annotations``.
    source : path-like
        The study as given on the command line (folder, zip or DICOMDIR).
    study_uids : list of str
        The StudyInstanceUIDs of the images.
    answer_key : bool
        Read the study's answer key instead of the reader's file.
    """
    if given:
        return Path(given)
    if answer_key:
        path = answer_key_path(source)
        if not path.is_file():
            raise ValueError(f"{source} has no answer key ({ANSWER_KEY_NAME} is not in {path.parent})")
        return path
    for path in annotation_files(source, study_uids):
        try:
            if read_annotations(path)[0].study_instance_uid in study_uids:
                return path
        except AnnotationFileError:
            return path  # the first file the workstation would use; reading it says why not
    return None


def read_study_annotations(path, study_uids, *, where: str) -> StudyAnnotations:
    """The annotations in ``path``; ValueError naming the file when it cannot be read or
    annotates none of the studies ``study_uids`` of the images at ``where``."""
    try:
        annotations = read_annotations(path)[0]
        check_study(annotations, path, study_uids, where=where)
    except AnnotationFileError as exc:
        raise ValueError(str(exc)) from None
    return annotations


def study_annotations(given, source, result: LoadResult, *, required: bool,
                      study_uid: str | None = None,
                      answer_key: bool = False) -> tuple[StudyAnnotations | None, Path | None]:
    """The annotations of the study at ``source`` and the file they were read from.

    ``(None, None)`` when there is no file and ``required`` is False; ValueError when one is
    required and missing, unreadable, or annotating another study.
    """
    uids = [study_uid] if study_uid else [s.uid for p in result.patients for s in p.studies]
    path = find_annotation_file(given, source, uids, answer_key=answer_key)
    if path is None:
        if required:
            raise ValueError(f"no annotation file was found for the study in {source} (looked for "
                             f"{annotation_file_name(uids[0])}); give one with --annotations, or "
                             "--answer-key for a sample study's answer key")
        return None, None
    return read_study_annotations(path, uids, where=str(source)), path

