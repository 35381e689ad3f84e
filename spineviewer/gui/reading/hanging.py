"""The first hanging: which stacks of a study open in the viewports.

A spine MRI read for an intramedullary lesion starts from three images: the sagittal T2 (cord
signal, edema), the sagittal T1 after contrast (the enhancing lesion) and an axial series (its
position in the cord and its transverse size). :func:`choose_hanging` picks them from the series
descriptions and the acquisition tags, falls back sensibly when one is missing, and never
needs Qt, so it is tested with plain fake series.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from spineviewer.core.model import Series, Stack

_SEPARATORS = re.compile(r"[^A-Z0-9+]+")
_NO_AGENT = {"", "NONE", "NO", "N/A", "NA", "0"}
_CONTRAST_TOKENS = {"POST", "GD", "CONTRAST", "KM", "CE"}
_LOCALIZER_TOKENS = {"LOC", "LOCALIZER", "LOCALISER", "SCOUT", "SURVEY", "PILOT", "3PLANE",
                     "TRIPILOT", "AAHSCOUT"}
#: Stacks with fewer slices are localizers or single test images, not a series to read.
MIN_SLICES = 3


def _tokens(series: Series) -> list[str]:
    return [t for t in _SEPARATORS.split(series.description.upper()) if t]


def is_post_contrast(series: Series) -> bool:
    """True when the series was acquired after contrast.

    ContrastBolusAgent (0018,0010) decides when the files give it; otherwise the description:
    ``+C``, ``C+``, ``POST``, ``GD``/``GAD…``, ``CONTRAST`` (``T1 PRE`` is not post-contrast).
    """
    agent = str(series.protocol.get("contrast_agent", "")).strip().upper()
    if agent not in _NO_AGENT:
        return True
    text = series.description.upper()
    if "+C" in text or "C+" in text or "+GD" in text:
        return True
    return any(t in _CONTRAST_TOKENS or t.startswith("GAD") for t in _tokens(series))


def weighting(series: Series) -> str:
    """``T2``, ``T1``, ``STIR``, ``FLAIR``, ``PD`` or ``""`` when nothing tells.

    The description decides first (``t2_tse_sag``, ``SAG T1+C``); failing that, the timing
    tags: a long echo time is T2, a short TR with a short TE is T1, a short inversion time
    (100-250 ms) is STIR and a long one (> 1500 ms) FLAIR.
    """
    tokens = _tokens(series)
    for token in tokens:
        if "STIR" in token or token == "TIRM":
            return "STIR"
        if "FLAIR" in token:
            return "FLAIR"
    for token in tokens:
        if re.match(r"T2(?!\d)", token):
            return "T2"
        if re.match(r"T1(?!\d)", token):
            return "T1"
        if token in {"PD", "PDW"}:
            return "PD"
    repetition = series.protocol.get("repetition_time")
    echo = series.protocol.get("echo_time")
    inversion = series.protocol.get("inversion_time")
    if inversion is not None and 100 <= inversion <= 250:
        return "STIR"
    if inversion is not None and inversion > 1500:
        return "FLAIR"
    if echo is not None and echo >= 60:
        return "T2"
    if repetition is not None and echo is not None and repetition < 1000 and echo < 30:
        return "T1"
    return ""


def is_localizer(series: Series, stack: Stack) -> bool:
    """Localizers, scouts and tiny stacks are never hung."""
    if len(stack.frames) < MIN_SLICES:
        return True
    if "LOCALIZER" in str(series.protocol.get("image_type", "")).upper():
        return True
    return any(t in _LOCALIZER_TOKENS for t in _tokens(series))


Rule = Callable[[Series, Stack], bool]


def _sagittal(series: Series, stack: Stack) -> bool:
    return stack.plane == "sagittal"


def _axial(series: Series, stack: Stack) -> bool:
    return stack.plane == "axial"


#: One list of rules per viewport, most wanted first. The axial slot prefers post-contrast
#: images because the lesion's axial sizes are measured on them.
SLOTS: list[tuple[str, list[Rule]]] = [
    ("sagittal T2", [
        lambda se, st: _sagittal(se, st) and weighting(se) == "T2" and not is_post_contrast(se),
        lambda se, st: _sagittal(se, st) and weighting(se) == "STIR" and not is_post_contrast(se),
        lambda se, st: _sagittal(se, st) and weighting(se) != "T1" and not is_post_contrast(se),
    ]),
    ("sagittal T1 post-contrast", [
        lambda se, st: _sagittal(se, st) and is_post_contrast(se) and weighting(se) in ("T1", ""),
        lambda se, st: _sagittal(se, st) and is_post_contrast(se),
        lambda se, st: _sagittal(se, st) and weighting(se) == "T1",
    ]),
    ("axial", [
        lambda se, st: _axial(se, st) and is_post_contrast(se),
        lambda se, st: _axial(se, st) and weighting(se) == "T2",
        _axial,
    ]),
]


def choose_hanging(series_list: Iterable[Series], *, viewports: int = 3) -> list[Stack]:
    """The stacks to open, in viewport order: sagittal T2, sagittal T1+C, axial.

    Parameters
    ----------
    series_list : iterable of Series
        The series of one study, in series-number order.
    viewports : int
        How many stacks at most.

    Returns
    -------
    list of Stack
        The wanted images that exist, in slot order; slots with no match are dropped and the
        free viewports take other series (largest stack first), so nothing readable stays
        hidden; a study of localizers only shows its largest stack. Within a rule the stack with the most slices wins, then the earlier series.
    """
    series_list = list(series_list)
    candidates = [(series, stack) for series in series_list for stack in series.stacks
                  if not is_localizer(series, stack)]
    chosen: list[tuple[Series, Stack]] = []

    def free(pair: tuple[Series, Stack]) -> bool:
        return all(pair[1] is not stack for _, stack in chosen)

    for _, rules in SLOTS:
        for rule in rules:
            matches = [pair for pair in candidates if free(pair) and rule(*pair)]
            if matches:
                chosen.append(max(matches, key=lambda pair: len(pair[1].frames)))
                break
    shown_series = {id(series) for series, _ in chosen}
    others = [pair for pair in candidates if id(pair[0]) not in shown_series and pair[1].number == 1]
    others.sort(key=lambda pair: -len(pair[1].frames))
    chosen.extend(others)
    if not chosen:
        # Only localizers or single images: show the largest rather than an empty screen.
        every = [stack for series in series_list for stack in series.stacks]
        return sorted(every, key=lambda stack: -len(stack.frames))[:1]
    return [stack for _, stack in chosen[:viewports]]
