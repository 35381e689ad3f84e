"""A cohort of the sample studies: its figures are those of the phantoms' ground truth."""

from __future__ import annotations

import json
import statistics
from collections import Counter

import pytest

from spineviewer.cohort.build import build_cohort
from tests.conftest import SAMPLES

CASES = sorted(path for path in SAMPLES.glob("*") if (path / "ground-truth.json").is_file())


@pytest.fixture(scope="module")
def truth():
    if not CASES:
        pytest.skip("no sample studies in sample_dicom/")
    return [json.loads((case / "ground-truth.json").read_text()) for case in CASES]


@pytest.fixture(scope="module")
def summary(truth, tmp_path_factory):
    """The cohort of sample_dicom/ as a parent folder (the answer keys are the readings)."""
    out = tmp_path_factory.mktemp("samples")
    # The per-user folder may hold a reader's copy of a sample study, which the lookup prefers
    # to the answer key; an empty one leaves the answer keys.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(out / "user-data"))
        return build_cohort([SAMPLES], out / "cohort", answer_key=True).summary


def test_counts(truth, summary):
    """Patients, lesions, sex, primary tumour and multiplicity are the generator's."""
    lesions = [lesion for case in truth for lesion in case["lesions"]]
    assert (summary["n_patients"], summary["n_lesions"]) == (len(truth), len(lesions))
    variables = summary["patient_variables"]
    assert {k: v for k, v in variables["sex"]["counts"].items() if v} == \
        Counter(case["patient"]["sex"] for case in truth)
    assert {k: v for k, v in variables["primary_tumor"]["counts"].items() if v} == \
        Counter(case["patient"]["primary_tumour"] for case in truth)
    assert {k: v for k, v in variables["multiplicity"]["counts"].items() if v} == \
        Counter(case["patient"]["iscm"] for case in truth)
    assert summary["problems"] == []


def test_lesion_figures(truth, summary):
    """Locations, sizes and extents: counts, n, mean and range of the ground truth."""
    lesions = [lesion for case in truth for lesion in case["lesions"]]
    variables = summary["lesion_variables"]
    assert {k: v for k, v in variables["location"]["counts"].items() if v} == \
        Counter(lesion["location"] for lesion in lesions)
    for column, values in (
            ("ap_mm", [lesion["ap_mm"] for lesion in lesions]),
            ("si_mm", [lesion["si_mm"] for lesion in lesions]),
            ("enhancement_segments", [lesion["enhancement"]["segments"] for lesion in lesions]),
            ("t2_segments", [lesion["t2"]["segments"] for lesion in lesions]),
            ("t2_enhancement_ratio", [lesion["t2_enhancement_ratio"] for lesion in lesions])):
        stats = variables[column]
        assert stats["n"] == len(values), column
        assert stats["mean"] == pytest.approx(statistics.fmean(values), abs=0.01), column
        assert (stats["min"], stats["max"]) == pytest.approx((min(values), max(values)), abs=0.01)


def test_thresholds(truth, summary):
    """T2 extent thresholds per lesion and per patient (each patient's longest extent)."""
    per_lesion = [lesion["t2"]["segments"] for case in truth for lesion in case["lesions"]]
    per_patient = [max(lesion["t2"]["segments"] for lesion in case["lesions"]) for case in truth]
    limits = summary["thresholds"]
    for k in (2, 3):
        assert limits[f"t2_segments_ge{k}_lesions"] == {
            "n": len(per_lesion), "count": sum(v >= k for v in per_lesion)}
        assert limits[f"t2_segments_ge{k}_patients"] == {
            "n": len(per_patient), "count": sum(v >= k for v in per_patient)}
