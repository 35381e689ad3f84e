"""The reading toolbar: icons from resources/icons, toggles wired to the cross-reference state."""

from __future__ import annotations

import pytest
from PyQt6.QtWidgets import QToolBar, QToolButton

from spineviewer.gui.shell.main_window import MainWindow
from spineviewer.gui.reading.reading_tools import ICONS_DIR, icon


@pytest.fixture
def window(qtbot, settings):
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


class TestToolbar:
    def test_every_tool_has_an_icon_and_a_tooltip(self, window):
        """Open, the four layouts and the reading toggles show an SVG icon and say what they do."""
        toolbar = window.findChild(QToolBar, "readingToolbar")
        actions = [a for a in toolbar.actions() if not a.isSeparator() and a.text()]
        assert len(actions) >= 1 + 4 + 5
        for action in actions:
            assert not action.icon().isNull(), action.text()
            assert action.toolTip(), action.text()
        presets = window.findChild(QToolButton, "windowPresetsButton")
        assert not presets.icon().isNull() and len(presets.menu().actions()) == 6

    def test_icons_are_small_svgs(self):
        """Each icon file is an SVG of a 24 x 24 view box that Qt can draw."""
        names = sorted(path.stem for path in ICONS_DIR.glob("*.svg"))
        assert {"open", "layout-2x2", "crosshair", "reference-lines", "link", "sync-zoom",
                "window-level"} <= set(names)
        for name in names:
            assert 'viewBox="0 0 24 24"' in (ICONS_DIR / f"{name}.svg").read_text()
            assert not icon(name).pixmap(24, 24).isNull()

    def test_toggles_drive_the_cross_reference(self, window):
        """Reference lines and linking start on, crosshair and sync zoom off; each action flips
        its state."""
        tools, crossref = window.tools, window.crossref
        assert (crossref.show_lines, crossref.linked, crossref.crosshair,
                crossref.sync_zoom) == (True, True, False, False)
        for action in (tools.reference_lines, tools.link, tools.crosshair, tools.sync_zoom, tools.all_slices):
            action.trigger()
        assert (crossref.show_lines, crossref.linked, crossref.crosshair, crossref.sync_zoom,
                crossref.all_slices) == (False, False, True, True, True)
        assert all(v.view_box.crosshair for v in window.grid.viewports)
