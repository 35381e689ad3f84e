"""The committed sample studies are exactly what the generator writes today."""

from pathlib import Path

import pytest

from spineviewer.phantom.__main__ import SAMPLE_CASES
from spineviewer.phantom.study import case_slug
from tests.phantom.dicom_helpers import digest

SAMPLES = Path(__file__).resolve().parents[2] / "sample_dicom"


@pytest.mark.parametrize("case", SAMPLE_CASES)
def test_committed_sample_equals_fresh_generation(case_folder, case):
    """sample_dicom/<slug> is byte-identical to a fresh seed-0 generation (regenerate with
    ``python -m spineviewer.phantom`` after changing the phantom)."""
    committed = SAMPLES / case_slug(case)
    assert committed.is_dir(), f"{committed} is missing; run python -m spineviewer.phantom"
    assert digest(committed) == digest(case_folder(case))


def test_committed_samples_stay_small():
    """The committed samples together stay under 20 MB."""
    size = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file()
               and p.relative_to(SAMPLES).parts[0] in {case_slug(c) for c in SAMPLE_CASES})
    assert size < 20e6
