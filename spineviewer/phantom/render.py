"""Sampling the tissue model on the voxel grid of a stack, with partial volume and noise.

Coordinates: patient DICOM LPS in mm; arrays are ``(slice, row, col)``. The pixel
``(row, col)`` of a slice lies at ``P = IPP + col * dC * F_row + row * dR * F_col`` (its
centre), and the slice extends ``thickness / 2`` on each side along the normal
``F_row x F_col``.

Each voxel value is the mean tissue signal over a regular grid of sub-samples (``inplane``
per in-plane axis, ``through`` across the slice thickness), with a faint texture in marrow,
muscle, fat and organs (a fixed smooth random field in patient space), times a smooth
receive-coil sensitivity that falls off with distance from the spine coil under the
patient's back; Rician noise (the magnitude of complex Gaussian noise) is added afterwards
and the result rounded to ``uint16``.

The geometry is separable for the two kinds of slice the phantom acquires: in a sagittal
slice the in-plane points share one set of axis coordinates for every slice of the stack
(only x changes); in an axial or oblique-axial slice the axis coordinates depend only on the
row, and x only on the column.
"""

from __future__ import annotations

import numpy as np

from spineviewer.phantom.anatomy import Anatomy
from spineviewer.phantom.protocol import StackGeometry
from spineviewer.phantom.section import Section
from spineviewer.phantom.tissues import Contrast, texture_table

#: Contrast order of the first axis of :func:`render_stack` output.
CONTRASTS: tuple[Contrast, ...] = (Contrast.T2, Contrast.T1, Contrast.T1C)
#: Largest value of a 12-bit image (BitsStored 12).
MAX_VALUE = 4095


# Wave vectors (rad/mm) and phases of the texture field: fixed, so the texture is part of
# the anatomy and does not change with the noise seed.
_TEXTURE_RNG = np.random.default_rng(20240601)
_TEXTURE_DIRECTIONS = _TEXTURE_RNG.standard_normal((12, 3))
_TEXTURE_WAVES = (_TEXTURE_DIRECTIONS / np.linalg.norm(_TEXTURE_DIRECTIONS, axis=1)[:, None]
                  * (2.0 * np.pi / _TEXTURE_RNG.uniform(6.0, 20.0, 12))[:, None])
_TEXTURE_PHASES = _TEXTURE_RNG.uniform(0.0, 2.0 * np.pi, 12)


def texture_field(geom: StackGeometry, position) -> np.ndarray:
    """Smooth random field in [-1, 1] at the voxel centres of one slice, shape (rows, cols).

    A sum of plane waves ``cos(k . P + phase)`` with features of 3-10 mm; over a slice
    ``P = IPP + row dR F_col + col dC F_row``, so each wave is the outer product of a row
    factor and a column factor (a complex matrix product instead of a cosine per voxel).
    """
    d_r, d_c = geom.pixel_spacing
    start = _TEXTURE_WAVES @ np.asarray(position, float) + _TEXTURE_PHASES
    per_row = _TEXTURE_WAVES @ np.asarray(geom.f_col) * d_r
    per_col = _TEXTURE_WAVES @ np.asarray(geom.f_row) * d_c
    rows = np.exp(1j * (start + np.arange(geom.rows)[:, None] * per_row))
    cols = np.exp(1j * (np.arange(geom.cols)[:, None] * per_col))
    field = (rows @ cols.T).real / np.sqrt(0.5 * len(_TEXTURE_PHASES))
    return np.clip(field / 2.0, -1.0, 1.0)


def _offsets(n: int) -> np.ndarray:
    """Centres of ``n`` equal sub-intervals of [-0.5, 0.5]."""
    return (np.arange(n) + 0.5) / n - 0.5


def _block_mean(values: np.ndarray, s_rows: int, s_cols: int) -> np.ndarray:
    rows, cols = values.shape[0] // s_rows, values.shape[1] // s_cols
    return values.reshape(rows, s_rows, cols, s_cols).mean(axis=(1, 3), dtype=np.float64)


def coil_sensitivity(sec: Section) -> np.ndarray:
    """Receive sensitivity of the posterior spine coil at the section's points (about 1 at the
    canal, higher near the back, lower in front)."""
    depth = sec.prof["back"] - sec.v
    return np.clip(np.exp(-(depth - 60.0) / 220.0), 0.4, 1.2)


