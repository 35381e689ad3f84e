"""The value written beside a drawing on the image (``"SI 16.0 mm"``, ``"T2 203 mm"``) and in the
measurements dock's list of drawings (``"203.3 mm · 7 segments"``).

Computed from the stored drawing (patient LPS mm, or px for a series without PixelSpacing),
never from the items on screen. The unit is always written, and ``px`` is never shown as mm.
"""

from __future__ import annotations

from spineviewer.core.annotations import (
    Arrow, Bidirectional, Caliper, Component, CordPath, Drawing, Outline, Segmentation, TextNote,
)
from spineviewer.core.levels import SegmentRule, VertebralLevels
from spineviewer.core.metrics import axial_sizes, drawing_extent


def _length(value: float, unit: str) -> str:
    return f"{value:.1f} {unit}"


def count_text(count: int, rule: SegmentRule) -> str:
    """``"1 segment"`` by the span rule, ``"2 levels touched"`` by the touched rule."""
    plural = "s" if count != 1 else ""
    return f"{count} segment{plural}" if rule is SegmentRule.SPAN else f"{count} level{plural} touched"


def drawing_value(drawing: Drawing, levels: VertebralLevels | None = None, *, named: bool = True,
                  segment_rule: SegmentRule = SegmentRule.SPAN) -> str:
    """The text shown beside a drawing: what it measures, its value and its unit.

    ``named=False`` is for lists that name the drawing in another column: no name, and a cord
    path also gives its extent by the study's ``segment_rule`` (segments, or levels touched;
    on the image that would not fit beside the cord).
    """
    unit = drawing.unit.value
    if isinstance(drawing, Caliper):
        name = drawing.role.value.upper() if drawing.role and named else ""
        return f"{name} {_length(drawing.length, unit)}".strip()
    if isinstance(drawing, Bidirectional):
        ap, transverse, _ = axial_sizes(drawing)
        return f"AP {ap:.1f} × TR {transverse:.1f} {unit}"
    if isinstance(drawing, CordPath):
        if named:
            return f"{'T2' if drawing.role is Component.T2 else 'Enh'} {_length(drawing.length, unit)}"
        extent = drawing_extent(drawing, levels)
        text = _length(drawing.length, unit)
        if extent is None:
            return text
        return f"{text} · {count_text(extent.segments(segment_rule), segment_rule)}"
    if isinstance(drawing, Outline):
        return f"{drawing.area:.1f} {unit}²"
    if isinstance(drawing, (Arrow, TextNote)):
        return drawing.text
    if isinstance(drawing, Segmentation):
        return f"{'Mask ' if named else ''}{drawing.volume:.0f} {drawing.volume_unit.value}"
    return ""
