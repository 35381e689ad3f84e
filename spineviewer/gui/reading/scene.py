"""A viewport's scene: the image plane of the slice shown, in corner mm.

Conventions
-----------
- The scene of a viewport is the image plane in mm, the *corner-mm* convention of
  :mod:`spineviewer.core.plane`: ``x`` runs along a row (column index grows), ``y`` down the
  image (row index grows); ``(0, 0)`` is the outer corner of pixel ``(row 0, col 0)``, so pixel
  ``(r, c)`` covers ``[c*ΔC, (c+1)*ΔC) x [r*ΔR, (r+1)*ΔR)``.
- A pixel's centre is its sample (DICOM PS3.3 C.7.6.2.1.1): scene point ``(x, y)`` is the
  continuous index ``row = y/ΔR - 1/2``, ``col = x/ΔC - 1/2``.
- Patient coordinates are DICOM LPS mm, placed by the slice's own plane
  (:func:`spineviewer.core.stack_geometry.slice_plane`), so unevenly spaced stacks and frames
  with their own orientation stay exact. Every conversion is the plane's; this module only
  adapts it to the viewport's ``(stack, slice)``.
- A stack without PixelSpacing is drawn with ``ΔR = ΔC = 1``: its scene is in pixels and every
  length shown is labelled ``px``.
"""

from __future__ import annotations

import numpy as np

from spineviewer.core.geometry import orientation_letters
from spineviewer.core.model import Stack
from spineviewer.core.plane import corner_mm_to_pixel
from spineviewer.core.stack_geometry import slice_plane
from spineviewer.core.units import Unit


def pixel_spacing(stack: Stack) -> tuple[float, float]:
    """``(ΔR, ΔC)``: the distance between rows and between columns, mm (or 1 px)."""
    spacing_r, spacing_c = slice_plane(stack, 0).spacing
    return float(spacing_r), float(spacing_c)


def length_unit(stack: Stack) -> Unit:
    """``mm`` when the files give PixelSpacing, ``px`` otherwise."""
    return Unit.of_image(stack.spacing_known)


def image_rect(stack: Stack) -> tuple[float, float, float, float]:
    """``(x, y, width, height)`` of the whole image in scene mm."""
    width, height = slice_plane(stack, 0).extent_mm
    return 0.0, 0.0, float(width), float(height)


def scene_to_pixel(stack: Stack, x: float, y: float) -> tuple[int, int] | None:
    """The ``(row, col)`` of the pixel containing a scene point, None outside the image."""
    row, col = (int(v) for v in corner_mm_to_pixel((x, y), pixel_spacing(stack)))
    _, rows, cols = stack.shape
    if 0 <= row < rows and 0 <= col < cols:
        return row, col
    return None


def scene_to_patient(stack: Stack, slice_index: int, x: float, y: float) -> np.ndarray | None:
    """LPS mm of a scene point on slice ``slice_index``, None for a stack without geometry."""
    if not stack.has_geometry:
        return None
    return slice_plane(stack, slice_index).from_corner_mm((x, y))


def slice_location(stack: Stack, slice_index: int) -> str:
    """Where a slice lies along the stack's normal, as a reader says it: ``"R 12.4 mm"``.

    The distance is the slice position projected on the normal ``F_row × F_col`` (from the
    patient origin), prefixed by the patient direction it points to: L/R for sagittal, S/I for
    axial, A/P for coronal slices. Oblique stacks name the dominant direction.
    """
    if not stack.has_geometry:
        return ""
    plane = slice_plane(stack, slice_index)
    normal = plane.normal
    depth = float(plane.position @ normal)
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
    plane = slice_plane(stack, slice_index)
    x, y = plane.to_corner_mm(point)
    return float(x), float(y), float(plane.distance(point))
