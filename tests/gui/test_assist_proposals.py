"""Assisted measurement with the mouse and the keyboard on sample case 1 (a T12 enhancing lesion):
proposed levels and lesion segmentation, accepted with Enter or rejected with Esc, the brush
and eraser changing the mask's volume, a refusal and a cancelled run.

Each proposal runs in the background; the tests wait for its answer with ``qtbot.waitUntil``.
Sizes are compared with the phantom's ground truth (``ground-truth.json`` of the case).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from spineviewer.core.annotations import Caliper, CordPath, Segmentation
from spineviewer.core.proposals import has_proposals
from spineviewer.core.stack_geometry import stack_geometry
from spineviewer.gui.annotation.tools import Tool
from tests.gui.annotation_helpers import (
    CASE1, click, copy_case, drag, key, screen_of, type_into, zoom_on,
)

TRUTH = json.loads((CASE1 / "ground-truth.json").read_text())
LESION = TRUTH["lesions"][0]
CENTRE = np.array(LESION["centre_lps_mm"])
#: A point in the cord T2 hyperintensity above the lesion, LPS mm.
EDEMA = CENTRE + (0.0, 0.0, 25.0)
#: Volume of the phantom's ellipsoidal lesion, mm3.
TRUE_VOLUME = math.pi / 6 * LESION["ap_mm"] * LESION["transverse_mm"] * LESION["si_mm"]


@pytest.fixture
def window(open_window, tmp_path):
    return open_window([copy_case(tmp_path / "case1")])


def _viewport(window, description: str):
    """The viewport showing the series described ``description`` (shown there if need be)."""
    from spineviewer.gui.shell.browser import stack_key

    for viewport in window.grid.viewports:
        if viewport.state is not None and viewport.state.context.series.description == description:
            return viewport
    stack = next(s for _, _, series in window.result.iter_series() if series.description == description
                 for s in series.stacks)
    viewport = window.grid.viewports[1]
    window.show_stack(viewport, stack_key(stack))
    return viewport


def _on_lesion(viewport):
    """Show the slice through the lesion centre, zoomed on it as a reader does."""
    state = viewport.state
    state.set_slice(stack_geometry(state.stack).nearest(CENTRE))
    zoom_on(viewport, CENTRE, 80.0)


def _idle(qtbot, window):
    qtbot.waitUntil(lambda: window.annotations.assist.running is None, timeout=30000)


def _study(window):
    return window.annotations.session.study


def _nearest_true_disc(point) -> str:
    return min(TRUTH["discs"], key=lambda d: np.linalg.norm(np.subtract(d["point_lps_mm"], point)))["name"]


def _segment(qtbot, window, at=None):
    """Shift+G, then a click on the lesion of the sagittal post-contrast image."""
    viewport = _viewport(window, "SAG T1 TSE +C")
    _on_lesion(viewport)
    viewport.setFocus()
    key(viewport, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    assert window.annotations.tools.tool is Tool.ASSIST_LESION
    click(viewport, screen_of(viewport, CENTRE if at is None else at))
    _idle(qtbot, window)
    return viewport


def _segmentation(window) -> Segmentation:
    found = [d for d in _study(window).all_drawings() if isinstance(d, Segmentation)]
    assert len(found) == 1, found
    return found[0]


class TestLesion:
    def test_click_segments_enter_accepts_volume_within_15_percent(self, qtbot, window):
        """A click on the lesion proposes its mask and calipers (dashed, not measured), the
        mask tinted on the slices it covers only; Enter accepts them and the Volume row shows
        the mask's volume, within 15% of the truth; a click on the row shows the slice through
        the mask's centre."""
        viewport = _segment(qtbot, window)
        mask = _segmentation(window)
        assert mask.proposed and has_proposals(_study(window))
        panel = window.annotations.measurements
        assert panel.value(1, "volume") == ""
        masks = window.annotations.assist.masks[window.grid.viewports.index(viewport)]
        assert masks.view._items
        covered = np.nonzero(window.annotations.session.document.load_mask(mask).any(axis=(1, 2)))[0]
        viewport.state.set_slice(int(covered.max()) + 2)
        assert not masks.view._items
        viewport.state.set_slice(int(covered.min()))
        assert masks.view._items
        _on_lesion(viewport)
        key(viewport, Qt.Key.Key_Return)
        assert not has_proposals(_study(window))
        volume = float(panel.value(1, "volume").split()[0])
        assert volume == pytest.approx(TRUE_VOLUME, rel=0.15)
        viewport.state.set_slice(0)
        tree, row = panel.tree, panel.row(1, "volume")
        tree.scrollToItem(row)
        QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                         pos=tree.visualRect(tree.indexFromItem(row, 1)).center())
        through_centre = stack_geometry(viewport.state.stack).nearest(mask.centre)
        qtbot.waitUntil(lambda: viewport.state.slice_index == through_centre, timeout=5000)
        si = float(panel.value(1, "si").split()[0])
        assert si == pytest.approx(LESION["si_mm"], abs=2.0)

    def test_escape_rejects_the_selected_then_the_rest_and_undo_brings_back(self, qtbot, window):
        """With the proposed SI caliper clicked (selected), Esc removes it alone; Esc again
        removes the rest of the run; Ctrl+Z twice brings everything back, still proposed."""
        viewport = _segment(qtbot, window)
        proposed = [d.id for d in _study(window).all_drawings()]
        (si,) = [d for d in _study(window).all_drawings() if isinstance(d, Caliper) and d.role.value == "si"]
        click(viewport, screen_of(viewport, np.add(si.endpoints[0], np.subtract(si.endpoints[1], si.endpoints[0]) * 0.2)))
        assert window.annotations.tools.selected == si.id
        key(viewport, Qt.Key.Key_Escape)
        assert [d.id for d in _study(window).all_drawings()] == [i for i in proposed if i != si.id]
        key(viewport, Qt.Key.Key_Escape)
        assert not list(_study(window).all_drawings())
        assert window.statusBar().currentMessage().startswith("Rejected: ")
        for _ in range(2):
            key(viewport, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert [d.id for d in _study(window).all_drawings()] == proposed
        assert all(d.proposed for d in _study(window).all_drawings())

    def test_brush_adds_and_eraser_removes_volume(self, qtbot, window):
        """A brush stroke beside the mask grows its volume, an eraser stroke over it shrinks
        it; each stroke is one undo step."""
        viewport = _segment(qtbot, window)
        key(viewport, Qt.Key.Key_Return)
        before = _segmentation(window).volume
        key(viewport, Qt.Key.Key_B, Qt.KeyboardModifier.ShiftModifier)
        size = window.annotations.assist.brush_size
        key(viewport, Qt.Key.Key_BracketRight)
        assert size.value() == pytest.approx(2.5)
        start, end = CENTRE + (0, -12.0, 6.0), CENTRE + (0, -12.0, -6.0)
        drag(viewport, screen_of(viewport, start), screen_of(viewport, end))
        grown = _segmentation(window).volume
        assert grown > before + 20.0
        key(viewport, Qt.Key.Key_E, Qt.KeyboardModifier.ShiftModifier)
        drag(viewport, screen_of(viewport, CENTRE + (0, 0, 4.0)), screen_of(viewport, CENTRE + (0, 0, -4.0)))
        assert _segmentation(window).volume < grown
        panel = window.annotations.measurements
        assert float(panel.value(1, "volume").split()[0]) == pytest.approx(_segmentation(window).volume, abs=1)
        key(viewport, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert _segmentation(window).volume == pytest.approx(grown)

    def test_box_dragged_around_the_lesion_segments_it(self, qtbot, window):
        """Shift+G and a box dragged around the lesion (20 mm square) segment it: the mask lies
        inside the box and its volume is within 15% of the truth."""
        viewport = _viewport(window, "SAG T1 TSE +C")
        _on_lesion(viewport)
        viewport.setFocus()
        key(viewport, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
        corner = np.array([0.0, 10.0, 10.0])
        drag(viewport, screen_of(viewport, CENTRE - corner), screen_of(viewport, CENTRE + corner))
        _idle(qtbot, window)
        mask = _segmentation(window)
        assert mask.volume == pytest.approx(TRUE_VOLUME, rel=0.15)
        assert np.all(np.abs(np.subtract(mask.centre, CENTRE)[1:]) < 10.0)

    @pytest.mark.parametrize("how", ["button", "escape"])
    def test_cancel_stops_the_run(self, qtbot, window, how):
        """Cancel in the status bar, or Esc, stops a segmentation under way: the status bar
        says so and nothing is proposed."""
        viewport = _viewport(window, "SAG T1 TSE +C")
        _on_lesion(viewport)
        viewport.setFocus()
        key(viewport, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
        click(viewport, screen_of(viewport, CENTRE))
        assert window.annotations.assist.running is not None
        assert window.cancel_button.isVisible()
        if how == "button":
            QTest.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
        else:
            key(viewport, Qt.Key.Key_Escape)
        _idle(qtbot, window)
        assert not list(_study(window).all_drawings())
        assert window.statusBar().currentMessage() == "Segmenting the lesion: cancelled"


class TestLevelsAndCord:
    def test_levels_proposed_then_accepted_name_the_lesion_level(self, qtbot, window):
        """Shift+L finds the discs; with no odontoid or sacrum in the field the reader names the
        circled one (as the truth names it) and the others are counted; a proposed marker is
        dragged (it stays proposed) in reading mode and the drag undone; Enter accepts them,
        each within 3 mm of the true disc of its name; with the lesion accepted,
        its level in the Measurements dock is the true one."""
        sagittal = _viewport(window, "SAG T2 TSE")
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_L, Qt.KeyboardModifier.ShiftModifier)
        _idle(qtbot, window)
        assist = window.annotations.assist
        assert _study(window).levels is None and assist.naming_point is not None
        type_into(window.annotations.layers[0].prompt.edit, _nearest_true_disc(assist.naming_point))
        levels = _study(window).levels
        assert levels is not None and all(d.proposed for d in levels.discs)
        disc = levels.discs[len(levels.discs) // 2]
        sagittal.state.set_slice(stack_geometry(sagittal.state.stack).nearest(disc.point))
        zoom_on(sagittal, disc.point, 60.0)
        drag(sagittal, screen_of(sagittal, disc.point), screen_of(sagittal, np.add(disc.point, (0, 0, 3.0))))
        moved = next(d for d in _study(window).levels.discs if d.name == disc.name)
        assert moved.proposed and moved.point[2] == pytest.approx(disc.point[2] + 3.0, abs=0.5)
        key(sagittal, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert disc in _study(window).levels.discs
        key(sagittal, Qt.Key.Key_Return)
        assert not _study(window).levels.has_proposals
        truth = {d["name"]: d["point_lps_mm"] for d in TRUTH["discs"]}
        for disc in _study(window).levels.discs:
            assert np.linalg.norm(np.subtract(disc.point, truth[disc.name])) < 3.0, disc
        viewport = _segment(qtbot, window)
        key(viewport, Qt.Key.Key_Return)
        assert window.annotations.measurements.value(1, "levels") == LESION["level_top"]

    def test_click_outside_the_cord_is_refused_with_its_reason(self, qtbot, window):
        """Shift+G and a click in the vertebral body in front of the cord: the status bar says
        why in one sentence, nothing is proposed, no traceback."""
        _segment(qtbot, window, at=CENTRE + (0, -30.0, 0))
        message = window.statusBar().currentMessage()
        assert message.startswith("Segmenting the lesion: ") and "cord" in message
        assert "Traceback" not in message and "\n" not in message
        assert not list(_study(window).all_drawings())
        assert window.annotations.tools.tool is Tool.READ

    def test_t2_extent_from_one_click_counts_once_accepted(self, qtbot, window):
        """Shift+P and a click in the cord hyperintensity (25 mm above the lesion) propose a T2 path (dashed, labelled
        proposed, not in the T2 row), its ends within half a vertebral level (15 mm) of the true
        ones; Enter accepts it and the T2 row shows its length."""
        sagittal = _viewport(window, "SAG T2 TSE")
        _on_lesion(sagittal)
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_P, Qt.KeyboardModifier.ShiftModifier)
        click(sagittal, screen_of(sagittal, EDEMA))
        _idle(qtbot, window)
        (path,) = [d for d in _study(window).all_drawings() if isinstance(d, CordPath)]
        assert path.proposed and path.series_instance_uid == sagittal.state.stack.series_uid
        layer = window.annotations.layers[window.grid.viewports.index(sagittal)]
        assert layer.items[path.id].label.textItem.toPlainText().startswith("proposed T2")
        panel = window.annotations.measurements
        assert panel.value(1, "t2") == ""
        key(sagittal, Qt.Key.Key_Return)
        assert panel.value(1, "t2") == f"{path.length:.1f} mm"
        heights = [p[2] for p in path.vertices]
        top, bottom = LESION["t2"]["top_lps_mm"][2], LESION["t2"]["bottom_lps_mm"][2]
        assert max(heights) == pytest.approx(top, abs=15.0)
        assert min(heights) == pytest.approx(bottom, abs=15.0)

    def test_lesion_click_on_the_t2_asks_for_the_post_contrast_series(self, qtbot, window):
        """Shift+G and a click on the sagittal T2: the status bar says to click the lesion on
        the post-contrast series; the tool waits for that click, nothing runs."""
        sagittal = _viewport(window, "SAG T2 TSE")
        _on_lesion(sagittal)
        sagittal.setFocus()
        key(sagittal, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
        click(sagittal, screen_of(sagittal, CENTRE))
        assert window.annotations.assist.running is None
        assert "post-contrast" in window.statusBar().currentMessage()
        assert window.annotations.tools.tool is Tool.ASSIST_LESION

    def test_levels_from_a_t1_viewport_are_proposed_on_the_t2(self, qtbot, window):
        """Shift+L with the sagittal post-contrast T1 active proposes the discs on the sagittal
        T2 series of the study (the disc finder needs its bright CSF)."""
        viewport = _viewport(window, "SAG T1 TSE +C")
        window.grid.set_active(viewport)
        viewport.setFocus()
        key(viewport, Qt.Key.Key_L, Qt.KeyboardModifier.ShiftModifier)
        _idle(qtbot, window)
        # Discs found (on the T1 the finder declines), waiting for the reader to name one.
        assert window.annotations.assist.naming_point is not None
        assert window.statusBar().currentMessage().startswith("Name the circled disc")
