"""Anchors that name the column, and the conus tip, on the canal of one sagittal stack.

Conventions: arc positions are mm along the canal axis of :class:`~spineviewer.assist.canal.Canal`
(growing caudally); grid ``(row, col)`` points are on the upright 1 mm grid of
:mod:`spineviewer.assist.grid`; anchor points are LPS mm.

- C2-C3 (cranial anchor): the first disc of a cervical column (level spacing under 24 mm) with
  a long stretch of canal above it and no disc there: the C2 body with the odontoid, then the
  skull base. A missed C2-C3 would name C3-C4 as C2-C3, so a disc-like peak where the next
  disc up would be refuses the anchor, unless it is faint (under 0.65 of the discs): the line
  where the odontoid meets the C2 body, which is not proposed as a disc either, no more than
  a peak over 1.6 times as wide as the discs (the atlas and the skull base).
- L5-S1 (caudal anchor): the last disc of a lumbar column (spacing over 25 mm) above the
  sacrum, recognised by the thin remnant of the S1-S2 disc one level below it (far narrower
  than the lumbar discs, and not proposed as a disc), or by the thecal sac ending within two
  levels below it while the image goes on (the sac ends at S2). A lumbar field cut above both
  is left unnamed.
- Conus tip: the lowest point of the axis where the canal still holds a cord (dark on T2 between
  bright CSF), with CSF without a cord below it for at least 20 mm, at a level whose height
  is thoracolumbar (25 mm or more): edema or a cystic lesion ending in a cervical or upper
  thoracic field is not a conus.
Ribs are not used: the last rib-bearing level is unreliable on MRI.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from spineviewer.assist.canal import Canal, sample_across
from spineviewer.assist.discs import DiscPeak
from spineviewer.assist.grid import UprightGrid

_CERVICAL_MAX_SPACING = 24.0
_LUMBAR_MIN_SPACING = 25.0
#: A last lumbar disc narrower than this fraction of the discs above it is the S1-S2 remnant.
_REMNANT_WIDTH = 0.65
#: A first cervical disc fainter than this fraction of the discs below is the dens junction.
_FAINT = 0.65
#: A first cervical peak wider than this multiple of the discs below is the atlas and skull base.
_WIDE = 1.6
#: Canal below a conus tip, and the smallest level height at a conus tip, mm.
_SAC_BELOW_MM = 20
_CONUS_MIN_SPACING = 25.0
#: CSF fainter than this fraction of the canal's median has ended (the end of the sac).
_CSF_FADED = 0.7


@dataclass(frozen=True)
class Anchor:
    """A disc named by anatomy: its name, its LPS point and how it was recognised."""

    name: str
    point: np.ndarray
    description: str
    cranial: bool


def _spacing(peaks: list[DiscPeak], end: int) -> float:
    arcs = np.array([p.arc for p in peaks])
    gaps = np.diff(arcs)
    return float(np.median(gaps[:2] if end == 0 else gaps[-2:]))


def top_anchor(canal: Canal, signal: np.ndarray, peaks: list[DiscPeak],
               grid: UprightGrid) -> Anchor | None:
    """C2-C3 when the first disc is the top of a cervical column below the skull base."""
    if len(peaks) < 3:
        return None
    gap = _spacing(peaks, 0)
    first = peaks[0].arc
    if gap > _CERVICAL_MAX_SPACING or first < 2.2 * gap:
        return None
    window = signal[max(0, int(first - 1.4 * gap)):max(1, int(first - 0.6 * gap))]
    typical = float(np.median([signal[int(p.arc)] for p in peaks]))
    if window.size and window.max() > _FAINT * typical:
        return None
    point = _point(canal, first, grid)
    return Anchor("C2-C3", point, "C2-C3 below the odontoid", True)


def above_c2_c3(peaks: list[DiscPeak]) -> int:
    """How many of the first peaks of a cervical column lie above C2-C3 and are no discs: the
    faint line where the odontoid meets the body of C2 (the remnant of their synchondrosis,
    under :data:`_FAINT` of the strength of the discs below) and, above it, the atlas and the
    skull base (a peak over :data:`_WIDE` times as wide as the discs). The first two peaks are
    compared with the discs below them; the second is left out only with the first."""
    if len(peaks) < 5:
        return 0
    below = peaks[2:6]
    if _spacing(below, 0) > _CERVICAL_MAX_SPACING:
        return 0
    strength = float(np.median([p.strength for p in below]))
    width = float(np.median([p.width for p in below]))
    unlike = [p.strength < _FAINT * strength or p.width > _WIDE * width for p in peaks[:2]]
    # A faint second peak under a disc-like first one is a faint disc, and both are kept.
    if not unlike[0]:
        return 0
    return 2 if unlike[1] else 1


def sacral_remnant(peaks: list[DiscPeak]) -> bool:
    """True when the last disc of a lumbar column is the thin remnant between S1 and S2: under
    :data:`_REMNANT_WIDTH` of the width of the discs above it."""
    if len(peaks) < 4 or _spacing(peaks[:-1], -1) < _LUMBAR_MIN_SPACING:
        return False
    above = float(np.median([p.width for p in peaks[-4:-1]]))
    return peaks[-1].width < _REMNANT_WIDTH * above


def bottom_anchor(canal: Canal, signal: np.ndarray, peaks: list[DiscPeak],
                  grid: UprightGrid, *, remnant: bool = False) -> Anchor | None:
    """L5-S1 when the last disc is the bottom of a lumbar column above the end of the sac, or
    above the sacral remnant (``remnant``, already taken off ``peaks``)."""
    if len(peaks) < 3:
        return None
    if remnant:
        return Anchor("L5-S1", _point(canal, peaks[-1].arc, grid), "L5-S1 above the sacrum",
                      False)
    gap = _spacing(peaks, -1)
    last = peaks[-1].arc
    end = len(canal.centre) - 1
    if gap < _LUMBAR_MIN_SPACING or end - last > 2.0 * gap or end - last < 0.6 * gap:
        return None
    # The sac must end inside the image, not at its lower edge: the image goes on 25 mm below.
    rows, cols = grid.inside.shape
    for distance in (5.0, 15.0, 25.0):
        r, c = np.round(canal.centre[-1] + distance * _tangent(canal)).astype(int)
        if not (0 <= r < rows and 0 <= c < cols and grid.inside[r, c]):
            return None
    point = _point(canal, last, grid)
    return Anchor("L5-S1", point, "L5-S1 above the sacrum", False)


def _tangent(canal: Canal) -> np.ndarray:
    step = canal.centre[-1] - canal.centre[-6]
    return step / max(float(np.linalg.norm(step)), 1e-6)


def _point(canal: Canal, arc: float, grid: UprightGrid) -> np.ndarray:
    return grid.to_lps(canal.slice, canal.wall_at(arc))


def conus_tip(image: np.ndarray, canal: Canal, peaks: list[DiscPeak]) -> np.ndarray | None:
    """Grid ``(row, col)`` of the conus tip on the midline ``image``, or None when the field
    does not show the cord ending in CSF.

    Just behind the anterior wall of the canal lies CSF, the brightest tissue on T2; the canal
    2-10 mm behind the wall is darker than that CSF where it holds the cord (even an
    edematous one) and nearly as bright below the conus, where only the thin roots of the cauda
    equina cross it. The tip is the strongest step from dark to bright along the canal,
    placed where the signal reaches the level of the sac below (the conus tapers).
    """
    depths = -np.arange(0.0, 10.5, 0.5)
    across = sample_across(image, canal.wall_points(), canal.anterior, depths)
    # Smoothed across too, so the brightest CSF sample is not a noise peak; the median behind
    # it ignores the thin roots of the cauda equina, not the cord that fills the canal.
    across = ndi.gaussian_filter(across, (2.0, 2.0))
    csf = across[:, depths >= -5.0].max(axis=1)
    interior = np.median(across[:, depths <= -2.0], axis=1)
    ratio = np.clip(interior / np.maximum(csf, 1e-3), 0.0, 1.0)
    # Below the end of the sac (or past the edge of the image) there is no bright CSF to
    # compare with: the search stops where the CSF fades for 5 mm.
    faded = ndi.binary_opening(csf < _CSF_FADED * float(np.median(csf)), np.ones(5, bool))
    ends = np.nonzero(faded[len(faded) // 2:])[0]
    if len(ends):
        ratio = ratio[:len(faded) // 2 + int(ends[0])]
    n = len(ratio)
    span = 25
    if n < 2 * span + 10:
        return None
    cumulative = np.concatenate(([0.0], np.cumsum(ratio)))
    arcs = np.arange(span, n - _SAC_BELOW_MM)
    above = (cumulative[arcs] - cumulative[arcs - span]) / span
    stop = np.minimum(arcs + span, n)
    below = (cumulative[stop] - cumulative[arcs]) / (stop - arcs)
    step = below - above
    # The conus is the lowest rise to the level of the sac that the canal keeps to its end
    # (an edematous stretch of cord above it rises too, then falls back).
    rises = [i for i in range(len(arcs))
             if step[i] >= 0.1 and below[i] >= 0.8 and above[i] <= 0.8
             and step[i] == step[max(0, i - 5):i + 6].max()
             and np.mean(ratio[arcs[i]:] > 0.5 * (above[i] + below[i])) >= 0.8]
    if not rises:
        return None
    s = int(arcs[rises[-1]])
    # The conus tapers: the tip is where the signal reaches the plateau of the sac below.
    plateau = float(np.percentile(ratio[s:s + span], 75))
    floor = float(ratio[max(0, s - span):s + 1].min())
    level = floor + 0.95 * (plateau - floor)
    start = max(0, s - span) + int(np.argmin(ratio[max(0, s - span):s + 1]))
    reached = np.nonzero(ratio[start:] >= level)[0]
    last = start + int(reached[0]) if len(reached) else s
    if _spacing_at(peaks, last) < _CONUS_MIN_SPACING:
        return None
    return canal.centre[last]


def _spacing_at(peaks: list[DiscPeak], arc: float) -> float:
    """Disc-to-disc spacing of the level holding ``arc`` (the nearest gap beyond the ends)."""
    arcs = np.array([p.arc for p in peaks])
    gaps = np.diff(arcs)
    i = int(np.clip(np.searchsorted(arcs, arc) - 1, 0, len(gaps) - 1))
    return float(gaps[i])
