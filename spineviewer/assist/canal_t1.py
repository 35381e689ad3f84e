"""The spinal canal on the upright grid of a sagittal T1 stack.

Conventions as :mod:`spineviewer.assist.canal` (grid ``(slice, row, col)``, 1 mm steps, rows
running down, columns running back; the axis sampled every 1 mm of arc).

On T1 the CSF is dark and thin, the cord intermediate, the marrow in front of the canal and the
epidural fat and posterior elements behind it bright: the whole canal is a long valley about
15 mm across, which the slices 15 mm to either side (pedicles, foramina, facets) do not show.
Several valleys are traced on the middle slice of those that show one best (the prevertebral
tissue and the posterior elements make valleys too; the discs in front of each decide, see
:mod:`spineviewer.assist.levels`), and the anterior wall of each is found walking forward from
its axis through the cord: the first dark point (the CSF in front of the cord), then the
steepest rise after it (to the annulus of a disc, or to the marrow behind the thin cortex).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from spineviewer.assist.canal import (
    LATERAL_MM, Canal, _steady, _trace, _vertex, canal_along, clear_beside, sample_across,
    slice_strength,
)
from spineviewer.assist.grid import UprightGrid

#: Half width of the valley across the canal, mm (a Gaussian's sigma).
VALLEY_SIGMA_MM = 5.0
#: Fraction of the strongest slice's valley strength that a slice showing the canal reaches.
RUN_LEVEL = 0.6
#: Valleys traced on the midline slice, and the half width cleared beside each, mm.
PATHS, BESIDE_MM = 6, 8
_BAND = 2


def valley_score(grid: UprightGrid) -> np.ndarray:
    """Long vertical valleys about 15 mm across present near the midline only,
    ``(slice, row, col)``, >= 0; 0 on slices without a slice 15 mm away on both sides (the
    midline lies inside a sagittal block, not at its edge)."""
    image = grid.image
    sigma = VALLEY_SIGMA_MM
    valley = np.clip(ndi.gaussian_filter(image, (0, 6.0, sigma), order=(0, 0, 2)), 0.0,
                     None) * sigma ** 2
    n = image.shape[0]
    step = max(1, int(round(LATERAL_MM / max(grid.slice_spacing, 0.5))))
    score = np.zeros_like(valley)
    for k in range(step, n - step):
        score[k] = np.clip(valley[k] - np.maximum(valley[k - step], valley[k + step]), 0.0, None)
    return score


def t1_canal_candidates(grid: UprightGrid, score: np.ndarray) -> list[Canal]:
    """Valleys that may be the canal, on the middle slice of those that show one best."""
    band = ndi.uniform_filter1d(score, 2 * _BAND + 1, axis=2)
    strength = slice_strength(band)
    if strength.max() <= 0:
        return []
    k = middle_slice(strength)
    plane = band[k].copy()
    found = []
    for _ in range(PATHS):
        if plane.max() <= 0:
            break
        cols = _trace(plane)
        # No score floor on T1: the valley's depth varies with the sequence; the disc chain judges.
        canal = canal_along(grid, plane, k, cols, wall=anterior_wall, min_score=-np.inf)
        if canal is not None:
            found.append(canal)
        clear_beside(plane, cols, BESIDE_MM)
    return found


def middle_slice(strength: np.ndarray) -> int:
    """The slice in the middle of the run of slices around the strongest that reach
    :data:`RUN_LEVEL` of it (weighted by strength)."""
    top = int(np.argmax(strength))
    strong = strength >= RUN_LEVEL * strength[top]
    lo = hi = top
    while lo > 0 and strong[lo - 1]:
        lo -= 1
    while hi < len(strength) - 1 and strong[hi + 1]:
        hi += 1
    weights = strength[lo:hi + 1]
    return int(round(float(np.sum(weights * np.arange(lo, hi + 1)) / float(weights.sum()))))


def anterior_wall(image: np.ndarray, centre: np.ndarray, anterior: np.ndarray) -> np.ndarray:
    """Distance from the axis to the anterior wall on T1 at each axis point, mm: walking
    forward from the axis, the first dark point within 12 mm (at most 40% of the way from the
    darkest to the brightest there), then the steepest rise within 8 mm after it."""
    depths = np.arange(-2.0, 24.0, 0.5)
    profile = ndi.gaussian_filter(sample_across(image, centre, anterior, depths), (3.0, 1.0))
    slope = np.gradient(profile, axis=1)
    zone = (depths >= 0.0) & (depths <= 12.0)
    wall = np.empty(len(centre))
    for i in range(len(centre)):
        values = np.where(zone, profile[i], np.inf)
        low, high = float(values.min()), float(profile[i][zone].max())
        dark = values <= low + 0.4 * max(high - low, 1e-6)
        troughs = np.nonzero(dark[1:-1] & (values[1:-1] <= values[:-2])
                             & (values[1:-1] <= values[2:]))[0]
        bottom = int(troughs[0]) + 1 if len(troughs) else int(np.argmin(values))
        stop = min(len(depths) - 1, bottom + 16)
        j = bottom + int(np.argmax(slope[i, bottom:stop + 1]))
        wall[i] = depths[j] + _vertex(slope[i], j) * 0.5
    return _steady(wall)
