"""The text a viewport prints in its corners, computed from the model alone (no Qt).

Corners follow the reading-room habit: what the image is (series, slice, position) top left,
who it belongs to (patient, ID, study date) top right, how it is displayed (window/level)
bottom left; the scale bar takes the bottom right. Patient lines are a separate corner so that
one key hides them for teaching and screenshots.
"""

from __future__ import annotations

from dataclasses import dataclass

from spineviewer.core.model import LoadResult, Patient, Series, Stack, Study
from spineviewer.gui.reading.scene import slice_location
from spineviewer.gui.reading.windowing import Window, describe_window


@dataclass(frozen=True)
class SeriesContext:
    """Where a stack belongs: its patient, study and series (read-only references)."""

    patient: Patient | None
    study: Study | None
    series: Series | None


def find_context(result: LoadResult | None, stack: Stack) -> SeriesContext:
    """The patient, study and series holding ``stack`` in ``result`` (None where not found)."""
    if result is not None:
        for patient, study, series in result.iter_series():
            if any(candidate is stack for candidate in series.stacks):
                return SeriesContext(patient, study, series)
    return SeriesContext(None, None, None)


def format_date(value: str) -> str:
    """DICOM DA ``YYYYMMDD`` as ``YYYY-MM-DD``; anything else unchanged."""
    value = value.strip()
    if len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value


def format_person_name(value: str) -> str:
    """DICOM PN ``FAMILY^GIVEN^MIDDLE`` as ``FAMILY, GIVEN MIDDLE``."""
    parts = [p.strip() for p in value.split("=")[0].split("^")]
    family, given = parts[0], " ".join(p for p in parts[1:4] if p)
    return f"{family}, {given}" if family and given else (family or given)


def series_title(series: Series | None) -> str:
    """``"Se 3  SAG T2"``."""
    if series is None:
        return ""
    number = f"Se {series.number}  " if series.number is not None else ""
    return f"{number}{series.description or '(no description)'}"


def image_lines(context: SeriesContext, stack: Stack, slice_index: int) -> list[str]:
    """Top-left corner: series, slice n/N and plane (and ``stack 2/3`` when the series was
    split, on this short line so that a narrow viewport never cuts it off), slice position and
    thickness."""
    lines = [series_title(context.series)]
    plane = stack.plane if stack.has_geometry else "no position in the files"
    line = f"Slice {slice_index + 1}/{stack.shape[0]}   {plane}"
    if context.series is not None and len(context.series.stacks) > 1:
        line += f"   stack {stack.number}/{len(context.series.stacks)}"
    lines.append(line)
    location = slice_location(stack, slice_index)
    thickness = stack.frames[slice_index].slice_thickness
    if thickness:
        location = f"{location}   Th {thickness:.1f} mm".strip()
    if location:
        lines.append(location)
    return [line for line in lines if line]


def patient_lines(context: SeriesContext) -> list[str]:
    """Top-right corner: patient name, ID and study date (the description is in the browser)."""
    lines = []
    if context.patient is not None:
        lines.append(format_person_name(context.patient.name) or "(no name)")
        if context.patient.id:
            lines.append(f"ID {context.patient.id}")
    if context.study is not None and context.study.date:
        lines.append(format_date(context.study.date))
    return [line for line in lines if line]


def display_lines(stack: Stack, window: Window | None) -> list[str]:
    """Bottom-left corner: window/level, and a warning when lengths are in pixels."""
    lines = [describe_window(window)]
    if not stack.spacing_known:
        lines.append("no pixel spacing: lengths in px")
    return [line for line in lines if line]


def scale_bar_length(units_per_screen_pixel: float, *, longest_pixels: float) -> float:
    """The longest round length (1, 2 or 5 x 10^k) whose bar fits in ``longest_pixels``.

    Parameters
    ----------
    units_per_screen_pixel : float
        mm (or image px) covered by one screen pixel at the current zoom.
    longest_pixels : float
        The longest bar the corner has room for, in screen pixels.
    """
    if units_per_screen_pixel <= 0 or longest_pixels <= 0:
        return 0.0
    limit = units_per_screen_pixel * longest_pixels
    best = 0.0
    exponent = -2
    while 10.0 ** exponent <= limit:
        for mantissa in (1.0, 2.0, 5.0):
            length = mantissa * 10.0 ** exponent
            if length <= limit:
                best = length
        exponent += 1
    return best
