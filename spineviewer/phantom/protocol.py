"""Series of a phantom study and the geometry of their stacks.

Coordinates: patient DICOM LPS in mm (x to the patient's left, y posterior, z superior).
A pixel ``(row, col)`` of a slice with ImagePositionPatient ``IPP``, row direction
``F_row``, column direction ``F_col`` and PixelSpacing ``(dR, dC)`` lies at
``P = IPP + col * dC * F_row + row * dR * F_col``. Slice normals are ``F_row x F_col``.

Sagittal slices use ``F_row = (0, 1, 0)`` (columns run posterior) and ``F_col = (0, 0, -1)``
(rows run down); their normal points to the patient's right. Axial slices use
``F_row = (1, 0, 0)`` and ``F_col = (0, cos t, sin t)``, ``t`` the oblique angle: rotating the
block by ``t`` about the patient's left-right axis (right-hand rule about +x), so a positive
angle tilts the slice normal ``(0, -sin t, cos t)`` anteriorly as it goes up.

A stack's slice positions are listed in acquisition order: sagittal slices from the
patient's right to left, axial slices from head to foot. Instance numbers follow that order
unless reversed on request.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spineviewer.phantom.cases import AxialProtocol, CaseSpec, SagittalProtocol
from spineviewer.phantom.curve import SpineCurve
from spineviewer.phantom.levels import SpineLayout
from spineviewer.phantom.tissues import Contrast

_DECIMALS = 4

SAGITTAL_F_ROW = (0.0, 1.0, 0.0)
SAGITTAL_F_COL = (0.0, 0.0, -1.0)


@dataclass(frozen=True)
class Sequence:
    """Acquisition parameters written to the headers."""

    repetition_time: float
    echo_time: float
    echo_train_length: int
    flip_angle: float
    pixel_bandwidth: float
    averages: float


@dataclass(frozen=True)
class StackGeometry:
    """Geometry of one stack of parallel, evenly spaced slices.

    Attributes
    ----------
    plane : str
        ``"sagittal"`` or ``"axial"``.
    station : str
        Name of the station (e.g. ``"cervical"``) or of the block.
    rows, cols : int
        Matrix.
    pixel_spacing : tuple of float
        ``(dR, dC)``: row spacing (between rows) and column spacing, mm.
    f_row, f_col : tuple of float
        ImageOrientationPatient row and column direction cosines.
    positions : tuple of tuple of float
        ImagePositionPatient of each slice in acquisition order, mm.
    thickness, spacing : float
        SliceThickness and SpacingBetweenSlices, mm.
    """

    plane: str
    station: str
    rows: int
    cols: int
    pixel_spacing: tuple[float, float]
    f_row: tuple[float, float, float]
    f_col: tuple[float, float, float]
    positions: tuple[tuple[float, float, float], ...]
    thickness: float
    spacing: float

    @property
    def normal(self) -> np.ndarray:
        """Unit slice normal ``F_row x F_col``."""
        return np.cross(self.f_row, self.f_col)

    @property
    def n_slices(self) -> int:
        """Number of slices."""
        return len(self.positions)


@dataclass(frozen=True)
class SeriesSpec:
    """One series: description, contrast, sequence and its stacks."""

    number: int
    description: str
    contrast: Contrast
    plane: str
    stacks: tuple[StackGeometry, ...]
    sequence: Sequence
    post_contrast: bool

    @property
    def n_images(self) -> int:
        """Number of images (files) of the series."""
        return sum(stack.n_slices for stack in self.stacks)


SAGITTAL_T2 = Sequence(3200.0, 102.0, 17, 150.0, 190.0, 2.0)
SAGITTAL_T1 = Sequence(520.0, 10.0, 3, 150.0, 200.0, 2.0)
AXIAL_T2 = Sequence(4000.0, 98.0, 15, 150.0, 190.0, 2.0)
AXIAL_T1 = Sequence(600.0, 10.0, 3, 150.0, 200.0, 2.0)


def _rounded(point) -> tuple[float, float, float]:
    """Round a point so the header value and the rendered geometry agree exactly."""
    return tuple(round(float(c), _DECIMALS) + 0.0 for c in point)


def sagittal_stack(curve: SpineCurve, layout: SpineLayout, protocol: SagittalProtocol,
                   station: str, levels: tuple[float, float]) -> StackGeometry:
    """A sagittal stack centred on the midline, covering levels ``levels`` (top, bottom).

    The field of view is centred halfway (in z) between the two levels, with the canal
    ``anterior_shift_mm`` posterior to the centre of the columns; the middle slice is the
    midsagittal plane x = 0.
    """
    z_top = float(curve.point(layout.a_of_level(levels[0]))[2])
    z_bottom = float(curve.point(layout.a_of_level(levels[1]))[2])
    z_centre = 0.5 * (z_top + z_bottom)
    y_canal = float(curve.point(curve.arc_of_z(z_centre))[1])
    y_centre = y_canal - protocol.anterior_shift_mm
    d = protocol.pixel_mm
    y0 = y_centre - 0.5 * (protocol.cols - 1) * d
    z0 = z_centre + 0.5 * (protocol.rows - 1) * d
    n = protocol.n_slices
    xs = (np.arange(n) - 0.5 * (n - 1)) * protocol.spacing_mm
    return StackGeometry(
        plane="sagittal", station=station, rows=protocol.rows, cols=protocol.cols,
        pixel_spacing=(d, d), f_row=SAGITTAL_F_ROW, f_col=SAGITTAL_F_COL,
        positions=tuple(_rounded((x, y0, z0)) for x in xs),
        thickness=protocol.thickness_mm, spacing=protocol.spacing_mm,
    )


def axial_stack(curve: SpineCurve, centre_a: float, *, matrix: int, pixel_mm: float,
                n_slices: int, thickness_mm: float, spacing_mm: float,
                anterior_shift_mm: float, oblique_deg: float, station: str) -> StackGeometry:
    """An axial (or oblique axial) block centred on the cord at arc position ``centre_a``.

    Parameters
    ----------
    curve : SpineCurve
        The spinal axis.
    centre_a : float
        Arc position of the block centre on the cord centreline, mm.
    matrix, pixel_mm : int, float
        Square matrix and pixel spacing, mm.
    n_slices, thickness_mm, spacing_mm : int, float, float
        Slices, their thickness and centre-to-centre spacing, mm.
    anterior_shift_mm : float
        The image centre lies this far anterior of the cord, mm.
    oblique_deg : float
        Rotation of the block about the patient's left-right axis, degrees.
    station : str
        Name of the block.

    Returns
    -------
    StackGeometry
        Slices listed from head to foot.
    """
    t = np.deg2rad(oblique_deg)
    f_row = np.array([1.0, 0.0, 0.0])
    f_col = np.array([0.0, np.cos(t), np.sin(t)])
    normal = np.cross(f_row, f_col)
    centre = curve.point(centre_a) - anterior_shift_mm * f_col
    half = 0.5 * (matrix - 1) * pixel_mm
    offsets = (0.5 * (n_slices - 1) - np.arange(n_slices)) * spacing_mm
    positions = tuple(_rounded(centre + k * normal - half * f_row - half * f_col)
                      for k in offsets)
    return StackGeometry(
        plane="axial", station=station, rows=matrix, cols=matrix,
        pixel_spacing=(pixel_mm, pixel_mm), f_row=tuple(f_row.tolist()),
        f_col=tuple(float(c) for c in f_col), positions=positions,
        thickness=thickness_mm, spacing=spacing_mm,
    )


def case_series(case: CaseSpec, curve: SpineCurve, layout: SpineLayout,
                oblique_deg: float = 0.0) -> tuple[SeriesSpec, ...]:
    """The five series of a case, in acquisition order.

    SAG T2, SAG T1, AX T2 before contrast; SAG T1+C and AX T1+C after it. Every sagittal
    series has one stack per station of the case; the axial series share one block.

    Parameters
    ----------
    case : CaseSpec
        The case.
    curve, layout : SpineCurve, SpineLayout
        Its axis and vertebral layout.
    oblique_deg : float
        Tilt of the axial block about the left-right axis, degrees.

    Returns
    -------
    tuple of SeriesSpec
    """
    sag = case.sagittal
    sag_stacks = tuple(sagittal_stack(curve, layout, sag, name, levels)
                       for name, levels in sag.stations)
    ax: AxialProtocol = case.axial
    block = "lesions " + ", ".join(str(i) for i in ax.lesion_ids)
    ax_stack = axial_stack(
        curve, layout.a_of_level(ax.centre_level), matrix=ax.matrix, pixel_mm=ax.pixel_mm,
        n_slices=ax.n_slices, thickness_mm=ax.thickness_mm, spacing_mm=ax.spacing_mm,
        anterior_shift_mm=ax.anterior_shift_mm, oblique_deg=oblique_deg, station=block)
    return (
        SeriesSpec(1, "SAG T2 TSE", Contrast.T2, "sagittal", sag_stacks, SAGITTAL_T2, False),
        SeriesSpec(2, "SAG T1 TSE", Contrast.T1, "sagittal", sag_stacks, SAGITTAL_T1, False),
        SeriesSpec(3, "AX T2 TSE", Contrast.T2, "axial", (ax_stack,), AXIAL_T2, False),
        SeriesSpec(4, "SAG T1 TSE +C", Contrast.T1C, "sagittal", sag_stacks, SAGITTAL_T1, True),
        SeriesSpec(5, "AX T1 TSE +C", Contrast.T1C, "axial", (ax_stack,), AXIAL_T1, True),
    )
