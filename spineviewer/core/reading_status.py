"""Where the reading of a study stands: not started, in progress or done, and what "done" needs.

The state lives in the study's annotation file (``done`` and each lesion's ``not_assessable``,
``docs/annotation-format.md``), never in a separate database, so copying a folder of studies
copies how far its reading went. *Done* is the reader's explicit mark;
:func:`missing_for_done` lists what the ISCM series needs from every study before the mark
means something: the vertebral levels labelled, and for each lesion an enhancing extent and a
cord T2 extent, each drawn or declared not assessable. The functions here are pure; the
edits return a new :class:`~spineviewer.core.annotations.StudyAnnotations` for an
:class:`~spineviewer.core.document.AnnotationDocument` to apply.
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum

from spineviewer.core.annotations import (
    Caliper,
    CaliperRole,
    Component,
    CordPath,
    Lesion,
    StudyAnnotations,
)


class ReadingStatus(str, Enum):
    """How far the reader got with a study."""

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    DONE = "done"


def reading_status(study: StudyAnnotations | None) -> ReadingStatus:
    """The status of a study from its annotations (None: it has no annotation file yet).

    A file that holds nothing recorded (no levels, lesion, drawing or finding) is *not
    started*: opening a study and changing nothing is not reading it.
    """
    if study is None:
        return ReadingStatus.NOT_STARTED
    if study.done:
        return ReadingStatus.DONE
    empty = StudyAnnotations(study.study_instance_uid)
    recorded = (study.levels is not None or study.lesions or study.annotations
                or study.patient != empty.patient)
    return ReadingStatus.IN_PROGRESS if recorded else ReadingStatus.NOT_STARTED


def has_extent(lesion: Lesion, component: Component) -> bool:
    """True when the lesion's extent of ``component`` is drawn, as the metrics measure it.

    The enhancing extent is an enhancement cord path or, failing one, an SI caliper
    (:mod:`spineviewer.core.metrics`); the T2 extent is a T2 cord path.
    """
    if any(path.role is component for path in lesion.of_kind(CordPath)):
        return True
    return component is Component.ENHANCEMENT and any(
        caliper.role is CaliperRole.SI for caliper in lesion.of_kind(Caliper))


def missing_extents(lesion: Lesion) -> tuple[Component, ...]:
    """The extents of a lesion neither drawn nor declared not assessable."""
    return tuple(component for component in Component
                 if not has_extent(lesion, component) and component not in lesion.not_assessable)


_EXTENT_WORDS = {Component.ENHANCEMENT: "enhancing extent", Component.T2: "T2 extent"}


def missing_for_done(study: StudyAnnotations) -> list[str]:
    """What the study lacks before it can be marked done, one sentence each ([] when ready).

    Examples
    --------
    >>> missing_for_done(StudyAnnotations("1.2.3"))
    ['the vertebral levels are not labelled (mark and name the discs: L)']
    """
    problems = []
    if study.levels is None or not study.levels.discs:
        problems.append("the vertebral levels are not labelled (mark and name the discs: L)")
    for lesion in study.lesions:
        missing = missing_extents(lesion)
        if missing:
            words = " and no ".join(_EXTENT_WORDS[c] for c in missing)
            problems.append(f"Lesion {lesion.lesion_id} has no {words} "
                            "(draw it, or declare it not assessable)")
    return problems


def mark_done(study: StudyAnnotations, done: bool = True) -> StudyAnnotations:
    """The study marked done (or reopened, with ``done=False``)."""
    return replace(study, done=done)


def declare_not_assessable(study: StudyAnnotations, lesion_id: int,
                           components) -> StudyAnnotations:
    """The lesion's ``components`` extents declared not assessable (added to any already).

    Raises
    ------
    KeyError
        When the study has no such lesion.
    """
    lesion = study.lesion(lesion_id)
    updated = replace(lesion, not_assessable=lesion.not_assessable + tuple(components))
    return replace(study, lesions=tuple(updated if item is lesion else item
                                        for item in study.lesions))


def declare_missing_not_assessable(study: StudyAnnotations) -> StudyAnnotations:
    """Every extent still missing, on every lesion, declared not assessable."""
    for lesion in study.lesions:
        missing = missing_extents(lesion)
        if missing:
            study = declare_not_assessable(study, lesion.lesion_id, missing)
    return study
