"""The bundled sample cases with their reference annotations, as the export tests use them.

``reference-annotations.json`` (the phantom's answer key: levels, calipers, T2 path, findings)
is read as a reader's annotation file. :func:`teaching_annotations` adds what a teaching case
also has: an arrow and a text note on the sagittal T1+C slice of lesion 1, and notes that name
the patient, the reader and dates, for the de-identification tests to find. Points are DICOM
LPS mm.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from spineviewer.core import edits
from spineviewer.core.annotation_codec import from_json, migrate
from spineviewer.core.annotations import Arrow, Caliper, CaliperRole, StudyAnnotations, TextNote
from spineviewer.core.loader import load_study
from spineviewer.core.model import LoadResult

SAMPLES = Path(__file__).resolve().parents[2] / "sample_dicom"
CASES = sorted(p.parent.name for p in SAMPLES.glob("*/reference-annotations.json"))


def case_params():
    """One pytest parameter per sample case with reference annotations (a skip without any)."""
    if not CASES:
        return [pytest.param(None, marks=pytest.mark.skip(
            reason=f"no reference-annotations.json under {SAMPLES}"))]
    return CASES


@cache
def sample(case: str) -> tuple[LoadResult, StudyAnnotations, dict]:
    """The loaded study, its reference annotations and its ground truth (cached: read-only)."""
    folder = SAMPLES / case
    value, _ = migrate(json.loads((folder / "reference-annotations.json").read_text()))
    truth = json.loads((folder / "ground-truth.json").read_text())
    return load_study(folder), from_json(value), truth


def teaching_annotations(study: StudyAnnotations, truth: dict) -> StudyAnnotations:
    """The reference annotations plus an arrow, a text note and identifying notes."""
    lesion = study.lesions[0]
    si = next(c for c in lesion.of_kind(Caliper) if c.role is CaliperRole.SI)
    image = {"series_instance_uid": si.series_instance_uid, "sop_instance_uid": si.sop_instance_uid}
    centre = np.mean(si.endpoints, axis=0)
    patient = truth["patient"]
    study = edits.add_annotation(study, Arrow(tail=tuple(centre + [0, 30, 22]),
                                              head=tuple(centre + [0, 7, 5]), text="ISCM", **image))
    study = edits.add_annotation(study, TextNote(anchor=tuple(centre + [0, 45, -40]),
                                                 text="post-contrast", **image))
    study = edits.set_lesion_findings(study, lesion.lesion_id, replace(
        lesion.findings, notes=f"seen on {patient['name']} ({patient['patient_id']})"))
    return replace(study, reader="Dr Reader", patient=replace(
        study.patient, primary_diagnosis_date=dt.date(2021, 2, 3),
        iscm_presentation_date=dt.date(2024, 3, 1),
        notes=f"{patient['name']} born {patient['birth_date']}, accession "
              f"{truth['study']['accession_number']}"))
