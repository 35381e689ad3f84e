"""From an Assist proposal to the annotation document, and the reader's answer to it.

The algorithms of :mod:`spineviewer.assist` run here in the worker thread (``propose_*`` and
``segment``); what they return becomes *proposed* annotations through the pure edits of
:mod:`spineviewer.core.proposals`, applied by the session's document, so accepting, rejecting
and editing a proposal are undoable like any drawing. Lesion masks are stored beside the
annotation file by :mod:`spineviewer.core.masks` and referenced by a
:class:`~spineviewer.core.annotations.Segmentation`.

Coordinates: proposals arrive in patient LPS mm; a caliper proposed from a mask lies on the
image of its stack nearest the middle of its endpoints (they are projected onto that image's
plane, as a reader draws it). Masks are ``(slice, row, col)`` on their stack's grid.
"""

from __future__ import annotations

import numpy as np

from spineviewer.assist import AssistRefusal
from spineviewer.assist.calipers import lesion_calipers
from spineviewer.core import proposals
from spineviewer.core.annotations import (
    Component, CordPath, Segmentation,
)
from spineviewer.core.masks import MaskError, segmentation as mask_drawing, segmentation_stack
from spineviewer.core.edits import add_lesion, find_annotation, next_lesion_id, remove_annotation
from spineviewer.core.model import Stack
from spineviewer.core.stack_geometry import slice_plane, stack_geometry
from spineviewer.core.units import Unit
from spineviewer.gui.reading.hanging import is_post_contrast, weighting
from spineviewer.gui.annotation.tools.drawing_builders import describe

#: The id :func:`pending` gives the proposed discs and conus tip, answered together.
LEVELS = "levels"
#: Largest distance between a proposed cord path and its thinned vertices' polyline, mm.
PATH_TOLERANCE_MM = 0.5


# -- in the worker thread (the algorithms are imported there: the window opens without them) --

def propose_levels(stacks, cancel, progress):
    from spineviewer.assist.levels import propose_levels as find_levels

    return find_levels(stacks, cancel=cancel, progress=progress)


def propose_t2(stack: Stack, seed, cancel, progress):
    from spineviewer.assist.cord import propose_t2_extent

    return propose_t2_extent(stack, seed, cancel=cancel, progress=progress)


def segment(stack: Stack, seed, box, cancel, progress):
    from spineviewer.assist.lesion import segment_lesion

    return segment_lesion(stack, seed, box=box, cancel=cancel, progress=progress)


# -- what the GUI asks ---------------------------------------------------------------------------

def level_stacks(window) -> list[Stack]:
    """The sagittal stacks levels are proposed on: those of the active viewport's series when
    it is a T2 (its other stations too: series of the same description and frame of
    reference), else those of the study's first sagittal T2 series of that frame of
    reference, else the active viewport's (the proposal then says why it cannot)."""
    state = window.grid.active.state if window.grid.active is not None else None
    if state is None or state.stack.plane != "sagittal" or window.result is None:
        return []
    active = state.context.series if state.context is not None else None
    if active is None:
        return [state.stack]
    every = [series for _, _, series in window.result.iter_series()
             if series.frame_of_reference_uid == active.frame_of_reference_uid]

    def t2(series) -> bool:
        return weighting(series) == "T2" and not is_post_contrast(series)

    chosen = active if t2(active) else next(
        (s for s in every if t2(s) and any(k.plane == "sagittal" for k in s.stacks)), active)
    stacks = [k for s in every if s is chosen or s.description == chosen.description
              for k in s.stacks if k.plane == "sagittal"]
    # The stack on screen first, when it is one of them.
    return sorted(stacks, key=lambda k: k is not state.stack)


def wrong_series(t2: bool, state) -> str:
    """Why the image of ``state`` is not one to seed a T2 extent (``t2``) or a lesion
    segmentation on, '' when it may be: a T2 or STIR series (or one nothing names), or a
    series that is not clearly other than post-contrast."""
    series = state.context.series if state is not None and state.context is not None else None
    if series is None:
        return ""
    if t2 and (is_post_contrast(series) or weighting(series) not in ("T2", "STIR", "")):
        return (f"Propose T2 extent: {series.description or 'this series'} is not a T2 series; "
                "click in the cord on the sagittal T2 (or STIR)")
    # A T1 whose files do not say "contrast" may still be one: only a series that is clearly
    # something else is declined.
    if not t2 and not is_post_contrast(series) and weighting(series) in ("T2", "STIR", "FLAIR", "PD"):
        return (f"Segment lesion: {series.description or 'this series'} is not a post-contrast "
                "series; click the enhancing lesion on the T1 after contrast")
    return ""


