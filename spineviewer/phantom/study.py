"""Generating a phantom case on disk: DICOM series, ``ground-truth.json`` and its answer key.

Layout of a case folder::

    <slug>/ground-truth.json
    <slug>/reference-annotations.json
    <slug>/dicom/SE<series number, 4 digits>/IM<instance number, 5 digits>

``reference-annotations.json`` is an annotation file placed at the truth
(:mod:`spineviewer.phantom.answer_key`).

Output is bit-identical for the same case, seed and options: UIDs are derived from them,
and the noise of every slice comes from its own generator seeded with
``seed + case offset`` and the slice's place in the study. Noise-free stacks are cached in
memory, so writing the same case again with another transfer syntax only re-encodes.
"""

from __future__ import annotations

import functools
import json
import math
import shutil
from pathlib import Path

import numpy as np

from spineviewer.phantom.anatomy import Anatomy, build_anatomy
from spineviewer.phantom.answer_key import FILE_NAME as ANSWER_KEY_FILE, write_answer_key
from spineviewer.phantom.cases import CASE_LIST, CaseSpec
from spineviewer.phantom.dicomfile import (
    StudyHeader, build_image, deterministic_uid, transfer_syntax_uid, write_image,
)
from spineviewer.phantom.protocol import SeriesSpec, StackGeometry, case_series
from spineviewer.phantom.render import CONTRASTS, add_rician_noise, render_stack
from spineviewer.phantom.tissues import NOISE_SIGMA
from spineviewer.phantom.truth import case_truth, series_truth

#: The cases by slug, in order case1 ... case4.
CASES: dict[str, CaseSpec] = {case.slug: case for case in CASE_LIST}
_SEED_OFFSET = 1000


def case_slug(case: int | str) -> str:
    """The slug of a case given by number (1, "3"), or by slug.

    Raises
    ------
    ValueError
        If ``case`` names no case.
    """
    if isinstance(case, str) and case in CASES:
        return case
    if isinstance(case, (int, np.integer, str)) and not isinstance(case, bool):
        text = str(case).strip()
        if text.isdigit() and 1 <= int(text) <= len(CASE_LIST):
            return CASE_LIST[int(text) - 1].slug
    raise ValueError(f"unknown phantom case {case!r}; expected a number 1-{len(CASE_LIST)} "
                     f"or one of {', '.join(CASES)}")


@functools.lru_cache(maxsize=8)
def case_anatomy(slug: str) -> Anatomy:
    """The (cached) tissue model of a case."""
    return build_anatomy(CASES[slug])


@functools.lru_cache(maxsize=24)
def noise_free_stack(slug: str, geom: StackGeometry) -> np.ndarray:
    """Noise-free signal of a stack, shape (3, slices, rows, cols), read-only (cached)."""
    signal = render_stack(case_anatomy(slug), geom)
    signal.flags.writeable = False
    return signal


