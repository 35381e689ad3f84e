"""The spinal cord centreline on a sagittal stack, followed from one click.

Coordinates: arrays are ``(slice, row, col)``; points are DICOM patient LPS in mm. Index <-> LPS
goes through :func:`spineviewer.core.stack_geometry.stack_geometry` only. Internally the
in-plane axis that runs most nearly head-foot is called the *long* axis and the other the *AP*
axis; a stack whose columns run head-foot is transposed on the way in and out.

How the cord is found: the cord lies in the middle of the spinal canal, and on a sagittal image
the canal is a band 13-16 mm wide (CSF, cord, epidural fat) between two thin dark walls (the
posterior longitudinal ligament and cortex of the vertebral bodies in front, the ligamenta
flava and laminae behind), on T2 and on T1 alike. Each pixel gets a *band response*: the mean
of the central 8 mm across the canal less the brighter of the two walls (the darkest pixel
6.5-11 mm on either side), less half the difference between the walls (a band with one
wall is an edge, not a canal); where the cord itself is a bright band between dark CSF (T1
without epidural fat) the same measure on a 3 mm core with walls 3.5-7.5 mm away answers,
and the larger of the two counts (not on a series whose echo time says T2). Wide bright structures (vertebral bodies) have no wall within
11 mm and thin dark lines are not bright in the middle, so neither answers. The response is
taken over the sagittal slices near the click (the best slice per pixel), and the centreline is
the path through the rows, from the click's row up and down, that collects the most response
while moving at most one column per row (dynamic programming). Where the response stays below
the threshold for more than :data:`CORD_GAP_MM` the canal has left the field or ended. The cord
centre is taken as the canal centre (the cord is centred in the canal to a few mm, so its
3 x 3-pixel core still lies in the cord).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from spineviewer.assist.canal import best_columns
from spineviewer.assist.refusal import AssistRefusal, check_cancel
from spineviewer.core.model import Stack
from spineviewer.core.stack_geometry import stack_geometry

#: Half-width of the canal's middle averaged across it, mm.
CORE_HALF_MM = 4.0
#: Where the canal's walls are looked for on either side of its centre, mm.
FLANK_MM = (6.5, 11.0)
#: On T1 the cord itself is a bright band between dark CSF: its core half-width and where its
#: CSF is looked for, mm.
CORD_CORE_HALF_MM = 1.5
CORD_FLANK_MM = (3.5, 7.5)
#: On T2 the cord is looked for this far in front of and behind the canal's centre, mm.
DARK_SEARCH_MM = 3.5
#: The CSF is looked for this far on either side of the centre, mm.
CSF_MM = 7.0
#: Sagittal slices within this lateral distance of the click are searched, mm.
LATERAL_MM = 6.0
#: A cord that loses its band response for longer than this has ended, mm.
CORD_GAP_MM = 40.0
#: The cord is looked for this far in front of and behind the click, mm.
SEARCH_AP_MM = 25.0
#: Response needed, as a fraction of the image's bright level (99th percentile).
MIN_RESPONSE = 0.1


@dataclass(frozen=True, eq=False)
class Centreline:
    """The tracked cord of one stack.

    Attributes
    ----------
    index : ndarray, shape (N, 3)
        Continuous ``(slice, row, col)`` stack indices of the centreline, one per long-axis
        line from the top of the cord in the field to its bottom (head to foot).
    points : ndarray, shape (N, 3)
        The same points in LPS mm.
    signal : ndarray, shape (N,)
        Mean signal of the cord core along the centreline (signal units).
    brightest : ndarray, shape (N,)
        Brightest signal across the canal within ``CSF_MM`` of the centreline (on T2: the CSF).
    seed : int
        Position in the arrays of the line through the click.
    """

    index: np.ndarray
    points: np.ndarray
    signal: np.ndarray
    brightest: np.ndarray
    seed: int

    @property
    def arc_mm(self) -> np.ndarray:
        """Length along the centreline from its first point, mm, shape (N,)."""
        steps = np.linalg.norm(np.diff(self.points, axis=0), axis=1)
        return np.concatenate([[0.0], np.cumsum(steps)])


@dataclass(frozen=True, eq=False)
class SagittalView:
    """A stack's volume seen with the long axis as rows (a transposed view when needed)."""

    stack: Stack
    volume: np.ndarray          # (slices, long, ap) float32
    transposed: bool
    long_mm: float
    ap_mm: float
    slice_mm: float
    head_first: bool            # long index 0 is the cranial end

    def to_stack_index(self, index: np.ndarray) -> np.ndarray:
        """``(slice, long, ap)`` -> the stack's ``(slice, row, col)``."""
        index = np.asarray(index, dtype=float)
        return index[..., [0, 2, 1]] if self.transposed else index

    def from_stack_index(self, index: np.ndarray) -> np.ndarray:
        """The stack's ``(slice, row, col)`` -> ``(slice, long, ap)``."""
        return self.to_stack_index(index)

    def to_lps(self, index: np.ndarray) -> np.ndarray:
        return stack_geometry(self.stack).from_index(self.to_stack_index(index))

    def to_view_index(self, points) -> np.ndarray:
        return self.from_stack_index(stack_geometry(self.stack).to_index(points))


