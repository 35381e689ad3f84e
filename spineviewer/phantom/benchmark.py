"""A large phantom study for load benchmarks.

The study has the anatomy of case 1 (the whole spine, skull base to sacrum) and holds at
least ``n_files`` images of ``matrix x matrix``: three sagittal series (T2, T1, T1+C), each
with a cervical, a thoracic and a lumbar stack, and three long axial series (T2, T1, T1+C)
of contiguous slices from the skull base to the sacrum. Layout::

    <outdir>/benchmark-study/dicom/SE<series 4 digits>/IM<instance 5 digits>

Coordinates are patient DICOM LPS in mm. Images are sampled once per voxel (no
supersampling) to keep generation fast; noise and UIDs are deterministic for a seed.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
from pathlib import Path

import numpy as np
from pydicom.uid import ExplicitVRLittleEndian

from spineviewer.phantom.cases import SagittalProtocol
from spineviewer.phantom.dicomfile import (
    StudyHeader, build_image, deterministic_uid, write_image,
)
from spineviewer.phantom.protocol import (
    AXIAL_T1, AXIAL_T2, SAGITTAL_T1, SAGITTAL_T2, SeriesSpec, StackGeometry, sagittal_stack,
)
from spineviewer.phantom.render import CONTRASTS, add_rician_noise, render_stack
from spineviewer.phantom.study import case_anatomy, check_seed, window_for
from spineviewer.phantom.tissues import NOISE_SIGMA, Contrast

FOLDER = "benchmark-study"
_SLUG = "case1-breast-t12"
_STATIONS = (("cervical", (-1.5, 9.0)), ("thoracic", (8.0, 19.5)), ("lumbar", (17.5, 26.0)))
_SAG_FOV_MM = 300.0
_AX_FOV_MM = 220.0
_AX_LEVELS = (0.3, 25.5)


def _layout(n_files: int) -> tuple[int, int]:
    """Sagittal slices per station and axial slices per series for ``n_files`` images."""
    sagittal = 15 if n_files >= 600 else max(3, n_files // 40)
    axial = max(1, math.ceil((n_files - 3 * len(_STATIONS) * sagittal) / 3))
    return sagittal, axial


def _series(matrix: int, n_files: int) -> tuple[SeriesSpec, ...]:
    """The six series: sagittal stations of the spine and contiguous axial slices."""
    anatomy = case_anatomy(_SLUG)
    curve, layout = anatomy.curve, anatomy.layout
    n_sag, n_ax = _layout(n_files)
    pixel = round(_SAG_FOV_MM / matrix, 6)
    protocol = SagittalProtocol(rows=matrix, cols=matrix, pixel_mm=pixel, n_slices=n_sag,
                                thickness_mm=3.0, spacing_mm=3.3, stations=_STATIONS,
                                anterior_shift_mm=40.0)
    sag = tuple(sagittal_stack(curve, layout, protocol, name, levels)
                for name, levels in _STATIONS)
    z_top = float(curve.point(layout.a_of_level(_AX_LEVELS[0]))[2])
    z_bottom = float(curve.point(layout.a_of_level(_AX_LEVELS[1]))[2])
    spacing = round((z_top - z_bottom) / (n_ax - 1), 4) if n_ax > 1 else 5.0
    ax_pixel = round(_AX_FOV_MM / matrix, 6)
    y_centre = float(np.mean(curve.y[(curve.z < z_top) & (curve.z > z_bottom)])) - 20.0
    corner_x = -0.5 * (matrix - 1) * ax_pixel
    corner_y = round(y_centre - 0.5 * (matrix - 1) * ax_pixel, 4)
    axial = StackGeometry(
        plane="axial", station="whole spine", rows=matrix, cols=matrix,
        pixel_spacing=(ax_pixel, ax_pixel), f_row=(1.0, 0.0, 0.0), f_col=(0.0, 1.0, 0.0),
        positions=tuple((round(corner_x, 4), corner_y, round(z_top - i * spacing, 4))
                        for i in range(n_ax)),
        thickness=spacing, spacing=spacing)
    return (
        SeriesSpec(1, "SAG T2 TSE", Contrast.T2, "sagittal", sag, SAGITTAL_T2, False),
        SeriesSpec(2, "SAG T1 TSE", Contrast.T1, "sagittal", sag, SAGITTAL_T1, False),
        SeriesSpec(3, "AX T2 TSE", Contrast.T2, "axial", (axial,), AXIAL_T2, False),
        SeriesSpec(4, "AX T1 TSE", Contrast.T1, "axial", (axial,), AXIAL_T1, False),
        SeriesSpec(5, "SAG T1 TSE +C", Contrast.T1C, "sagittal", sag, SAGITTAL_T1, True),
        SeriesSpec(6, "AX T1 TSE +C", Contrast.T1C, "axial", (axial,), AXIAL_T1, True),
    )


def generate_benchmark_study(outdir, *, n_files: int = 1500, matrix: int = 512,
                             seed: int = 0) -> Path:
    """Write a large study of at least ``n_files`` images of ``matrix x matrix``.

    Parameters
    ----------
    outdir : path-like
        Parent folder; ``outdir/benchmark-study`` is created (a previous one is replaced).
    n_files : int
        Minimum number of files (at least 1).
    matrix : int
        Rows and columns of every image (32 to 1024).
    seed : int
        Noise seed (non-negative).

    Returns
    -------
    pathlib.Path
        The study folder.
    """
    if isinstance(n_files, bool) or not isinstance(n_files, int) or n_files < 1:
        raise ValueError(f"n_files must be a positive integer, not {n_files!r}")
    if isinstance(matrix, bool) or not isinstance(matrix, int) or not 32 <= matrix <= 1024:
        raise ValueError(f"matrix must be an integer from 32 to 1024, not {matrix!r}")
    check_seed(seed)
    folder = Path(outdir) / FOLDER
    shutil.rmtree(folder / "dicom", ignore_errors=True)
    tag = ["benchmark", f"n={n_files}", f"matrix={matrix}", f"seed={seed}"]
    study = StudyHeader(
        patient_name="PHANTOM^BENCHMARK", patient_id="SVPH0099", patient_sex="F",
        patient_age=60, patient_birth_date="19631107",
        study_uid=deterministic_uid(*tag, "study"),
        frame_of_reference_uid=deterministic_uid(*tag, "frame-of-reference"),
        study_date="20240320", study_time="080000", accession="SVA24009901",
        description="MR WHOLE SPINE W/WO CONTRAST (BENCHMARK)")
    writer = _Writer(folder, study, tag, seed)
    series = _series(matrix, n_files)
    for geom in series[0].stacks:
        clean = render_stack(case_anatomy(_SLUG), geom, inplane=1, through=1)
        for spec in (s for s in series if s.plane == "sagittal"):
            writer.write_stack(spec, geom, clean[CONTRASTS.index(spec.contrast)])
    axial = series[2].stacks[0]
    for i in range(axial.n_slices):
        one = dataclasses.replace(axial, positions=(axial.positions[i],))
        clean = render_stack(case_anatomy(_SLUG), one, inplane=1, through=1)
        for spec in (s for s in series if s.plane == "axial"):
            writer.write_slice(spec, axial, i, clean[CONTRASTS.index(spec.contrast), 0])
    return folder


class _Writer:
    """Writes images in acquisition order, numbering instances per series."""

    def __init__(self, folder: Path, study: StudyHeader, tag: list[str], seed: int) -> None:
        self.folder, self.study, self.tag, self.seed = folder, study, tag, seed
        self.count: dict[int, int] = {}
        self.windows: dict[int, tuple[float, float]] = {}

    def write_stack(self, spec: SeriesSpec, geom: StackGeometry, clean: np.ndarray) -> None:
        for i in range(geom.n_slices):
            self.write_slice(spec, geom, i, clean[i])

    def write_slice(self, spec: SeriesSpec, geom: StackGeometry, index: int,
                    clean: np.ndarray) -> None:
        number = self.count.get(spec.number, 0) + 1
        self.count[spec.number] = number
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(
            spec.number, number)))
        pixels = add_rician_noise(clean, NOISE_SIGMA[spec.contrast], rng)
        if spec.number not in self.windows:
            self.windows[spec.number] = window_for([pixels])
        out = self.folder / "dicom" / f"SE{spec.number:04d}"
        out.mkdir(parents=True, exist_ok=True)
        ds = build_image(self.study, spec, deterministic_uid(*self.tag, f"series/{spec.number}"),
                         geom, index, number,
                         deterministic_uid(*self.tag, f"image/{spec.number}/{number}"),
                         pixels, self.windows[spec.number])
        write_image(ds, out / f"IM{number:05d}", ExplicitVRLittleEndian)
