"""The one adapter between a viewport's scene, pixel indices and patient space.

Conventions
-----------
- The scene of a viewport is the image plane in mm. ``x`` runs along a row (column index
  grows), ``y`` down the image (row index grows); ``(0, 0)`` is the outer corner of pixel
  ``(row 0, col 0)``, so pixel ``(r, c)`` covers ``[c*ΔC, (c+1)*ΔC) x [r*ΔR, (r+1)*ΔR)``.
- A pixel's centre is its sample (DICOM PS3.3 C.7.6.2.1.1): scene point ``(x, y)`` is the
  continuous index ``row = y/ΔR - 1/2``, ``col = x/ΔC - 1/2``.
- Patient coordinates are DICOM LPS mm:
  ``P = IPP[slice] + col*ΔC*F_row + row*ΔR*F_col``. The slice's own ImagePositionPatient is
  used, so unevenly spaced stacks stay exact.
- A stack without PixelSpacing is drawn with ``ΔR = ΔC = 1``: its scene is in pixels and every
  length shown is labelled ``px``.
"""

from __future__ import annotations

import numpy as np

from spineviewer.core.geometry import orientation_letters
from spineviewer.core.model import Stack
from spineviewer.core.units import Unit


def pixel_spacing(stack: Stack) -> tuple[float, float]:
    """``(ΔR, ΔC)``: the distance between rows and between columns, mm (or 1 px)."""
    spacing_c, spacing_r = (float(v) for v in stack.geometry.spacing[:2])
    return spacing_r, spacing_c


def length_unit(stack: Stack) -> Unit:
    """``mm`` when the files give PixelSpacing, ``px`` otherwise."""
    return Unit.of_image(stack.spacing_known)


def image_rect(stack: Stack) -> tuple[float, float, float, float]:
    """``(x, y, width, height)`` of the whole image in scene mm."""
    _, rows, cols = stack.shape
    spacing_r, spacing_c = pixel_spacing(stack)
    return 0.0, 0.0, cols * spacing_c, rows * spacing_r


def scene_to_index(stack: Stack, x: float, y: float) -> tuple[float, float]:
    """Continuous ``(row, col)`` of a scene point; integers are pixel centres."""
    spacing_r, spacing_c = pixel_spacing(stack)
    return y / spacing_r - 0.5, x / spacing_c - 0.5


def scene_to_pixel(stack: Stack, x: float, y: float) -> tuple[int, int] | None:
    """The ``(row, col)`` of the pixel containing a scene point, None outside the image."""
    spacing_r, spacing_c = pixel_spacing(stack)
    row, col = int(np.floor(y / spacing_r)), int(np.floor(x / spacing_c))
    _, rows, cols = stack.shape
    if 0 <= row < rows and 0 <= col < cols:
        return row, col
    return None


def scene_to_patient(stack: Stack, slice_index: int, x: float, y: float) -> np.ndarray | None:
    """LPS mm of a scene point on slice ``slice_index``, None for a stack without geometry."""
    if not stack.has_geometry:
        return None
    row, col = scene_to_index(stack, x, y)
    spacing_r, spacing_c = pixel_spacing(stack)
    row_dir, col_dir = stack.geometry.direction[:, 0], stack.geometry.direction[:, 1]
    origin = stack.slice_positions[slice_index]
    return origin + col * spacing_c * row_dir + row * spacing_r * col_dir


def slice_location(stack: Stack, slice_index: int) -> str:
    """Where a slice lies along the stack's normal, as a reader says it: ``"R 12.4 mm"``.

    The distance is the slice position projected on the normal ``F_row × F_col`` (from the
    patient origin), prefixed by the patient direction it points to: L/R for sagittal, S/I for
    axial, A/P for coronal slices. Oblique stacks name the dominant direction.
    """
    if not stack.has_geometry:
        return ""
    normal = stack.geometry.direction[:, 2]
    depth = float(stack.slice_positions[slice_index] @ normal)
    if abs(depth) < 0.05:
        return "0.0 mm"
    letters = orientation_letters(normal if depth >= 0 else -normal)
    return f"{letters[0]} {abs(depth):.1f} mm"


def patient_to_scene(stack: Stack, slice_index: int, point) -> tuple[float, float, float] | None:
    """Scene ``(x, y)`` of a patient point projected onto slice ``slice_index``, and its
    signed distance from that slice's plane along the normal ``F_row × F_col`` (mm).

    The inverse of :func:`scene_to_patient` for points on the slice. None for a stack
    without geometry.
    """
    if not stack.has_geometry:
        return None
    spacing_r, spacing_c = pixel_spacing(stack)
    offset = np.asarray(point, dtype=float) - stack.slice_positions[slice_index]
    row_dir, col_dir, normal = (stack.geometry.direction[:, k] for k in range(3))
    col, row = float(offset @ row_dir) / spacing_c, float(offset @ col_dir) / spacing_r
    return (col + 0.5) * spacing_c, (row + 0.5) * spacing_r, float(offset @ normal)
