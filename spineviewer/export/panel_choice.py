"""Which series, stack and slice each panel of a figure shows.

A panel is named by its series description (``"SAG T2 TSE"``, matched without regard to case,
exactly first, then as a part of the description) or by its series number. Without names, a
figure shows the three images a spine teaching case usually has: the sagittal T2, the sagittal
T1 after contrast and an axial after contrast (the axial T2 when there is none).

The slice of a panel is where the lesion was drawn: the slice of the stack that carries the
most drawings (a drawing lies on a slice by the viewer's rule,
:func:`spineviewer.core.stack_geometry.owning_slice`), or else the slice nearest to the lesion
drawn on other series of the same frame of reference (the centre of its calipers, outlines and
arrow heads, so the sagittal T2 shows the slice of the caliper drawn on the sagittal T1+C, and an
axial T2 the level of the lesion); with nothing drawn, the middle slice. Positions are DICOM LPS mm, placed by each slice's own plane
(:class:`spineviewer.core.stack_geometry.StackGeometry`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from spineviewer.core.annotations import Arrow, Bidirectional, Caliper, Drawing, Outline
from spineviewer.core.model import LoadResult, Series, Stack
from spineviewer.core.stack_geometry import owning_slice, stack_geometry

_POST_CONTRAST = re.compile(r"\+C|C\+|POST|GAD|\bGD\b|CONTRAST", re.IGNORECASE)
_NO_AGENT = {"", "NONE", "NO", "N/A", "NA", "0"}


@dataclass(frozen=True)
class PanelChoice:
    """One panel: a stack of a series and the 0-based index of the slice it shows."""

    series: Series
    stack: Stack
    index: int


def find_series(result: LoadResult, name: str) -> Series:
    """The series a panel name designates; ValueError listing the series when none matches."""
    every = [series for _, _, series in result.iter_series() if series.stacks]
    wanted = name.strip().casefold()
    for test in (lambda s: s.description.strip().casefold() == wanted,
                 lambda s: wanted.isdigit() and s.number == int(wanted),
                 lambda s: wanted in s.description.casefold()):
        found = [s for s in every if test(s)]
        if found:
            return found[0]
    names = ", ".join(f"'{s.description}'" for s in every) or "none"
    raise ValueError(f"no series is called {name!r}; the study has {names}")


def default_series(result: LoadResult) -> list[Series]:
    """Sagittal T2, sagittal T1 after contrast and an axial after contrast (or axial T2),
    those that exist, in that order; the first series when none of them does."""
    every = [series for _, _, series in result.iter_series() if series.stacks]
    wanted = [
        lambda s: _plane(s) == "sagittal" and "T2" in s.description.upper() and not _post(s),
        lambda s: _plane(s) == "sagittal" and _post(s),
        lambda s: _plane(s) == "axial" and _post(s),
    ]
    chosen = [next((s for s in every if test(s)), None) for test in wanted]
    if chosen[2] is None:
        chosen[2] = next((s for s in every if _plane(s) == "axial" and "T2" in s.description.upper()),
                         None)
    picked = [s for s in chosen if s is not None]
    return picked or every[:1]


def shows_drawings(series: Series, drawings: list[Drawing]) -> bool:
    """True when one of the series' stacks holds a drawing's image, or the drawings' centre
    lies within one of its volumes (no drawings: True)."""
    if not drawings:
        return True
    sops = {d.sop_instance_uid for d in drawings}
    if any(f.file.sop_instance_uid in sops for stack in series.stacks for f in stack.frames):
        return True
    points = _points(drawings)
    return any(stack.has_geometry and _outside(stack, points) <= 0.5 for stack in series.stacks)


def choose_panel(series: Series, drawings: list[Drawing], *, slice_number: int | None = None) -> PanelChoice:
    """The stack and slice of ``series`` to show for these drawings.

    Parameters
    ----------
    series : Series
    drawings : list of Drawing
        The drawings that should guide the choice (those of one lesion, or all).
    slice_number : int, optional
        1-based slice number in the chosen stack (slice order along the normal), overriding
        the choice; ValueError when out of range.
    """
    stack = _stack_with_most(series, drawings)
    if slice_number is not None:
        if not 1 <= slice_number <= len(stack.frames):
            raise ValueError(f"slice {slice_number} is outside '{series.description}', which has "
                             f"slices 1 to {len(stack.frames)}")
        return PanelChoice(series, stack, slice_number - 1)
    return PanelChoice(series, stack, _slice_for(stack, drawings))


def _stack_with_most(series: Series, drawings: list[Drawing]) -> Stack:
    counts = [sum(owning_slice(stack, d) is not None for d in drawings) for stack in series.stacks]
    if max(counts) > 0:
        return series.stacks[int(np.argmax(counts))]
    points = _points(drawings)
    if len(points) and all(stack.has_geometry for stack in series.stacks):
        return min(series.stacks, key=lambda stack: _outside(stack, points))
    return max(series.stacks, key=lambda stack: len(stack.frames))


def _slice_for(stack: Stack, drawings: list[Drawing]) -> int:
    middle = len(stack.frames) // 2
    owned = Counter(owning_slice(stack, d) for d in drawings)
    counts = np.array([owned[k] for k in range(len(stack.frames))])
    if counts.max(initial=0) > 0:
        best = np.flatnonzero(counts == counts.max())
        return int(best[np.argmin(np.abs(best - middle))])
    points = _points(drawings)
    if len(points) == 0 or not stack.has_geometry:
        return middle
    return stack_geometry(stack).nearest(points.mean(axis=0))


def _outside(stack: Stack, points: np.ndarray) -> float:
    """How far (in slices and pixels) the mean point lies outside a stack's volume."""
    index = stack_geometry(stack).to_index(points.mean(axis=0))
    upper = np.array(stack.shape, dtype=float) - 1
    return float(np.sum(np.clip(-index, 0, None) + np.clip(index - upper, 0, None)))


def _points(drawings: list[Drawing]) -> np.ndarray:
    """Where the lesion is: the points of calipers and outlines and the arrow heads; all the
    points only when there are none of these (a cord path runs far beyond the lesion)."""
    focus = [p for d in drawings if isinstance(d, (Caliper, Bidirectional, Outline)) for p in d.points]
    focus += [d.head for d in drawings if isinstance(d, Arrow)]
    every = focus or [p for d in drawings for p in d.points]
    return np.array(every, dtype=float).reshape(-1, 3)


def _plane(series: Series) -> str:
    return series.stacks[0].plane


def _post(series: Series) -> bool:
    agent = str(series.protocol.get("contrast_agent", "")).strip().upper()
    return agent not in _NO_AGENT or bool(_POST_CONTRAST.search(series.description))
