"""Text over the sagittal images in the 1x3 layout: disc names, the conus tip and caliper values
placed clear of each other (and of the orientation letters), with a leader to a value that had to
move away from its caliper; all marked with the mouse on a copy of sample case 1."""

from __future__ import annotations

import json
from itertools import combinations

import numpy as np
import pytest
from PyQt6.QtCore import QRectF, Qt

from spineviewer.gui.annotation.label_layout import letter_boxes
from spineviewer.gui.reading import scene
from tests.gui.annotation_helpers import CASE1, click, copy_case, drag, key, screen_of, type_into

TRUTH = json.loads((CASE1 / "ground-truth.json").read_text())
DISC = {d["name"]: np.array(d["point_lps_mm"]) for d in TRUTH["discs"]}


def _viewport(window, description: str):
    return next(v for v in window.grid.viewports
                if v.state is not None and v.state.context.series.description == description)


def _on_image(viewport, point) -> bool:
    state = viewport.state
    x, y, _ = scene.patient_to_scene(state.stack, state.slice_index, point)
    return scene.scene_to_pixel(state.stack, x, y) is not None


def _texts(window, viewport):
    """Every text item shown over the viewport's image: names and values."""
    layer = window.annotations.layers[window.grid.viewports.index(viewport)]
    names = list(layer.levels.labels.values())
    values = [item.label for item in layer.items.values()]
    return [text for text in names + values if text.isVisible()]


@pytest.fixture
def marked(qtbot, open_window, tmp_path):
    """Case 1 in 1x3 at the window's default size (1500 x 900): every disc and the conus tip
    clicked on the SAG T2, and on the SAG T1+C an SI caliper along the cord across the T11-T12
    disc and an AP caliper just above that disc. (At the tests' smaller 1200 x 700 a viewport
    is 164 px wide and a value may find no room clear of everything: docs/annotating.md.)"""
    window = open_window([copy_case(tmp_path / "case1")])
    assert window.grid.layout_name == "1x3"
    narrow = [(viewport, viewport.view.viewport().width()) for viewport in window.grid.visible_viewports()]
    window.resize(1500, 900)
    qtbot.waitUntil(lambda: all(viewport.view.viewport().width() > width for viewport, width in narrow))
    t2 = _viewport(window, "SAG T2 TSE")
    t2.setFocus()
    key(t2, Qt.Key.Key_L)
    discs = [name for name, point in DISC.items() if _on_image(t2, point)]
    click(t2, screen_of(t2, DISC[discs[0]]))
    type_into(window.annotations.layers[window.grid.viewports.index(t2)].prompt.edit, discs[0])
    for name in discs[1:]:
        click(t2, screen_of(t2, DISC[name]))
    key(t2, Qt.Key.Key_K)
    click(t2, screen_of(t2, TRUTH["conus_tip_lps_mm"]))
    key(t2, Qt.Key.Key_Escape)

    t1c = _viewport(window, "SAG T1 TSE +C")
    t1c.setFocus()
    disc = DISC["T11-T12"]
    key(t1c, Qt.Key.Key_S)
    drag(t1c, screen_of(t1c, disc + [0.0, 5.0, 12.0]), screen_of(t1c, disc + [0.0, 5.0, -12.0]))
    key(t1c, Qt.Key.Key_A)
    drag(t1c, screen_of(t1c, disc + [0.0, -12.0, 6.0]), screen_of(t1c, disc + [0.0, 14.0, 6.0]))
    key(t1c, Qt.Key.Key_Escape)
    study = window.annotations.session.study
    assert len(study.levels.discs) == len(discs) and study.levels.conus_tip is not None
    assert len(study.lesions[0].annotations) == 2
    return window


class TestLabelsInOneByThree:
    def test_no_text_covers_another(self, marked):
        """On both sagittals, no two names or values intersect on screen; every value and the
        conus tip show, and disc names where they find room."""
        for description in ("SAG T2 TSE", "SAG T1 TSE +C"):
            viewport = _viewport(marked, description)
            layer = marked.annotations.layers[marked.grid.viewports.index(viewport)]
            texts = _texts(marked, viewport)
            assert all(item.label.isVisible() for item in layer.items.values())
            assert layer.levels.labels["conus tip"].isVisible()
            assert len(texts) >= len(layer.items) + 1 + 4
            for a, b in combinations(texts, 2):
                assert not a.sceneBoundingRect().intersects(b.sceneBoundingRect()), (
                    description, a.textItem.toPlainText(), b.textItem.toPlainText())

    def test_values_clear_of_the_orientation_letters(self, marked):
        """The values stay off the A and P letters painted at the image's edges."""
        viewport = _viewport(marked, "SAG T1 TSE +C")
        layer = marked.annotations.layers[marked.grid.viewports.index(viewport)]
        to_scene = viewport.view_box.mapViewToScene
        letters = [QRectF(to_scene(box.topLeft()), to_scene(box.bottomRight())).normalized()
                   for box in letter_boxes(viewport)]
        assert len(letters) == 4
        for item in layer.items.values():
            box = item.label.sceneBoundingRect()
            assert not any(box.intersects(letter) for letter in letters)

    def test_names_stay_in_front_of_the_spine(self, marked):
        """Disc names keep their column in front of the vertebral bodies (left of the markers
        on screen: this series' columns run towards the back); where the discs stand closer
        than a line of text, a name is left out rather than written over its neighbour, so at
        least every other one shows."""
        viewport = _viewport(marked, "SAG T2 TSE")
        levels = marked.annotations.layers[marked.grid.viewports.index(viewport)].levels
        shown = [name for name, label in levels.labels.items() if name in DISC and label.isVisible()]
        assert len(shown) >= (len(levels.markers) - 1) // 2
        for name in shown:
            marker = levels.markers[name].mapToScene(0, 0).x()
            assert levels.labels[name].sceneBoundingRect().right() < marker
