"""Where a patient point falls on one image, and which image a SOP Instance UID names.

Conventions (DICOM PS3.3 C.7.6.2.1.1 and C.18.6.1.1):

- Patient coordinates are LPS in mm: x to the patient's left, y posterior, z superior.
- A pixel index is ``(row, col)``; the centre of pixel ``(0, 0)`` is the sample at
  ImagePositionPatient, so ``P = IPP + col*ΔC*F_row + row*ΔR*F_col`` (PixelSpacing = ``(ΔR, ΔC)``).
- :meth:`ImagePlane.to_pixel` gives continuous ``(column, row)`` *indices* (pixel centres at
  integers). :meth:`ImagePlane.to_scoord` gives DICOM SR SCOORD image coordinates, whose origin
  is the top left hand corner of the top left pixel: the centre of pixel ``(0, 0)`` is
  ``(0.5, 0.5)``.
- A point off the plane is projected along the plane's normal ``F_row × F_col``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spineviewer.core.frames import Frame
from spineviewer.core.model import LoadResult, Series, Stack


@dataclass(frozen=True)
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

    def to_pixel(self, points) -> np.ndarray:
        """Continuous ``(column, row)`` indices of LPS points ``(..., 3)``; shape ``(..., 2)``."""
        offset = np.asarray(points, dtype=float) - self.position
        column = offset @ self.row_direction / self.spacing[1]
        row = offset @ self.column_direction / self.spacing[0]
        return np.stack([column, row], axis=-1)

    def to_patient(self, column_row) -> np.ndarray:
        """LPS mm ``(..., 3)`` of continuous ``(column, row)`` indices ``(..., 2)``, in the plane."""
        column_row = np.asarray(column_row, dtype=float)
        return (self.position + column_row[..., :1] * self.spacing[1] * self.row_direction
                + column_row[..., 1:2] * self.spacing[0] * self.column_direction)

    def distance(self, points) -> np.ndarray:
        """Signed distance (mm) of LPS points ``(..., 3)`` from the plane, along the normal."""
        return (np.asarray(points, dtype=float) - self.position) @ self.normal

    def to_scoord(self, points) -> np.ndarray:
        """SCOORD ``(column, row)`` image coordinates of LPS points ``(n, 3)`` (PS3.3 C.18.6.1.1:
        the top left hand corner of the first pixel is ``(0, 0)``); shape ``(n, 2)``."""
        return self.to_pixel(points) + 0.5

    def from_scoord(self, coordinates) -> np.ndarray:
        """LPS mm ``(n, 3)`` of SCOORD image coordinates ``(n, 2)``."""
        return self.to_patient(np.asarray(coordinates, dtype=float) - 0.5)


@dataclass(frozen=True)
class LocatedImage:
    """One image of a loaded study, found by its SOP Instance UID."""

    series: Series
    stack: Stack
    index: int

    @property
    def frame(self) -> Frame:
        return self.stack.frames[self.index]

    @property
    def plane(self) -> ImagePlane:
        return ImagePlane.of_frame(self.frame)


def image_index(result: LoadResult) -> dict[str, LocatedImage]:
    """Every single-frame image of a load result by SOPInstanceUID.

    Frames of a multi-frame file share one SOP Instance UID; they are left out, as an image
    reference without a frame number could not say which frame is meant.
    """
    found: dict[str, LocatedImage] = {}
    for _, _, series in result.iter_series():
        for stack in series.stacks:
            for index, frame in enumerate(stack.frames):
                if frame.index is None:
                    found[frame.file.sop_instance_uid] = LocatedImage(series, stack, index)
    return found
