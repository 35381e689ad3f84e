"""Measuring sample case 1 with the mouse, as a reader would, and comparing with its truth.

Levels are labelled by clicking the true disc points on the midsagittal SAG T2 slice and naming
the first one; the SI and AP calipers are dragged between the lesion's true ends on SAG T1+C,
the bidirectional caliper on AX T1+C, and the T2 path clicked along the true cord. The numbers
are then read from the measurements panel and from an exported CSV: sizes must agree with
``ground-truth.json`` within one pixel spacing, segment counts, levels and location exactly.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from PyQt6.QtCore import Qt

from spineviewer.core.levels import SegmentRule, VertebralLevels
from spineviewer.gui.reading import scene
from spineviewer.gui.annotation.tools import Tool
from spineviewer.gui.annotation.tools.drawing_builders import SHORT_AXIS_START
from tests.gui.annotation_helpers import (
    CASE1, click, copy_case, double_click, drag, key, screen_of, type_into, zoom_on,
)

TRUTH = json.loads((CASE1 / "ground-truth.json").read_text()) if CASE1.is_dir() else None
pytestmark = pytest.mark.skipif(TRUTH is None, reason=f"sample case 1 is not in {CASE1}")
PIXEL = 1.4  # the sagittal pixel spacing, the coarsest in-plane spacing of the case


def _viewport(window, description: str):
    for viewport in window.grid.visible_viewports():
        if viewport.state is not None and viewport.state.context.series.description == description:
            return viewport
    raise AssertionError(f"{description} is not shown")


def _on_image(viewport, point) -> bool:
    state = viewport.state
    x, y, _ = scene.patient_to_scene(state.stack, state.slice_index, point)
    return scene.scene_to_pixel(state.stack, x, y) is not None


def _cord_vertices(lesion: dict) -> list[np.ndarray]:
    """Points along the true cord from the T2 top to its bottom: the ends and, between them,
    one point per disc level, offset from the disc point as the cord is at the ends."""
    discs = TRUTH["discs"]
    levels = VertebralLevels.from_points([d["point_lps_mm"] for d in discs], anchor=0,
                                         anchor_name=discs[0]["name"])
    top, bottom = (np.array(lesion["t2"][k]) for k in ("top_lps_mm", "bottom_lps_mm"))
    s_top, s_bottom = levels.coordinate(top), levels.coordinate(bottom)
    axis = {d.lower_index: np.array(d.point) for d in levels.discs}
    inner = [k for k in sorted(axis) if s_top < k < s_bottom]
    offset_top, offset_bottom = top - axis[inner[0]], bottom - axis[inner[-1]]
    vertices = [top]
    for k in inner:
        w = (k - s_top) / (s_bottom - s_top)
        vertices.append(axis[k] + (1 - w) * offset_top + w * offset_bottom)
    return vertices + [bottom]


def _number(text: str) -> float:
    return float(text.split()[0])


@pytest.fixture
def measured(qtbot, open_window, tmp_path):
    """Case 1 measured with the mouse: levels, conus tip, SI, AP, bidirectional, T2 path."""
    window = open_window([copy_case(tmp_path / "case1")])
    shown = [(viewport, viewport.view.viewport().size()) for viewport in window.grid.visible_viewports()]
    window.resize(1600, 1000)
    # Measure on the larger viewports only once the layout has given them their new size.
    qtbot.waitUntil(lambda: all(viewport.view.viewport().width() > size.width()
                                and viewport.view.viewport().height() > size.height()
                                for viewport, size in shown))
    lesion = TRUTH["lesions"][0]
    controls = window.annotations

    sag_t2 = _viewport(window, "SAG T2 TSE")
    assert sag_t2.state.slice_index == 6  # the midsagittal slice, x = 0
    sag_t2.setFocus()
    key(sag_t2, Qt.Key.Key_L)
    assert controls.tools.tool is Tool.LEVELS
    discs = [d for d in TRUTH["discs"] if _on_image(sag_t2, d["point_lps_mm"])]
    click(sag_t2, screen_of(sag_t2, discs[0]["point_lps_mm"]))
    layer = controls.layers[window.grid.viewports.index(sag_t2)]
    assert layer.prompt is not None and layer.prompt.isVisible()
    type_into(layer.prompt.edit, discs[0]["name"])
    for disc in discs[1:]:
        click(sag_t2, screen_of(sag_t2, disc["point_lps_mm"]))
    key(sag_t2, Qt.Key.Key_K)
    click(sag_t2, screen_of(sag_t2, TRUTH["conus_tip_lps_mm"]))

    sag_t1c = _viewport(window, "SAG T1 TSE +C")
    sag_t1c.setFocus()
    zoom_on(sag_t1c, lesion["centre_lps_mm"], 60)
    top, bottom = (np.array(lesion["enhancement"][k]) for k in ("top_lps_mm", "bottom_lps_mm"))
    key(sag_t1c, Qt.Key.Key_S)
    drag(sag_t1c, screen_of(sag_t1c, top), screen_of(sag_t1c, bottom))
    centre = np.array(lesion["centre_lps_mm"])
    along = (bottom - top) / np.linalg.norm(bottom - top)
    front_back = np.cross(along, [1.0, 0.0, 0.0])
    front_back /= np.linalg.norm(front_back)
    half_ap = lesion["ap_mm"] / 2 * front_back
    key(sag_t1c, Qt.Key.Key_A)
    drag(sag_t1c, screen_of(sag_t1c, centre - half_ap), screen_of(sag_t1c, centre + half_ap))

    axial = _viewport(window, "AX T1 TSE +C")
    axial.setFocus()
    assert abs(scene.patient_to_scene(axial.state.stack, axial.state.slice_index, centre)[2]) < 0.01
    zoom_on(axial, centre, 40)
    left = np.array([lesion["transverse_mm"] / 2, 0.0, 0.0])
    back = np.array([0.0, lesion["ap_mm"] / 2, 0.0])
    key(axial, Qt.Key.Key_B)
    drag(axial, screen_of(axial, centre - left), screen_of(axial, centre + left))
    # The short axis appears across the middle of the long one: drag each end to the lesion's edge.
    short_end = np.array([0.0, lesion["transverse_mm"] * SHORT_AXIS_START / 2, 0.0])
    for sign in (-1, 1):
        drag(axial, screen_of(axial, centre + sign * short_end), screen_of(axial, centre + sign * back))

    sag_t2.setFocus()
    key(sag_t2, Qt.Key.Key_T)
    vertices = _cord_vertices(lesion)
    for vertex in vertices[:-1]:
        click(sag_t2, screen_of(sag_t2, vertex))
    double_click(sag_t2, screen_of(sag_t2, vertices[-1]))
    key(sag_t2, Qt.Key.Key_Escape)
    assert controls.tools.tool is Tool.READ
    return window, lesion


class TestMeasuredWithTheMouse:
    def test_levels_and_measurements_panel(self, measured):
        """Every clicked disc carries the truth's name and the conus tip is where it was
        clicked; the panel's AP, transverse and SI agree with the truth within 1.4 mm, and its
        segments, ratio, levels and location exactly."""
        window, lesion = measured
        levels = window.annotations.session.study.levels
        names = [d["name"] for d in TRUTH["discs"]]
        assert [d.name for d in levels.discs] == names[names.index("T4-T5"):]
        assert len(levels.discs) == 14  # T4-T5 to L5-S1: the discs inside the sagittal image
        assert np.allclose(levels.conus_tip, TRUTH["conus_tip_lps_mm"], atol=PIXEL)

        panel = window.annotations.measurements
        assert _number(panel.value(1, "ap")) == pytest.approx(lesion["ap_mm"], abs=PIXEL)
        assert _number(panel.value(1, "transverse")) == pytest.approx(lesion["transverse_mm"], abs=PIXEL)
        assert _number(panel.value(1, "si")) == pytest.approx(lesion["si_mm"], abs=PIXEL)
        assert panel.value(1, "si").endswith("mm")
        assert panel.value(1, "enhancement").startswith(f"{lesion['enhancement']['segments']} segment,")
        assert panel.value(1, "t2").startswith(f"{lesion['t2']['segments']} segments,")
        assert _number(panel.value(1, "ratio")) == lesion["t2_enhancement_ratio"]
        assert panel.value(1, "levels") == lesion["level_top"]
        assert panel.value(1, "location") == f"{lesion['location']} (suggested)"

    def test_exported_csv_matches_the_truth(self, measured, tmp_path):
        """lesions.csv written by Export CSV holds the same numbers."""
        window, lesion = measured
        window.annotations.export(tmp_path / "out")
        row = next(csv.DictReader((tmp_path / "out" / "lesions.csv").open(newline="")))
        assert float(row["ap_mm"]) == pytest.approx(lesion["ap_mm"], abs=PIXEL)
        assert float(row["transverse_mm"]) == pytest.approx(lesion["transverse_mm"], abs=PIXEL)
        assert float(row["si_mm"]) == pytest.approx(lesion["si_mm"], abs=PIXEL)
        assert float(row["t2_length_mm"]) == pytest.approx(lesion["t2"]["length_mm"], abs=2 * PIXEL)
        assert int(row["enhancement_segments"]) == lesion["enhancement"]["segments"]
        assert int(row["t2_segments"]) == lesion["t2"]["segments"]
        assert float(row["t2_enhancement_ratio"]) == lesion["t2_enhancement_ratio"]
        assert (row["level_top"], row["level_bottom"]) == (lesion["level_top"], lesion["level_bottom"])
        assert row["location"] == lesion["location"]
        patients = next(csv.DictReader((tmp_path / "out" / "patients.csv").open(newline="")))
        assert (patients["n_lesions"], patients["multiplicity"]) == ("1", "solitary")

    def test_segment_rule_chosen_in_the_dock(self, measured, qtbot):
        """Choosing 'levels touched' in the dock recounts the extents and the ratio as the
        truth's touched rule, is saved with the study, and undo goes back to the span rule."""
        window, lesion = measured
        panel, session = window.annotations.measurements, window.annotations.session
        assert panel.rule.currentData() is SegmentRule.SPAN
        panel.rule.setFocus()
        key(panel.rule, Qt.Key.Key_Down)
        qtbot.waitUntil(lambda: session.study.segment_rule is SegmentRule.TOUCHED)
        assert panel.value(1, "t2").startswith(f"{lesion['t2']['levels_touched']} levels touched,")
        assert _number(panel.value(1, "ratio")) == lesion["t2_enhancement_ratio_touched"]
        assert json.loads(session.path.read_text())["segment_rule"] == "touched"
        session.undo()
        assert panel.rule.currentData() is SegmentRule.SPAN
        assert panel.value(1, "t2").startswith(f"{lesion['t2']['segments']} segments,")


