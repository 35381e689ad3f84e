"""The spinal axis of the phantom: a smooth curve in the midsagittal plane.

Coordinates: patient DICOM LPS in mm (x to the patient's left, y posterior, z superior). The
curve is the centreline of the spinal canal (and of the cord), lying in the plane ``x = 0``.
It is parameterised by its arc length ``a`` (mm, growing caudally from the foramen magnum),
with tangent ``d(a) = (0, sin phi, -cos phi)`` and posterior normal
``n(a) = (0, cos phi, sin phi)``; ``phi`` is the angle of the axis to the vertical, positive
when the axis runs posteriorly on its way down. Lordoses have ``dphi/da > 0``, kyphoses
``dphi/da < 0``.

*Axis coordinates* of a patient point p are ``(x, a, v)``: ``a`` the arc position of its
orthogonal projection on the curve and ``v = (p - c(a)) . n(a)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import PchipInterpolator

from spineviewer.phantom.levels import SpineLayout

# Axis angle to the vertical (degrees) at each vertebral body centre: cervical lordosis,
# thoracic kyphosis, lumbar lordosis and the sacral curve.
_ANGLES_DEG: dict[str, float] = {
    "C2": -13.0, "C3": -9.0, "C4": -5.0, "C5": -1.0, "C6": 3.0, "C7": 7.0,
    "T1": 11.0, "T2": 12.5, "T3": 12.0, "T4": 10.5, "T5": 8.0, "T6": 5.5, "T7": 3.0,
    "T8": 0.0, "T9": -3.0, "T10": -6.0, "T11": -8.5, "T12": -10.0,
    "L1": -10.5, "L2": -7.0, "L3": -1.5, "L4": 5.0, "L5": 13.0,
    "S1": 22.0, "S2": 30.0, "S3": 34.0, "S4": 33.0, "S5": 30.0,
}
_HEAD_ANGLE_DEG = -14.0
_STEP_MM = 0.25
_A_RANGE_MM = (-400.0, 1100.0)
#: The canal centre at the mid-height of T7 sits at this patient point (LPS mm).
_ANCHOR_LEVEL = "T7"
_ANCHOR_YZ = (40.0, 0.0)


@dataclass(frozen=True, eq=False)
class SpineCurve:
    """A sampled smooth axis in the sagittal plane.

    Attributes
    ----------
    a : ndarray, shape (n,)
        Uniform arc-length grid, mm.
    y, z : ndarray, shape (n,)
        Patient y and z of the curve at ``a``, mm.
    phi : ndarray, shape (n,)
        Axis angle to the vertical, radians.
    kappa : ndarray, shape (n,)
        Curvature ``dphi/da``, 1/mm.
    """

    a: np.ndarray
    y: np.ndarray
    z: np.ndarray
    phi: np.ndarray
    kappa: np.ndarray

    def point(self, a: np.ndarray | float, v: np.ndarray | float = 0.0) -> np.ndarray:
        """Patient LPS point(s) at arc position ``a`` and posterior offset ``v`` on x = 0.

        Parameters
        ----------
        a, v : array_like
            Broadcastable arc positions and posterior offsets, mm.

        Returns
        -------
        ndarray, shape (..., 3)
            LPS coordinates, mm.
        """
        a, v = np.broadcast_arrays(np.asarray(a, float), np.asarray(v, float))
        phi = np.interp(a, self.a, self.phi)
        y = np.interp(a, self.a, self.y) + v * np.cos(phi)
        z = np.interp(a, self.a, self.z) + v * np.sin(phi)
        return np.stack([np.zeros_like(y), y, z], axis=-1)

    def arc_of_z(self, z: np.ndarray | float) -> np.ndarray:
        """Arc position of the curve point at height ``z`` (the curve is monotonic in z)."""
        return np.interp(-np.asarray(z, float), -self.z, self.a)

    def project(self, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Axis coordinates ``(a, v)`` of sagittal-plane points ``(y, z)``.

        Newton iterations on ``g(a) = (p - c(a)) . d(a)``, started from the curve point at the
        same height; valid while ``|v|`` stays below the radius of curvature, which holds
        everywhere inside the phantom's body.

        Parameters
        ----------
        y, z : ndarray
            Broadcastable patient coordinates, mm.

        Returns
        -------
        a, v : ndarray
            Arc position and posterior offset, mm, with the broadcast shape.
        """
        y, z = np.broadcast_arrays(np.asarray(y, float), np.asarray(z, float))
        a = self.arc_of_z(z)
        for _ in range(5):
            phi = np.interp(a, self.a, self.phi)
            dy = y - np.interp(a, self.a, self.y)
            dz = z - np.interp(a, self.a, self.z)
            sin, cos = np.sin(phi), np.cos(phi)
            g = dy * sin - dz * cos
            v = dy * cos + dz * sin
            kappa = np.interp(a, self.a, self.kappa)
            a = a + g / np.maximum(1.0 - kappa * v, 0.2)
        phi = np.interp(a, self.a, self.phi)
        dy = y - np.interp(a, self.a, self.y)
        dz = z - np.interp(a, self.a, self.z)
        v = dy * np.cos(phi) + dz * np.sin(phi)
        return a, v


def build_curve(layout: SpineLayout) -> SpineCurve:
    """Integrate the axis from the angle knots at the vertebral body centres.

    Parameters
    ----------
    layout : SpineLayout
        The vertebral layout giving the arc positions of the body centres.

    Returns
    -------
    SpineCurve
        The sampled curve, anchored so that the canal centre at mid-T7 lies at
        y = 40 mm, z = 0 mm.
    """
    centres = 0.5 * (layout.body_top + layout.body_bottom)
    knot_a = np.concatenate([[-60.0, 0.0], centres])
    knot_phi = np.deg2rad([_HEAD_ANGLE_DEG, _HEAD_ANGLE_DEG + 0.5]
                          + [_ANGLES_DEG[name] for name in layout.names])
    a = np.arange(_A_RANGE_MM[0], _A_RANGE_MM[1] + _STEP_MM / 2, _STEP_MM)
    inside = np.clip(a, knot_a[0], knot_a[-1])
    phi = PchipInterpolator(knot_a, knot_phi)(inside)
    kappa = np.gradient(phi, _STEP_MM)
    dy = np.sin(phi)
    dz = -np.cos(phi)
    y = np.concatenate([[0.0], np.cumsum(0.5 * (dy[1:] + dy[:-1]) * _STEP_MM)])
    z = np.concatenate([[0.0], np.cumsum(0.5 * (dz[1:] + dz[:-1]) * _STEP_MM)])
    anchor_index = layout.vertebra_index(_ANCHOR_LEVEL)
    anchor_a = 0.5 * (layout.body_top[anchor_index] + layout.body_bottom[anchor_index])
    y += _ANCHOR_YZ[0] - np.interp(anchor_a, a, y)
    z += _ANCHOR_YZ[1] - np.interp(anchor_a, a, z)
    return SpineCurve(a, y, z, phi, kappa)