def sagittal_view(stack: Stack, volume: np.ndarray) -> SagittalView:
    """The stack as a :class:`SagittalView`; AssistRefusal unless its slices are sagittal."""
    geometry = stack_geometry(stack)
    if not stack.has_geometry or len(geometry) < 1:
        raise AssistRefusal("this series has no position in the patient, so the cord cannot be "
                            "followed on it")
    plane = geometry.planes[0]
    if abs(plane.normal[0]) < 0.7:
        raise AssistRefusal("the cord is followed on a sagittal series; this series is not "
                            "sagittal")
    row_si, col_si = abs(plane.column_direction[2]), abs(plane.row_direction[2])
    transposed = col_si > row_si
    data = np.asarray(volume, dtype=np.float32)
    if transposed:
        data = np.swapaxes(data, 1, 2)
    d_r, d_c = plane.spacing
    long_mm, ap_mm = (d_c, d_r) if transposed else (d_r, d_c)
    long_dir = plane.row_direction if transposed else plane.column_direction
    slice_mm = geometry.gap(0, 1.0) if len(geometry) > 1 else geometry.thickness
    return SagittalView(stack, data, transposed, float(long_mm), float(ap_mm), float(slice_mm),
                        bool(long_dir[2] < 0))


def seeded_view(stack: Stack, seed, *, cancel=None) -> tuple[SagittalView, np.ndarray]:
    """The decoded stack as a :class:`SagittalView` and the ``(slice, long, ap)`` index of the
    click ``seed`` (LPS mm); AssistRefusal when unreadable, not sagittal or clicked outside."""
    volume = stack.volume(cancel=cancel)
    check_cancel(cancel)
    if volume is None:
        raise AssistRefusal("the images of this series could not be read")
    view = sagittal_view(stack, volume)
    index = view.to_view_index(np.asarray(seed, dtype=float))
    check_inside(view, index)
    return view, index


def check_inside(view: SagittalView, index) -> None:
    """AssistRefusal unless the ``(slice, long, ap)`` index of a click lies on the images."""
    slices, rows, cols = view.volume.shape
    k, r, c = index
    if not (-0.5 <= k <= slices - 0.5 and 0 <= r <= rows - 1 and 0 <= c <= cols - 1):
        raise AssistRefusal("the click is outside the images of this series")


def band_response(image: np.ndarray, ap_mm: float, *, cord_band: bool = True) -> np.ndarray:
    """Band response of every pixel of a ``(long, ap)`` image (or a stack of them): the
    canal's, or the larger of the canal's and the cord's (:func:`_band`).

    Parameters
    ----------
    image : ndarray, shape (..., long, ap)
    ap_mm : float
        Pixel spacing across the canal, mm.
    cord_band : bool
        Also look for the cord as a bright band between dark CSF (not on T2, where the cord
        is darker than its CSF).
    """
    canal = _band(image, ap_mm, CORE_HALF_MM, FLANK_MM)
    if not cord_band:
        return canal
    return np.maximum(canal, _band(image, ap_mm, CORD_CORE_HALF_MM, CORD_FLANK_MM))


def _band(image: np.ndarray, ap_mm: float, core_mm: float, flank_mm) -> np.ndarray:
    """The mean of the central ``2 core_mm`` less the brighter of the two walls (the darkest
    pixel ``flank_mm`` away on each side), less half the difference between the walls."""
    core = max(1, int(round(core_mm / ap_mm)))
    near = max(core + 1, int(round(flank_mm[0] / ap_mm)))
    far = max(near + 1, int(round(flank_mm[1] / ap_mm)))
    centre = ndimage.uniform_filter1d(image, 2 * core + 1, axis=-1, mode="nearest")
    wall = ndimage.minimum_filter1d(image, far - near + 1, axis=-1, mode="nearest")
    shift = (near + far) // 2
    before = _shifted(wall, shift)
    after = _shifted(wall, -shift)
    return centre - np.maximum(before, after) - 0.5 * np.abs(before - after)