class TestDiscsInAnyOrder:
    def test_middle_disc_named_first_then_top_to_bottom(self, qtbot, open_window, tmp_path):
        """Naming T12-L1, then clicking T4-T5 eight levels up, then every disc from the top:
        each disc gets its true name, T12-L1 keeps its own, and the status bar warns while only
        typical level heights support a count."""
        window = open_window([copy_case(tmp_path / "case1")])
        sag_t2 = _viewport(window, "SAG T2 TSE")
        sag_t2.setFocus()
        key(sag_t2, Qt.Key.Key_L)
        discs = {d["name"]: d["point_lps_mm"] for d in TRUTH["discs"] if _on_image(sag_t2, d["point_lps_mm"])}
        click(sag_t2, screen_of(sag_t2, discs["T12-L1"]))
        type_into(window.annotations.layers[window.grid.viewports.index(sag_t2)].prompt.edit, "T12-L1")
        click(sag_t2, screen_of(sag_t2, discs["T4-T5"]))
        levels = lambda: window.annotations.session.study.levels  # noqa: E731
        assert [d.name for d in levels().discs] == ["T4-T5", "T12-L1"]
        assert "typical level heights" in window.statusBar().currentMessage()
        for name in discs:
            if name not in ("T12-L1", "T4-T5"):
                click(sag_t2, screen_of(sag_t2, discs[name]))
        assert [d.name for d in levels().discs] == list(discs)
        assert all(np.allclose(d.point, discs[d.name], atol=PIXEL) for d in levels().discs)
