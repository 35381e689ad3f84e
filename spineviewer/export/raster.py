"""Anti-aliased lines, dashes, arrowheads and dots on an RGB image, with numpy and scikit-image.

Coordinates on the canvas are ``(x, y)`` = ``(column, row)`` in canvas pixels, with pixel
centres at integers (the array index of a pixel is ``(row, col)``). Every stroke is drawn over a
dark halo so that it stays visible on bright and dark tissue alike.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from skimage.draw import polygon as fill_polygon_indices

Color = tuple[int, int, int]

#: Colour of the halo drawn under every stroke, and its opacity.
HALO: Color = (0, 0, 0)
HALO_ALPHA = 0.75


class Canvas:
    """An RGB image ``(rows, cols, 3)`` with values in [0, 1] that strokes are composited onto.

    Parameters
    ----------
    rgb : ndarray, shape (rows, cols, 3)
        Copied; floats in [0, 1].
    """

    def __init__(self, rgb: np.ndarray):
        self.rgb = np.array(rgb, dtype=np.float32)
        #: Where strokes were drawn (rows, cols): labels keep clear of it.
        self.ink = np.zeros(self.rgb.shape[:2], dtype=bool)

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` in pixels."""
        return self.rgb.shape[1], self.rgb.shape[0]

    def stroke(self, points, color: Color, width: float, *, closed: bool = False,
               dash: tuple[float, float] | None = None, halo: float = 1.0) -> None:
        """Draw a polyline ``(n, 2)`` of ``(x, y)`` points ``width`` pixels wide.

        ``dash`` is ``(on, off)`` lengths in pixels; ``halo`` the width of the dark border on
        each side (0 for none).
        """
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        if closed and len(points) > 2:
            points = np.vstack([points, points[:1]])
        segments = list(pairwise(points))
        if dash is not None:
            segments = _dashes(points, *dash)
        if halo > 0:
            self.composite(_coverage(self.rgb.shape[:2], segments, width + 2 * halo), HALO, HALO_ALPHA)
        self.composite(_coverage(self.rgb.shape[:2], segments, width), color)

    def polygon(self, points, color: Color, *, halo: float = 1.0) -> None:
        """Fill a polygon ``(n, 2)`` of ``(x, y)`` points (an arrowhead), with a dark border."""
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        if halo > 0:
            self.stroke(points, HALO, 2 * halo, closed=True, halo=0)
        rows, cols = fill_polygon_indices(points[:, 1], points[:, 0], shape=self.rgb.shape[:2])
        self.rgb[rows, cols] = np.asarray(color, dtype=np.float32) / 255.0
        edge = _coverage(self.rgb.shape[:2], list(zip(points, np.roll(points, -1, axis=0))), 1.0)
        self.composite(edge, color)

    def dot(self, centre, radius: float, color: Color, *, halo: float = 1.0) -> None:
        """A filled disc of ``radius`` pixels at ``(x, y)``."""
        centre = np.asarray(centre, dtype=float)
        segment = [(centre, centre + 1e-6)]
        if halo > 0:
            self.composite(_coverage(self.rgb.shape[:2], segment, 2 * (radius + halo)), HALO, HALO_ALPHA)
        self.composite(_coverage(self.rgb.shape[:2], segment, 2 * radius), color)

    def composite(self, coverage: np.ndarray, color: Color, alpha: float = 1.0) -> None:
        """Blend ``color`` over the image where ``coverage`` (rows, cols) in [0, 1] says."""
        self.ink |= coverage > 0.25
        weight = (coverage * alpha)[..., None]
        self.rgb = self.rgb * (1 - weight) + np.asarray(color, dtype=np.float32) / 255.0 * weight

    def to_uint8(self) -> np.ndarray:
        """The image as ``uint8`` RGB."""
        return np.clip(np.rint(self.rgb * 255.0), 0, 255).astype(np.uint8)


def arrowhead(tail, head, length: float, *, half_angle_deg: float = 25.0) -> np.ndarray:
    """The triangle ``(3, 2)`` of an arrowhead at ``head`` pointing away from ``tail``."""
    tail, head = np.asarray(tail, dtype=float), np.asarray(head, dtype=float)
    direction = head - tail
    direction /= max(np.linalg.norm(direction), 1e-9)
    half = np.tan(np.radians(half_angle_deg)) * length
    normal = np.array([-direction[1], direction[0]])
    base = head - direction * length
    return np.array([head, base + normal * half, base - normal * half])


def _coverage(shape: tuple[int, int], segments, width: float) -> np.ndarray:
    """Anti-aliased coverage (rows, cols) of segments ``width`` pixels wide: 1 inside, falling
    linearly to 0 over one pixel at the edge."""
    coverage = np.zeros(shape, dtype=np.float32)
    reach = width / 2.0 + 1.0
    for a, b in segments:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        x0, x1 = int(np.floor(min(a[0], b[0]) - reach)), int(np.ceil(max(a[0], b[0]) + reach))
        y0, y1 = int(np.floor(min(a[1], b[1]) - reach)), int(np.ceil(max(a[1], b[1]) + reach))
        x0, y0 = max(x0, 0), max(y0, 0)
        x1, y1 = min(x1, shape[1] - 1), min(y1, shape[0] - 1)
        if x1 < x0 or y1 < y0:
            continue
        ys, xs = np.mgrid[y0:y1 + 1, x0:x1 + 1].astype(np.float32)
        along = b - a
        length2 = float(along @ along)
        t = np.zeros_like(xs) if length2 == 0 else np.clip(
            ((xs - a[0]) * along[0] + (ys - a[1]) * along[1]) / length2, 0.0, 1.0)
        distance = np.hypot(xs - (a[0] + t * along[0]), ys - (a[1] + t * along[1]))
        cover = np.clip(width / 2.0 + 0.5 - distance, 0.0, 1.0)
        window = coverage[y0:y1 + 1, x0:x1 + 1]
        np.maximum(window, cover, out=window)
    return coverage


def _dashes(points: np.ndarray, on: float, off: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """The 'on' pieces of a polyline cut into dashes of ``on`` pixels every ``on + off``."""
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    total = float(steps.sum())
    if total == 0:
        return []
    cumulative = np.concatenate([[0.0], np.cumsum(steps)])

    def at(s: float) -> np.ndarray:
        return np.array([np.interp(s, cumulative, points[:, k]) for k in range(2)])

    pieces = []
    start = 0.0
    while start < total:
        end = min(start + on, total)
        inner = [points[i] for i in range(len(points)) if start < cumulative[i] < end]
        run = [at(start)] + inner + [at(end)]
        pieces.extend(pairwise(run))
        start += on + off
    return pieces
