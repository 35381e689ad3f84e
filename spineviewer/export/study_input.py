"""What an export starts from: a study that holds images, and its annotation file.

The figure, anonymize and sr commands read their input through these two functions; bad input
raises ValueError with one line for the user. Annotation files are only read, never moved.
"""

from __future__ import annotations

from spineviewer.core.annotation_file import annotation_files
from spineviewer.core.annotations import StudyAnnotations
from spineviewer.core.loader import load_study
from spineviewer.core.model import LoadResult
from spineviewer.export.measure import read_annotation_file


def load_images(paths) -> LoadResult:
    """The study at ``paths``; ValueError naming the first problems when it holds no images."""
    result = load_study(paths)
    if not result.patients:
        reasons = "; ".join(f"{p.path}: {p.reason}" for p in result.problems[:3])
        raise ValueError(f"no images found in {paths}" + (f" ({reasons})" if reasons else ""))
    return result


def study_annotations(given: str | None, source: str, result: LoadResult, *, required: bool,
                      study_uid: str | None = None) -> StudyAnnotations | None:
    """The named annotation file, else the study's own (saved beside it by the workstation),
    else the ``reference-annotations.json`` answer key of a sample study; read, never moved."""
    if given:
        return read_annotation_file(given)
    uids = [study_uid] if study_uid else [s.uid for p in result.patients for s in p.studies]
    for path in annotation_files(source, uids):
        annotations = read_annotation_file(path)
        if annotations.study_instance_uid in uids:
            return annotations
    if required:
        raise ValueError("no annotation file was found for the study; give one with --annotations")
    return None
