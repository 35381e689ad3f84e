"""The keyboard and mouse reference shown by Help > Keyboard shortcuts."""

from __future__ import annotations

from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

#: (keys or mouse, what it does), in the order a reader meets them.
SHORTCUTS: list[tuple[str, str]] = [
    ("Mouse wheel", "Previous / next slice"),
    ("Up / Down", "Previous / next slice"),
    ("Page Up / Page Down", "Back / forward a tenth of the stack"),
    ("Home / End", "First / last slice"),
    ("Left-drag", "Window: horizontal = width (contrast), vertical = level (brightness)"),
    ("Ctrl+wheel, right-drag", "Zoom"),
    ("Middle-drag", "Pan"),
    ("F", "Fit the image to the viewport"),
    ("R", "Reset window and zoom"),
    ("I", "Show / hide patient name, ID and study date"),
    ("Ctrl+1 / Ctrl+2 / Ctrl+3", "Layout 1x1 / 1x2 / 1x3"),
    ("Double-click a series", "Show it in the active viewport"),
    ("Drag a series onto a viewport", "Show it there"),
    ("Drop folders or files on the window", "Open them"),
    ("Ctrl+O", "Open folder"),
    ("Ctrl+Shift+O", "Open files"),
    ("Esc", "Cancel loading"),
    ("Ctrl+Q", "Quit"),
]


class ShortcutsDialog(QDialog):
    """A read-only table of :data:`SHORTCUTS`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard and mouse")
        table = QTableWidget(len(SHORTCUTS), 2, self)
        table.setHorizontalHeaderLabels(["Keys / mouse", "Action"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (keys, action) in enumerate(SHORTCUTS):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(action))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.setWordWrap(True)
        table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(760, 640)
