"""Level coordinates, segment counts and location categories of the ground truth.

This is the phantom's own, independent implementation of the design's definitions, computed
from the phantom's true disc points (patient LPS mm: x left, y posterior, z superior).

- A *level* (one vertebral segment) runs from the disc above a vertebra to the disc below
  it; level indices are C1 = 0 ... C7 = 6, T1 = 7 ... T12 = 18, L1 = 19 ... L5 = 23,
  S1 = 24. The disc named ``"A-B"`` is the boundary at ``s = index(B)``.
- The level coordinate ``s(p)`` is continuous: the integer part is the level index and the
  fraction the position within the level, growing caudally. ``p`` is projected onto the
  spine axis through the disc points: each disc carries a boundary plane whose normal is the
  local axis direction (the chord between its two neighbouring discs), and ``s`` interpolates
  linearly between the two planes around ``p``. Above the first and below the last disc,
  boundaries are extrapolated with the neighbouring level's height.
- ``segments_fractional = s(bottom) - s(top)``; two counts: the span rule (the default)
  ``max(1, round_half_up(segments_fractional))``, the length in vertebral segments, and the
  levels touched ``floor(s(bottom)) - floor(s(top)) + 1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Level index of the first boundary that is a real disc (C2-C3 is the top of C3).
FIRST_DISC_LEVEL = 2
#: Level index of T1, the first thoracic level.
T1_LEVEL = 7


@dataclass(frozen=True, eq=False)
class LevelAxis:
    """Boundary planes of the levels, built from the disc points.

    Attributes
    ----------
    points : ndarray, shape (m, 3)
        Boundary points (extrapolated ones included), cranial to caudal, LPS mm.
    normals : ndarray, shape (m, 3)
        Unit caudal axis direction at each boundary.
    first_level : int
        Level index of boundary 0.
    """

    points: np.ndarray
    normals: np.ndarray
    first_level: int

    @classmethod
    def from_discs(cls, disc_points: np.ndarray, first_disc_level: int = FIRST_DISC_LEVEL,
                   extra_above: int = 2) -> LevelAxis:
        """Boundaries from disc points, with ``extra_above`` extrapolated boundaries above
        the first disc and one below the last.

        Parameters
        ----------
        disc_points : ndarray, shape (n, 3)
            Disc points cranial to caudal, LPS mm (n >= 2).
        first_disc_level : int
            Level index of the boundary at the first disc.
        extra_above : int
            Number of extrapolated boundaries above the first disc.
        """
        d = np.asarray(disc_points, dtype=float)
        step_top, step_bottom = d[1] - d[0], d[-1] - d[-2]
        above = [d[0] - k * step_top for k in range(extra_above, 0, -1)]
        points = np.vstack([*above, d, d[-1] + step_bottom])
        chords = np.empty_like(points)
        chords[1:-1] = points[2:] - points[:-2]
        chords[0], chords[-1] = points[1] - points[0], points[-1] - points[-2]
        normals = chords / np.linalg.norm(chords, axis=1, keepdims=True)
        return cls(points, normals, first_disc_level - extra_above)

    def s(self, p) -> float:
        """Level coordinate of point ``p`` (LPS mm)."""
        p = np.asarray(p, dtype=float)
        depth = np.einsum("ij,ij->i", p - self.points, self.normals)
        below = np.flatnonzero(depth >= 0.0)
        if below.size == 0:
            height = np.linalg.norm(self.points[1] - self.points[0])
            return self.first_level + float(depth[0]) / height
        j = int(below[-1])
        if j == len(self.points) - 1:
            height = np.linalg.norm(self.points[-1] - self.points[-2])
            return self.first_level + j + float(depth[j]) / height
        return self.first_level + j + float(depth[j] / (depth[j] - depth[j + 1]))


@dataclass(frozen=True)
class Extent:
    """Longitudinal extent of a finding between two points on the cord centreline."""

    s_top: float
    s_bottom: float
    length_mm: float

    @property
    def segments(self) -> int:
        """Length in vertebral segments, rounded half up, at least 1 (the span rule)."""
        return max(1, math.floor(self.segments_fractional + 0.5))

    @property
    def levels_touched(self) -> int:
        """Number of levels touched: ``floor(s(bottom)) - floor(s(top)) + 1``."""
        return math.floor(self.s_bottom) - math.floor(self.s_top) + 1

    @property
    def segments_fractional(self) -> float:
        """``s(bottom) - s(top)``."""
        return self.s_bottom - self.s_top


def location_category(s_top: float, s_bottom: float, a_top: float, a_bottom: float,
                      conus_zone_top_a: float) -> str:
    """Location of a lesion from its enhancing extent, in the design's vocabulary.

    Parameters
    ----------
    s_top, s_bottom : float
        Level coordinates of the top and bottom of the enhancement.
    a_top, a_bottom : float
        Their arc positions along the cord centreline, mm (caudal positive).
    conus_zone_top_a : float
        Arc position of the top of the conus zone (the conus tip minus the zone length), mm.

    Returns
    -------
    str
        ``cervical``, ``cervicothoracic``, ``thoracic``, ``thoracic-conus`` or ``conus``.
    """
    cervical = math.floor(s_top) < T1_LEVEL
    conus = a_bottom > conus_zone_top_a
    thoracic = math.floor(s_bottom) >= T1_LEVEL and a_top < conus_zone_top_a
    if cervical:
        return "cervicothoracic" if thoracic else "cervical"
    if conus:
        return "thoracic-conus" if thoracic else "conus"
    return "thoracic"
