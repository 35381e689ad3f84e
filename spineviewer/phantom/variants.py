"""Acquisition variants of a case's sagittal series, for measuring assisted measurement.

A variant re-acquires the sagittal stations of a case with another noise seed, more noise, an
in-plane tilt, another pixel size or matrix, thicker slices, or another contrast, and writes that
one series with the case's true disc points and conus tip::

    <outdir>/<slug>-<variant name>/dicom/IM<instance, 5 digits>
    <outdir>/<slug>-<variant name>/truth.json

Coordinates: patient DICOM LPS in mm (x to the patient's left, y posterior, z superior). A tilt
rotates every slice about the patient's left-right axis around the centre of its field (the
slices stay sagittal: their normal is still along x), as a technologist's oblique-sagittal block
along a kyphotic spine would. The truth is the case's own (:func:`~spineviewer.phantom.truth.
disc_points`): the posterior margin of every disc C2-C3 ... L5-S1 on the midsagittal plane, and
the conus tip on the cord centreline; it does not depend on the acquisition.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
from pydicom.uid import ExplicitVRLittleEndian

from spineviewer.phantom.dicomfile import deterministic_uid
from spineviewer.phantom.protocol import (
    SAGITTAL_T1, SAGITTAL_T2, SeriesSpec, StackGeometry, sagittal_stack,
)
from spineviewer.phantom.render import CONTRASTS, add_rician_noise, render_stack
from spineviewer.phantom.study import (
    CASES, case_anatomy, case_slug, check_seed, study_header, write_series,
)
from spineviewer.phantom.tissues import NOISE_SIGMA, Contrast
from spineviewer.phantom.truth import disc_points

TRUTH_FILE = "truth.json"


@dataclasses.dataclass(frozen=True)
class SagittalVariant:
    """How a variant differs from the case's own sagittal acquisition (None: as the case).

    Attributes
    ----------
    name : str
        Folder suffix, e.g. ``"tilted"``.
    seed : int
        Noise seed.
    noise : float
        Noise standard deviation as a multiple of the phantom's.
    tilt_deg : float
        In-plane rotation of the slices about the left-right axis, degrees.
    pixel_mm : float or None
        Pixel spacing; the matrix changes to keep the field of view.
    matrix : int or None
        Rows and columns (a square field of the case's height), overriding ``pixel_mm``.
    thickness_mm, spacing_mm : float or None
        Slice thickness and centre-to-centre spacing.
    n_slices : int or None
    shift_levels : float
        Every station moved this many vertebral levels caudally (negative: cranially).
    contrast : str
        ``"T2"`` or ``"T1"``.
    supersampling : int
        Sub-samples per axis when rendering (1 for large matrices, 3 as the sample cases).
    """

    name: str = "default"
    seed: int = 0
    noise: float = 1.0
    tilt_deg: float = 0.0
    pixel_mm: float | None = None
    matrix: int | None = None
    thickness_mm: float | None = None
    spacing_mm: float | None = None
    n_slices: int | None = None
    shift_levels: float = 0.0
    contrast: str = "T2"
    supersampling: int = 3


def variant_stacks(case, variant: SagittalVariant) -> tuple[StackGeometry, ...]:
    """The sagittal stacks (one per station) of a case acquired as ``variant``."""
    spec = CASES[case_slug(case)]
    anatomy = case_anatomy(spec.slug)
    protocol = spec.sagittal
    height = protocol.rows * protocol.pixel_mm
    changes: dict = {}
    if variant.matrix is not None:
        changes.update(rows=variant.matrix, cols=variant.matrix,
                       pixel_mm=round(height / variant.matrix, 6))
    elif variant.pixel_mm is not None:
        changes.update(rows=int(round(height / variant.pixel_mm)),
                       cols=int(round(protocol.cols * protocol.pixel_mm / variant.pixel_mm)),
                       pixel_mm=variant.pixel_mm)
    for key in ("thickness_mm", "spacing_mm", "n_slices"):
        if getattr(variant, key) is not None:
            changes[key] = getattr(variant, key)
    if variant.shift_levels:
        changes["stations"] = tuple((name, (top + variant.shift_levels, bottom + variant.shift_levels))
                                    for name, (top, bottom) in protocol.stations)
    protocol = dataclasses.replace(protocol, **changes)
    stacks = [sagittal_stack(anatomy.curve, anatomy.layout, protocol, name, levels)
              for name, levels in protocol.stations]
    return tuple(_tilted(stack, variant.tilt_deg) for stack in stacks)


def _tilted(stack: StackGeometry, tilt_deg: float) -> StackGeometry:
    """``stack`` with its slices rotated in plane by ``tilt_deg`` about their field's centre."""
    if tilt_deg == 0.0:
        return stack
    t = np.deg2rad(tilt_deg)
    rotation = np.array([[1.0, 0.0, 0.0], [0.0, np.cos(t), -np.sin(t)],
                         [0.0, np.sin(t), np.cos(t)]])
    f_row, f_col = rotation @ np.array(stack.f_row), rotation @ np.array(stack.f_col)
    d_r, d_c = stack.pixel_spacing
    half = 0.5 * (stack.cols - 1) * d_c * np.array(stack.f_row) \
        + 0.5 * (stack.rows - 1) * d_r * np.array(stack.f_col)
    new_half = 0.5 * (stack.cols - 1) * d_c * f_row + 0.5 * (stack.rows - 1) * d_r * f_col
    positions = tuple(tuple(round(float(c), 4) + 0.0 for c in np.array(p) + half - new_half)
                      for p in stack.positions)
    return dataclasses.replace(stack, f_row=tuple(float(c) for c in f_row),
                               f_col=tuple(float(c) for c in f_col), positions=positions)


def write_sagittal_variant(case, outdir, variant: SagittalVariant = SagittalVariant()) -> Path:
    """Write the sagittal series of ``case`` acquired as ``variant``, with its truth.

    Returns
    -------
    pathlib.Path
        The variant's folder (a previous one there is replaced).
    """
    slug = case_slug(case)
    check_seed(variant.seed)
    if not 0.0 <= variant.noise <= 20.0 or abs(variant.tilt_deg) > 45.0:
        raise ValueError("noise must be 0-20 times the phantom's and the tilt within 45 degrees")
    contrast = {"T2": Contrast.T2, "T1": Contrast.T1}[variant.contrast]
    spec, anatomy = CASES[slug], case_anatomy(slug)
    folder = Path(outdir) / f"{slug}-{variant.name}"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "dicom").mkdir(parents=True)
    tag = ["variant", slug, repr(variant)]
    study = study_header(spec, tag)
    stacks = variant_stacks(slug, variant)
    sequence = SAGITTAL_T2 if contrast is Contrast.T2 else SAGITTAL_T1
    series = SeriesSpec(1, f"SAG {variant.contrast} TSE", contrast, "sagittal", stacks, sequence,
                        False)
    series_uid = deterministic_uid(*tag, "series")
    sigma = NOISE_SIGMA[contrast] * variant.noise
    images = []
    for k, geom in enumerate(stacks):
        clean = render_stack(anatomy, geom, inplane=variant.supersampling,
                             through=variant.supersampling)[CONTRASTS.index(contrast)]
        images.append([add_rician_noise(clean[i], sigma, np.random.default_rng(
            np.random.SeedSequence(variant.seed, spawn_key=(k, i))))
            for i in range(geom.n_slices)])
    write_series(folder / "dicom", study, series, series_uid, images, tag, ExplicitVRLittleEndian,
                 image_tag="image")
    truth = {
        "case": slug, "variant": dataclasses.asdict(variant),
        "coordinates": "DICOM patient LPS, mm (x left, y posterior, z superior)",
        "discs": [{"name": name, "point_lps_mm": point} for name, point in disc_points(anatomy)],
        "conus_tip_lps_mm": [round(float(c), 3) + 0.0
                             for c in anatomy.curve.point(anatomy.cord.conus_tip_a)],
    }
    (folder / TRUTH_FILE).write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    return folder
