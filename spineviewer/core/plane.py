"""The plane and pixel grid of one image: every pixel <-> patient conversion of spineviewer.

Patient coordinates are DICOM LPS mm (x to the patient's left, y posterior, z superior). An
image is placed by its own ImagePositionPatient (IPP), ImageOrientationPatient (``F_row``, then
``F_col``) and PixelSpacing ``(ΔR, ΔC)`` (PS3.3 C.7.6.2.1.1); a frame of an enhanced file by its
own Plane Position, Plane Orientation and Pixel Measures (C.7.6.16). Three conventions name a
point in the image, each with its own pair of methods:

``index`` (:meth:`ImagePlane.to_index`, :meth:`ImagePlane.from_index`)
    Continuous ``(row, col)`` pixel indices; the centre of pixel ``(r, c)`` is the integer
    point, and it is the sample: ``P = IPP + col*ΔC*F_row + row*ΔR*F_col``.
``corner_mm`` (:meth:`ImagePlane.to_corner_mm`, :meth:`ImagePlane.from_corner_mm`)
    In-plane mm ``(x, y)`` from the outer corner of pixel ``(0, 0)``: ``x`` along ``F_row``,
    ``y`` along ``F_col``, so ``x = (col + 1/2)*ΔC`` and ``y = (row + 1/2)*ΔR``; the image covers
    ``[0, columns*ΔC] x [0, rows*ΔR]``. This is a viewport's scene
    (:mod:`spineviewer.gui.reading.scene`) and the rectangle cross-reference lines are clipped to.
``scoord`` (:meth:`ImagePlane.to_scoord`, :meth:`ImagePlane.from_scoord`)
    DICOM SR SCOORD image coordinates ``(column, row)`` (PS3.3 C.18.6.1.1): the top left hand
    corner of the top left pixel is ``(0, 0)``, so the centre of pixel ``(r, c)`` is
    ``(c + 1/2, r + 1/2)``.

Patient points off the plane are projected along its normal ``F_row × F_col``;
:meth:`ImagePlane.distance` gives how far off they are. An image without PixelSpacing gets
``ΔR = ΔC = 1``: its mm are pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spineviewer.core.frames import Frame


def index_to_corner_mm(row_col, spacing: tuple[float, float]) -> np.ndarray:
    """Corner-mm ``(x, y)`` of continuous ``(row, col)`` indices ``(..., 2)``."""
    row_col = np.asarray(row_col, dtype=float)
    return (row_col[..., ::-1] + 0.5) * np.array([spacing[1], spacing[0]])


def corner_mm_to_index(xy, spacing: tuple[float, float]) -> np.ndarray:
    """Continuous ``(row, col)`` indices of corner-mm points ``(x, y)`` ``(..., 2)``."""
    xy = np.asarray(xy, dtype=float)
    return xy[..., ::-1] / np.array([spacing[0], spacing[1]]) - 0.5


def corner_mm_to_pixel(xy, spacing: tuple[float, float]) -> np.ndarray:
    """Integer ``(row, col)`` of the pixel containing each corner-mm point ``(x, y)`` ``(..., 2)``
    (pixel ``(r, c)`` covers ``[c*ΔC, (c+1)*ΔC) x [r*ΔR, (r+1)*ΔR)``); no bounds check."""
    xy = np.asarray(xy, dtype=float)
    return np.floor(xy[..., ::-1] / np.array([spacing[0], spacing[1]])).astype(int)


def index_to_scoord(row_col) -> np.ndarray:
    """SCOORD ``(column, row)`` of continuous ``(row, col)`` indices ``(..., 2)``."""
    return np.asarray(row_col, dtype=float)[..., ::-1] + 0.5


def scoord_to_index(column_row) -> np.ndarray:
    """Continuous ``(row, col)`` indices of SCOORD ``(column, row)`` coordinates ``(..., 2)``."""
    return np.asarray(column_row, dtype=float)[..., ::-1] - 0.5


@dataclass(frozen=True, eq=False)
class ImagePlane:
    """The plane and pixel grid of one 2-D image.

    Attributes
    ----------
    position : ndarray, shape (3,)
        ImagePositionPatient: LPS mm of the centre of pixel ``(0, 0)``.
    row_direction, column_direction : ndarray, shape (3,)
        ``F_row`` (the column index grows along it) and ``F_col`` (the row index grows along it).
    spacing : tuple of float
        ``(ΔR, ΔC)`` in mm; ``(1, 1)`` for an image without PixelSpacing (its drawings are in
        pixels).
    rows, columns : int
    """

    position: np.ndarray
    row_direction: np.ndarray
    column_direction: np.ndarray
    spacing: tuple[float, float]
    rows: int
    columns: int

    @classmethod
    def of_frame(cls, frame: Frame) -> ImagePlane:
        """The plane of one frame; ValueError when the file gives no position or orientation."""
        if not frame.has_geometry:
            raise ValueError(f"{frame.file.source.display} has no ImagePositionPatient or "
                             "ImageOrientationPatient, so points cannot be placed on it")
        orientation = np.asarray(frame.orientation, dtype=float)
        return cls(np.asarray(frame.position, dtype=float), orientation[:3], orientation[3:],
                   frame.pixel_spacing or (1.0, 1.0), frame.file.rows, frame.file.columns)

    @property
    def normal(self) -> np.ndarray:
        """Unit normal ``F_row × F_col``."""
        normal = np.cross(self.row_direction, self.column_direction)
        return normal / np.linalg.norm(normal)

    @property
    def extent_mm(self) -> tuple[float, float]:
        """``(columns*ΔC, rows*ΔR)``: width and height of the image, edge to edge, mm."""
        return self.columns * self.spacing[1], self.rows * self.spacing[0]

    @property
    def centre(self) -> np.ndarray:
        """LPS mm of the middle of the image."""
        width, height = self.extent_mm
        return self.from_corner_mm((width / 2.0, height / 2.0))

    def in_plane(self, vector) -> np.ndarray:
        """The components ``(x, y)`` of an LPS direction ``vector`` along the corner-mm axes
        (``F_row``, ``F_col``): its projection on the image, not normalised."""
        vector = np.asarray(vector, dtype=float)
        return np.array([vector @ self.row_direction, vector @ self.column_direction])

    def distance(self, points) -> np.ndarray:
        """Signed distance (mm) of LPS points ``(..., 3)`` from the plane, along the normal."""
        return (np.asarray(points, dtype=float) - self.position) @ self.normal

    def to_index(self, points) -> np.ndarray:
        """Continuous ``(row, col)`` of LPS points ``(..., 3)``; shape ``(..., 2)``."""
        offset = np.asarray(points, dtype=float) - self.position
        row = offset @ self.column_direction / self.spacing[0]
        col = offset @ self.row_direction / self.spacing[1]
        return np.stack([row, col], axis=-1)

    def from_index(self, row_col) -> np.ndarray:
        """LPS mm ``(..., 3)`` of continuous ``(row, col)`` indices ``(..., 2)``, in the plane."""
        row_col = np.asarray(row_col, dtype=float)
        return (self.position + row_col[..., 1:2] * self.spacing[1] * self.row_direction
                + row_col[..., :1] * self.spacing[0] * self.column_direction)

    def to_corner_mm(self, points) -> np.ndarray:
        """Corner-mm ``(x, y)`` of LPS points ``(..., 3)``; shape ``(..., 2)``."""
        return index_to_corner_mm(self.to_index(points), self.spacing)

    def from_corner_mm(self, xy) -> np.ndarray:
        """LPS mm ``(..., 3)`` of corner-mm points ``(x, y)`` ``(..., 2)``, in the plane."""
        return self.from_index(corner_mm_to_index(xy, self.spacing))

    def to_scoord(self, points) -> np.ndarray:
        """SCOORD ``(column, row)`` of LPS points ``(..., 3)``; shape ``(..., 2)``."""
        return index_to_scoord(self.to_index(points))

    def from_scoord(self, column_row) -> np.ndarray:
        """LPS mm ``(..., 3)`` of SCOORD ``(column, row)`` coordinates ``(..., 2)``."""
        return self.from_index(scoord_to_index(column_row))
