"""Proposed vertebral levels: the intervertebral discs and the conus tip found on a sagittal T2
series, and the discs alone on a sagittal T1 series, for the reader to accept, correct or reject.

Coordinates: every point is DICOM patient LPS in mm (x to the patient's left, y posterior, z
superior) and lies on the sagittal image it names (the slice nearest the midline of the canal).
A disc's point is the posterior margin of the disc at its mid-height, where a reader clicks
(DESIGN.md, "Vertebral levels and segments"); the conus tip is the lower end of the cord on
the axis of the canal.

How: each stack is resampled on an upright 1 mm grid (:mod:`~spineviewer.assist.grid`); the
canal is the long bright CSF line that only the midline slices show, traced from top to bottom
with its anterior wall (:mod:`~spineviewer.assist.canal`); the discs are where the strip of
column in front of that wall stops looking like marrow, chosen as a chain of evenly changing
spacing (:mod:`~spineviewer.assist.discs`); the names come from an anchor when one is in the
field (:mod:`~spineviewer.assist.anchors`). Two stations of one frame of reference are merged
(a disc seen on both is proposed once). Nothing here relies on ribs.

On T1 the canal is the long dark valley between the marrow and the posterior fat
(:mod:`~spineviewer.assist.canal_t1`), the first one behind the column; the discs are the
stretches darker than the marrow, each between two bodies. T1 discs are never named (the
anchors were built on T2 and a wrong name is worse than none: the reader names one disc) and
no conus tip is proposed on T1.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from spineviewer.assist.anchors import (
    Anchor, above_c2_c3, bottom_anchor, conus_tip, sacral_remnant, top_anchor,
)
from spineviewer.assist.canal import canal_candidates, canal_score
from spineviewer.assist.canal_t1 import t1_canal_candidates, valley_score
from spineviewer.assist.discs import between_bodies, disc_signal, find_discs
from spineviewer.assist.grid import UprightGrid, is_t1, upright_grid
from spineviewer.assist.refusal import AssistCancelled, AssistRefusal, check_cancel
from spineviewer.core.disc_naming import name_by_position
from spineviewer.core.levels import VertebralLevels
from spineviewer.core.model import Stack

#: Fewest discs of a column (any sagittal spine field shows more), and fewest slices: the
#: canal is told from the subcutaneous fat by the slices on either side of the midline.
MIN_DISCS, MIN_SLICES = 4, 3
#: Two discs of two stations closer than this fraction of the local spacing are one disc.
SAME_DISC_FRACTION = 0.4
#: Slices within this distance of the midline slice are averaged for the column band, mm.
_BAND_SLAB_MM = 4.5
#: Discs closer than this to an edge of the image are left out, mm.
_EDGE_MM = 5


@dataclass(frozen=True)
class DiscProposal:
    """One proposed disc.

    Attributes
    ----------
    point : tuple of float
        LPS mm of the posterior margin of the disc at its mid-height.
    series_instance_uid, sop_instance_uid : str
        The sagittal image the point lies on (the slice nearest the midline).
    name : str or None
        ``"C2-C3"`` etc. when an anchor named the column, else None.
    score : float
        0..1: how clearly the disc stands out of the column beside it.
    """

    point: tuple[float, float, float]
    series_instance_uid: str
    sop_instance_uid: str
    name: str | None
    score: float


@dataclass(frozen=True)
class LevelProposal:
    """The discs (cranial to caudal) and the conus tip proposed for one frame of reference.

    ``anchor`` says how the column was named (``"C2-C3 below the odontoid"``), None when it
    was not and the reader names one disc; ``message`` is one sentence for the reader.
    """

    discs: tuple[DiscProposal, ...]
    conus: tuple[float, float, float] | None
    conus_sop_instance_uid: str | None
    conus_series_instance_uid: str | None
    anchor: str | None
    message: str
    #: Index into ``discs`` of the disc the anchor named (None when unnamed).
    anchor_index: int | None = None

    def levels(self, *, name: str | None = None, index: int | None = None) -> VertebralLevels:
        """Core :class:`VertebralLevels` from the proposal: named by the reader naming disc
        ``index`` as ``name`` when both are given, else by the anchor.

        Raises :class:`AssistRefusal` when neither names the column or the name does not fit.
        """
        points = [d.point for d in self.discs]
        if name is not None and index is not None:
            if not 0 <= index < len(points):
                raise AssistRefusal(f"there is no proposed disc number {index + 1}")
            anchor, anchor_name = index, name
        elif self.anchor_index is not None and self.discs[self.anchor_index].name:
            anchor, anchor_name = self.anchor_index, self.discs[self.anchor_index].name
        else:
            raise AssistRefusal("name one disc to count from")
        try:
            return VertebralLevels.from_points(points, anchor=anchor, anchor_name=anchor_name,
                                               conus_tip=self.conus)
        except ValueError as error:
            raise AssistRefusal(str(error)) from None


@dataclass(frozen=True)
class _Found:
    """The discs, anchors and conus found on one stack."""

    grid: UprightGrid
    slice: int
    points: np.ndarray
    scores: np.ndarray
    anchors: tuple[Anchor, ...]
    conus: np.ndarray | None
    distance_to_edge: np.ndarray
    conus_to_edge: float = 0.0
    t1: bool = False


def propose_levels(stacks: Sequence[Stack], *, cancel: threading.Event | None = None,
                   progress: Callable[[float], None] | None = None) -> LevelProposal:
    """Propose the discs and the conus tip on the sagittal stacks of one frame of reference.

    Parameters
    ----------
    stacks : sequence of Stack
        The stacks (stations) of a sagittal T2 or T1 series, or of several sagittal series
        sharing one frame of reference; overlapping stations are merged.
    cancel : threading.Event, optional
        Set by the reader to stop; :class:`AssistCancelled` is raised between steps.
    progress : callable, optional
        ``progress(fraction)`` with a fraction from 0 to 1.

    Raises
    ------
    AssistRefusal
        No stack, a stack that is not sagittal, or no canal and column in the field.
    """
    stacks = list(stacks)
    if not stacks:
        raise AssistRefusal("no series to propose levels on")
    frames = {s.frames[0].file.frame_of_reference_uid for s in stacks if s.frames}
    if len(frames) > 1:
        raise AssistRefusal("the stacks belong to different frames of reference; propose "
                            "levels on one sagittal series at a time")
    found: list[_Found] = []
    for i, stack in enumerate(stacks):
        check_cancel(cancel)
        volume = stack.volume(cancel=cancel)
        if volume is None:
            raise AssistCancelled("cancelled")
        check_cancel(cancel)
        result = _stack_levels(stack, volume)
        if result is not None:
            found.append(result)
        if progress is not None:
            progress((i + 1) / len(stacks))
    if not found:
        raise AssistRefusal("no spinal canal found in this series (a sagittal T2 or T1 image "
                            "showing the canal and the column in front of it is needed)")
    return _proposal(found)


def _stack_levels(stack: Stack, volume: np.ndarray) -> _Found | None:
    if len(stack.frames) < MIN_SLICES:
        raise AssistRefusal(f"the series has {len(stack.frames)} sagittal slice(s): levels need "
                            "the slices on either side of the midline too")
    t1 = bool(is_t1(stack))
    grid = upright_grid(stack, volume)
    best = None
    candidates = (t1_canal_candidates(grid, valley_score(grid)) if t1
                  else canal_candidates(grid, canal_score(grid)))
    for canal in candidates:
        near = np.abs(grid.offsets - grid.offsets[canal.slice]) <= _BAND_SLAB_MM
        slab = grid.image[near].mean(axis=0)
        signal = disc_signal(slab, canal, t1=t1)
        peaks = find_discs(signal)
        if t1:
            # On T1 the posterior elements draw valleys with a chain of their own in front:
            # the canal is the first valley behind the column, the most anterior one.
            quality = -float(np.mean(canal.wall_points()[:, 1]))
        else:
            # The canal is the candidate with a column of discs in front of it: the sum of the
            # disc signal over the chain (a vessel or a fat line has none).
            quality = sum(float(signal[int(round(p.arc))]) for p in peaks)
        if len(peaks) >= MIN_DISCS and (best is None or quality > best[0]):
            best = (quality, canal, signal, peaks, slab)
    if best is None:
        return None
    _, canal, signal, peaks, slab = best
    if t1:
        peaks = between_bodies(slab, canal, peaks, grid.inside)
    peaks = peaks[above_c2_c3(peaks):]
    remnant = sacral_remnant(peaks)
    if remnant:
        peaks = peaks[:-1]
    # A disc cut by the edge of the image is not placed: its middle is a guess.
    clear = ndi.binary_erosion(grid.inside, iterations=_EDGE_MM)
    rc = canal.wall_at(np.array([p.arc for p in peaks]))
    keep = [bool(clear[min(max(int(round(r)), 0), clear.shape[0] - 1),
                       min(max(int(round(c)), 0), clear.shape[1] - 1)]) for r, c in rc]
    peaks = [p for p, k in zip(peaks, keep) if k]
    if len(peaks) < MIN_DISCS:
        return None
    arcs = np.array([p.arc for p in peaks])
    rc = canal.wall_at(arcs)
    points = grid.to_lps(canal.slice, rc)
    anchors: tuple[Anchor, ...] = ()
    tip = None
    if not t1:
        anchors = tuple(a for a in (top_anchor(canal, signal, peaks, grid),
                                    bottom_anchor(canal, signal, peaks, grid, remnant=remnant))
                        if a is not None)
        tip = conus_tip(grid.image[canal.slice], canal, peaks)
    conus = None if tip is None else grid.to_lps(canal.slice, tip)
    rows = grid.image.shape[1] - 1
    edge = np.minimum(rc[:, 0], rows - rc[:, 0])
    tip_edge = 0.0 if tip is None else float(min(tip[0], rows - tip[0]))
    return _Found(grid, canal.slice, points, np.array([p.strength for p in peaks]), anchors,
                  conus, edge, tip_edge, t1)


def _proposal(found: list[_Found]) -> LevelProposal:
    entries = []  # (point, stack result, local index)
    for result in found:
        for j, point in enumerate(result.points):
            entries.append((point, result, j))
    entries.sort(key=lambda e: -e[0][2])
    merged: list[tuple] = []
    for entry in entries:
        if merged and _same_disc(merged, entry):
            if entry[1].distance_to_edge[entry[2]] > merged[-1][1].distance_to_edge[merged[-1][2]]:
                merged[-1] = entry
            continue
        merged.append(entry)
    points = np.array([e[0] for e in merged])
    anchor_index, anchor_name, anchor_text = _anchor(found, points)
    names: list[str | None] = [None] * len(merged)
    if anchor_index is not None:
        try:
            discs = name_by_position(points, anchor=anchor_index, anchor_name=anchor_name)
            names = [d.name for d in discs]
        except ValueError:
            anchor_index = anchor_text = None
    proposals = tuple(
        DiscProposal(tuple(float(c) for c in point), result.grid.stack.series_uid,
                     result.grid.sop_instance_uid(result.slice), name,
                     float(np.clip(result.scores[j], 0.0, 1.0)))
        for (point, result, j), name in zip(merged, names))
    conus, conus_result = _conus(found)
    message = _message(proposals, anchor_text, conus is not None,
                       t1=any(result.t1 for result in found))
    return LevelProposal(
        proposals, conus,
        None if conus_result is None else conus_result.grid.sop_instance_uid(conus_result.slice),
        None if conus_result is None else conus_result.grid.stack.series_uid,
        anchor_text, message, anchor_index)


def _same_disc(merged: list[tuple], entry: tuple) -> bool:
    last = merged[-1]
    if last[1] is entry[1]:
        return False
    if len(merged) >= 2:
        spacing = float(np.linalg.norm(merged[-1][0] - merged[-2][0]))
    else:
        spacing = 20.0
    return float(np.linalg.norm(last[0] - entry[0])) < SAME_DISC_FRACTION * spacing


def _anchor(found: list[_Found], points: np.ndarray) -> tuple[int | None, str | None, str | None]:
    """The merged disc an anchor names, its name and the anchor's description; the cranial
    anchor wins, and two anchors that disagree on the count name nothing."""
    anchors = [a for result in found for a in result.anchors]
    if not anchors:
        return None, None, None
    placed = [(int(np.argmin(np.linalg.norm(points - a.point, axis=1))), a) for a in anchors]
    placed.sort(key=lambda pa: pa[1].cranial, reverse=True)
    index, first = placed[0]
    for other_index, other in placed[1:]:
        try:
            names = name_by_position(points, anchor=index, anchor_name=first.name)
        except ValueError:
            return None, None, None
        if names[other_index].name != other.name:
            return None, None, None
    return index, first.name, first.description


def _conus(found: list[_Found]) -> tuple[tuple[float, float, float] | None, _Found | None]:
    """The conus tip of the stack that sees it farthest from its image edges."""
    with_tip = [r for r in found if r.conus is not None]
    if not with_tip:
        return None, None
    best = max(with_tip, key=lambda r: r.conus_to_edge)
    return tuple(float(c) for c in best.conus), best


def _message(discs: tuple[DiscProposal, ...], anchor: str | None, conus: bool, *,
             t1: bool = False) -> str:
    count = f"{len(discs)} disc{'s' if len(discs) != 1 else ''}"
    tip = " and the conus tip" if conus else ""
    if t1 and not anchor:
        return (f"Found {count} on a T1 series (discs are not named and the conus tip is not "
                "proposed on T1): name one disc to count from.")
    if anchor:
        return f"Found {count}{tip}, named from {anchor}: check them and accept."
    return (f"Found {count}{tip}; no anchor (odontoid or sacrum) in the field: "
            "name one disc to count from.")
