"""Small previews of a stack's middle slice for the study browser, made off the GUI thread.

A thumbnail is a picture, not a reading image: it is resampled to square mm pixels and fitted
in a square of ``size`` screen pixels. The whole computation (decode, window, resample, QImage)
runs in a worker; the GUI thread only turns the QImage into an icon.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtGui import QImage

from spineviewer.core.model import Stack
from spineviewer.gui.reading.scene import pixel_spacing
from spineviewer.gui.reading.windowing import auto_window, window_levels

THUMBNAIL_SIZE = 64


def _resample_axis(values: np.ndarray, size: int, axis: int) -> np.ndarray:
    """``size`` samples along ``axis``: area means when shrinking, nearest when growing."""
    length = values.shape[axis]
    if size >= length:
        index = np.minimum(((np.arange(size) + 0.5) * length / size).astype(int), length - 1)
        return np.take(values, index, axis=axis)
    edges = np.linspace(0, length, size + 1).round().astype(int)
    sums = np.add.reduceat(values, edges[:-1], axis=axis)
    counts = np.diff(edges).reshape([-1 if k == axis else 1 for k in range(values.ndim)])
    return sums / counts


def thumbnail_array(pixels: np.ndarray, spacing: tuple[float, float], *,
                    window: tuple[float, float] | None = None, size: int = THUMBNAIL_SIZE) -> np.ndarray:
    """A windowed ``uint8`` preview of one slice, at most ``size`` pixels on its long side.

    Parameters
    ----------
    pixels : ndarray, shape (rows, cols)
    spacing : (ΔR, ΔC)
        Pixel spacing, so the preview keeps the image's true aspect ratio.
    window : (centre, width), optional
        Defaults to :func:`~spineviewer.gui.reading.windowing.auto_window`.
    """
    rows, cols = pixels.shape
    height, width = rows * spacing[0], cols * spacing[1]
    scale = size / max(height, width)
    shape = (max(1, round(height * scale)), max(1, round(width * scale)))
    black, white = window_levels(window or auto_window(pixels))
    small = _resample_axis(_resample_axis(pixels.astype(np.float64), shape[0], 0), shape[1], 1)
    scaled = (small - black) / max(white - black, 1e-6)
    return np.clip(np.rint(scaled * 255), 0, 255).astype(np.uint8)


def to_qimage(gray: np.ndarray) -> QImage:
    """An owned 8-bit grayscale QImage of a ``(rows, cols)`` uint8 array."""
    gray = np.ascontiguousarray(gray)
    rows, cols = gray.shape
    return QImage(gray.data, cols, rows, cols, QImage.Format.Format_Grayscale8).copy()


def stack_thumbnail(stack: Stack, *, size: int = THUMBNAIL_SIZE) -> QImage:
    """Decode the middle slice of ``stack`` and make its preview (call it in a worker)."""
    middle = stack.shape[0] // 2
    pixels = stack.slice_pixels(middle)
    window = stack.frames[middle].window
    return to_qimage(thumbnail_array(pixels, pixel_spacing(stack), window=window, size=size))
