"""Intervertebral discs along the anterior wall of the canal: where the column stops looking like
vertebral body.

Conventions: positions are arc lengths in mm along the canal axis of
:class:`spineviewer.assist.canal.Canal`, growing caudally; the *column band* is the strip of
bone and disc 1-13 mm in front of the anterior wall of the canal, averaged over the slices
within about 4 mm of the midline.

Vertebral bodies are long stretches of nearly even marrow signal; a disc interrupts them with
its dark endplates and annulus and a nucleus that is bright (a hydrated disc on T2) or dark (a
desiccated disc, or any disc on T1). The disc signal is therefore the absolute departure of
the band from its running median (the marrow), whichever its sign. Discs are then chosen as a
chain of peaks of that signal whose spacing changes smoothly from level to level, as vertebral
heights do (15-20 mm in the neck to 30-40 mm in the lumbar spine).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from scipy.signal import find_peaks

from spineviewer.assist.canal import Canal, sample_across

#: Depths in front of the wall where the column band is sampled, mm.
BAND_DEPTHS = np.arange(1.0, 10.0, 1.0)
#: Smallest marrow signal (fraction of the brightest tissue) of a vertebral body.
MIN_MARROW = 0.12
#: Smallest median disc signal of a column (a disc departs from marrow by half its signal;
#: noise alone, by about a fifth).
MIN_DISC_SIGNAL = 0.28
#: Disc-to-disc spacings that can be one level, mm.
MIN_LEVEL_MM, MAX_LEVEL_MM = 11.0, 46.0
#: Largest ratio between the spacings above and below a disc.
MAX_SPACING_RATIO = 1.5
_MARROW_SIGMA_MM = 15.0
_MARROW_WIDTH = 0.1
_T1_WINDOW_MM = 41
#: Brightness of a vertebral body beyond an end disc of a T1 chain, against the bodies within.
T1_BODY_FRACTION = 0.8


@dataclass(frozen=True)
class DiscPeak:
    """One disc found along the axis: its arc position (mm), its strength (0..1) and the
    width of its signal above half its peak (mm, the disc with its endplates)."""

    arc: float
    strength: float
    width: float


def disc_signal(image: np.ndarray, canal: Canal, *, t1: bool = False) -> np.ndarray:
    """How unlike marrow the column band is at each arc position (1 mm steps), >= 0.

    On T1 (``t1``) every disc is darker than the marrow, and only darkness counts: the
    marrow is the upper envelope of the band (:func:`t1_marrow_level`), since the cervical
    discs, a third of the column's length, would pull a most-common value down between
    disc and marrow and make the bodies stand out instead of the discs."""
    band = sample_across(image, canal.wall_points(), canal.anterior, BAND_DEPTHS)
    if t1:
        marrow = t1_marrow_level(band)
        darker = np.clip(marrow - band, 0.0, None) / np.maximum(marrow, 0.05)
        departure = np.where(marrow > MIN_MARROW, darker, 0.0).mean(axis=1)
        return ndi.gaussian_filter1d(departure, 1.5)
    marrow = marrow_level(band)
    # Where the "marrow" is as dark as air there is no column to interrupt.
    departure = np.where(marrow > MIN_MARROW, np.abs(band - marrow) / np.maximum(marrow, 0.05),
                         0.0).mean(axis=1)
    return ndi.gaussian_filter1d(departure, 1.5)


def marrow_level(band: np.ndarray) -> np.ndarray:
    """The local marrow signal of a band ``(arc, depth)``: a robust running mean that keeps to
    the most common value nearby (marrow fills most of the column's length, but a run of
    desiccated discs can fill half of it, which a running median mistakes for marrow)."""
    level = np.broadcast_to(np.median(band, axis=0), band.shape).copy()
    for _ in range(4):
        weight = np.exp(-(((band - level) / _MARROW_WIDTH) ** 2))
        total = ndi.gaussian_filter1d(weight, _MARROW_SIGMA_MM, axis=0, mode="nearest")
        level = ndi.gaussian_filter1d(weight * band, _MARROW_SIGMA_MM, axis=0,
                                      mode="nearest") / np.maximum(total, 1e-6)
    return level


def t1_marrow_level(band: np.ndarray) -> np.ndarray:
    """The local marrow signal of a T1 band ``(arc, depth)``: the 80th percentile over
    :data:`_T1_WINDOW_MM` of arc (longer than a level, so it holds a body's marrow)."""
    return ndi.gaussian_filter1d(
        ndi.percentile_filter(band, 80, size=(_T1_WINDOW_MM, 1), mode="nearest"), 3.0, axis=0)


def between_bodies(image: np.ndarray, canal: Canal, peaks: list[DiscPeak],
                   inside: np.ndarray | None = None) -> list[DiscPeak]:
    """The chain of T1 discs without its end peaks that have no vertebral body beyond them: a
    disc lies between two bodies, while the darkness where the column ends (the tip of the
    dens under the skull base, the end of the field) is no disc. A body is there when the
    band half a level beyond the peak is at least :data:`T1_BODY_FRACTION` as bright as the
    middle of the bodies between the discs of the chain. Beyond the traced canal or outside
    the image (``inside``, a mask of the image's grid points) nothing tells, and the peak is
    kept."""
    if len(peaks) < 3:
        return peaks
    band = sample_across(image, canal.wall_points(), canal.anterior, BAND_DEPTHS).mean(axis=1)
    seen = (np.ones_like(band) if inside is None else sample_across(
        inside.astype(np.float32), canal.wall_points(), canal.anterior, BAND_DEPTHS).min(axis=1))
    arcs = np.array([p.arc for p in peaks])

    def brightness(lo: float, hi: float) -> float:
        if lo < 0 or hi > len(band) - 1:
            return np.inf
        stretch = slice(int(round(lo)), int(round(hi)) + 1)
        if seen[stretch].min() < 0.99:
            return np.inf
        return float(band[stretch].mean())

    middles = [brightness(a + 0.35 * (b - a), b - 0.35 * (b - a)) for a, b in zip(arcs, arcs[1:])]
    body = float(np.median(middles))
    first, last = 0, len(peaks)
    while last - first >= 3:
        gap = arcs[first + 1] - arcs[first]
        if brightness(arcs[first] - 0.65 * gap, arcs[first] - 0.35 * gap) >= T1_BODY_FRACTION * body:
            break
        first += 1
    while last - first >= 3:
        gap = arcs[last - 1] - arcs[last - 2]
        if brightness(arcs[last - 1] + 0.35 * gap, arcs[last - 1] + 0.65 * gap) >= T1_BODY_FRACTION * body:
            break
        last -= 1
    return peaks[first:last]


def find_discs(signal: np.ndarray) -> list[DiscPeak]:
    """The most plausible chain of discs in a disc signal (cranial to caudal); empty when
    the chain is too faint to be a column (:data:`MIN_DISC_SIGNAL`)."""
    if len(signal) < MIN_LEVEL_MM:
        return []
    scale = float(np.percentile(signal, 95))
    if scale <= 0:
        return []
    peaks, props = find_peaks(signal, distance=7, prominence=0.08 * scale)
    if len(peaks) == 0:
        return []
    heights = signal[peaks]
    # A disc counts in the chain by how much it stands out of the typical strong peak.
    reference = float(np.median(np.sort(heights)[-max(1, len(heights) // 2):]))
    gain = heights / reference - 0.3
    found = [_centre(signal, int(p)) for p in peaks]
    centres = np.array([c for c, _ in found])
    chain = _best_chain(centres, gain)
    if not chain or float(np.median(heights[chain])) < MIN_DISC_SIGNAL:
        return []
    return [DiscPeak(float(centres[i]), float(min(1.0, heights[i] / reference)),
                     float(found[i][1])) for i in chain]


def _best_chain(arc: np.ndarray, gain: np.ndarray) -> list[int]:
    """Indices of the chain of peaks with the largest total gain whose consecutive spacings
    are one level each and change smoothly (dynamic programming over the last two peaks)."""
    n = len(arc)
    best = np.full((n, n), -np.inf)
    back = np.full((n, n), -1, dtype=int)
    max_log = np.log(MAX_SPACING_RATIO)
    for j in range(n):
        for i in range(j):
            gap = arc[j] - arc[i]
            if not MIN_LEVEL_MM <= gap <= MAX_LEVEL_MM:
                continue
            value, came = gain[i] + gain[j], -1
            for h in range(i):
                if best[h, i] == -np.inf:
                    continue
                change = abs(np.log(gap / (arc[i] - arc[h])))
                if change > max_log:
                    continue
                candidate = best[h, i] + gain[j] - 4.0 * change
                if candidate > value:
                    value, came = candidate, h
            best[i, j], back[i, j] = value, came
    if not np.isfinite(best).any():
        return [int(np.argmax(gain))] if gain.max() > 0 else []
    i, j = np.unravel_index(int(np.argmax(best)), best.shape)
    chain = [int(j), int(i)]
    while back[chain[-1], chain[-2]] >= 0:
        chain.append(int(back[chain[-1], chain[-2]]))
    return chain[::-1]


def _centre(signal: np.ndarray, j: int) -> tuple[float, float]:
    """Arc of the middle of the disc whose peak is at ``j`` and its width, mm: the centroid of
    the signal above half the peak (a desiccated disc peaks off centre, on its darkest
    endplate) and the length of that stretch."""
    half = 0.5 * signal[j]
    lo = hi = j
    while lo > 0 and j - lo < 9 and signal[lo - 1] > half:
        lo -= 1
    while hi < len(signal) - 1 and hi - j < 9 and signal[hi + 1] > half:
        hi += 1
    weights = signal[lo:hi + 1] - half
    centre = float(np.sum(weights * np.arange(lo, hi + 1)) / max(float(weights.sum()), 1e-9))
    return centre, float(hi - lo + 1)