def render_stack(anatomy: Anatomy, geom: StackGeometry, *, inplane: int = 3,
                 through: int = 3) -> np.ndarray:
    """Noise-free signal of every slice of a stack, for the three contrasts.

    Parameters
    ----------
    anatomy : Anatomy
        The tissue model.
    geom : StackGeometry
        The stack (sagittal with normal along x, or axial/oblique axial with rows along x).
    inplane, through : int
        Sub-samples per in-plane axis and across the slice thickness.

    Returns
    -------
    ndarray, shape (3, n_slices, rows, cols), float32
        Signal for :data:`CONTRASTS`, in the stack's slice order.
    """
    tables = anatomy.signal_tables()
    texture = texture_table()
    luts = [tables[c] for c in CONTRASTS] + [tables[c] * texture for c in CONTRASTS]
    f_row, f_col, normal = np.array(geom.f_row), np.array(geom.f_col), geom.normal
    rows_sub = (np.arange(geom.rows)[:, None] + _offsets(inplane)[None, :]).ravel()
    cols_sub = (np.arange(geom.cols)[:, None] + _offsets(inplane)[None, :]).ravel()
    t_sub = geom.thickness * _offsets(through)
    out = np.empty((3, geom.n_slices, geom.rows, geom.cols), dtype=np.float32)
    if abs(abs(normal[0]) - 1.0) < 1e-9:
        _render_sagittal(anatomy, geom, luts, rows_sub, cols_sub, t_sub, inplane, out)
    elif abs(abs(f_row[0]) - 1.0) < 1e-9 and abs(normal[0]) < 1e-9 and abs(f_col[0]) < 1e-9:
        _render_axial(anatomy, geom, luts, rows_sub, cols_sub, t_sub, inplane, out)
    else:
        raise ValueError("the phantom renders sagittal stacks (normal along x) and axial "
                         "stacks tilted about x only")
    return out


def _render_sagittal(anatomy, geom, luts, rows_sub, cols_sub, t_sub, s, out) -> None:
    f_row, f_col, normal = np.array(geom.f_row), np.array(geom.f_col), geom.normal
    d_r, d_c = geom.pixel_spacing
    ipp0 = np.array(geom.positions[0])
    y = ipp0[1] + cols_sub[None, :] * d_c * f_row[1] + rows_sub[:, None] * d_r * f_col[1]
    z = ipp0[2] + cols_sub[None, :] * d_c * f_row[2] + rows_sub[:, None] * d_r * f_col[2]
    grid = y.shape
    sec = anatomy.section_of_patient_points(y.ravel(), z.ravel())
    coil = _block_mean(coil_sensitivity(sec).reshape(grid), s, s)
    for i, position in enumerate(geom.positions):
        if position[1:] != geom.positions[0][1:]:
            raise ValueError("sagittal slices of a stack must share their in-plane position")
        sums = [np.zeros(sec.a.shape, dtype=np.float32) for _ in luts]
        for t in t_sub:
            labels = anatomy.labels(position[0] + t * normal[0], sec)
            for acc, lut in zip(sums, luts):
                acc += lut[labels]
        _finish(out, i, [_block_mean(acc.reshape(grid), s, s) for acc in sums], len(t_sub),
                coil, texture_field(geom, position))


def _finish(out, i, means, n_through, coil, field) -> None:
    """Voxel signal of slice ``i``: plain mean plus textured part, times the coil."""
    for c in range(3):
        out[c, i] = (means[c] + means[3 + c] * field) / n_through * coil


def _render_axial(anatomy, geom, luts, rows_sub, cols_sub, t_sub, s, out) -> None:
    f_row, f_col, normal = np.array(geom.f_row), np.array(geom.f_col), geom.normal
    d_r, d_c = geom.pixel_spacing
    for i, position in enumerate(geom.positions):
        ipp = np.array(position)
        x = (ipp[0] + cols_sub * d_c * f_row[0])[None, :]
        sums = [np.zeros((rows_sub.size, cols_sub.size), dtype=np.float32) for _ in luts]
        coil = np.zeros((geom.rows, 1))
        for t in t_sub:
            y = ipp[1] + rows_sub * d_r * f_col[1] + t * normal[1]
            z = ipp[2] + rows_sub * d_r * f_col[2] + t * normal[2]
            sec = anatomy.section_of_patient_points(y[:, None], z[:, None])
            coil += _block_mean(coil_sensitivity(sec), s, 1)
            labels = anatomy.labels(x, sec)
            for acc, lut in zip(sums, luts):
                acc += lut[labels]
        _finish(out, i, [_block_mean(acc, s, s) for acc in sums], len(t_sub),
                coil / len(t_sub), texture_field(geom, position))


def add_rician_noise(signal: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Magnitude of the signal plus complex Gaussian noise, rounded to uint16.

    Parameters
    ----------
    signal : ndarray
        Noise-free magnitude, any shape.
    sigma : float
        Standard deviation of each of the real and imaginary noise components.
    rng : numpy.random.Generator
        Source of the noise.

    Returns
    -------
    ndarray of uint16
        Noisy magnitude, clipped to 0..4095.
    """
    noise = rng.standard_normal((2, *signal.shape), dtype=np.float32) * np.float32(sigma)
    magnitude = np.hypot(signal.astype(np.float32) + noise[0], noise[1])
    return np.clip(np.rint(magnitude), 0, MAX_VALUE).astype(np.uint16)
