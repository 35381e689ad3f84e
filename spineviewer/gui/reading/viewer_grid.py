"""The viewer area: viewports in a 1x1, 1x2, 1x3 or 2x2 layout, one of them active.

The active viewport (outlined) is where a double-clicked series opens. Hidden viewports keep
their state, so going from 1x3 to 1x1 and back restores what was shown.
"""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QGridLayout, QWidget

from spineviewer.gui.reading.pixel_store import PixelStore
from spineviewer.gui.reading.viewport import Viewport

#: Layouts offered in the View menu: name -> (rows, columns).
LAYOUTS = {"1x1": (1, 1), "1x2": (1, 2), "1x3": (1, 3), "2x2": (2, 2)}


class ViewerGrid(QWidget):
    """Holds the viewports and arranges the visible ones in rows, filled left to right.

    Signals
    -------
    activeChanged(viewport)
    layoutChanged(name)
    """

    activeChanged = pyqtSignal(object)
    layoutChanged = pyqtSignal(str)

    def __init__(self, store: PixelStore, parent: QWidget | None = None):
        super().__init__(parent)
        count = max(columns * rows for rows, columns in LAYOUTS.values())
        self.viewports = [Viewport(store, self) for _ in range(count)]
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(2)
        for viewport in self.viewports:
            viewport.activated.connect(self.set_active)
        self._active = self.viewports[0]
        self._layout = ""
        self.set_layout("1x3")
        self.set_active(self.viewports[0])

    @property
    def active(self) -> Viewport:
        return self._active

    @property
    def layout_name(self) -> str:
        return self._layout

    def visible_viewports(self) -> list[Viewport]:
        rows, columns = LAYOUTS[self._layout]
        return self.viewports[:rows * columns]

    def set_layout(self, name: str) -> None:
        """Show the first rows x columns viewports for layout ``name`` (a key of :data:`LAYOUTS`)."""
        if name not in LAYOUTS or name == self._layout:
            return
        self._layout = name
        visible = self.visible_viewports()
        rows, columns = LAYOUTS[name]
        for viewport in self.viewports:
            self._grid.removeWidget(viewport)
        for k, viewport in enumerate(visible):
            self._grid.addWidget(viewport, k // columns, k % columns)
        for k in range(max(LAYOUTS[n][0] for n in LAYOUTS)):
            self._grid.setRowStretch(k, 1 if k < rows else 0)
        for k in range(max(LAYOUTS[n][1] for n in LAYOUTS)):
            self._grid.setColumnStretch(k, 1 if k < columns else 0)
        for viewport in self.viewports:
            viewport.setVisible(viewport in visible)
        if self._active not in visible:
            self.set_active(visible[0])
        self.layoutChanged.emit(name)

    def layout_for(self, count: int) -> str:
        """The smallest layout that shows ``count`` viewports."""
        for name, (rows, columns) in LAYOUTS.items():
            if rows * columns >= count:
                return name
        return list(LAYOUTS)[-1]

    def set_active(self, viewport: Viewport) -> None:
        if viewport is self._active and viewport.property("active"):
            return
        for candidate in self.viewports:
            candidate.set_active(candidate is viewport)
        self._active = viewport
        self.activeChanged.emit(viewport)
