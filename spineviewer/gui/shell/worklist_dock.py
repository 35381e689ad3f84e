"""The worklist dock: every study of a case series, its status, and the reader's progress.

The view takes the :class:`~spineviewer.core.worklist.Worklist` and observes it; it keeps no
state of its own. What a row calls a study comes from ``label(entry)``, so a blinded reading
shows a pseudonym and no date, and the same table serves both.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from spineviewer.core.reading_status import ReadingStatus
from spineviewer.core.worklist import Worklist, WorklistEntry
from spineviewer.gui.reading.overlay_text import format_date

_UID_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("Study", "Date", "Series", "Status", "Lesions")
#: Status colours on the dark theme: grey not started, amber in progress, green done.
_STATUS_COLOURS = {ReadingStatus.NOT_STARTED: "#9aa1ab", ReadingStatus.IN_PROGRESS: "#e0b354",
                   ReadingStatus.DONE: "#6cc47a"}


class WorklistView(QWidget):
    """The table of studies, the progress line and the previous / next / done buttons.

    Signals
    -------
    studyChosen(uid)
        The reader double-clicked a study (or pressed Enter on it).

    Parameters
    ----------
    worklist : Worklist
    label : callable
        ``label(entry) -> str``, what the first column says of a study.
    blinded : callable
        ``blinded() -> bool``; when True, dates are not shown.
    reader : callable
        ``reader() -> str``, the name of who is reading ('' when not given yet).
    """

    studyChosen = pyqtSignal(str)

    def __init__(self, worklist: Worklist, label: Callable[[WorklistEntry], str],
                 blinded: Callable[[], bool], reader: Callable[[], str],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.worklist, self._label, self._blinded, self._reader = worklist, label, blinded, reader
        self.setObjectName("worklist")
        self.progress_label = QLabel()
        self.progress_label.setObjectName("worklistProgress")
        self.order_label = QLabel()
        self.order_label.setObjectName("worklistOrder")
        self.order_label.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        # Every column as wide as its text, so a pseudonym is never cut to "Case 45E…" by the
        # columns beside it; the last one takes what room is left.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.itemActivated.connect(self._activated)
        self.previous_button = QPushButton("Previous")
        self.next_button = QPushButton("Next")
        self.done_button = QPushButton("Mark done")
        self.done_button.setObjectName("markDone")
        buttons = QHBoxLayout()
        for button in (self.previous_button, self.next_button, self.done_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.order_label)
        worklist.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Show the worklist as it is now."""
        entries = self.worklist.entries()
        blinded = self._blinded()
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            cells = (self._label(entry), "" if blinded else format_date(entry.date),
                     str(entry.n_series), entry.status.value, str(entry.n_lesions))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(_UID_ROLE, entry.uid)
                if column >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if column == 3:
                    item.setForeground(QColor(_STATUS_COLOURS[entry.status]))
                self.table.setItem(row, column, item)
            if not blinded and entry.description:
                self.table.item(row, 0).setToolTip(entry.description)
            # The study open in the viewers is bold; the selection may be elsewhere.
            font = self.table.item(row, 0).font()
            font.setBold(entry.uid == self.worklist.current)
            self.table.item(row, 0).setFont(font)
        self.table.setColumnHidden(1, blinded)
        current = next((row for row, e in enumerate(entries) if e.uid == self.worklist.current), None)
        if current is not None:
            self.table.selectRow(current)
        reading = f"   ·   reading {current + 1} of {len(entries)}" if current is not None else ""
        self.progress_label.setText(f"{self.worklist.progress()}{reading}")
        seed = self.worklist.seed
        order = f"shuffled, seed {seed}" if seed is not None else "order as found"
        reader = self._reader()
        self.order_label.setText(f"Reader: {reader}  ·  {order}" if reader else order.capitalize())

    def _activated(self, item: QTableWidgetItem) -> None:
        uid = item.data(_UID_ROLE)
        if uid is not None:
            self.studyChosen.emit(uid)