def seed_and_box(points):
    """The seed (LPS) and the box (two opposite corners, LPS, or None) of a click or a drag."""
    if len(points) < 2:
        return tuple(points[0]), None
    a, b = np.asarray(points[0]), np.asarray(points[1])
    return tuple((a + b) / 2), (tuple(a), tuple(b))


def pending(study) -> list[str]:
    """Ids of the proposals awaiting an answer (:data:`LEVELS` for the levels)."""
    if study is None:
        return []
    ids = [d.id for d in proposals.proposed_drawings(study)]
    if study.levels is not None and study.levels.has_proposals:
        ids.append(LEVELS)
    return ids


def describe_ids(study, ids) -> str:
    """What the proposals named by ``ids`` are, in the reader's words (``"lesion mask, SI
    caliper and AP caliper"``)."""
    names = []
    for item in ids:
        if item == LEVELS:
            names.append("levels")
            continue
        try:
            names.append(describe(find_annotation(study, item)[0]))
        except KeyError:
            continue
    if len(names) < 2:
        return "".join(names) or "nothing"
    return ", ".join(names[:-1]) + " and " + names[-1]


def _answer(controller, ids, of_drawings, of_levels, label: str) -> bool:
    """Apply one answer to the proposals ``ids`` as one edit: ``of_drawings`` to the
    drawings, ``of_levels`` to the levels when they are among them."""
    drawings = [i for i in ids if i != LEVELS]

    def edit(study):
        study = of_drawings(study, drawings)
        return of_levels(study) if LEVELS in ids else study

    return controller.session.apply(edit, label=label)


def accept(controller, ids) -> bool:
    return _answer(controller, ids, proposals.accept_annotations, proposals.accept_levels,
                   "accept the proposal")


def reject(controller, ids) -> bool:
    return _answer(controller, ids, proposals.reject_annotations, proposals.reject_levels,
                   "reject the proposal")


def _to_current_lesion(controller, drawings, label: str, *, new_lesion: bool = False) -> bool:
    """Propose ``drawings`` in the current lesion (Lesion 1 when there is none yet), or in a
    new lesion, made current, with ``new_lesion``."""
    session = controller.session
    lesion_id = None if new_lesion else session.current_lesion_id

    def edit(study):
        target = lesion_id
        if target is None:
            study, target = add_lesion(study), next_lesion_id(study)
        return proposals.propose_drawings(study, drawings, lesion_id=target)

    if lesion_id is None:
        session.set_current_lesion(next_lesion_id(session.study))
    if not session.apply(edit, label=label):
        return False
    controller.last_run = [d.id for d in drawings]
    return True


# -- levels ----------------------------------------------------------------------------------

def show_levels(controller, proposal) -> None:
    """Propose the discs found. Named from an anchor, or counted from the reader's own discs,
    they are proposed at once; otherwise the reader names one disc first (the others are
    counted from it)."""
    study = controller.session.study
    own = proposals.accepted_levels(study)
    if not proposal.discs and proposal.conus is None:
        controller.say(f"Propose levels: {proposal.message}")
        return
    try:
        if own is not None and own.discs:
            value = [d.point for d in proposal.discs]
        elif proposal.anchor_index is not None or not proposal.discs:
            value = proposal.levels() if proposal.discs else []
        else:
            controller.ask_disc_name(proposal, lambda name, index: _named(controller, proposal, name, index))
            return
    except AssistRefusal as exc:
        controller.say(f"Propose levels: {exc}")
        return
    _propose_levels(controller, proposal, value)


def _named(controller, proposal, name: str, index: int) -> None:
    try:
        value = proposal.levels(name=name, index=index)
    except AssistRefusal as exc:
        controller.say(f"Propose levels: {exc}")
        return
    _propose_levels(controller, proposal, value)


def _propose_levels(controller, proposal, value) -> None:
    conus = tuple(proposal.conus) if isinstance(value, list) and proposal.conus is not None else None
    if controller.session.apply(proposals.propose_levels, value, conus_tip=conus,
                                label="propose levels"):
        controller.last_run = [LEVELS]
        levels = controller.session.study.levels
        discs = sum(1 for d in levels.discs if d.proposed) if levels is not None else 0
        tip = " and the conus tip" if levels is not None and levels.conus_tip_proposed else ""
        controller.say(f"Proposed {discs} discs{tip} (magenta, with a question mark): Enter accepts, Esc rejects, drag a "
                       "marker to correct it")


# -- T2 extent -------------------------------------------------------------------------------

