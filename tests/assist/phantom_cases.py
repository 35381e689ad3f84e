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
