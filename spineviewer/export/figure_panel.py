"""One panel of a teaching figure: a windowed slice with square pixels in mm, its annotations
burnt in, its letter, and optionally orientation letters and a scale bar.

Coordinates: the slice is ``(row, col)`` with PixelSpacing ``(ΔR, ΔC)`` mm; the panel is
resampled to square pixels of :attr:`~.panel_view.PanelView.pixel_mm` so that a millimetre is as
long across as down (an image with non-square pixels is not stretched). Canvas points are
``(x, y)`` = ``(column, row)`` panel pixels with pixel centres at integers; the canvas covers
exactly the physical extent of the slice, edge to edge (:mod:`.panel_view`).
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from skimage.transform import resize

from spineviewer.core.annotations import StudyAnnotations
from spineviewer.core.plane import ImagePlane
from spineviewer.core.stack_geometry import slice_plane
from spineviewer.export.burn_in import DrawingStyle, burn_in
from spineviewer.export.lettering import Label, Lettering, draw_text, text_size
from spineviewer.export.panel_choice import PanelChoice
from spineviewer.export.panel_view import PanelView
from spineviewer.export.raster import Canvas

#: Scale-bar lengths to choose from, mm.
_BAR_LENGTHS = (5, 10, 20, 25, 50, 100)


def native_height(plane: ImagePlane) -> int:
    """Panel height that keeps the image's finest pixel spacing (no loss of detail)."""
    finest = min(plane.spacing)
    return max(1, round(plane.rows * plane.spacing[0] / finest))


def display_window(pixels: np.ndarray, header_window: tuple[float, float] | None) -> tuple[float, float]:
    """``(centre, width)``: the DICOM header's window (WindowCenter/WindowWidth, PS3.3
    C.11.2.1.2), or the 0.5th to 99.5th percentile of the slice when the header gives none."""
    if header_window is not None:
        return header_window
    values = np.asarray(pixels, dtype=np.float64)
    low, high = np.percentile(values[np.isfinite(values)], [0.5, 99.5]) if values.size else (0, 1)
    width = max(float(high - low), 1.0)
    return float(low) + width / 2, width


def grey_panel(pixels: np.ndarray, window: tuple[float, float], view: PanelView) -> np.ndarray:
    """The slice windowed to [0, 1] and resampled to the view, ``(height, width)``.

    The Modality LUT is already applied to ``pixels``; windowing comes before resampling, so
    interpolation works on displayed grey levels and cannot ring outside them.
    """
    centre, width = window
    grey = np.clip((np.asarray(pixels, dtype=np.float32) - (centre - width / 2)) / width, 0, 1)
    shrinking = view.height < grey.shape[0] or view.width < grey.shape[1]
    resized = resize(grey, (view.height, view.width), order=1 if shrinking else 3,
                     anti_aliasing=shrinking, preserve_range=True)
    return np.clip(resized, 0.0, 1.0)


def render_panel(choice: PanelChoice, annotations: StudyAnnotations | None, *, height: int,
                 letter: str = "", orientation_letters: bool = False, scale_bar: bool = True,
                 window: tuple[float, float] | None = None) -> Image.Image:
    """Render one panel as an RGB image ``height`` pixels tall.

    Parameters
    ----------
    choice : PanelChoice
        The stack and slice to show.
    annotations : StudyAnnotations or None
        Drawings on this slice (:func:`~spineviewer.core.stack_geometry.owning_slice`) and,
        on sagittal and coronal panels, the vertebral level labels are burnt in.
    height : int
        Panel height in pixels (see :func:`native_height`).
    letter : str
        Panel letter drawn in the top left corner ('' for none).
    orientation_letters : bool
        Patient-direction letters at the middle of each edge.
    scale_bar : bool
        A bar of a round number of mm in the bottom right corner (omitted without PixelSpacing).
    window : (centre, width), optional
        Overrides the header's window.
    """
    frame = choice.stack.frames[choice.index]
    view = PanelView.fitting(slice_plane(choice.stack, choice.index), height)
    pixels = choice.stack.slice_pixels(choice.index)
    grey = grey_panel(pixels, window or display_window(pixels, frame.window), view)
    canvas = Canvas(np.repeat(grey[..., None], 3, axis=2))
    style = DrawingStyle.for_height(height)
    lettering = Lettering(view.width, view.height)
    if letter:
        lettering.reserve(_letter_box(letter, style))
    if scale_bar and choice.stack.spacing_known:
        _scale_bar(canvas, lettering, view, style)
    if orientation_letters:
        _orientation(lettering, choice, style)
    if annotations is not None:
        burn_in(canvas, lettering, view, annotations, stack=choice.stack, index=choice.index,
                style=style)
    image = Image.fromarray(canvas.to_uint8(), mode="RGB")
    lettering.draw(image)
    if letter:
        draw_text(image, letter, _letter_box(letter, style)[:2], style.letter_size)
    return image


def _letter_box(letter: str, style: DrawingStyle):
    w, h = text_size(letter, style.letter_size)
    x = y = style.letter_size * 0.3
    return (x, y, x + w, y + h)


def _scale_bar(canvas: Canvas, lettering: Lettering, view: PanelView, style: DrawingStyle) -> None:
    fitting = [mm for mm in _BAR_LENGTHS if mm / view.pixel_mm <= view.width * 0.25]
    if not fitting:
        return
    mm = fitting[-1]
    length = mm / view.pixel_mm
    margin = style.label_size
    y = view.height - margin
    x1 = view.width - margin
    x0 = x1 - length
    tick = style.tick
    canvas.stroke([(x0, y), (x1, y)], (255, 255, 255), style.line_width)
    for x in (x0, x1):
        canvas.stroke([(x, y - tick), (x, y)], (255, 255, 255), style.line_width)
    text = f"{mm} mm"
    w, h = text_size(text, style.label_size)
    top = y - tick - 2 - h
    lettering.placed.append((Label(text, ((x0 + x1) / 2, top), style.label_size),
                             ((x0 + x1 - w) / 2, top, (x0 + x1 + w) / 2, top + h)))
    lettering.reserve((x0 - 2, top, x1 + 2, y + style.line_width))


def _orientation(lettering: Lettering, choice: PanelChoice, style: DrawingStyle) -> None:
    letters = choice.stack.edge_letters()
    w, h = lettering.width, lettering.height
    size = style.label_size
    spots = {"left": ((0.0, h / 2), (1.0, 0.0)), "right": ((w - 1.0, h / 2), (-1.0, 0.0)),
             "top": ((w / 2, 0.0), (0.0, 1.0)), "bottom": ((w / 2, h - 1.0), (0.0, -1.0))}
    for edge, (anchor, inward) in spots.items():
        if letters.get(edge):
            lettering.add(Label(letters[edge], anchor, size, directions=(inward,), gap=3.0))
