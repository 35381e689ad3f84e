"""Naming disc markers by their position along the spine, counting from one named disc.

The reader names one disc (the *anchor*); every other disc is named by how many levels lie
between it and the anchor. Discs need not be clicked in order or without gaps: walking outward
from the anchor, a gap between consecutive discs counts the levels whose heights add up to it
(to the nearest level, at least one). Level heights are a typical adult table
(:data:`TYPICAL_LEVEL_HEIGHT_MM`, 18 mm in the neck to 36 mm in the lumbar spine) scaled to this
spine by the median ratio of the gaps that span one level, so a disc clicked two spacings below
its neighbour skips one name, and a small or tall patient is counted at their own scale.

With only two discs nothing measures the scale and the typical heights count alone; a gap
counted as more than one level that way is reported by :func:`spacing_warnings`, as is any gap
whose per-level spacing is implausible beside its neighbours'.

Coordinates: points are DICOM LPS mm; discs are ordered cranial to caudal by z (superior first),
which holds along the whole spine of a patient lying in the scanner.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spineviewer.core.levels import LEVEL_NAMES, Disc, VertebralLevels, parse_disc_name

#: A gap whose per-level spacing is outside these multiples of its neighbours' is implausible.
PLAUSIBLE_SPACING = (0.6, 1.6)

#: A new disc closer than this fraction of the measured local level height to a marked one is the
#: same disc (clicked again, for instance on the other sagittal station); with one disc marked,
#: nothing is measured and a smaller fraction of the typical height is used, so a small spine's
#: next disc is not taken for the same one.
SAME_DISC_FRACTION = 0.4
SAME_DISC_FRACTION_TYPICAL = 0.2


#: Typical adult height in mm of each level, disc to disc along the posterior body wall, C1 to
#: S5: it grows from about 18 mm in the neck to 36 mm in the lumbar spine.
TYPICAL_LEVEL_HEIGHT_MM = (
    15.0, 18.0, 18.0, 18.5, 19.0, 19.5, 21.0,                            # C1-C7
    21.5, 22.0, 22.5, 23.0, 23.5, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0,  # T1-T12
    33.0, 35.0, 36.0, 37.0, 36.0,                                        # L1-L5
    28.0, 24.0, 20.0, 17.0, 15.0,                                        # S1-S5
)


def typical_level_height(index: int) -> float:
    """Typical adult height in mm of level ``index`` (C1 = 0), for counting levels in a gap."""
    return TYPICAL_LEVEL_HEIGHT_MM[min(max(index, 0), len(TYPICAL_LEVEL_HEIGHT_MM) - 1)]


def _order(points: np.ndarray) -> list[int]:
    return list(np.argsort(-points[:, 2], kind="stable"))


def _count(gap: float, from_index: int, step: int, scale: float) -> int:
    """Levels crossed by ``gap`` mm walking from disc ``from_index`` by ``step`` (+1 caudal),
    each level ``scale`` times its typical height; at least one."""
    covered, count, index = 0.0, 0, from_index
    while True:
        level = index if step > 0 else index - 1
        height = scale * typical_level_height(level)
        if gap - covered < height / 2 or not 0 <= level < len(LEVEL_NAMES):
            return max(1, count)
        covered += height
        count += 1
        index += step


def _walk(gaps: np.ndarray, scale: float, start: int, anchor_index: int) -> list[int]:
    names = [0] * (len(gaps) + 1)
    names[start] = anchor_index
    for m in range(start, len(gaps)):
        names[m + 1] = names[m] + _count(gaps[m], names[m], +1, scale)
    for m in range(start - 1, -1, -1):
        names[m] = names[m + 1] - _count(gaps[m], names[m + 1], -1, scale)
    return names


def _spine_scale(gaps: np.ndarray, names: list[int]) -> float:
    """This spine's size relative to the typical heights: the median over the gaps that span one
    level (a median, so one misplaced click does not rescale the rest); 1 when none does."""
    ratios = [gaps[m] / typical_level_height(names[m]) for m in range(len(gaps))
              if names[m + 1] - names[m] == 1]
    return float(np.median(ratios)) if ratios else 1.0


def name_by_position(points, *, anchor: int, anchor_name: str) -> tuple[Disc, ...]:
    """Discs named by counting levels from the anchor along the spine.

    Parameters
    ----------
    points : array_like, shape (n, 3)
        Disc points in LPS mm, in any order.
    anchor : int
        Index into ``points`` of the disc the reader named.
    anchor_name : str
        Its name, e.g. ``"T12-L1"``.

    Returns
    -------
    tuple of Disc
        Cranial to caudal. Raises ValueError when the counted names run past C1-C2 or S4-S5.
    """
    points = np.asarray(points, dtype=float).reshape(-1, 3)
    order = _order(points)
    ordered = points[order]
    gaps = np.linalg.norm(np.diff(ordered, axis=0), axis=1)
    if np.any(gaps < 0.1):
        raise ValueError("two disc markers are at the same place (less than 0.1 mm apart)")
    start, anchor_index = order.index(anchor), parse_disc_name(anchor_name)
    names = _walk(gaps, 1.0, start, anchor_index)
    for _ in range(5):
        again = _walk(gaps, _spine_scale(gaps, names), start, anchor_index)
        if again == names:
            break
        names = again
    if min(names) < 1 or max(names) >= len(LEVEL_NAMES):
        raise ValueError(f"counting from {anchor_name} runs past the ends of the spine "
                         "(C1-C2 to S4-S5)")
    return tuple(Disc(n, tuple(map(float, p))) for n, p in zip(names, ordered))


def same_disc(levels: VertebralLevels, point) -> Disc | None:
    """The marked disc a new point duplicates (closer than :data:`SAME_DISC_FRACTION` of the
    local level height), or None."""
    if not levels.discs:
        return None
    p = np.asarray(point, dtype=float)
    distances = [float(np.linalg.norm(p - np.asarray(d.point))) for d in levels.discs]
    nearest = int(np.argmin(distances))
    return levels.discs[nearest] if distances[nearest] < _same_disc_distance(levels, nearest) else None


def _same_disc_distance(levels: VertebralLevels, i: int) -> float:
    discs = levels.discs
    heights = [_unit(discs[j], discs[j + 1]) for j in (i - 1, i) if 0 <= j < len(discs) - 1]
    if heights:
        return SAME_DISC_FRACTION * min(heights)
    return SAME_DISC_FRACTION_TYPICAL * typical_level_height(discs[i].lower_index)


def _unit(upper: Disc, lower: Disc) -> float:
    gap = float(np.linalg.norm(np.subtract(lower.point, upper.point)))
    return gap / max(1, lower.lower_index - upper.lower_index)


def spacing_warnings(levels: VertebralLevels) -> tuple[str, ...]:
    """One sentence per disc where the level height jumps implausibly.

    The per-level spacing of the gaps above and below each disc are compared; a ratio outside
    :data:`PLAUSIBLE_SPACING` means a disc around there is misplaced or misnamed (neighbouring
    levels differ by a few percent). With two discs only, a gap counted as more than one level
    from the typical heights is reported too, since nothing on this spine confirms it.
    """
    discs = levels.discs
    units = [_unit(discs[j], discs[j + 1]) for j in range(len(discs) - 1)]
    warnings = []
    if len(discs) == 2 and discs[1].lower_index - discs[0].lower_index > 1:
        warnings.append(f"{discs[0].name} and {discs[1].name} are named from typical level "
                        "heights; mark a disc next to one of them to count from this spine")
    low, high = PLAUSIBLE_SPACING
    for m in range(len(units) - 1):
        above, below = units[m], units[m + 1]
        if not low <= below / above <= high:
            warnings.append(f"the level height changes from {above:.0f} mm to {below:.0f} mm at "
                            f"{discs[m + 1].name}: check the discs around it")
    return tuple(warnings)


def name_changes(before: VertebralLevels | None, after: VertebralLevels) -> list[tuple[str, str]]:
    """``(old, new)`` names of the discs (matched by point) whose name an edit changed."""
    old = {d.point: d.name for d in (before.discs if before else ())}
    return [(old[d.point], d.name) for d in after.discs if d.point in old and old[d.point] != d.name]


def nearest_disc(discs: Sequence[Disc], point) -> Disc:
    """The disc closest to ``point`` (LPS mm)."""
    p = np.asarray(point, dtype=float)
    return min(discs, key=lambda d: float(np.linalg.norm(p - np.asarray(d.point))))
