"""A lesion mask on one viewport: a translucent tint and its outline, and the brush that edits it.

Coordinates: a mask is a boolean array ``(slice, row, col)`` on the pixel grid of the stack it
was segmented on (slices in the stack's order along its normal). Slice ``k`` of the mask is
drawn on slice ``k`` of that stack only, as an image covering the scene rectangle of the
image (:func:`spineviewer.gui.reading.scene.image_rect`), so pixel ``(r, c)`` of the mask
covers pixel ``(r, c)`` of the image. Outlines follow the pixel edges of the slice's mask.

The brush paints discs of a radius in mm along the stroke on a copy of the displayed slice;
the copy is shown as the reader paints, and handed back whole when the stroke ends (the
caller measures it and stores it as one edit).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, Qt
from skimage.draw import ellipse
from skimage.measure import find_contours

from spineviewer.core.model import Stack
from spineviewer.gui.annotation.items import PROPOSED_COLOUR
from spineviewer.gui.reading import scene

MASK_COLOUR = (255, 120, 40)
PROPOSED_MASK_COLOUR = tuple(int(PROPOSED_COLOUR[i:i + 2], 16) for i in (1, 3, 5))
#: Opacity of the tint (0-255): the enhancement under it stays readable.
TINT_ALPHA = 55
_MASK_Z = 60


def stroke_disks(shape: tuple[int, int], points, radius_mm: float,
                 spacing: tuple[float, float]) -> np.ndarray:
    """The pixels a brush of ``radius_mm`` covers along a stroke through scene ``points``,
    as a boolean ``(rows, cols)`` array; discs every half-radius along each segment, so the
    stroke has no gaps."""
    spacing_r, spacing_c = spacing
    covered = np.zeros(shape, dtype=bool)
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    step = max(radius_mm / 2, 1e-3)
    centres = [points[0]]
    for a, b in zip(points, points[1:]):
        n = max(1, int(np.ceil(np.hypot(*(b - a)) / step)))
        centres.extend(a + (b - a) * t for t in np.linspace(0, 1, n + 1)[1:])
    for x, y in centres:
        row, col = y / spacing_r - 0.5, x / spacing_c - 0.5
        # An ellipse in pixels is a circle in mm when the pixels are not square; at least
        # the pixel under the brush's centre.
        rr, cc = ellipse(row, col, max(radius_mm / spacing_r, 0.5), max(radius_mm / spacing_c, 0.5),
                         shape=shape)
        covered[rr, cc] = True
        r, c = int(round(row)), int(round(col))
        if 0 <= r < shape[0] and 0 <= c < shape[1]:
            covered[r, c] = True
    return covered


def outline(mask_slice: np.ndarray, spacing: tuple[float, float]) -> list[np.ndarray]:
    """Scene polylines ``(n, 2)`` of ``(x, y)`` around the regions of one mask slice, along
    the edges of its pixels' centres' half-way contour."""
    spacing_r, spacing_c = spacing
    padded = np.pad(mask_slice.astype(float), 1)
    lines = []
    for contour in find_contours(padded, 0.5):
        rows, cols = contour[:, 0] - 1, contour[:, 1] - 1
        lines.append(np.column_stack([(cols + 0.5) * spacing_c, (rows + 0.5) * spacing_r]))
    return lines


def _same_masks(masks, shown) -> bool:
    return len(masks) == len(shown) and all(
        a[0] == b[0] and a[1] is b[1] and a[2] == b[2] for a, b in zip(masks, shown))


class MaskView:
    """The masks of the displayed slice on one view box, and a brush stroke under way."""

    def __init__(self, view_box: pg.ViewBox):
        self.view_box = view_box
        self._items: list = []
        #: The mask being painted: (mask id, whole mask copy), None when no stroke is under way.
        self.editing: tuple[str, np.ndarray] | None = None
        self._stack: Stack | None = None
        self._index = -1
        self._masks: list[tuple[str, np.ndarray, bool]] = []
        #: Whether the items show ``_masks`` on ``_index`` of ``_stack`` as they are.
        self._drawn = False

    def clear(self) -> None:
        self._drawn = False
        for item in self._items:
            if item.scene() is not None:
                self.view_box.removeItem(item)
        self._items.clear()

    def show(self, stack: Stack, slice_index: int, masks) -> None:
        """Draw the slices ``slice_index`` of ``masks``: ``(id, mask, proposed)`` on ``stack``'s
        grid (masks of another shape are not this stack's and are skipped). The tint is
        not drawn again when the same masks (by identity) are shown on the same slice."""
        masks = list(masks)
        if (self._drawn and self.editing is None and stack is self._stack
                and slice_index == self._index and _same_masks(masks, self._masks)):
            return
        self._stack, self._index, self._masks = stack, slice_index, masks
        self.clear()
        # A stroke under way shows a copy that is not among the masks: drawn again next time.
        self._drawn = self.editing is None
        for mask_id, mask, proposed in self._masks:
            if self.editing is not None and self.editing[0] == mask_id:
                mask = self.editing[1]
            if mask.shape != stack.shape or not mask[slice_index].any():
                continue
            self._draw(mask[slice_index], PROPOSED_MASK_COLOUR if proposed else MASK_COLOUR,
                       dashed=proposed)

    def _draw(self, mask_slice: np.ndarray, colour, *, dashed: bool) -> None:
        stack = self._stack
        rgba = np.zeros(mask_slice.shape + (4,), dtype=np.uint8)
        rgba[mask_slice] = (*colour, TINT_ALPHA)
        tint = pg.ImageItem(rgba, axisOrder="row-major")
        tint.setRect(QRectF(*scene.image_rect(stack)))
        tint.setZValue(_MASK_Z)
        self._add(tint)
        pen = pg.mkPen(pg.mkColor(*colour), width=1.5)
        pen.setCosmetic(True)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        for line in outline(mask_slice, scene.pixel_spacing(stack)):
            curve = pg.PlotCurveItem(line[:, 0], line[:, 1], pen=pen)
            curve.setZValue(_MASK_Z + 1)
            self._add(curve)

    def _add(self, item) -> None:
        self.view_box.addItem(item)
        self._items.append(item)

    def paint(self, mask_id: str, mask: np.ndarray, points, radius_mm: float, *, erase: bool) -> None:
        """Paint (or erase) a stroke through scene ``points`` on the displayed slice of a copy
        of ``mask``, and show it."""
        if self.editing is None or self.editing[0] != mask_id:
            self.editing = (mask_id, mask.copy())
        stack, index = self._stack, self._index
        covered = stroke_disks(stack.shape[1:], points, radius_mm, scene.pixel_spacing(stack))
        self.editing[1][index][covered] = not erase
        self.show(stack, index, self._masks)

    def finish(self) -> tuple[str, np.ndarray] | None:
        """The painted mask (its id and the whole array) and the end of the stroke."""
        edited, self.editing = self.editing, None
        return edited
