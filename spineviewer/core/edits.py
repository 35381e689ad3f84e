"""Edits of study annotations as pure functions: each returns a new StudyAnnotations.

Nothing is changed in place, so the previous object is the undo step
(:mod:`spineviewer.core.history`). Functions raise KeyError for an id that is not there and
ValueError for an edit that would make the annotations invalid; the message says which.
Points are DICOM LPS mm (:mod:`spineviewer.core.annotations`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

from spineviewer.core.annotations import Drawing, Lesion, Sent, StudyAnnotations, timestamp
from spineviewer.core.findings import LesionFindings, PatientFindings
from spineviewer.core.sent import MAX_SENT
from spineviewer.core.disc_naming import name_by_position, nearest_disc, same_disc
from spineviewer.core.levels import (
    LEVEL_NAMES, Disc, SegmentRule, VertebralLevels, disc_name, parse_disc_name,
)


def touched(study: StudyAnnotations, now: dt.datetime | None = None) -> StudyAnnotations:
    """The same annotations with ``modified`` set to ``now`` (UTC by default)."""
    return replace(study, modified=timestamp(now))


def record_sent(study: StudyAnnotations, sent: Sent) -> StudyAnnotations:
    """The annotations with ``sent`` recorded last (the oldest records are dropped beyond
    :data:`~spineviewer.core.sent.MAX_SENT`)."""
    return replace(study, sent=(*study.sent, sent)[-MAX_SENT:])


# Lesions and findings -----------------------------------------------------------------------

def next_lesion_id(study: StudyAnnotations) -> int:
    """The id a new lesion gets: one more than the largest so far (ids are never reused
    while the lesions after them exist, so CSV rows keep their numbers)."""
    return max((lesion.lesion_id for lesion in study.lesions), default=0) + 1


def add_lesion(study: StudyAnnotations, findings: LesionFindings | None = None) -> StudyAnnotations:
    """Add an empty lesion numbered :func:`next_lesion_id`."""
    lesion = Lesion(next_lesion_id(study), findings=findings or LesionFindings())
    return replace(study, lesions=study.lesions + (lesion,))


def remove_lesion(study: StudyAnnotations, lesion_id: int) -> StudyAnnotations:
    """Remove a lesion and its drawings."""
    study.lesion(lesion_id)
    return replace(study, lesions=tuple(l for l in study.lesions if l.lesion_id != lesion_id))


def set_lesion_findings(study: StudyAnnotations, lesion_id: int,
                        findings: LesionFindings) -> StudyAnnotations:
    """Replace the findings form of one lesion."""
    return _replace_lesion(study, replace(study.lesion(lesion_id), findings=findings))


def set_patient_findings(study: StudyAnnotations, findings: PatientFindings) -> StudyAnnotations:
    """Replace the patient findings form."""
    return replace(study, patient=findings)


def set_segment_rule(study: StudyAnnotations, rule) -> StudyAnnotations:
    """Count this study's extents by ``rule`` (:class:`~spineviewer.core.levels.SegmentRule`)."""
    return replace(study, segment_rule=SegmentRule(rule))


# Drawings -----------------------------------------------------------------------------------

def find_annotation(study: StudyAnnotations, annotation_id: str) -> tuple[Drawing, int | None]:
    """A drawing and the id of the lesion it belongs to (None for a free drawing)."""
    for lesion in study.lesions:
        for drawing in lesion.annotations:
            if drawing.id == annotation_id:
                return drawing, lesion.lesion_id
    for drawing in study.annotations:
        if drawing.id == annotation_id:
            return drawing, None
    raise KeyError(f"no annotation {annotation_id} in this study")


def add_annotation(study: StudyAnnotations, drawing: Drawing, *,
                   lesion_id: int | None = None) -> StudyAnnotations:
    """Add a drawing to a lesion, or to the study's free drawings when ``lesion_id`` is None."""
    if lesion_id is None:
        return replace(study, annotations=study.annotations + (drawing,))
    lesion = study.lesion(lesion_id)
    return _replace_lesion(study, replace(lesion, annotations=lesion.annotations + (drawing,)))


def replace_annotation(study: StudyAnnotations, drawing: Drawing) -> StudyAnnotations:
    """Put ``drawing`` in place of the drawing with the same id (e.g. after moving a handle)."""
    find_annotation(study, drawing.id)
    swap = lambda drawings: tuple(drawing if d.id == drawing.id else d for d in drawings)  # noqa: E731
    lesions = tuple(replace(l, annotations=swap(l.annotations)) for l in study.lesions)
    return replace(study, lesions=lesions, annotations=swap(study.annotations))


def remove_annotation(study: StudyAnnotations, annotation_id: str) -> StudyAnnotations:
    """Remove the drawing with this id."""
    find_annotation(study, annotation_id)
    keep = lambda drawings: tuple(d for d in drawings if d.id != annotation_id)  # noqa: E731
    lesions = tuple(replace(l, annotations=keep(l.annotations)) for l in study.lesions)
    return replace(study, lesions=lesions, annotations=keep(study.annotations))


def assign_annotation(study: StudyAnnotations, annotation_id: str,
                      lesion_id: int | None) -> StudyAnnotations:
    """Move a drawing to another lesion (or to the free drawings with None)."""
    drawing, _ = find_annotation(study, annotation_id)
    return add_annotation(remove_annotation(study, annotation_id), drawing, lesion_id=lesion_id)


