"""The reading tools of the main window: toolbar icons and View menu entries for
cross-referencing, linked scrolling, synchronized zoom and window presets.

Icons are the SVGs of ``resources/icons/``. Each tool is a QAction, so its shortcut, menu entry
and toolbar button are one object; their shortcuts are listed in
:data:`spineviewer.gui.shell.shortcuts.SHORTCUTS`.
"""

from __future__ import annotations

from PyQt6.QtCore import QObject
from PyQt6.QtGui import QAction, QIcon, QKeySequence
from PyQt6.QtWidgets import QMenu, QToolBar, QToolButton, QWidget

from spineviewer import RESOURCES_DIR
from spineviewer.gui.reading.cross_reference import CrossReference
from spineviewer.gui.reading.overlay_text import series_title
from spineviewer.gui.reading.window_presets import WindowPreset

ICONS_DIR = RESOURCES_DIR / "icons"


def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` (an empty icon when the file is missing)."""
    path = ICONS_DIR / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


class ReadingTools(QObject):
    """Creates the reading actions on ``window`` and connects them to ``crossref``.

    Attributes
    ----------
    crosshair, reference_lines, all_slices, link, sync_zoom : QAction
        Checkable toggles.
    preset_actions : dict
        Preset key (1-9) -> QAction applying it to the active viewport.
    """

    def __init__(self, window: QWidget, menu: QMenu, toolbar: QToolBar, crossref: CrossReference,
                 presets: list[WindowPreset]):
        super().__init__(window)
        self._window = window
        self._crossref = crossref
        self._presets = presets
        toolbar.addSeparator()
        self.crosshair = self._toggle(
            window, menu, toolbar, "&Crosshair", "crosshair", "C", crossref.set_crosshair, False,
            "Crosshair (C): a click places the 3-D cursor and every other series goes to it "
            "(Shift+click does so in any mode)")
        self.reference_lines = self._toggle(
            window, menu, toolbar, "&Reference lines", "reference-lines", None, crossref.set_show_lines, True,
            "Reference lines: where the other viewports' slices cut this image")
        self.all_slices = self._toggle(
            window, menu, toolbar, "&All slice positions", "all-slices", None, crossref.set_all_slices,
            False, "All slice positions: on sagittal and coronal images, every slice of the other "
                   "viewports, faint; the current one bright")
        self.link = self._toggle(
            window, menu, toolbar, "&Linked scrolling", "link", None, crossref.set_linked, True,
            "Linked scrolling: series of the same orientation and frame of reference scroll together "
            "by patient position")
        self.sync_zoom = self._toggle(
            window, menu, toolbar, "&Synchronized zoom", "sync-zoom", None, crossref.set_sync_zoom, False,
            "Synchronized zoom: zooming or panning one viewport gives the others the same mm scale")
        menu.addSeparator()
        presets_menu = menu.addMenu("&Window presets")
        self.preset_actions: dict[int, QAction] = {}
        for preset in presets:
            action = QAction(f"{preset.key}  {preset.name}", window)
            action.setShortcut(QKeySequence(str(preset.key)))
            action.setToolTip(preset.description)
            action.setStatusTip(preset.description)
            action.triggered.connect(lambda _, p=preset: self.apply_preset(p))
            presets_menu.addAction(action)
            window.addAction(action)
            self.preset_actions[preset.key] = action
        button = QToolButton(toolbar)
        button.setIcon(icon("window-level"))
        button.setToolTip("Window presets (1-9); left-drag on an image sets the window")
        button.setMenu(presets_menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setObjectName("windowPresetsButton")
        toolbar.addWidget(button)
        crossref.cursorChanged.connect(self._cursor_placed)

    def _toggle(self, window, menu, toolbar, text, icon_name, shortcut, slot, checked, tip) -> QAction:
        action = QAction(icon(icon_name), text, window)
        action.setCheckable(True)
        action.setChecked(checked)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.toggled.connect(slot)
        menu.addAction(action)
        toolbar.addAction(action)
        window.addAction(action)
        return action

    def _cursor_placed(self, point) -> None:
        if point is None:
            return
        x, y, z = point
        text = f"3-D cursor at x {x:.1f}  y {y:.1f}  z {z:.1f} mm (LPS)"
        for viewport in self._crossref.grid.visible_viewports():
            outside = self._crossref.outside(viewport)
            if outside is not None:
                title = series_title(viewport.state.context.series) or "a viewport"
                text += f"; {title}: {outside}, slice left as it was"
        self._window.statusBar().showMessage(text)

    def apply_preset(self, preset: WindowPreset) -> None:
        """Apply ``preset`` to the active viewport and say which window it gave."""
        viewport = self._crossref.grid.active
        if viewport.apply_preset(preset):
            centre, width = viewport.state.window
            text = f"Window preset {preset.key} ({preset.name}): W {width:.0f}  L {centre:.0f}"
        else:
            text = "Window presets apply once the image is shown."
        self._window.statusBar().showMessage(text, 4000)
