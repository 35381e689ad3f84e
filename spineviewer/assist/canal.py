"""The spinal canal on the upright grid of a sagittal T2 stack: its midline slice, its course and
its anterior wall (the posterior margin of the vertebral bodies and discs).

Conventions: arrays are ``(slice, row, col)`` on the grid of :mod:`spineviewer.assist.grid`
(1 mm steps, rows running down, columns running back). The canal axis is sampled every 1 mm of
arc length; its *anterior normal* points from the canal towards the vertebral bodies.

On T2 the canal is a long, vertical, bright line (the CSF in front of and behind the cord),
which only the slices near the midline show: the ridge response of each slice minus that of
the slices about 15 mm to either side keeps the canal and drops the subcutaneous fat, which is
as bright and as long but the same on every slice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from spineviewer.assist.grid import UprightGrid

#: Lateral distance of the slices whose ridges are subtracted, mm.
LATERAL_MM = 15.0
#: Smallest length of canal that counts as a spine in the field, mm.
MIN_CANAL_MM = 60.0
#: Smallest mean canal score (fraction of the brightest tissue) that counts as a canal.
MIN_CANAL_SCORE = 0.013
#: Half width of the band of the canal score summed across the canal, mm.
_CANAL_HALF_WIDTH = 7
#: Slices tried for the canal, and the half width cleared beside a first path, mm.
_SLICES_TRIED = 3
_BESIDE = 12


@dataclass(frozen=True, eq=False)
class Canal:
    """The canal of one stack.

    Attributes
    ----------
    slice : int
        Index of the midline slice (the one showing the canal best).
    centre : ndarray, shape (n, 2)
        Grid ``(row, col)`` of the canal axis every 1 mm of arc, cranial to caudal.
    anterior : ndarray, shape (n, 2)
        Unit anterior normal of the axis at each point, grid ``(row, col)`` components.
    wall : ndarray, shape (n,)
        Distance from the axis to the anterior wall of the canal along the anterior normal, mm.
    score : float
        Mean canal score along the axis.
    """

    slice: int
    centre: np.ndarray
    anterior: np.ndarray
    wall: np.ndarray
    score: float

    def wall_points(self) -> np.ndarray:
        """Grid ``(row, col)`` of the anterior wall, shape (n, 2)."""
        return self.centre + self.wall[:, None] * self.anterior

    def wall_at(self, arcs) -> np.ndarray:
        """Grid ``(row, col)`` of the anterior wall at fractional arc positions ``arcs`` (mm),
        shape ``(2,)`` for one position, ``(n, 2)`` for ``n``."""
        wall = self.wall_points()
        index = np.arange(len(wall))
        return np.stack([np.interp(arcs, index, wall[:, 0]), np.interp(arcs, index, wall[:, 1])],
                        axis=-1)


def canal_score(grid: UprightGrid) -> np.ndarray:
    """Bright vertical lines present near the midline only, ``(slice, row, col)``, >= 0: ridges
    1.5 mm across, the CSF on either side of the cord on T2."""
    image = grid.image
    ridge = -ndi.gaussian_filter(image, (0, 6.0, 1.5), order=(0, 0, 2))
    ridge = np.clip(ridge, 0.0, None)
    n = image.shape[0]
    step = max(1, int(round(LATERAL_MM / max(grid.slice_spacing, 0.5))))
    score = np.empty_like(ridge)
    for k in range(n):
        sides = [ridge[j] for j in (k - step, k + step) if 0 <= j < n]
        if not sides:
            sides = [ridge[0] if k > n // 2 else ridge[-1]]
        score[k] = np.clip(ridge[k] - np.maximum.reduce(sides), 0.0, None)
    return score


def canal_candidates(grid: UprightGrid, score: np.ndarray) -> list[Canal]:
    """Long bright vertical lines that may be the canal, clearest first: the best path on each
    of the slices that show the most of them, and a second path beside the first on each
    (a vessel or a fat line can outshine the canal on one slice; the discs in front of each
    candidate decide, see :mod:`spineviewer.assist.levels`)."""
    band = ndi.uniform_filter1d(score, 2 * _CANAL_HALF_WIDTH + 1, axis=2)
    strength = slice_strength(band)
    slices = [int(k) for k in np.argsort(-strength)[:_SLICES_TRIED] if strength[k] > 0]
    found = []
    for k in slices:
        plane = band[k].copy()
        for _ in range(2):
            cols = _trace(plane)
            canal = canal_along(grid, plane, k, cols)
            if canal is not None:
                found.append(canal)
            clear_beside(plane, cols, _BESIDE)
    return sorted(found, key=lambda c: -c.score)


def slice_strength(band: np.ndarray) -> np.ndarray:
    """How strongly each slice of ``band`` ``(slice, row, col)`` shows a line down its rows:
    the sum of its highest values, as many as it has rows."""
    return np.sort(band.reshape(band.shape[0], -1), axis=1)[:, -band.shape[1]:].sum(axis=1)


def clear_beside(plane: np.ndarray, cols: np.ndarray, half_width: int) -> None:
    """Zero ``plane`` within ``half_width`` columns of the traced path ``cols`` on each row
    (in place), so the next trace finds another path."""
    for r, c in enumerate(np.round(cols).astype(int)):
        plane[r, max(0, c - half_width):c + half_width + 1] = 0.0


def canal_along(grid: UprightGrid, band: np.ndarray, k: int, cols: np.ndarray, *,
                wall=None, min_score: float = MIN_CANAL_SCORE) -> Canal | None:
    """The canal along a traced path on slice ``k``, or None when shorter than
    :data:`MIN_CANAL_MM` or fainter than ``min_score`` (the path's mean in ``band``).
    ``wall(image, centre, anterior)`` finds the anterior wall (the T2 one by default)."""
    rows = np.arange(band.shape[0])
    along = band[rows, np.clip(np.round(cols).astype(int), 0, band.shape[1] - 1)]
    along = ndi.uniform_filter1d(along, 21)
    level = np.percentile(along, 90)
    if level <= 0:
        return None
    inside = along > 0.15 * level
    labels, count = ndi.label(inside)
    if count == 0:
        return None
    sizes = ndi.sum(inside, labels, range(1, count + 1))
    keep = labels == 1 + int(np.argmax(sizes))
    r0, r1 = np.nonzero(keep)[0][[0, -1]]
    mean_score = float(along[r0:r1 + 1].mean())
    if r1 - r0 < MIN_CANAL_MM or mean_score < min_score:
        return None
    centre, anterior = _arc_sample(rows[r0:r1 + 1], ndi.gaussian_filter1d(cols, 6.0)[r0:r1 + 1])
    found_wall = (wall or _anterior_wall)(grid.image[k], centre, anterior)
    return Canal(k, centre, anterior, found_wall, mean_score)


def _trace(score: np.ndarray) -> np.ndarray:
    """Column of the best path down the rows of ``score`` (at most one column of shift per
    row, a small cost per shift): dynamic programming over the whole image."""
    penalty = 0.05 * float(np.percentile(score, 99)) + 1e-9
    return best_columns(score[1:], score[0], penalty).astype(float)


def best_columns(gains: np.ndarray, initial: np.ndarray, penalty: float) -> np.ndarray:
    """Columns of the path through the rows of ``gains`` that collects the most, moving at most
    one column per row at a cost of ``penalty`` per move (dynamic programming), starting from
    the scores ``initial`` of the row before them; shape ``(len(gains) + 1,)``, the first the
    column on the row of ``initial``."""
    n, cols = gains.shape
    total = np.asarray(initial, dtype=np.float64)
    came = np.empty((n, cols), dtype=np.int8)
    for i in range(n):
        left = np.concatenate(([-np.inf], total[:-1])) - penalty
        right = np.concatenate((total[1:], [-np.inf])) - penalty
        options = np.stack([left, total, right])
        best = np.argmax(options, axis=0)
        came[i] = best - 1
        total = options[best, np.arange(cols)] + gains[i]
    path = np.empty(n + 1, dtype=int)
    c = int(np.argmax(total))
    for i in range(n - 1, -1, -1):
        path[i + 1] = c
        c = c + int(came[i, c])
    path[0] = c
    return path


def _arc_sample(rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points of the polyline ``(rows, cols)`` every 1 mm of arc and their anterior normals."""
    points = np.column_stack([rows, cols]).astype(float)
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    arc = np.concatenate(([0.0], np.cumsum(seg)))
    s = np.arange(0.0, arc[-1], 1.0)
    centre = np.column_stack([np.interp(s, arc, points[:, 0]), np.interp(s, arc, points[:, 1])])
    tangent = np.gradient(centre, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    anterior = np.column_stack([tangent[:, 1], -tangent[:, 0]])
    return centre, anterior


def sample_across(image: np.ndarray, centre: np.ndarray, direction: np.ndarray,
                  depths: np.ndarray) -> np.ndarray:
    """``image`` sampled at ``centre + depth * direction`` for each axis point and depth,
    shape ``(n, len(depths))``."""
    pts = centre[:, None, :] + depths[None, :, None] * direction[:, None, :]
    return ndi.map_coordinates(image, [pts[..., 0], pts[..., 1]], order=1, mode="nearest")


def _anterior_wall(image: np.ndarray, centre: np.ndarray, anterior: np.ndarray) -> np.ndarray:
    """Distance from the axis to the anterior wall at each axis point, mm.

    Walking forward from the axis, the wall is the steepest fall within 10 mm after the first
    bright point of the canal (CSF, then epidural fat; at least 80% of the brightest within
    15 mm): the edge from fluid to the annulus or the cortex of the body. The *first* bright
    point, because deeper bright tissue (a hydrated nucleus) lies inside the column.
    """
    depths = np.arange(-2.0, 24.0, 0.5)
    profile = sample_across(image, centre, anterior, depths)
    profile = ndi.gaussian_filter(profile, (3.0, 1.0))
    slope = np.gradient(profile, axis=1)
    wall = np.empty(len(centre))
    bright_zone = (depths >= 0.0) & (depths <= 15.0)
    for i in range(len(centre)):
        zone = np.where(bright_zone, profile[i], -np.inf)
        bright = zone >= 0.8 * zone.max()
        peaks = np.nonzero(bright[1:-1] & (zone[1:-1] >= zone[:-2]) & (zone[1:-1] >= zone[2:]))[0]
        top = int(peaks[0]) + 1 if len(peaks) else int(np.argmax(zone))
        stop = min(len(depths) - 1, top + 20)
        j = top + int(np.argmin(slope[i, top:stop + 1]))
        wall[i] = depths[j] + _vertex(slope[i], j) * 0.5
    return _steady(wall)


def _steady(wall: np.ndarray) -> np.ndarray:
    """``wall`` with its noise and its stretches that stray from their neighbourhood removed."""
    wall = ndi.median_filter(wall, 5, mode="nearest")
    # The wall of the canal is smooth along the column: a stretch that strays more than 3 mm
    # from the wall 2 cm above and below it has taken a deeper edge, and is replaced by it.
    steady = ndi.median_filter(wall, 41, mode="nearest")
    return np.where(np.abs(wall - steady) > 3.0, steady, wall)


def _vertex(values: np.ndarray, j: int) -> float:
    """Sub-sample offset of the extremum at ``j`` of ``values`` (a parabola through 3 points)."""
    if j <= 0 or j >= len(values) - 1:
        return 0.0
    a, b, c = values[j - 1], values[j], values[j + 1]
    denominator = a - 2 * b + c
    return 0.0 if denominator == 0 else float(np.clip(0.5 * (a - c) / denominator, -0.5, 0.5))
