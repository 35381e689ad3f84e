"""Where patient points fall on a figure panel.

Coordinates: the panel shows one image resampled to square pixels of :attr:`PanelView.pixel_mm`
covering exactly its physical extent, edge to edge. Panel points are ``(x, y)`` =
``(column, row)`` panel pixels with pixel centres at integers, so the image's corner-mm point
``(u, v)`` (:mod:`spineviewer.core.plane`) is panel ``(u/pixel_mm - 1/2, v/pixel_mm - 1/2)``.
Patient points are DICOM LPS mm, projected onto the image plane along its normal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spineviewer.core.plane import ImagePlane


@dataclass(frozen=True, eq=False)
class PanelView:
    """The mapping from an image's patient points to panel pixels.

    Attributes
    ----------
    plane : ImagePlane
    pixel_mm : float
        Size of one square panel pixel, mm (pixels of the image when it has no PixelSpacing).
    width, height : int
        Panel size in pixels.
    """

    plane: ImagePlane
    pixel_mm: float
    width: int
    height: int

    @classmethod
    def fitting(cls, plane: ImagePlane, height: int) -> PanelView:
        """The view of ``plane`` that is ``height`` pixels tall."""
        extent_cols, extent_rows = plane.extent_mm
        pixel_mm = extent_rows / height
        return cls(plane, pixel_mm, max(1, round(extent_cols / pixel_mm)), int(height))

    def to_canvas(self, points) -> np.ndarray:
        """Panel ``(x, y)`` of LPS points ``(..., 3)``, projected onto the image plane."""
        return self.plane.to_corner_mm(points) / self.pixel_mm - 0.5

    def direction(self, vector) -> np.ndarray:
        """Unit panel direction of an LPS ``vector``; zero when it is along the plane's normal.
        (Canvas pixels are square, so the image plane's direction is the panel's.)"""
        step = self.plane.in_plane(vector)
        norm = np.linalg.norm(step)
        return step / norm if norm > 1e-6 else np.zeros(2)
