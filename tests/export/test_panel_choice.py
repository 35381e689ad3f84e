"""Which slice a figure panel shows, on an unevenly spaced stack (positions in LPS mm)."""

from __future__ import annotations

import numpy as np
from pydicom.uid import generate_uid

from spineviewer.core.annotations import Caliper
from spineviewer.core.loader import load_study
from spineviewer.export.panel_choice import choose_panel
from tests.conftest import write_slice

#: Axial slices at z = 0, 3, 4, 10 and 12 mm (their mean gap of 3 mm would put them at 0 ... 12).
DEPTHS = (0.0, 3.0, 4.0, 10.0, 12.0)


def _study(folder):
    series = generate_uid()
    for k, z in enumerate(DEPTHS):
        write_slice(folder / f"IM{k}", np.full((8, 10), k, np.uint16), position=(-20.0, 30.0, z),
                    series_uid=series, study_uid="1.2.3", instance=k + 1)
    write_slice(folder / "OTHER", np.zeros((8, 10), np.uint16), position=(-20.0, 30.0, 50.0),
                series_uid=generate_uid(), study_uid="1.2.3", description="AX T1")
    result = load_study(folder)
    return {s.description: s for _, _, s in result.iter_series()}


def _caliper_at(z: float, other) -> Caliper:
    return Caliper(endpoints=((-18.0, 31.0, z), (-16.0, 33.0, z)), series_instance_uid=other.uid,
                   sop_instance_uid=other.stacks[0].frames[0].file.sop_instance_uid)


def test_undrawn_series_shows_the_slice_nearest_by_its_own_position(tmp_path):
    """A lesion drawn elsewhere at z = 7.2 is shown on the slice at z = 10 (3 mm away, the one
    at z = 4 is 3.2 mm away), where an even 3 mm gap would have chosen slice 2."""
    series = _study(tmp_path)
    choice = choose_panel(series["AX T2"], [_caliper_at(7.2, series["AX T1"])])
    assert choice.index == 3


def test_drawn_series_shows_the_slice_drawn_on(tmp_path):
    """A caliper drawn on the slice at z = 4 picks that slice."""
    series = _study(tmp_path)
    stack = series["AX T2"].stacks[0]
    caliper = Caliper(endpoints=((-18.0, 31.0, 4.0), (-16.0, 33.0, 4.0)),
                      series_instance_uid=stack.series_uid,
                      sop_instance_uid=stack.frames[2].file.sop_instance_uid)
    assert choose_panel(series["AX T2"], [caliper]).index == 2
