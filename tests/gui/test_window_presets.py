"""Window presets: the bundled file, the arithmetic, and the number keys on a real window."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from spineviewer.gui.shell.shortcuts import SHORTCUTS, shortcut_rows
from spineviewer.gui.reading.window_presets import PresetBase, WindowPreset, load_presets, preset_window
from spineviewer.gui.reading.windowing import auto_window
from tests.conftest import SAMPLES

KEYS = {1: Qt.Key.Key_1, 2: Qt.Key.Key_2, 3: Qt.Key.Key_3, 4: Qt.Key.Key_4, 5: Qt.Key.Key_5, 6: Qt.Key.Key_6}


class TestLoadPresets:
    def test_bundled_presets(self):
        """1 is the header's window, 2 the automatic one, 3 onwards relative MR presets."""
        presets = load_presets()
        assert [p.key for p in presets] == [1, 2, 3, 4, 5, 6]
        assert presets[0].base is PresetBase.HEADER
        assert all(p.base is PresetBase.AUTO for p in presets[1:])
        assert all(p.description for p in presets)

    def test_bad_file_names_the_file(self, tmp_path):
        """A file that is not a list of presets raises ValueError naming it."""
        path = tmp_path / "presets.json"
        path.write_text(json.dumps({"presets": [{"key": 12, "name": "x", "base": "auto"}]}))
        with pytest.raises(ValueError, match="presets.json"):
            load_presets(path)

    def test_duplicate_keys_refused(self, tmp_path):
        """Two presets on one key are refused."""
        path = tmp_path / "presets.json"
        entry = {"key": 3, "name": "x", "base": "auto"}
        path.write_text(json.dumps({"presets": [entry, entry]}))
        with pytest.raises(ValueError, match="share a number key"):
            load_presets(path)


class TestPresetWindow:
    pixels = np.arange(1000, dtype=float).reshape(25, 40)

    def test_header(self):
        """The header base returns the header's window unchanged."""
        preset = WindowPreset(1, "Header", PresetBase.HEADER)
        assert preset_window(preset, self.pixels, (300.0, 500.0)) == (300.0, 500.0)

    def test_header_missing_falls_back_to_auto(self):
        """Without a header window the automatic one stands in."""
        preset = WindowPreset(1, "Header", PresetBase.HEADER)
        assert preset_window(preset, self.pixels, None) == pytest.approx(auto_window(self.pixels))

    def test_relative_to_auto(self):
        """width = factor x auto width, centre = auto centre + shift x auto width."""
        centre, width = auto_window(self.pixels)
        preset = WindowPreset(5, "Bright", PresetBase.AUTO, width_factor=0.6, centre_shift=0.2)
        assert preset_window(preset, self.pixels, None) == pytest.approx((centre + 0.2 * width, 0.6 * width))


class TestNumberKeys:
    def test_keys_change_the_active_viewport_window(self, open_window):
        """3 narrows the window to half the automatic one, 2 gives the automatic, 1 the header's."""
        window = open_window([SAMPLES / "case1-breast-t12"])
        viewport = window.grid.viewports[1]
        QTest.mouseClick(viewport.view.viewport(), Qt.MouseButton.LeftButton,
                         pos=viewport.view.viewport().rect().center())
        assert window.grid.active is viewport
        pixels = viewport.image.image
        header = viewport.state.stack.frames[viewport.state.slice_index].window
        auto = auto_window(pixels)
        QTest.keyClick(viewport, KEYS[3])
        assert viewport.state.window == pytest.approx((auto[0], auto[1] / 2))
        QTest.keyClick(viewport, KEYS[2])
        assert viewport.state.window == pytest.approx(auto)
        QTest.keyClick(viewport, KEYS[1])
        assert viewport.state.window == pytest.approx(header)
        assert window.grid.viewports[0].state.window == window.grid.viewports[0].state.default_window
        assert viewport.image.levels == pytest.approx([header[0] - header[1] / 2, header[0] + header[1] / 2])

    def test_layout_stays_on_ctrl_number(self, open_window):
        """Ctrl+1 still changes the layout and leaves the window alone."""
        window = open_window([SAMPLES / "case1-breast-t12"])
        viewport = window.grid.viewports[0]
        before = viewport.state.window
        QTest.keyClick(viewport, KEYS[1], Qt.KeyboardModifier.ControlModifier)
        assert window.grid.layout_name == "1x1"
        assert viewport.state.window == before


class TestShortcutList:
    def test_every_preset_and_tool_is_listed(self):
        """Help lists the presets, the cursor, crosshair and every layout."""
        rows = dict(shortcut_rows())
        for key in "123456":
            assert key in rows
        keys = " ".join(k for k, _ in SHORTCUTS)
        assert "Shift+click" in keys and "C" in dict(SHORTCUTS) and "Ctrl+4" in keys
