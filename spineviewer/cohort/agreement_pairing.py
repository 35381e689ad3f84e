"""Which lesion of one reader is which lesion of another: pairing by position, per study.

Two readers' lesions of a study are paired by the distance between the centres of their
enhancing lesions (:func:`~spineviewer.cohort.agreement_input.enhancing_centre`, DICOM LPS mm)
with an optimal assignment (:func:`scipy.optimize.linear_sum_assignment`): the most pairs closer
than the threshold (20 mm by default), and among those the smallest total distance. Nearest
neighbour first would not do: a lesion close to two of the other reader's lesions can take the
one its neighbour needed and leave that neighbour unpaired or paired far away.

A lesion without a centre in mm (a ``lesions.csv`` row, a lesion drawn only in pixels) is paired
by its enhancing levels instead, when both lesions have them: the two level ranges must share a
level, and the cost is the distance between their middles in levels. Both lesions of a pair are
measured the same way: in mm when both have a centre, else in levels.

With more than two readers, the first reader named is the reference: each other reader's
lesions are paired with the reference's, and a *matched lesion* is a reference lesion with a
partner from every other reader. Every other lesion is *unpaired* (a detection disagreement is a
result of its own) and listed under its reader with the readers that did not find it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from spineviewer.cohort.agreement_input import ReaderLesion, ReadingSet

#: Default largest distance between the centres of a pair's enhancing lesions, mm.
MAX_DISTANCE_MM = 20.0

#: Cost of a pair that is not allowed: larger than any sum of allowed costs, so the assignment
#: first makes as many allowed pairs as it can.
_FORBIDDEN = 1e9


@dataclass(frozen=True)
class Pairing:
    """The pairs between two readers' lesions of one study.

    Attributes
    ----------
    pairs : list of (int, int, float, str)
        ``(index in a, index in b, distance, unit)``; the unit is ``"mm"`` or ``"levels"``.
    unpaired_a, unpaired_b : list of int
        Indices of the lesions left without a partner.
    """

    pairs: list[tuple[int, int, float, str]]
    unpaired_a: list[int]
    unpaired_b: list[int]


@dataclass(frozen=True)
class MatchedLesion:
    """One lesion as every reader found it.

    Attributes
    ----------
    study : str
    lesions : tuple of ReaderLesion
        One per reader, in the readers' order (the reference first).
    distances : tuple of (float, str)
        For each reader after the reference: the distance to the reference's lesion, and its unit.
    """

    study: str
    lesions: tuple[ReaderLesion, ...]
    distances: tuple[tuple[float, str], ...]


@dataclass(frozen=True)
class UnpairedLesion:
    """A lesion that not every reader found: whose, and which readers did not find it."""

    lesion: ReaderLesion
    missing_in: tuple[str, ...]


@dataclass(frozen=True)
class Matching:
    """The lesions matched across readers, those left unpaired, and the studies compared."""

    readers: tuple[str, ...]
    matched: list[MatchedLesion]
    unpaired: list[UnpairedLesion]
    studies: list[str]
    studies_not_read: dict[str, list[str]]


def pair_lesions(a: list[ReaderLesion], b: list[ReaderLesion], *,
                 max_distance_mm: float = MAX_DISTANCE_MM) -> Pairing:
    """Pair two readers' lesions of one study (see the module notes).

    Parameters
    ----------
    a, b : list of ReaderLesion
        The two readers' lesions of the same study.
    max_distance_mm : float, keyword-only
        Pairs whose enhancing centres are farther apart than this stay unpaired.
    """
    if not a or not b:
        return Pairing([], list(range(len(a))), list(range(len(b))))
    cost = np.full((len(a), len(b)), _FORBIDDEN)
    units = np.empty((len(a), len(b)), dtype=object)
    for i, first in enumerate(a):
        for j, second in enumerate(b):
            distance, unit = _distance(first, second, max_distance_mm)
            if distance is not None:
                cost[i, j], units[i, j] = distance, unit
    rows, cols = linear_sum_assignment(cost)
    pairs = [(int(i), int(j), float(cost[i, j]), units[i, j])
             for i, j in zip(rows, cols) if cost[i, j] < _FORBIDDEN]
    paired_a, paired_b = {p[0] for p in pairs}, {p[1] for p in pairs}
    return Pairing(pairs, [i for i in range(len(a)) if i not in paired_a],
                   [j for j in range(len(b)) if j not in paired_b])


def match_readers(readings: ReadingSet, readers, *,
                  max_distance_mm: float = MAX_DISTANCE_MM) -> Matching:
    """Match the lesions of ``readers`` (the first is the reference) in every study they all read.

    A study that some of the readers did not read is not compared (its lesions are neither
    matched nor unpaired: a missing reading is not a detection disagreement); it is listed in
    ``studies_not_read`` with the readers who did not read it.
    """
    readers = tuple(readers)
    reference, others = readers[0], readers[1:]
    read_by = {reader: readings.studies(reader) for reader in readers}
    every = sorted(set().union(*read_by.values()))
    studies = [s for s in every if all(s in read_by[r] for r in readers)]
    not_read = {s: [r for r in readers if s not in read_by[r]] for s in every if s not in studies}
    matched, unpaired = [], []
    for study in studies:
        base = readings.lesions[(reference, study)]
        partners: list[dict[int, tuple[ReaderLesion, float, str]]] = []
        for other in others:
            theirs = readings.lesions[(other, study)]
            pairing = pair_lesions(base, theirs, max_distance_mm=max_distance_mm)
            partners.append({i: (theirs[j], d, unit) for i, j, d, unit in pairing.pairs})
            found = {id(theirs[j]) for _, j, _, _ in pairing.pairs}
            for lesion in theirs:
                if id(lesion) not in found:
                    unpaired.append(UnpairedLesion(lesion, (reference,)))
        for i, lesion in enumerate(base):
            missing = tuple(r for r, p in zip(others, partners) if i not in p)
            if missing:
                unpaired.append(UnpairedLesion(lesion, missing))
                unpaired.extend(UnpairedLesion(p[i][0], missing) for p in partners if i in p)
                continue
            matched.append(MatchedLesion(study, (lesion, *(p[i][0] for p in partners)),
                                         tuple((p[i][1], p[i][2]) for p in partners)))
    order = {r: k for k, r in enumerate(readers)}
    unpaired.sort(key=lambda u: (order[u.lesion.reader], u.lesion.study, u.lesion.lesion_id))
    return Matching(readers, matched, unpaired, studies, not_read)


def _distance(a: ReaderLesion, b: ReaderLesion, max_distance_mm: float):
    """``(cost, unit)`` of pairing ``a`` with ``b``, or ``(None, None)`` when not allowed."""
    if a.centre is not None and b.centre is not None:
        distance = float(np.linalg.norm(np.subtract(a.centre, b.centre)))
        return (distance, "mm") if distance <= max_distance_mm else (None, None)
    if a.levels is not None and b.levels is not None:
        if a.levels[0] <= b.levels[1] and b.levels[0] <= a.levels[1]:
            return abs(sum(a.levels) - sum(b.levels)) / 2, "levels"
    return None, None
