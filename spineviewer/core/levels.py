"""Vertebral levels: disc markers in patient space and the continuous level coordinate.

Definitions (DESIGN.md, "Vertebral levels and segments"):

- The reader marks intervertebral discs, one point at the posterior margin of each disc, and
  names one; the others are named by counting. Points are DICOM LPS mm, so the levels hold for
  every series of the frame of reference (both sagittal stations, the axial blocks).
- Level indices: C1 = 0 … C7 = 6, T1 = 7 … T12 = 18, L1 = 19 … L5 = 23, S1 = 24. The disc
  ``X-Y`` is the boundary between level X (above) and level Y (below): it sits at level
  coordinate ``index(Y)``.
- A level is the interval between the disc above a vertebra and the disc below it (the body
  plus half of each neighbouring disc). Beyond the first or last marked disc, the neighbouring
  level's height is used to extrapolate: :meth:`VertebralLevels.axis_point` and
  :meth:`VertebralLevels.level_height` are where every layer gets that geometry.
- The level coordinate ``s(p)`` is continuous: integer part = level index, fraction = position
  within the level, growing caudally.

Implementation: each disc defines a boundary plane through its point, normal to the local
spine axis (the mean of the chords to its neighbouring discs). Between two consecutive disc
planes, ``s`` is interpolated by the point's signed distances to the two planes, which is
continuous across discs and follows a curved spine (a plain projection onto chords jumps at the
convex side of a curve).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

_REGIONS = (("C", 1, 7), ("T", 1, 12), ("L", 1, 5), ("S", 1, 5))
LEVEL_NAMES: tuple[str, ...] = tuple(f"{r}{n}" for r, lo, hi in _REGIONS for n in range(lo, hi + 1))
_INDEX = {name: i for i, name in enumerate(LEVEL_NAMES)}
_NAME = re.compile(r"^\s*([CTLS])\s*(\d{1,2})\s*[-/ ]?\s*([CTLS])?\s*(\d{1,2})?\s*$", re.IGNORECASE)

#: Distance in levels within which a coordinate counts as lying on a disc.
_ON_DISC = 1e-6

#: Level index of the first thoracic and lumbar levels.
T1_INDEX, L1_INDEX = _INDEX["T1"], _INDEX["L1"]


def level_index(name: str) -> int:
    """Index of a vertebral level name (``"T12"`` -> 18); ValueError if it is not one."""
    key = name.strip().upper()
    if key not in _INDEX:
        raise ValueError(f"{name!r} is not a vertebral level (expected C1-C7, T1-T12, L1-L5, S1-S5)")
    return _INDEX[key]


def level_name(index: int) -> str:
    """Name of a level index (18 -> ``"T12"``); clamps to the ends of the column."""
    return LEVEL_NAMES[min(max(int(index), 0), len(LEVEL_NAMES) - 1)]


def disc_name(lower_index: int) -> str:
    """Name of the disc above level ``lower_index`` (16 -> ``"T9-T10"``)."""
    return f"{level_name(lower_index - 1)}-{level_name(lower_index)}"


def parse_disc_name(text: str) -> int:
    """Level index of the level below a named disc: ``"T9-T10"``, ``"t9/10"`` and ``"T9-10"``
    all give 16 (T10). Raises ValueError with the accepted forms otherwise."""
    match = _NAME.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a disc name; write it like 'T9-T10' or 'L5-S1'")
    upper = level_index(f"{match[1]}{match[2]}")
    if match[4] is None:
        raise ValueError(f"{text!r} names one vertebra; a disc needs two, like 'T9-T10'")
    lower = level_index(f"{(match[3] or match[1])}{match[4]}")
    if lower != upper + 1:
        raise ValueError(f"{text!r}: the two vertebrae of a disc must be adjacent, like 'T9-T10'")
    return lower


@dataclass(frozen=True)
class Disc:
    """One marked disc: the level index below it and its posterior-margin point (LPS mm).

    ``proposed``: placed by the software and not yet accepted by the reader; it is shown and
    named with the others, but no measurement uses it (:meth:`VertebralLevels.accepted`).
    """

    lower_index: int
    point: tuple[float, float, float]
    proposed: bool = False

    def __post_init__(self):
        if not isinstance(self.proposed, bool):
            raise ValueError(f"disc {self.name}: proposed must be true or false, got {self.proposed!r}")

    @property
    def name(self) -> str:
        return disc_name(self.lower_index)


class SegmentRule(str, Enum):
    """How an extent is counted in vertebral segments; chosen per study (DESIGN.md).

    ``span`` (the default): the length in segments rounded half up, at least one, which is how
    the ISCM series counts (a 15 mm lesion centred on a disc is one segment). ``touched``: the
    number of levels the extent touches.
    """

    SPAN = "span"
    TOUCHED = "touched"

    @property
    def label(self) -> str:
        """How the reader sees the rule."""
        return {SegmentRule.SPAN: "length in segments, rounded",
                SegmentRule.TOUCHED: "levels touched"}[self]


@dataclass(frozen=True)
class Extent:
    """The longitudinal extent of a finding from its top point to its bottom point."""

    s_top: float
    s_bottom: float

    @property
    def _last_level(self) -> int:
        # A finding that ends exactly on a disc does not touch the level below that disc, so
        # the bottom end belongs to the level above an integer coordinate (see ``segments``).
        bottom = math.floor(self.s_bottom)
        if bottom > math.floor(self.s_top) and self.s_bottom - bottom < _ON_DISC:
            return bottom - 1
        return bottom

    @property
    def levels_touched(self) -> int:
        """Levels touched: ``floor(s_bottom) - floor(s_top) + 1`` (at least 1).

        A bottom end lying exactly on a disc (``s_bottom`` an integer, as when an endpoint is
        snapped to a disc marker) touches only the level above it: DESIGN.md's plain formula
        would count the level below for a single boundary point.
        """
        return max(1, self._last_level - math.floor(self.s_top) + 1)

    @property
    def span(self) -> int:
        """Length in vertebral segments rounded half up, at least 1."""
        return max(1, math.floor(self.segments_fractional + 0.5))

    def segments(self, rule: SegmentRule = SegmentRule.SPAN) -> int:
        """The segment count by ``rule``."""
        return self.span if SegmentRule(rule) is SegmentRule.SPAN else self.levels_touched

    @property
    def segments_fractional(self) -> float:
        """``s_bottom - s_top``, in levels."""
        return self.s_bottom - self.s_top

    @property
    def level_top(self) -> str:
        return level_name(math.floor(self.s_top))

    @property
    def level_bottom(self) -> str:
        return level_name(self._last_level)


@dataclass(frozen=True)
class VertebralLevels:
    """The discs of one frame of reference, ordered cranial to caudal, and the conus tip.

    Attributes
    ----------
    discs : tuple of Disc
        At least two discs give a level coordinate; one disc still names its level.
    conus_tip : tuple of float or None
        LPS mm of the conus medullaris tip, if marked.
    anchor : int or None
        ``lower_index`` of the disc the reader named; the others are named by their position
        from it (:mod:`spineviewer.core.disc_naming`). None in files written before anchors
        were kept: every name then stands as it is.
    conus_tip_proposed : bool
        The conus tip was placed by the software and is not yet accepted.
    """

    discs: tuple[Disc, ...] = ()
    conus_tip: tuple[float, float, float] | None = None
    anchor: int | None = None
    conus_tip_proposed: bool = False
    _planes: tuple = field(default=(), init=False, repr=False, compare=False)
    #: What :meth:`accepted` returned, kept as the levels are frozen (it is asked on every
    #: cursor move); None until asked, and never set on levels without proposals.
    _accepted: "VertebralLevels | None" = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        ordered = tuple(sorted(self.discs, key=lambda d: d.lower_index))
        object.__setattr__(self, "discs", ordered)
        if not isinstance(self.conus_tip_proposed, bool):
            raise ValueError("conus_tip_proposed must be true or false")
        if self.conus_tip is None:
            object.__setattr__(self, "conus_tip_proposed", False)
        object.__setattr__(self, "_planes", _boundary_planes(ordered))

    @classmethod
    def from_points(cls, points, *, anchor: int, anchor_name: str, conus_tip=None) -> "VertebralLevels":
        """Name clicked disc points by their position along the spine from one named disc.

        Parameters
        ----------
        points : array_like, shape (n, 3)
            Disc points in LPS mm, in any order (they are sorted cranial to caudal by z); gaps
            between them are counted in levels (:func:`~spineviewer.core.disc_naming.name_by_position`).
        anchor : int
            Which of ``points`` (as given) the reader named.
        anchor_name : str
            Its name, e.g. ``"T9-T10"``.
        """
        # disc_naming builds on this module, so it is imported where it is used.
        from spineviewer.core.disc_naming import name_by_position

        discs = name_by_position(points, anchor=anchor, anchor_name=anchor_name)
        tip = None if conus_tip is None else tuple(map(float, conus_tip))
        return cls(discs, tip, anchor=parse_disc_name(anchor_name))

    @property
    def has_proposals(self) -> bool:
        """True when a disc or the conus tip is proposed and not yet accepted."""
        return any(d.proposed for d in self.discs) or (self.conus_tip is not None
                                                        and self.conus_tip_proposed)

    def accepted(self) -> "VertebralLevels":
        """The levels without the proposed discs and conus tip: what measurements use.

        The anchor stays when its disc is accepted; otherwise the remaining names stand as
        they are (None)."""
        if not self.has_proposals:
            return self
        if self._accepted is None:
            discs = tuple(d for d in self.discs if not d.proposed)
            anchor = self.anchor if any(d.lower_index == self.anchor for d in discs) else None
            tip = None if self.conus_tip_proposed else self.conus_tip
            object.__setattr__(self, "_accepted", VertebralLevels(discs, tip, anchor=anchor))
        return self._accepted

    @property
    def is_usable(self) -> bool:
        """True once two discs are marked (a level height is known)."""
        return len(self.discs) >= 2

    def coordinate(self, point) -> float:
        """The continuous level coordinate ``s(p)`` of a point in LPS mm."""
        if not self.is_usable:
            raise ValueError("mark at least two discs to measure in vertebral levels")
        p = np.asarray(point, dtype=float)
        origins, normals, values = self._planes
        depth = np.einsum("ij,ij->i", p - origins, normals)
        # Normals point caudally: depth >= 0 means the point lies below that disc.
        below = np.nonzero(depth >= 0)[0]
        if len(below) == 0:
            return float(values[0] + depth[0] / self.level_height(values[0] - 1))
        i = int(below[-1])
        if i == len(values) - 1:
            return float(values[-1] + depth[-1] / self.level_height(values[-1]))
        a, b = depth[i], depth[i + 1]
        return float(values[i] + (values[i + 1] - values[i]) * a / (a - b))

    def level_height(self, level: float) -> float:
        """Height of the level holding level coordinate ``level``, mm (px for discs marked in px).

        Between two marked discs, their distance shared by the levels between them; above the
        first or below the last marked disc, the height of the neighbouring level.
        """
        i = self._chord(level)
        origins, _, values = self._planes
        gap = float(np.linalg.norm(origins[i + 1] - origins[i]))
        return gap / (values[i + 1] - values[i])

    def axis_point(self, s: float) -> np.ndarray:
        """The point of the spine axis at level coordinate ``s``, LPS, shape (3,).

        The axis is the polyline through the disc points, ``s`` growing evenly along each
        chord; above the first or below the last marked disc it continues the end chord, one
        :meth:`level_height` per level.
        """
        i = self._chord(s)
        origins, _, values = self._planes
        fraction = (s - values[i]) / (values[i + 1] - values[i])
        return origins[i] + fraction * (origins[i + 1] - origins[i])

    def _chord(self, s: float) -> int:
        """Index ``i`` of the discs ``i``, ``i + 1`` around level coordinate ``s``; beyond the
        first or last disc the end pair, whose spacing extrapolates (DESIGN.md)."""
        if not self.is_usable:
            raise ValueError("mark at least two discs to measure in vertebral levels")
        values = self._planes[2]
        below = int(np.searchsorted(values, s, side="right")) - 1
        return min(max(below, 0), len(values) - 2)

    def extent(self, top, bottom) -> Extent:
        """Extent between two points (ordered so that the top is cranial)."""
        s_a, s_b = self.coordinate(top), self.coordinate(bottom)
        return Extent(min(s_a, s_b), max(s_a, s_b))

    def level_at(self, point) -> str:
        """Name of the level containing a point."""
        return level_name(math.floor(self.coordinate(point)))


def _boundary_planes(discs: tuple[Disc, ...]):
    if len(discs) < 2:
        return ()
    origins = np.array([d.point for d in discs], dtype=float)
    values = np.array([d.lower_index for d in discs], dtype=float)
    if len(set(values)) != len(values):
        raise ValueError("two disc markers have the same name")
    chords = np.diff(origins, axis=0)
    if np.any(np.linalg.norm(chords, axis=1) < 0.1):
        raise ValueError("two disc markers are at the same place (less than 0.1 mm apart)")
    chords /= np.linalg.norm(chords, axis=1, keepdims=True)
    normals = np.empty_like(origins)
    normals[0], normals[-1] = chords[0], chords[-1]
    if len(discs) > 2:
        mean = chords[:-1] + chords[1:]
        normals[1:-1] = mean / np.linalg.norm(mean, axis=1, keepdims=True)
    return origins, normals, values
