"""Window/level: which stored values map to black and white on screen.

A window is ``(centre, width)`` in rescaled pixel units (after the Modality LUT, DICOM PS3.3
C.11.1.1.2); values at or below ``centre - width/2`` are black, at or above ``centre + width/2``
white, linear between. This is the linear VOI function of PS3.3 C.11.2.1.2 without its
half-unit offsets, which do not matter on screen.
"""

from __future__ import annotations

import numpy as np

Window = tuple[float, float]

#: The narrowest window a drag can reach (one value unit).
MIN_WIDTH = 1.0
#: Screen pixels of drag that change the width by the width it had when the drag began.
DRAG_PIXELS_PER_WIDTH = 300.0


def window_levels(window: Window) -> tuple[float, float]:
    """``(black, white)``: the values shown black and white for a ``(centre, width)`` window."""
    centre, width = window
    return centre - width / 2.0, centre + width / 2.0


def auto_window(pixels: np.ndarray) -> Window:
    """A window spanning the 0.5th to 99.5th percentile of an image, for files that give none.

    Parameters
    ----------
    pixels : ndarray, shape (rows, cols)
        Rescaled values of one slice.
    """
    values = np.asarray(pixels, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.5, MIN_WIDTH
    low, high = np.percentile(values, [0.5, 99.5])
    if high - low < MIN_WIDTH:
        low, high = float(values.min()), float(values.max())
    width = max(float(high - low), MIN_WIDTH)
    return float(low) + width / 2.0, width


def dragged_window(start: Window, dx: float, dy: float) -> Window:
    """The window after a left-drag of ``(dx, dy)`` screen pixels from ``start``.

    Dragging right widens the window (less contrast), left narrows it; dragging down raises
    the centre (darker image), up lowers it (brighter). The rate scales with the starting width
    so that CT-like and MR-like value ranges feel the same under the mouse.
    """
    centre, width = start
    rate = max(width, 10 * MIN_WIDTH) / DRAG_PIXELS_PER_WIDTH
    return centre + dy * rate, max(MIN_WIDTH, width + dx * rate)


def describe_window(window: Window | None) -> str:
    """``"W 800 L 400"``, as overlays show it (``L`` is the centre, the reader's *level*)."""
    if window is None:
        return ""
    centre, width = window
    return f"W {width:.0f}  L {centre:.0f}"
