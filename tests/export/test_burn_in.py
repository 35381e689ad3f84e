"""Drawings burnt into a figure panel only on the image they lie on (an enhanced file whose
frames share one SOP Instance UID; positions in LPS mm)."""

from __future__ import annotations

import numpy as np

from spineviewer.core.annotations import Caliper, StudyAnnotations
from spineviewer.core.loader import load_study
from spineviewer.core.stack_geometry import slice_plane
from spineviewer.export.burn_in import CALIPER
from spineviewer.export.figure_panel import render_panel
from spineviewer.export.panel_choice import PanelChoice
from tests.conftest import write_enhanced

SAGITTAL = (np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, -1.0]))


def test_caliper_only_on_the_frame_it_lies_on(tmp_path):
    """A caliper on frame 1 of a three-frame sagittal file is burnt into that frame's panel and
    not into its neighbours', though all three frames carry the caliper's SOP Instance UID."""
    positions = [np.array([4.0 - 3.0 * k, -60.0, 90.0]) for k in range(3)]
    write_enhanced(tmp_path / "sag.dcm", [SAGITTAL] * 3, positions, shape=(40, 60), spacing=(1.0, 1.0))
    result = load_study(tmp_path)
    _, _, series = next(result.iter_series())
    stack = series.stacks[0]
    plane = slice_plane(stack, 1)
    caliper = Caliper(endpoints=tuple(tuple(plane.from_index(rc)) for rc in ((20.0, 10.0), (20.0, 50.0))),
                      series_instance_uid=series.uid,
                      sop_instance_uid=stack.frames[1].file.sop_instance_uid)
    study = StudyAnnotations(study_instance_uid="1.2.3", annotations=(caliper,))
    yellow = []
    for k in range(3):
        image = np.asarray(render_panel(PanelChoice(series, stack, k), study, height=160,
                                        scale_bar=False)).astype(int)
        yellow.append(bool(np.any(np.all(np.abs(image - np.array(CALIPER)) <= 40, axis=-1))))
    assert yellow == [False, True, False]