def _shifted(values: np.ndarray, shift: int) -> np.ndarray:
    """``out[..., c] = values[..., c - shift]``, edges repeated."""
    out = np.empty_like(values)
    if shift > 0:
        out[..., shift:] = values[..., :-shift]
        out[..., :shift] = values[..., :1]
    else:
        out[..., :shift] = values[..., -shift:]
        out[..., shift:] = values[..., -1:]
    return out


def cord_is_bright(view: SagittalView, cord: Centreline) -> bool:
    """True when the cord is not darker than its CSF (T1-like), False on T2.

    The echo time decides when the files give it (T2-weighted from 60 ms); otherwise the
    image: on T2 normal cord is about a third as bright as the CSF beside it, on T1 about half
    as bright as the epidural fat, so the lower quartile over the cord of its core signal over
    the brightest signal across the canal is compared with 0.45.
    """
    echo = view.stack.frames[0].file.protocol.get("echo_time")
    if echo is not None and echo >= 60.0:
        return False
    if echo is not None and 0.0 < echo <= 35.0:
        return True
    ratio = cord.signal / np.maximum(cord.brightest, 1e-6)
    return float(np.percentile(ratio, 25)) > 0.45


def track_cord(view: SagittalView, seed_index, *, cancel=None) -> Centreline:
    """Follow the cord through the click at ``seed_index`` (``(slice, long, ap)`` of the view).

    Raises
    ------
    AssistRefusal
        When no cord runs near the click.
    """
    n_slices, n_long, n_ap = view.volume.shape
    k0, r0, c0 = (float(v) for v in seed_index)
    ks = _lateral_slices(view, k0)
    smooth = ndimage.gaussian_filter(view.volume[ks], (0, 1.5 / view.long_mm, 0.5))
    check_cancel(cancel)
    echo = view.stack.frames[0].file.protocol.get("echo_time")
    response = band_response(smooth, view.ap_mm, cord_band=not (echo is not None and echo >= 60.0))
    best = response.max(axis=0)
    floor = MIN_RESPONSE * float(np.percentile(view.volume[int(round(k0))], 99))
    start = _cord_column(best, int(round(r0)), c0, view)
    if start is None or _near_rows_weak(best, r0, start, floor, view):
        raise AssistRefusal("no spinal cord found at the click: nothing there looks like a cord "
                            "between two bands of CSF")
    cols = _dp_path(best, int(round(r0)), start, view)
    check_cancel(cancel)
    along = best[np.arange(n_long), cols]
    first, last = _cord_ends(along, int(round(r0)), floor, view)
    if last - first + 1 < int(round(10.0 / view.long_mm)):
        raise AssistRefusal("no spinal cord found at the click: nothing there looks like a cord "
                            "between two bands of CSF")
    rows = np.arange(first, last + 1)
    weights = np.clip(response[:, rows, cols[rows]], 0.0, None)
    total = weights.sum(axis=0)
    lateral = np.where(total > 0, (weights * np.asarray(ks)[:, None]).sum(axis=0)
                       / np.where(total > 0, total, 1.0), k0)
    lateral = ndimage.gaussian_filter1d(lateral, 5.0 / view.long_mm, mode="nearest")
    index = np.column_stack([lateral, rows, cols[rows]]).astype(float)
    signal = _core_signal(view, index)
    reach = max(1, int(round(CSF_MM / view.ap_mm)))
    brightest = np.max([_core_signal(view, index + [0.0, 0.0, float(d)])
                        for d in range(-reach, reach + 1)], axis=0)
    if not view.head_first:
        index, signal, brightest = index[::-1], signal[::-1], brightest[::-1]
        rows = rows[::-1]
    points = view.to_lps(index)
    seed_at = int(np.argmin(np.abs(rows - r0)))
    return Centreline(view.to_stack_index(index), points, signal, brightest, seed_at)


def refine_dark_cord(view: SagittalView, cord: Centreline) -> Centreline:
    """The centreline moved, line by line, onto the cord within ``DARK_SEARCH_MM`` of the
    canal's centre: the 2.5 mm band most darker than the brightest signal 2.5-6 mm on its
    weaker side (on T2 the cord, oedema included, is darker than the CSF around it), smoothed
    along the cord, with its core signal read there."""
    index = view.from_stack_index(cord.index)
    k = np.clip(np.rint(index[:, 0]).astype(int), 0, view.volume.shape[0] - 1)
    rows = index[:, 1].astype(int)
    image = view.volume[k, rows]
    width = max(1, int(round(1.25 / view.ap_mm)))
    centre = ndimage.uniform_filter1d(image, 2 * width + 1, axis=-1, mode="nearest")
    near, far = width + 1, max(width + 2, int(round(6.0 / view.ap_mm)))
    flank = ndimage.maximum_filter1d(image, far - near + 1, axis=-1, mode="nearest")
    shift = (near + far) // 2
    valley = np.minimum(_shifted(flank, shift), _shifted(flank, -shift)) - centre
    reach = max(1, int(round(DARK_SEARCH_MM / view.ap_mm)))
    offsets = np.arange(-reach, reach + 1)
    cols = np.clip(np.rint(index[:, 2]).astype(int)[:, None] + offsets, 0,
                   view.volume.shape[2] - 1)
    scores = np.take_along_axis(valley, cols, axis=1)
    best = np.where(scores.max(axis=1) > 0, offsets[np.argmax(scores, axis=1)], 0)
    moved = ndimage.gaussian_filter1d(best.astype(float), 3.0 / view.long_mm, mode="nearest")
    refined = index + np.column_stack([np.zeros_like(moved), np.zeros_like(moved), moved])
    return Centreline(view.to_stack_index(refined), view.to_lps(refined),
                      _core_signal(view, refined), cord.brightest, cord.seed)


