"""The vertebral level an axial slice cuts (shown in its overlay), beyond the marked discs too."""

from __future__ import annotations

import pytest

from spineviewer.core.levels import Disc, VertebralLevels
from spineviewer.core.loader import load_study
from spineviewer.gui.annotation.slice_projection import level_on_slice
from tests.conftest import write_series
from tests.gui.conftest import AXIAL

#: z of the axial slices, mm (15 mm apart from z = -12).
SLICE_Z = [-12.0 + 15.0 * k for k in range(11)]


@pytest.fixture
def axial_stack(tmp_path):
    """Eleven axial slices from z = -12 to z = 138 mm."""
    write_series(tmp_path, n=len(SLICE_Z), gap=15.0, start=(-20.0, -20.0, SLICE_Z[0]),
                 orientation=AXIAL, shape=(8, 8))
    return next(load_study(tmp_path).iter_stacks())


@pytest.fixture
def levels():
    """T9-T10 at z = 100, T10-T11 at 75 and T12-L1 at 35: levels of 25 mm above, 20 mm below."""
    return VertebralLevels((Disc(16, (0.0, 10.0, 100.0)), Disc(17, (0.0, 10.0, 75.0)),
                            Disc(19, (0.0, 10.0, 35.0))))


def test_levels_along_the_axis(axial_stack, levels):
    """Each slice between the discs names the level it cuts, the unmarked T11-T12 disc counted."""
    named = {z: level_on_slice(levels, axial_stack, k) for k, z in enumerate(SLICE_Z)}
    assert [named[z] for z in (93.0, 78.0, 63.0, 48.0, 33.0, 18.0)] == ["T10", "T10", "T11", "T12", "L1", "L1"]


def test_one_level_beyond_each_end(axial_stack, levels):
    """The axis goes one level beyond the end discs, each with its neighbour's height: T9 is
    25 mm tall above T9-T10, L1 20 mm below T12-L1; further away no level is named."""
    named = {z: level_on_slice(levels, axial_stack, k) for k, z in enumerate(SLICE_Z)}
    assert (named[108.0], named[123.0], named[138.0]) == ("T9", "T9", None)
    assert named[3.0] is None
