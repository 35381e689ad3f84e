"""Proposed cord T2 extent: from one click, the path along the cord from the top to the bottom
of the T2 hyperintensity.

Coordinates: points are DICOM patient LPS in mm; arrays are ``(slice, row, col)``.

How it works (:func:`propose_t2_extent`):

1. the spinal canal is followed through the sagittal slices from the click
   (:func:`spineviewer.assist.centreline.track_cord`), and on each line the centreline is
   moved onto the cord, the darkest band within 3.5 mm of the canal's centre (on T2 the cord,
   oedema included, is darker than its CSF);
2. the signal of the cord core is sampled along it; the *normal* cord signal is the median of
   the lower of two classes (Otsu) of that profile, re-estimated from the cord more than
   :data:`AWAY_MM` outside the finding once it is known;
3. the hyperintensity is where the core signal is above ``normal + half the contrast`` between
   normal cord and the abnormal signal at (or nearest to) the click: the half-height edge, which
   falls on the true edge of a sharp boundary whatever the partial volume. Stretches darker
   than normal cord (a T2-hypointense tumour inside the oedema) or as bright as the CSF
   beside them (a cyst) do not interrupt it, but the extent starts and ends on hyperintense
   cord, so the CSF below the conus tip is not taken for oedema;
4. the centreline between the two ends, sampled every :data:`PATH_STEP_MM` at most, is projected
   onto the one sagittal image nearest its middle, as a reader draws a core ``CordPath``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage
from skimage.filters import threshold_otsu

from spineviewer.assist.centreline import (
    Centreline, cord_is_bright, refine_dark_cord, seeded_view, track_cord,
)
from spineviewer.assist.refusal import AssistRefusal, report_progress
from spineviewer.core.drawings import Point
from spineviewer.core.model import Stack
from spineviewer.core.stack_geometry import slice_plane, stack_geometry

#: Largest step between two vertices of the proposed path, mm along the cord.
PATH_STEP_MM = 2.0
#: Normal cord is measured at least this far outside the hyperintensity, mm.
AWAY_MM = 10.0
#: Where the click lies outside the hyperintensity, it is looked for this far along the cord, mm.
REACH_MM = 20.0
#: The canal's middle is fluid (no cord, a cyst) where its signal reaches this fraction of the
#: brightest signal across the canal.
FLUID_RATIO = 0.8
#: Darker than normal cord by this fraction of the hyperintensity's contrast is hypointense
#: (a dark tumour inside its oedema).
HYPO_FRACTION = 0.25
#: Shorter stretches of normal-looking signal inside a finding are bridged (noise, the partial
#: volume between a dark tumour and its oedema), mm.
BRIDGE_MM = 3.0
#: Oedema ends where the signal rises by this fraction of the way from the oedema's level to
#: the CSF's for at least 5 mm (the sac below the conus tip).
SAC_FRACTION = 0.2
#: Contrast needed between the hyperintensity and normal cord, as a fraction of normal signal.
MIN_CONTRAST = 0.2


@dataclass(frozen=True, eq=False)
class T2Proposal:
    """A proposed cord T2 extent.

    Attributes
    ----------
    path : tuple of Point
        LPS mm along the cord centreline, top to bottom of the hyperintensity, projected onto
        one sagittal image (``sop_instance_uid``), vertices at most :data:`PATH_STEP_MM` apart.
    series_instance_uid, sop_instance_uid : str
        The image the path lies on.
    top, bottom : Point
        The path's ends, LPS mm.
    centreline : ndarray, shape (N, 3)
        The cord centreline over the field, head to foot, LPS mm (not projected).
    normal_signal, threshold : float
        Normal cord core signal and the half-height threshold, signal units.
    message : str
        One sentence for the reader.
    """

    path: tuple[Point, ...]
    series_instance_uid: str
    sop_instance_uid: str
    top: Point
    bottom: Point
    centreline: np.ndarray
    normal_signal: float
    threshold: float
    message: str

    @property
    def length_mm(self) -> float:
        """Length along the path, mm."""
        return float(np.sum(np.linalg.norm(np.diff(np.asarray(self.path), axis=0), axis=1)))


def propose_t2_extent(stack: Stack, seed: Point, *, cancel=None, progress=None) -> T2Proposal:
    """Propose the cord T2 hyperintensity through a click, as a path along the cord.

    Parameters
    ----------
    stack : Stack
        A sagittal T2-weighted stack.
    seed : Point
        A click inside the hyperintensity (or inside the lesion it surrounds), LPS mm.
    cancel : threading.Event, optional
        Set to stop (raises AssistCancelled).
    progress : callable, optional
        ``progress(done, total)``.

    Raises
    ------
    AssistRefusal
        When the series is not sagittal, no cord runs at the click, the cord is brighter than
        its CSF (not T2-weighted), or no hyperintensity is found at the click.
    """
    report_progress(progress, 0)
    view, seed_index = seeded_view(stack, seed, cancel=cancel)
    report_progress(progress, 1)
    cord = track_cord(view, seed_index, cancel=cancel)
    if cord_is_bright(view, cord):
        raise AssistRefusal("the cord is brighter than its CSF on this series (T1-weighted?): "
                            "propose the T2 extent on a sagittal T2-weighted series")
    cord = refine_dark_cord(view, cord)
    report_progress(progress, 2)
    first, last, normal, threshold = hyperintensity(cord)
    path, image = _projected_path(stack, cord, first, last)
    report_progress(progress, 3)
    points = tuple(tuple(float(v) for v in p) for p in path)
    proposal = T2Proposal(
        path=points, series_instance_uid=stack.series_uid,
        sop_instance_uid=stack.frames[image].file.sop_instance_uid, top=points[0],
        bottom=points[-1], centreline=cord.points, normal_signal=normal, threshold=threshold,
        message="")
    return replace(proposal, message=(
        f"T2 hyperintensity along the cord: {proposal.length_mm:.0f} mm (signal above "
        f"{threshold:.0f}; normal cord {normal:.0f})"))


def hyperintensity(cord: Centreline) -> tuple[float, float, float, float]:
    """The hyperintense stretch of the cord through the click.

    Returns
    -------
    first, last : float
        Continuous positions (in centreline samples) of its top and bottom edges.
    normal, threshold : float
        Normal cord signal and the half-height threshold.
    """
    signal = cord.signal
    step = float(np.median(np.diff(cord.arc_mm))) if len(signal) > 1 else 1.0
    ratio = ndimage.median_filter(signal / np.maximum(cord.brightest, 1e-6),
                                  max(1, int(round(5.0 / step))), mode="nearest")
    fluid = ratio >= FLUID_RATIO
    normal = _normal_signal(signal[~fluid] if np.count_nonzero(~fluid) >= 4 else signal)
    level = _abnormal_level(signal, cord.seed, normal, step)
    for _ in range(2):
        threshold = normal + 0.5 * (level - normal)
        first, last = _run(signal, cord.seed, normal, threshold, fluid, step)
        away = max(1, int(round(AWAY_MM / step)))
        keep = ~fluid
        keep[max(0, first - away): last + away + 1] = False
        if np.count_nonzero(keep) >= max(4, int(round(10.0 / step))):
            normal = _normal_signal(signal[keep])
        run = signal[first:last + 1]
        level = float(np.median(run[(run > threshold) & ~fluid[first:last + 1]]))
    threshold = normal + 0.5 * (level - normal)
    if level - normal < MIN_CONTRAST * max(normal, 1.0):
        raise AssistRefusal("no T2 hyperintensity at the click: the cord there is no brighter "
                            "than the rest of the cord")
    first, last = _run(signal, cord.seed, normal, threshold, fluid, step)
    upper = level + SAC_FRACTION * (float(np.percentile(cord.brightest, 90)) - level)
    first, last = _trim_brighter_ends(signal, first, last, cord.seed, upper, step)
    return (_edge(signal, first, -1, threshold), _edge(signal, last, 1, threshold),
            normal, threshold)


def _trim_brighter_ends(signal, first: int, last: int, seed: int, upper: float,
                        step: float) -> tuple[int, int]:
    """Cut from either end of the extent the part whose signal is above ``upper`` (median of
    the part, and of its first 5 mm), clear of the click: the fluid of the sac below the conus
    tip (or a cistern above the cord) is brighter than oedema."""
    least = max(2, int(round(5.0 / step)))
    for j in range(max(first, seed + 1), last - least + 2):
        if np.median(signal[j:j + least]) > upper and np.median(signal[j:last + 1]) > upper:
            last = j - 1
            break
    for j in range(min(last, seed - 1), first + least - 2, -1):
        if (np.median(signal[j - least + 1:j + 1]) > upper
                and np.median(signal[first:j + 1]) > upper):
            first = j + 1
            break
    return first, last


def _normal_signal(signal: np.ndarray) -> float:
    """Median of the lower Otsu class of the core-signal profile."""
    if signal.size < 4 or np.ptp(signal) == 0:
        return float(np.median(signal))
    split = threshold_otsu(signal)
    return float(np.median(signal[signal <= split]))


def _abnormal_level(signal, seed: int, normal: float, step: float) -> float:
    """Signal of the hyperintensity at the click, or of the nearest one within REACH_MM."""
    reach = max(1, int(round(REACH_MM / step)))
    lo, hi = max(0, seed - reach), min(len(signal), seed + reach + 1)
    near = signal[lo:hi]
    here = float(np.median(signal[max(0, seed - 1): seed + 2]))
    peak = float(np.percentile(near, 90))
    level = here if here > normal + 0.5 * (peak - normal) else peak
    if level - normal < MIN_CONTRAST * max(normal, 1.0):
        raise AssistRefusal("no T2 hyperintensity at the click: the cord there is no brighter "
                            "than the rest of the cord")
    return level


def _run(signal, seed: int, normal: float, threshold: float, fluid: np.ndarray,
         step: float) -> tuple[int, int]:
    """First and last hyperintense samples of the abnormal stretch through (or next to) the click.

    Abnormal is hyperintense, clearly hypointense (a dark tumour in the oedema) or as bright as
    CSF (a cyst; the CSF below the conus); gaps of one normal sample are bridged (noise); the
    ends are trimmed back to hyperintense samples darker than CSF.
    """
    hyper = (signal > threshold) & ~fluid
    hypo = signal < normal - HYPO_FRACTION * 2.0 * (threshold - normal)
    abnormal = _bridge(hyper | hypo | fluid, max(1, int(round(BRIDGE_MM / step))))
    if not abnormal[seed] or not np.any(hyper[_segment(abnormal, seed)]):
        reach = max(1, int(round(REACH_MM / step)))
        candidates = np.flatnonzero(hyper)
        candidates = candidates[np.abs(candidates - seed) <= reach]
        if candidates.size == 0:
            raise AssistRefusal("no T2 hyperintensity at the click: the cord there is no "
                                "brighter than the rest of the cord")
        seed = int(candidates[np.argmin(np.abs(candidates - seed))])
    run = _segment(abnormal, seed)
    inside = np.flatnonzero(hyper[run]) + run.start
    return int(inside[0]), int(inside[-1])


def _bridge(flags: np.ndarray, gap: int) -> np.ndarray:
    """Fill runs of at most ``gap`` False values between True values in a 1-D profile."""
    out = flags.copy()
    true = np.flatnonzero(flags)
    for a, b in zip(true[:-1], true[1:]):
        if 1 < b - a <= gap + 1:
            out[a + 1:b] = True
    return out


def _segment(flags: np.ndarray, at: int) -> slice:
    """The run of True values containing position ``at``."""
    start = at
    while start > 0 and flags[start - 1]:
        start -= 1
    stop = at
    while stop + 1 < len(flags) and flags[stop + 1]:
        stop += 1
    return slice(start, stop + 1)


def _edge(signal, i: int, step: int, threshold: float) -> float:
    """Sub-sample position of the threshold crossing between sample ``i`` and its outer
    neighbour (the half-height edge)."""
    j = i + step
    if not 0 <= j < len(signal):
        return float(i)
    inner, outer = float(signal[i]), float(signal[j])
    if inner == outer:
        return float(i)
    fraction = np.clip((inner - threshold) / (inner - outer), 0.0, 1.0)
    return float(i + step * fraction)


def _projected_path(stack: Stack, cord: Centreline, first: float, last: float):
    """The centreline from ``first`` to ``last`` every PATH_STEP_MM at most, on one image."""
    arc = cord.arc_mm
    a0 = float(np.interp(first, np.arange(len(arc)), arc))
    a1 = float(np.interp(last, np.arange(len(arc)), arc))
    steps = max(1, math.ceil((a1 - a0) / PATH_STEP_MM))
    along = np.linspace(a0, a1, steps + 1)
    points = np.column_stack([np.interp(along, arc, cord.points[:, i]) for i in range(3)])
    image = stack_geometry(stack).nearest(points.mean(axis=0))
    plane = slice_plane(stack, image)
    projected = points - plane.distance(points)[:, None] * plane.normal
    return projected, image