def window_for(images: list[np.ndarray]) -> tuple[float, float]:
    """WindowCenter/WindowWidth from 0 to the 99.5th percentile of the central half of the
    images (where the spine is), as a scanner's automatic window would."""
    rows, cols = images[0].shape
    centre = np.stack([image[rows // 4: rows - rows // 4, cols // 4: cols - cols // 4]
                       for image in images])
    top = float(np.percentile(centre, 99.5))
    width = max(10.0, 10.0 * round(top / 10.0))
    return 0.5 * width, width


def _clear(folder: Path) -> None:
    """Remove a previous generation's output (only the files this module writes)."""
    shutil.rmtree(folder / "dicom", ignore_errors=True)
    (folder / "ground-truth.json").unlink(missing_ok=True)
    (folder / ANSWER_KEY_FILE).unlink(missing_ok=True)


def check_seed(seed: int) -> None:
    """Raise ValueError unless ``seed`` is a non-negative integer."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")


def _check_options(seed: int, oblique_deg: float) -> None:
    check_seed(seed)
    if not math.isfinite(oblique_deg) or abs(oblique_deg) > 45.0:
        raise ValueError(f"oblique_deg must be between -45 and 45 degrees, not {oblique_deg!r}")


def generate_case(case: int | str, outdir, *, seed: int = 0, oblique_deg: float = 0.0,
                  reverse_instance_numbers: bool = False,
                  transfer_syntax: str = "explicit-little-endian") -> Path:
    """Write one phantom case (DICOM, ground truth, answer key) to ``outdir/<slug>/``.

    Parameters
    ----------
    case : int or str
        Case number (1-4) or slug.
    outdir : path-like
        Parent folder; ``outdir/<slug>`` is created (a previous generation there is
        replaced).
    seed : int
        Noise seed (non-negative).
    oblique_deg : float
        Tilt of the axial block about the patient's left-right axis, degrees.
    reverse_instance_numbers : bool
        Number the instances against the spatial order.
    transfer_syntax : str
        One of :data:`~spineviewer.phantom.dicomfile.TRANSFER_SYNTAXES`.

    Returns
    -------
    pathlib.Path
        The case folder.
    """
    slug = case_slug(case)
    spec = CASES[slug]
    syntax = transfer_syntax_uid(transfer_syntax)
    _check_options(seed, float(oblique_deg))
    anatomy = case_anatomy(slug)
    folder = Path(outdir) / slug
    _clear(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tag = [slug, f"seed={seed}", f"oblique={float(oblique_deg)!r}",
           f"reverse={bool(reverse_instance_numbers)}"]
    study = study_header(spec, tag)
    entries = []
    for series in case_series(spec, anatomy.curve, anatomy.layout, float(oblique_deg)):
        series_uid = deterministic_uid(*tag, f"series/{series.number}")
        images = _noisy_series(slug, series, seed + _SEED_OFFSET * spec.number)
        numbers = write_series(folder / "dicom" / f"SE{series.number:04d}", study, series,
                               series_uid, images, tag, syntax,
                               reverse=reverse_instance_numbers)
        entries.append(series_truth(series, series_uid, numbers, spec.axial.lesion_ids))
    options = {"seed": seed, "oblique_deg": float(oblique_deg),
               "reverse_instance_numbers": bool(reverse_instance_numbers),
               "transfer_syntax": transfer_syntax, "transfer_syntax_uid": str(syntax)}
    uids = {"study_instance_uid": study.study_uid,
            "frame_of_reference_uid": study.frame_of_reference_uid}
    truth = case_truth(spec, anatomy, options=options, uids=uids, series=entries)
    (folder / "ground-truth.json").write_text(json.dumps(truth, indent=2) + "\n",
                                               encoding="utf-8")
    write_answer_key(folder, truth, anatomy.curve)
    return folder


def study_header(spec: CaseSpec, tag: list[str]) -> StudyHeader:
    """The patient and study attributes of case ``spec``, with its study and frame-of-reference
    UIDs derived from ``tag``."""
    return StudyHeader(
        patient_name=spec.patient.name, patient_id=spec.patient.patient_id,
        patient_sex=spec.patient.sex, patient_age=spec.patient.age,
        patient_birth_date=spec.patient.birth_date,
        study_uid=deterministic_uid(*tag, "study"),
        frame_of_reference_uid=deterministic_uid(*tag, "frame-of-reference"),
        study_date=spec.study_date, study_time=spec.study_time, accession=spec.accession,
        description=spec.study_description)


def _noisy_series(slug: str, series: SeriesSpec, root_seed: int) -> list[list[np.ndarray]]:
    """Noisy uint16 images of a series, per stack, in acquisition order."""
    contrast = CONTRASTS.index(series.contrast)
    sigma = NOISE_SIGMA[series.contrast]
    stacks = []
    for k, geom in enumerate(series.stacks):
        clean = noise_free_stack(slug, geom)[contrast]
        stacks.append([
            add_rician_noise(clean[i], sigma, np.random.default_rng(
                np.random.SeedSequence(root_seed, spawn_key=(series.number, k, i))))
            for i in range(geom.n_slices)])
    return stacks


def write_series(out: Path, study: StudyHeader, series: SeriesSpec, series_uid: str,
                 images: list[list[np.ndarray]], tag: list[str], syntax, *,
                 reverse: bool = False, image_tag: str | None = None) -> list[list[int]]:
    """Write the files of a series into the folder ``out`` (``IM<instance number, 5 digits>``,
    numbered in acquisition order, or against it with ``reverse``), windowed over the whole
    series; returns the first and last instance numbers of each stack.

    The SOPInstanceUID of the n-th image acquired is derived from ``tag`` and
    ``f"{image_tag}/{n}"`` (``image_tag`` defaults to ``f"image/{series.number}"``).
    """
    out.mkdir(parents=True, exist_ok=True)
    if image_tag is None:
        image_tag = f"image/{series.number}"
    window = window_for([image for stack in images for image in stack])
    total = series.n_images
    numbers: list[list[int]] = []
    acquired = 0
    for geom, stack_images in zip(series.stacks, images):
        stack_numbers = []
        for i, pixels in enumerate(stack_images):
            acquired += 1
            number = total + 1 - acquired if reverse else acquired
            sop_uid = deterministic_uid(*tag, f"{image_tag}/{acquired}")
            ds = build_image(study, series, series_uid, geom, i, number, sop_uid, pixels,
                             window)
            write_image(ds, out / f"IM{number:05d}", syntax)
            stack_numbers.append(number)
        numbers.append([stack_numbers[0], stack_numbers[-1]])
    return numbers