def _replace_lesion(study: StudyAnnotations, lesion: Lesion) -> StudyAnnotations:
    lesions = tuple(lesion if l.lesion_id == lesion.lesion_id else l for l in study.lesions)
    return replace(study, lesions=lesions)


# Vertebral levels ---------------------------------------------------------------------------

def set_levels(study: StudyAnnotations, levels: VertebralLevels | None) -> StudyAnnotations:
    """Replace all the levels (e.g. with ``VertebralLevels.from_points``)."""
    return replace(study, levels=levels)


def add_disc(study: StudyAnnotations, point, *, name: str | None = None) -> StudyAnnotations:
    """Mark one more disc.

    With ``name`` the disc gets that name and becomes the anchor: the other discs are renamed
    by their position from it. Without a name the new disc is named by its position from the
    anchor (:func:`~spineviewer.core.disc_naming.name_by_position`), counting the levels in
    any gap, so discs may be clicked in any order. The first disc needs a name; a point on a
    disc that is already marked is refused.
    """
    levels = study.levels or VertebralLevels()
    point = _point(point)
    if name is None and not levels.discs:
        raise ValueError("name the first disc (for example 'T9-T10')")
    duplicate = same_disc(levels, point)
    if duplicate is not None:
        raise ValueError(f"this is disc {duplicate.name}, already marked; drag its marker to move it")
    if name is not None:
        anchor_index, anchor_point = parse_disc_name(name), point
    else:
        anchor = _anchor_disc(levels)
        anchor_index, anchor_point = anchor.lower_index, anchor.point
    return _renamed(study, levels, [d.point for d in levels.discs] + [point], anchor_index, anchor_point)


def rename_disc(study: StudyAnnotations, old_name: str, new_name: str) -> StudyAnnotations:
    """Rename one disc; it becomes the anchor and the others are renamed by their position."""
    levels = _levels(study)
    disc = disc_named(levels, old_name)
    return _renamed(study, levels, [d.point for d in levels.discs], parse_disc_name(new_name),
                    disc.point)


def move_disc(study: StudyAnnotations, name: str, point) -> StudyAnnotations:
    """Move a disc marker to a new point, keeping every name."""
    levels = _levels(study)
    disc = disc_named(levels, name)
    discs = [Disc(d.lower_index, _point(point), d.proposed) if d is disc else d
             for d in levels.discs]
    return _with_discs(study, levels, discs, levels.anchor)


def remove_disc(study: StudyAnnotations, name: str) -> StudyAnnotations:
    """Remove a disc marker; the others keep their names. Removing the anchor makes the
    nearest remaining disc the anchor."""
    levels = _levels(study)
    disc = disc_named(levels, name)
    rest = [d for d in levels.discs if d is not disc]
    anchor = levels.anchor
    if rest and (anchor is None or anchor == disc.lower_index):
        anchor = nearest_disc(rest, disc.point).lower_index
    return _with_discs(study, levels, rest, anchor if rest else None)


def set_conus_tip(study: StudyAnnotations, point) -> StudyAnnotations:
    """Mark the conus medullaris tip (None removes the marker)."""
    levels = study.levels or VertebralLevels()
    tip = None if point is None else _point(point)
    return replace(study, levels=VertebralLevels(levels.discs, tip, anchor=levels.anchor))


def _levels(study: StudyAnnotations) -> VertebralLevels:
    if study.levels is None or not study.levels.discs:
        raise KeyError("no discs are marked in this study")
    return study.levels


def disc_named(levels: VertebralLevels, name: str) -> Disc:
    """The marked disc called ``name`` (KeyError when no disc has that name)."""
    index = parse_disc_name(name)
    for disc in levels.discs:
        if disc.lower_index == index:
            return disc
    raise KeyError(f"disc {disc_name(index)} is not marked")


def _anchor_disc(levels: VertebralLevels) -> Disc:
    """The disc others are counted from: the named one, else (older files) the most cranial."""
    return next((d for d in levels.discs if d.lower_index == levels.anchor), levels.discs[0])


def _renamed(study: StudyAnnotations, levels: VertebralLevels, points: list, anchor_index: int,
             anchor_point) -> StudyAnnotations:
    discs = name_by_position(points, anchor=points.index(tuple(anchor_point)),
                             anchor_name=disc_name(anchor_index))
    # A proposed disc stays proposed when the discs are renamed; a new point is the reader's.
    proposed = {tuple(d.point) for d in levels.discs if d.proposed}
    discs = [replace(d, proposed=tuple(d.point) in proposed) for d in discs]
    return _with_discs(study, levels, discs, anchor_index)


def _with_discs(study: StudyAnnotations, levels: VertebralLevels, discs: list[Disc],
                anchor: int | None) -> StudyAnnotations:
    indices = [d.lower_index for d in discs]
    if indices and (min(indices) < 1 or max(indices) >= len(LEVEL_NAMES)):
        raise ValueError("the disc names run past the ends of the spine (C1-C2 to S4-S5)")
    if len(set(indices)) != len(indices):
        raise ValueError("two discs would have the same name")
    return replace(study, levels=VertebralLevels(tuple(discs), levels.conus_tip, anchor=anchor,
                                                 conus_tip_proposed=levels.conus_tip_proposed))


def _point(value) -> tuple[float, float, float]:
    point = tuple(float(v) for v in value)
    if len(point) != 3 or not all(math.isfinite(v) for v in point):
        raise ValueError(f"a point is three finite numbers (x, y, z) in mm, got {value!r}")
    return point