def _lateral_slices(view: SagittalView, k0: float) -> list[int]:
    reach = max(1, int(round(LATERAL_MM / max(view.slice_mm, 0.1))))
    centre = int(round(k0))
    return [k for k in range(centre - reach, centre + reach + 1) if 0 <= k < view.volume.shape[0]]


def _cord_column(best: np.ndarray, r0: int, c0: float, view: SagittalView) -> int | None:
    """The column of the cord near the click: the strongest band over 20 mm of rows."""
    n_long, n_ap = best.shape
    span = int(round(10.0 / view.long_mm))
    reach = int(round(SEARCH_AP_MM / view.ap_mm))
    rows = slice(max(0, r0 - span), min(n_long, r0 + span + 1))
    lo, hi = max(0, int(round(c0)) - reach), min(n_ap, int(round(c0)) + reach + 1)
    if hi <= lo:
        return None
    profile = np.clip(best[rows, lo:hi], 0.0, None).sum(axis=0)
    # The reader clicked on the cord: nearer bands count more (a 10 mm Gaussian).
    offset = (np.arange(lo, hi) - c0) * view.ap_mm
    return lo + int(np.argmax(profile * np.exp(-0.5 * (offset / 10.0) ** 2)))


def _near_rows_weak(best, r0, col, floor, view) -> bool:
    span = int(round(10.0 / view.long_mm))
    rows = slice(max(0, int(r0) - span), int(r0) + span + 1)
    return float(np.median(best[rows, col])) < floor


def _dp_path(best: np.ndarray, r0: int, start: int, view: SagittalView) -> np.ndarray:
    """Column of the centreline on every row: the best path from ``(r0, start)`` both ways."""
    n_long, n_ap = best.shape
    cols = np.empty(n_long, dtype=int)
    cols[r0] = start
    # A band brighter than the canal at the click earns no more than the canal: the path
    # has no reason to leave the canal for a stronger band nearby (fat, a spinous process).
    span = int(round(20.0 / view.long_mm))
    near = best[max(0, r0 - span): r0 + span + 1, start]
    cap = max(float(np.percentile(near, 75)), 1e-6)
    gain = np.clip(best, 0.0, cap)
    for step in (-1, 1):
        rows = list(range(r0 + step, n_long if step > 0 else -1, step))
        if not rows:
            continue
        score = np.full(n_ap, -np.inf)
        score[start] = 0.0
        cols[rows] = best_columns(gain[rows], score, cap)[1:]
    return cols


def _cord_ends(along: np.ndarray, r0: int, floor: float, view: SagittalView) -> tuple[int, int]:
    """First and last rows of the cord: from the click outward until a long weak stretch."""
    gap = max(2, int(round(CORD_GAP_MM / view.long_mm)))
    strong = along >= floor
    ends = []
    for step in (-1, 1):
        r, last_strong, weak = r0, r0, 0
        while 0 <= r < len(along):
            if strong[r]:
                last_strong, weak = r, 0
            else:
                weak += 1
                if weak > gap:
                    break
            r += step
        ends.append(last_strong)
    return min(ends), max(ends)


def _core_signal(view: SagittalView, index: np.ndarray) -> np.ndarray:
    """Mean signal of the central 3 x 3 pixels of the cord on the nearest slice, per line."""
    k = np.clip(np.rint(index[:, 0]).astype(int), 0, view.volume.shape[0] - 1)
    r = index[:, 1].astype(int)
    c = np.rint(index[:, 2]).astype(int)
    n_ap = view.volume.shape[2]
    values = []
    for dr in (-1, 0, 1):
        rr = np.clip(r + dr, 0, view.volume.shape[1] - 1)
        for dc in (-1, 0, 1):
            values.append(view.volume[k, rr, np.clip(c + dc, 0, n_ap - 1)])
    return np.mean(values, axis=0)
