"""The keyboard and mouse reference shown by Help > Keyboard shortcuts.

Window presets come from ``resources/presets.json`` (:mod:`spineviewer.gui.reading.window_presets`);
:func:`shortcut_rows` lists them after the fixed entries.
"""

from __future__ import annotations

from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from spineviewer.gui.annotation.tools import annotation_shortcuts
from spineviewer.gui.reading.window_presets import WindowPreset, load_presets
from spineviewer.gui.shell.series_reading import SERIES_SHORTCUTS

#: (keys or mouse, what it does), in the order a reader meets them.
SHORTCUTS: list[tuple[str, str]] = [
    ("Mouse wheel", "Previous / next slice"),
    ("Up / Down", "Previous / next slice"),
    ("Page Up / Page Down", "Back / forward a tenth of the stack"),
    ("Home / End", "First / last slice"),
    ("Left-drag", "Window: horizontal = width (contrast), vertical = level (brightness)"),
    ("1 … 9", "Window presets (listed below): 1 = the files' window, 2 = automatic"),
    ("Shift+click, Shift+drag", "Place the 3-D cursor: the other series go to the slice through it"),
    ("C", "Crosshair mode on / off: left click and drag place the 3-D cursor"),
    ("Ctrl+wheel, right-drag", "Zoom"),
    ("Middle-drag", "Pan"),
    ("F", "Fit the image to the viewport"),
    ("R", "Reset window and zoom"),
    ("I", "Show / hide patient name, ID and study date"),
    ("Ctrl+1 / Ctrl+2 / Ctrl+3 / Ctrl+4", "Layout 1x1 / 1x2 / 1x3 / 2x2"),
    ("View > Reference lines", "Where the other viewports' slices cut the image, in their colours"),
    ("View > All slice positions", "On sagittal images, every axial slice, faint; the current one bright"),
    ("View > Linked scrolling", "Series of the same orientation scroll together by patient position"),
    ("View > Synchronized zoom", "Zoom and pan one viewport: the others take the same mm scale"),
    ("Double-click a series", "Show it in the active viewport"),
    ("Drag a series onto a viewport", "Show it there"),
    ("Drop folders or files on the window", "Open them"),
    ("Ctrl+O", "Open folder"),
    ("Ctrl+Shift+O", "Open files"),
    ("Ctrl+Shift+P", "Open from PACS (search a PACS server)"),
    ("Ctrl+,", "Preferences (PACS servers)"),
    ("Esc", "Cancel loading"),
    ("Ctrl+Q", "Quit"),
]


def shortcut_rows(presets: list[WindowPreset] | None = None) -> list[tuple[str, str]]:
    """:data:`SHORTCUTS`, the annotation keys, the worklist keys, then one row per window
    preset (default: the bundled ones)."""
    presets = load_presets() if presets is None else presets
    return SHORTCUTS + annotation_shortcuts() + SERIES_SHORTCUTS + [
        (str(p.key), f"Window preset {p.name}: {p.description}") for p in presets]


class ShortcutsDialog(QDialog):
    """A read-only table of :func:`shortcut_rows`."""

    def __init__(self, parent: QWidget | None = None, presets: list[WindowPreset] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard and mouse")
        rows = shortcut_rows(presets)
        table = QTableWidget(len(rows), 2, self)
        table.setHorizontalHeaderLabels(["Keys / mouse", "Action"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (keys, action) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(action))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.setWordWrap(True)
        self._table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(760, 640)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        # Row heights follow the wrapped text once the stretched column has its real width.
        QTimer.singleShot(0, self._table.resizeRowsToContents)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        QTimer.singleShot(0, self._table.resizeRowsToContents)
