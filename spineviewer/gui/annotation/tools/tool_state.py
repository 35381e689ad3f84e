"""Which tool is active and which drawing is selected: what the mouse does, nothing more.

This is view state shared by every viewport (one tool at a time, as on a PACS workstation);
the annotations themselves live in :class:`~spineviewer.core.document.AnnotationDocument`.
"""

from __future__ import annotations

from PyQt6.QtCore import QObject, pyqtSignal

from spineviewer.gui.annotation.tools import TOOL_SPECS, Tool, ToolSpec


class ToolState(QObject):
    """The active tool and the selected drawing.

    Signals
    -------
    toolChanged(tool)
    selectionChanged(drawing_id)
        '' when nothing is selected.
    """

    toolChanged = pyqtSignal(object)
    selectionChanged = pyqtSignal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._tool = Tool.READ
        self._previous = Tool.READ
        self._selected = ""

    @property
    def tool(self) -> Tool:
        return self._tool

    @property
    def spec(self) -> ToolSpec:
        return TOOL_SPECS[self._tool]

    def set_tool(self, tool: Tool) -> None:
        tool = Tool(tool)
        if tool != self._tool:
            self._previous = self._tool
            self._tool = tool
            self.toolChanged.emit(tool)

    def back(self) -> None:
        """Return to the tool used before this one (after a one-shot tool like the conus tip)."""
        self.set_tool(self._previous if self._previous != self._tool else Tool.READ)

    @property
    def selected(self) -> str:
        return self._selected

    def select(self, drawing_id: str) -> None:
        if drawing_id != self._selected:
            self._selected = drawing_id
            self.selectionChanged.emit(drawing_id)