def show_t2(controller, stack: Stack, proposal) -> None:
    """Propose the T2 path, its vertices thinned to those a reader would click (the path
    keeps within :data:`PATH_TOLERANCE_MM` of the proposal's)."""
    path = CordPath(vertices=thinned_path(stack, proposal.path), role=Component.T2,
                    series_instance_uid=proposal.series_instance_uid,
                    sop_instance_uid=proposal.sop_instance_uid, unit=Unit.of_image(stack.spacing_known))
    if _to_current_lesion(controller, [path], "propose the T2 extent"):
        controller.say(f"Proposed: {proposal.message}: Enter accepts, Esc rejects; click the "
                       "path to move its points")
        controller.controls.show_drawing(path.id)


def thinned_path(stack: Stack, points, *, tolerance_mm: float = PATH_TOLERANCE_MM) -> tuple:
    """``points`` (LPS, on one image of ``stack``) with the vertices a straight line between
    their neighbours passes within ``tolerance_mm`` of left out (Douglas-Peucker)."""
    points = np.asarray(points, dtype=float)
    if len(points) < 3:
        return tuple(tuple(p) for p in points)
    index = stack_geometry(stack).nearest(points.mean(axis=0))
    plane = slice_plane(stack, index)
    from skimage.measure import approximate_polygon  # noqa: PLC0415 - scipy.signal: 0.4 s at start-up

    kept = approximate_polygon(np.asarray(plane.to_corner_mm(points)), tolerance_mm)
    return tuple(tuple(float(v) for v in plane.from_corner_mm(p)) for p in kept)


# -- lesion masks ----------------------------------------------------------------------------

def show_lesion(controller, stack: Stack, segmentation) -> None:
    """Propose the mask and the calipers where the mask's
    diameters lie: one edit, so one undo takes the whole proposal back."""
    document = controller.session.document
    try:
        sha = document.store_mask(segmentation.mask)
        drawings = [mask_drawing(stack, segmentation.mask, sha, proposed=True)]
    except (MaskError, OSError) as exc:
        controller.say(f"The lesion mask could not be stored: {exc}")
        return
    drawings += lesion_calipers(stack, segmentation)
    # One lesion, one mask: a lesion segmented while the current one has its mask is the next.
    session = controller.session
    current = session.current_lesion_id
    has_mask = current is not None and session.study.lesion(current).of_kind(Segmentation)
    if _to_current_lesion(controller, drawings, "propose the lesion segmentation",
                          new_lesion=bool(has_mask)):
        where = f" (Lesion {session.current_lesion_id}: Lesion {current} has its mask)" if has_mask else ""
        controller.say(f"Proposed: {segmentation.message}{where}: Enter accepts, Esc rejects; "
                       "the mask brush (Shift+B) and eraser (Shift+E) correct the mask")


def masks_on(session, stack: Stack) -> list[tuple[str, np.ndarray, bool]]:
    """``(id, mask, proposed)`` of the study's masks segmented on ``stack``; a mask whose file
    cannot be read is left out and the reader told why."""
    study, document = session.study, session.document
    if study is None or document is None:
        return []
    found = []
    for drawing in study.all_drawings():
        if isinstance(drawing, Segmentation) and segmentation_stack([stack], drawing) is not None:
            try:
                found.append((drawing.id, document.load_mask(drawing), drawing.proposed))
            except MaskError as exc:
                session.message.emit(f"A lesion mask cannot be shown: {exc}")
    return found


def mask_to_edit(session, selected: str, stack: Stack):
    """``(segmentation, mask)`` the brush edits on ``stack``: the selected one, else the
    current lesion's, else the last; None when the stack has none."""
    shown = {mask_id: mask for mask_id, mask, _ in masks_on(session, stack)}
    if not shown:
        return None
    study = session.study
    lesion_id = session.current_lesion_id
    current = [d.id for d in (study.lesion(lesion_id).annotations if lesion_id else ())
               if d.id in shown]
    chosen = selected if selected in shown else (current or list(shown))[-1]
    return find_annotation(study, chosen)[0], shown[chosen]


def store_edited_mask(controller, drawing: Segmentation, stack: Stack, mask: np.ndarray, *,
                      erased: bool) -> None:
    """Store an edited mask in place of ``drawing`` (one undo step; an emptied mask removes
    the drawing) and tell the reader its volume and diameters, measured again."""
    session = controller.session
    if not mask.any():
        session.apply(remove_annotation, drawing.id, label="erase the lesion mask")
        return
    if not session.document.replace_mask(drawing.id, stack, mask, label="erase from the mask"
                                         if erased else "paint the mask"):
        return
    from spineviewer.assist.lesion import measure_mask

    measured = measure_mask(stack, mask)
    controller.say(f"Mask {measured.volume_mm3:.0f} mm³; its diameters: SI {measured.si_mm:.1f}, "
                   f"AP {measured.ap_mm:.1f}, transverse {measured.transverse_mm:.1f} mm")
