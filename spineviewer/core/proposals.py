"""Proposals in the annotations: what the software placed and the reader has not yet accepted.

A proposal (``spineviewer.assist``: disc points, the conus tip, a cord path, calipers, a lesion
mask) enters the annotations marked proposed: ``Drawing.proposed``, ``Disc.proposed``,
``VertebralLevels.conus_tip_proposed``. It is drawn in its own style and no measurement counts
it: :func:`accepted` is the view of a study that metrics, the CSV tables and the DICOM SR
read. Nothing is accepted silently: the reader accepts a proposal (the flag is cleared),
rejects it (it is removed) or corrects it first (moving a proposed point keeps it proposed).

Every function here is a pure edit ``StudyAnnotations -> StudyAnnotations`` like those of
:mod:`spineviewer.core.edits`, so an :class:`~spineviewer.core.document.AnnotationDocument`
applies it with undo and autosave. A lesion is the reader's (a seed click or ``--lesion``
says where it is); only its drawings are proposed, so rejecting them leaves the lesion.

Points are DICOM LPS mm (:mod:`spineviewer.core.drawings`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Sequence

from spineviewer.core.annotations import Drawing, StudyAnnotations
from spineviewer.core.disc_naming import name_by_position, same_disc
from spineviewer.core.edits import add_annotation, disc_named, find_annotation
from spineviewer.core.levels import Disc, VertebralLevels, disc_name


def accepted(study: StudyAnnotations) -> StudyAnnotations:
    """The study without its proposals: what measurements, tables and reports use."""
    if not has_proposals(study):
        return study
    keep = lambda drawings: tuple(d for d in drawings if not d.proposed)  # noqa: E731
    lesions = tuple(replace(l, annotations=keep(l.annotations)) for l in study.lesions)
    return replace(study, lesions=lesions, annotations=keep(study.annotations),
                   levels=accepted_levels(study))


def accepted_levels(study: StudyAnnotations) -> VertebralLevels | None:
    """The study's levels without their proposals (proposed discs name no level until
    accepted); None when no level is marked."""
    return None if study.levels is None else study.levels.accepted()


def has_proposals(study: StudyAnnotations) -> bool:
    """True when some drawing, disc or the conus tip awaits the reader's decision."""
    return (any(d.proposed for d in study.all_drawings())
            or (study.levels is not None and study.levels.has_proposals))


def proposed_drawings(study: StudyAnnotations) -> list[Drawing]:
    """The drawings awaiting the reader's decision, in drawing order."""
    return [d for d in study.all_drawings() if d.proposed]


# Drawings ----------------------------------------------------------------------------------

def propose_drawings(study: StudyAnnotations, drawings: Iterable[Drawing], *,
                     lesion_id: int | None = None) -> StudyAnnotations:
    """Add drawings marked proposed to a lesion (or to the free drawings with None)."""
    for drawing in drawings:
        study = add_annotation(study, replace(drawing, proposed=True), lesion_id=lesion_id)
    return study


def accept_annotations(study: StudyAnnotations, annotation_ids: Iterable[str]) -> StudyAnnotations:
    """Accept proposed drawings: they stay as they are and now count. KeyError for an id that
    is not there; an accepted drawing is left as it is."""
    for annotation_id in annotation_ids:
        drawing, _ = find_annotation(study, annotation_id)
        if drawing.proposed:
            study = _swap(study, replace(drawing, proposed=False))
    return study


def reject_annotations(study: StudyAnnotations, annotation_ids: Iterable[str]) -> StudyAnnotations:
    """Reject proposed drawings: they are removed. ValueError for a drawing that is not a
    proposal (the reader's own drawings are deleted, not rejected)."""
    remove = set()
    for annotation_id in annotation_ids:
        drawing, _ = find_annotation(study, annotation_id)
        if not drawing.proposed:
            raise ValueError(f"the {drawing.kind} {annotation_id} is not a proposal; delete it instead")
        remove.add(annotation_id)
    keep = lambda drawings: tuple(d for d in drawings if d.id not in remove)  # noqa: E731
    lesions = tuple(replace(l, annotations=keep(l.annotations)) for l in study.lesions)
    return replace(study, lesions=lesions, annotations=keep(study.annotations))


def _swap(study: StudyAnnotations, drawing: Drawing) -> StudyAnnotations:
    swap = lambda drawings: tuple(drawing if d.id == drawing.id else d for d in drawings)  # noqa: E731
    lesions = tuple(replace(l, annotations=swap(l.annotations)) for l in study.lesions)
    return replace(study, lesions=lesions, annotations=swap(study.annotations))


# Levels ------------------------------------------------------------------------------------

