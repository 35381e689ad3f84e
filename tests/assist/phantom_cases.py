"""The committed sample cases as the assist tests use them: loaded once, with their truth."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from spineviewer.core.loader import load_study
from spineviewer.core.model import LoadResult, Stack
from spineviewer.core.stack_geometry import stack_geometry

SAMPLES = Path(__file__).resolve().parents[2] / "sample_dicom"


@cache
def sample(slug: str) -> tuple[LoadResult, dict]:
    """The loaded sample study and its ground truth (cached: read-only)."""
    folder = SAMPLES / slug
    return load_study(folder), json.loads((folder / "ground-truth.json").read_text())


def sagittal(slug: str, point, *, contrast: str | None = None, post: bool = False) -> Stack:
    """The sagittal stack of the sample holding ``point`` farthest from its top and bottom."""
    result, truth = sample(slug)
    entry = next(s for s in truth["series"] if s["plane"] == "sagittal"
                 and (contrast is None or s["contrast"] == contrast)
                 and s["post_contrast"] == post)
    stacks = result.series_by_uid(entry["series_uid"]).stacks
    return min(stacks, key=lambda s: abs(stack_geometry(s).to_index(np.asarray(point, float))[1]
                                         - s.shape[1] / 2))


def post_contrast_sagittal(case: int, folder: Path) -> Stack:
    """Only the sagittal T1+C series of a phantom case (first station), sampled once per voxel
    (no supersampling: ten times faster than the whole case), written to ``folder``."""
    from pydicom.uid import ExplicitVRLittleEndian

    from spineviewer.phantom.dicomfile import StudyHeader, build_image, deterministic_uid, write_image
    from spineviewer.phantom.protocol import case_series
    from spineviewer.phantom.render import CONTRASTS, add_rician_noise, render_stack
    from spineviewer.phantom.study import CASES, case_anatomy, case_slug, window_for
    from spineviewer.phantom.tissues import NOISE_SIGMA

    slug = case_slug(case)
    spec, anatomy = CASES[slug], case_anatomy(slug)
    series = next(s for s in case_series(spec, anatomy.curve, anatomy.layout)
                  if s.plane == "sagittal" and s.post_contrast)
    tag = ["assist-test", slug]
    study = StudyHeader(
        patient_name=spec.patient.name, patient_id=spec.patient.patient_id,
        patient_sex=spec.patient.sex, patient_age=spec.patient.age,
        patient_birth_date=spec.patient.birth_date, study_uid=deterministic_uid(*tag, "study"),
        frame_of_reference_uid=deterministic_uid(*tag, "frame"), study_date=spec.study_date,
        study_time=spec.study_time, accession=spec.accession, description=spec.study_description)
    geom = series.stacks[0]
    clean = render_stack(anatomy, geom, inplane=1, through=1)[CONTRASTS.index(series.contrast)]
    rng = np.random.default_rng(0)
    images = [add_rician_noise(clean[i], NOISE_SIGMA[series.contrast], rng)
              for i in range(geom.n_slices)]
    window = window_for(images)
    uid = deterministic_uid(*tag, "series")
    for i, pixels in enumerate(images):
        ds = build_image(study, series, uid, geom, i, i + 1,
                         deterministic_uid(*tag, f"image/{i}"), pixels, window)
        write_image(ds, folder / f"IM{i + 1:05d}", ExplicitVRLittleEndian)
    return load_study(folder).series_by_uid(uid).stacks[0]
