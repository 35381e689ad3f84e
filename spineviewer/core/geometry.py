"""Orientation names and the SimpleITK-style description of a stack, in patient space.

Pixel <-> patient conversions are not here: every one goes through the plane of the image
(:mod:`spineviewer.core.plane`, :mod:`spineviewer.core.stack_geometry`), which uses each slice's
own position and orientation.

Conventions (DICOM PS3.3 C.7.6.2.1.1, Image Plane Module):

- Patient coordinates are LPS in mm: x to the patient's left, y posterior, z superior.
- ``F_row`` (first three values of ImageOrientationPatient) is the direction in which the column
  index grows along a row; ``F_col`` (last three) the direction in which the row index grows.
- PixelSpacing is ``(ΔR, ΔC)``: the distance between rows, then between columns.
- ``pixel -> patient``: ``P = IPP + col*ΔC*F_row + row*ΔR*F_col``; the pixel centre is the sample.
- A stack's slice direction is the normal ``F_row × F_col``; slices are ordered by their
  position along it, never by InstanceNumber or file name.
- A volume's ``direction`` is the 3 x 3 matrix whose columns are the row, column and slice
  directions (SimpleITK's convention).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Cosine above which a slice normal counts as aligned with a patient axis (about 37 degrees).
_PLANE_COSINE = 0.8


def slice_normal(orientation: np.ndarray) -> np.ndarray:
    """Unit normal ``F_row × F_col`` of an ImageOrientationPatient (6 values)."""
    orientation = np.asarray(orientation, dtype=float)
    normal = np.cross(orientation[:3], orientation[3:])
    norm = np.linalg.norm(normal)
    return normal / norm if norm > 0 else normal


def plane_name(orientation: np.ndarray) -> str:
    """``sagittal``, ``coronal``, ``axial`` or ``oblique`` from ImageOrientationPatient."""
    normal = np.abs(slice_normal(orientation))
    axis = int(np.argmax(normal))
    if normal[axis] < _PLANE_COSINE:
        return "oblique"
    return ("sagittal", "coronal", "axial")[axis]


def orientation_letters(direction: np.ndarray, *, tolerance: float = 0.25) -> str:
    """Patient-direction letters for a vector, the major axis first (PS3.3 C.7.6.1.1.1).

    Letters are L/R, P/A and S/I (radiologists read superior/inferior rather than the standard's
    head/foot). An oblique vector gets up to three letters, strongest first: ``(0, 0.5, -0.87)``
    gives ``"IP"``.
    """
    vector = np.asarray(direction, dtype=float)
    letters = []
    for axis in np.argsort(-np.abs(vector)):
        value = vector[axis]
        if abs(value) <= tolerance and letters:
            break
        positive, negative = (("L", "R"), ("P", "A"), ("S", "I"))[axis]
        letters.append(positive if value > 0 else negative)
    return "".join(letters)


@dataclass(frozen=True)
class VolumeGeometry:
    """A stack described as SimpleITK describes an image (``spineviewer info --json``).

    A description only: it assumes the first slice's orientation and the mean slice gap, so it
    must not place points (an unevenly spaced stack or frames with their own orientation would
    be misplaced); :class:`~spineviewer.core.stack_geometry.StackGeometry` does that.

    Attributes
    ----------
    origin : ndarray, shape (3,)
        LPS position of voxel (slice 0, row 0, col 0), mm.
    spacing : ndarray, shape (3,)
        ``(ΔC, ΔR, Δslice)``: column, row and slice spacing, mm.
    direction : ndarray, shape (3, 3)
        Columns are the row direction ``F_row``, column direction ``F_col`` and slice normal.
    size : tuple of int
        ``(columns, rows, slices)``.
    """

    origin: np.ndarray
    spacing: np.ndarray
    direction: np.ndarray
    size: tuple[int, int, int]

    def as_dict(self) -> dict:
        """The SimpleITK-style description used by ``spineviewer info --json``."""
        return {
            "size": [int(v) for v in self.size],
            "spacing": [float(v) for v in self.spacing],
            "origin": [float(v) for v in self.origin],
            "direction": [float(v) for v in self.direction.reshape(-1)],
        }
