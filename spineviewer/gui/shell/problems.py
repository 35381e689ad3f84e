"""The problems list: every file that did not load, by name, with the reason in plain words."""

from __future__ import annotations

from pathlib import PurePath

from PyQt6.QtGui import QBrush, QColor
from PyQt6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from spineviewer.core.problems import Problem, ProblemKind

_ERROR = QColor(255, 150, 130)
_SKIPPED = QColor(170, 180, 195)


def problem_summary(problems: list[Problem]) -> str:
    """One status-bar sentence: ``"2 files could not be loaded, 1 skipped (see Problems)"``."""
    errors = sum(1 for p in problems if p.kind is ProblemKind.ERROR)
    skipped = len(problems) - errors
    parts = []
    if errors:
        parts.append(f"{errors} file{'s' if errors != 1 else ''} could not be loaded")
    if skipped:
        parts.append(f"{skipped} skipped")
    return ", ".join(parts) + " (see Problems)" if parts else ""


class ProblemsList(QTreeWidget):
    """File name, reason and folder of each problem; errors first."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("problemsList")
        self.setRootIsDecorated(False)
        self.setColumnCount(3)
        self.setHeaderLabels(["File", "Reason", "Folder"])
        self.setSortingEnabled(False)

    def set_problems(self, problems: list[Problem]) -> None:
        self.clear()
        ordered = sorted(problems, key=lambda p: (p.kind is not ProblemKind.ERROR, p.path))
        for problem in ordered:
            path = PurePath(problem.path.split("!", 1)[0])
            name = problem.path.split("!", 1)[1] if "!" in problem.path else path.name
            folder = str(path) if "!" in problem.path else str(path.parent)
            item = QTreeWidgetItem([name, problem.reason, folder])
            colour = _ERROR if problem.kind is ProblemKind.ERROR else _SKIPPED
            item.setForeground(0, QBrush(colour))
            item.setToolTip(0, problem.path)
            item.setToolTip(1, f"{problem.kind.value}: {problem.reason}")
            self.addTopLevelItem(item)
        for column in range(2):
            self.resizeColumnToContents(column)

    def problems_shown(self) -> list[tuple[str, str]]:
        """``(file, reason)`` of every row, as shown."""
        return [(self.topLevelItem(k).text(0), self.topLevelItem(k).text(1))
                for k in range(self.topLevelItemCount())]