def propose_levels(study: StudyAnnotations, proposal: VertebralLevels | Sequence, *,
                   conus_tip=None) -> StudyAnnotations:
    """Put proposed discs (and a proposed conus tip) beside the reader's.

    Parameters
    ----------
    proposal : VertebralLevels or sequence of points
        Named discs (their names stand when the study has no accepted disc), or disc points
        (LPS mm) to be named by their position from the study's accepted anchor.
    conus_tip : point, optional
        A proposed conus tip, with disc points (a VertebralLevels carries its own).

    The previous proposals of discs and conus tip are replaced; the reader's accepted discs
    and conus tip are kept, and a proposed disc on an accepted one is dropped. When the study
    has accepted discs, the proposed ones are named by counting from the accepted anchor, so
    the names never contradict the reader's.
    """
    if isinstance(proposal, VertebralLevels):
        points = [d.point for d in proposal.discs]
        tip = proposal.conus_tip
        named = {d.point: d.lower_index for d in proposal.discs}
        anchor = proposal.anchor
    else:
        points = [tuple(float(v) for v in p) for p in proposal]
        tip, named, anchor = None if conus_tip is None else tuple(map(float, conus_tip)), {}, None
    own = (study.levels or VertebralLevels()).accepted()
    points = [p for p in points if same_disc(own, p) is None]
    if own.discs:
        discs = _named_from(own, points)
    elif named:
        discs = [Disc(named[p], p, True) for p in points]
        if anchor not in {d.lower_index for d in discs}:
            anchor = None
    elif points:
        raise ValueError("name one disc first (for example 'T9-T10'); the proposed discs are "
                         "counted from it")
    else:
        discs = []
    anchor = own.anchor if own.discs else anchor
    if own.conus_tip is not None:
        tip, tip_proposed = own.conus_tip, False
    else:
        tip_proposed = tip is not None
    if not discs and tip is None:
        return replace(study, levels=None)
    return replace(study, levels=VertebralLevels(tuple(discs), tip, anchor=anchor,
                                                 conus_tip_proposed=tip_proposed))


def _named_from(own: VertebralLevels, points: list) -> list[Disc]:
    """The accepted discs and the proposed points, named by position from the accepted anchor."""
    anchor_disc = next((d for d in own.discs if d.lower_index == own.anchor), own.discs[0])
    every = [d.point for d in own.discs] + list(points)
    counted = name_by_position(every, anchor=every.index(anchor_disc.point),
                               anchor_name=disc_name(anchor_disc.lower_index))
    accepted_points = {d.point for d in own.discs}
    # The reader's discs keep their own names; counting may only add the proposed ones.
    own_names = {d.lower_index for d in own.discs}
    discs = list(own.discs)
    for disc in counted:
        if disc.point not in accepted_points and disc.lower_index not in own_names:
            discs.append(Disc(disc.lower_index, disc.point, True))
    return discs


def accept_levels(study: StudyAnnotations) -> StudyAnnotations:
    """Accept every proposed disc and the proposed conus tip."""
    levels = study.levels
    if levels is None or not levels.has_proposals:
        return study
    discs = tuple(replace(d, proposed=False) for d in levels.discs)
    return replace(study, levels=VertebralLevels(discs, levels.conus_tip, anchor=levels.anchor))


def reject_levels(study: StudyAnnotations) -> StudyAnnotations:
    """Remove every proposed disc and the proposed conus tip."""
    levels = study.levels
    if levels is None or not levels.has_proposals:
        return study
    kept = levels.accepted()
    return replace(study, levels=kept if kept.discs or kept.conus_tip is not None else None)


def accept_disc(study: StudyAnnotations, name: str) -> StudyAnnotations:
    """Accept one proposed disc (KeyError when no disc has that name)."""
    levels, disc = _disc(study, name)
    discs = tuple(replace(d, proposed=False) if d is disc else d for d in levels.discs)
    return replace(study, levels=replace_discs(levels, discs))


def reject_disc(study: StudyAnnotations, name: str) -> StudyAnnotations:
    """Remove one proposed disc; ValueError for one the reader accepted or placed."""
    levels, disc = _disc(study, name)
    if not disc.proposed:
        raise ValueError(f"disc {disc.name} is not a proposal; remove it instead")
    rest = tuple(d for d in levels.discs if d is not disc)
    anchor = levels.anchor if any(d.lower_index == levels.anchor for d in rest) else None
    return replace(study, levels=VertebralLevels(rest, levels.conus_tip, anchor=anchor,
                                                 conus_tip_proposed=levels.conus_tip_proposed))


def accept_conus_tip(study: StudyAnnotations) -> StudyAnnotations:
    """Accept the proposed conus tip (KeyError when there is none)."""
    levels = _with_tip(study)
    return replace(study, levels=replace(levels, conus_tip_proposed=False))


def reject_conus_tip(study: StudyAnnotations) -> StudyAnnotations:
    """Remove the proposed conus tip; ValueError for one the reader accepted or placed."""
    levels = _with_tip(study)
    if not levels.conus_tip_proposed:
        raise ValueError("the conus tip is not a proposal; remove it instead")
    return replace(study, levels=VertebralLevels(levels.discs, None, anchor=levels.anchor))


def replace_discs(levels: VertebralLevels, discs) -> VertebralLevels:
    """``levels`` with other discs, keeping its conus tip, anchor and their flags."""
    return VertebralLevels(tuple(discs), levels.conus_tip, anchor=levels.anchor,
                           conus_tip_proposed=levels.conus_tip_proposed)


def _disc(study: StudyAnnotations, name: str) -> tuple[VertebralLevels, Disc]:
    levels = study.levels or VertebralLevels()
    return levels, disc_named(levels, name)


def _with_tip(study: StudyAnnotations) -> VertebralLevels:
    if study.levels is None or study.levels.conus_tip is None:
        raise KeyError("no conus tip is marked in this study")
    return study.levels


# Everything --------------------------------------------------------------------------------

def accept_all(study: StudyAnnotations) -> StudyAnnotations:
    """Accept every proposal of the study (drawings, discs, conus tip)."""
    return accept_levels(accept_annotations(study, [d.id for d in proposed_drawings(study)]))


def reject_all(study: StudyAnnotations) -> StudyAnnotations:
    """Remove every proposal of the study."""
    return reject_levels(reject_annotations(study, [d.id for d in proposed_drawings(study)]))
