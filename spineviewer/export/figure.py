"""Teaching figures: panels side by side, lettered A, B, C, with the annotations burnt in, an
optional caption and an optional "Not for diagnostic use" watermark, saved as PNG or JPEG.

Rendered from the data (numpy, scikit-image, Pillow), never from the screen, so it works
headless. Anonymous by default: nothing identifying is drawn, and the files carry no metadata
at all (no PNG text chunks, no JPEG EXIF or comments). Only ``identify=True`` adds a line with
the patient's name, ID, birth date, study date and accession number, and only in the pixels.
Panels are made the same height; within each panel a millimetre is as long across as down.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
from PIL import Image

from spineviewer.core.safe_write import write_atomically
from spineviewer.core.annotations import Drawing, StudyAnnotations
from spineviewer.core.model import LoadResult, Patient, Series, Study
from spineviewer.core.stack_geometry import slice_plane
from spineviewer.export.burn_in import DrawingStyle
from spineviewer.export.figure_panel import native_height, render_panel
from spineviewer.export.lettering import draw_text, text_size, wrap
from spineviewer.export.panel_choice import (
    PanelChoice,
    choose_panel,
    default_series,
    find_series,
    shows_drawings,
)

WATERMARK_TEXT = "NOT FOR DIAGNOSTIC USE"
#: Largest panel height accepted, pixels (a 4x figure of a 512-row image).
MAX_PANEL_HEIGHT = 4096
#: Smallest panel height accepted, pixels (room for a letter and a scale bar).
MIN_PANEL_HEIGHT = 32
_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


def choose_panels(result: LoadResult, annotations: StudyAnnotations | None = None, *,
                  names: list[str] | None = None, slices: list[int] | None = None,
                  lesion: int | None = None) -> list[PanelChoice]:
    """The panels of a figure (see :mod:`.panel_choice`).

    Parameters
    ----------
    result : LoadResult
    annotations : StudyAnnotations, optional
        Their drawings decide the slices; ``lesion`` restricts that to one lesion's drawings.
    names : list of str, optional
        Series descriptions or numbers, one per panel (default: sagittal T2, sagittal T1+C,
        axial T1+C, leaving out those that do not reach the annotated lesion, such as an axial
        block at another level).
    slices : list of int, optional
        1-based slice numbers, one per panel, or a single one for every panel.
    """
    guide = _guiding_drawings(annotations, lesion)
    if names:
        series = [find_series(result, name) for name in names]
    else:
        series = default_series(result)
        series = [s for s in series if shows_drawings(s, guide)] or series[:1]
    if not series:
        raise ValueError("the study has no images to make a figure of")
    if slices is not None and len(slices) not in (1, len(series)):
        raise ValueError(f"give one slice number per panel ({len(series)}) or one for all, "
                         f"not {len(slices)}")
    chosen = []
    for k, one in enumerate(series):
        number = None if slices is None else slices[k if len(slices) > 1 else 0]
        chosen.append(choose_panel(one, guide, slice_number=number))
    return chosen


def render_figure(result: LoadResult, panels: list[PanelChoice],
                  annotations: StudyAnnotations | None = None, *, scale: float = 1.0,
                  caption: str = "", watermark: bool = False, identify: bool = False,
                  orientation_letters: bool = False, scale_bar: bool = True) -> Image.Image:
    """The figure as an RGB image.

    Parameters
    ----------
    result : LoadResult
        The study (for the identification line).
    panels : list of PanelChoice
    annotations : StudyAnnotations, optional
        Burnt into every panel they belong to.
    scale : float
        1 keeps the finest pixel spacing of the panels (native resolution), 2 doubles it.
    caption : str
        Wrapped under the panels.
    watermark : bool
        "NOT FOR DIAGNOSTIC USE" across the figure.
    identify : bool
        Print the patient's name, ID, birth date, study date and accession number above the
        panels. Off by default: figures are anonymous unless asked otherwise.

    Raises
    ------
    ValueError
        No panel, or a scale giving panels too small or too large.
    """
    if not panels:
        raise ValueError("a figure needs at least one panel")
    if not (0 < scale <= 8):
        raise ValueError(f"scale must be between 0 and 8, got {scale}")
    height = max(native_height(slice_plane(p.stack, p.index)) for p in panels)
    height = round(height * scale)
    if height < MIN_PANEL_HEIGHT:
        raise ValueError(f"panels {height} pixels tall are too small; use a larger scale")
    if height > MAX_PANEL_HEIGHT:
        raise ValueError(f"panels {height} pixels tall are too large; use a smaller scale")
    letters = [chr(ord("A") + k) for k in range(len(panels))] if len(panels) > 1 else [""]
    images = [render_panel(p, annotations, height=height, letter=letter,
                           orientation_letters=orientation_letters, scale_bar=scale_bar)
              for p, letter in zip(panels, letters)]
    style = DrawingStyle.for_height(height)
    gap = max(2, round(style.line_width * 3))
    width = sum(image.width for image in images) + gap * (len(images) - 1)
    text_size_px = round(style.label_size * 1.2)
    header = [identification_text(result, panels[0].series)] if identify else []
    header_lines = [line for text in header for line in wrap(text, text_size_px, width - 2 * gap)]
    caption_lines = wrap(caption, text_size_px, width - 2 * gap) if caption.strip() else []
    line_height = text_size("Ag", text_size_px)[1] + max(2, text_size_px // 3)
    top = len(header_lines) * line_height + (gap if header_lines else 0)
    bottom = len(caption_lines) * line_height + (2 * gap if caption_lines else 0)
    figure = Image.new("RGB", (width, top + height + bottom), (0, 0, 0))
    x = 0
    for image in images:
        figure.paste(image, (x, top))
        x += image.width + gap
    for k, line in enumerate(header_lines):
        draw_text(figure, line, (gap, k * line_height + gap // 2), text_size_px, outline=None)
    for k, line in enumerate(caption_lines):
        draw_text(figure, line, (gap, top + height + gap + k * line_height), text_size_px,
                  outline=None)
    if watermark:
        figure = _watermarked(figure)
    return figure


def save_figure(image: Image.Image, path) -> Path:
    """Write the figure as PNG or JPEG (from the suffix), atomically and with no metadata.

    PNG gets no text chunks and JPEG no EXIF, XMP or comment segments (only Pillow's JFIF
    header), so nothing but the pixels leaves the workstation.
    """
    path = Path(path)
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"{path.name}: a figure is written as .png, .jpg or .jpeg")
    clean = Image.frombytes("RGB", image.size, image.convert("RGB").tobytes())
    buffer = io.BytesIO()
    if kind == "PNG":
        clean.save(buffer, format="PNG", optimize=True)
    else:
        clean.save(buffer, format="JPEG", quality=95, subsampling=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, buffer.getvalue())
    return path


def _guiding_drawings(annotations: StudyAnnotations | None, lesion: int | None) -> list[Drawing]:
    if annotations is None:
        if lesion is not None:
            raise ValueError("--lesion needs annotations")
        return []
    if lesion is None:
        return list(annotations.all_drawings())
    try:
        return list(annotations.lesion(lesion).annotations)
    except KeyError:
        numbers = ", ".join(str(one.lesion_id) for one in annotations.lesions) or "none"
        raise ValueError(f"there is no lesion {lesion} (the lesions are {numbers})") from None


def identification_text(result: LoadResult, series: Series) -> str:
    """The line ``identify=True`` prints: name, ID, birth date, study date, accession."""
    patient, study = _owner(result, series)
    parts = [f"Name: {patient.name.replace('^', ' ').strip() or '-'}", f"ID: {patient.id or '-'}",
             f"Born: {_date(patient.birth_date)}", f"Study: {_date(study.date)}",
             f"Accession: {study.accession_number or '-'}"]
    return "  ·  ".join(parts)


def _owner(result: LoadResult, series: Series) -> tuple[Patient, Study]:
    for patient, study, one in result.iter_series():
        if one is series:
            return patient, study
    raise ValueError("the panel's series is not part of this study")


def _date(value: str) -> str:
    value = (value or "").strip()
    if len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value or "-"


def _watermarked(figure: Image.Image) -> Image.Image:
    """The figure with the watermark text laid diagonally across it, half transparent."""
    w, h = figure.size
    diagonal = math.hypot(w, h)
    size = max(12, int(diagonal / (len(WATERMARK_TEXT) * 0.75)))
    tw, th = text_size(WATERMARK_TEXT, size)
    layer = Image.new("L", (tw + 4, th + 4), 0)
    draw_text(layer, WATERMARK_TEXT, (2, 2), size, color=255, outline=None)
    layer = layer.rotate(math.degrees(math.atan2(h, w)), expand=True, resample=Image.BICUBIC)
    mask = Image.new("L", (w, h), 0)
    mask.paste(layer, ((w - layer.width) // 2, (h - layer.height) // 2))
    alpha = (np.asarray(mask, dtype=np.float32) / 255.0 * 0.25)[..., None]
    pixels = np.asarray(figure, dtype=np.float32)
    red = np.array([255.0, 60.0, 60.0])
    return Image.fromarray(np.clip(pixels * (1 - alpha) + red * alpha, 0, 255).astype(np.uint8), "RGB")
