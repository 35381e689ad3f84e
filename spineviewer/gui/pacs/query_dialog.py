"""File > Open from PACS…: search a PACS node, see the studies and their series, open one.

The form holds the filters PACS users expect (patient name and ID, a date range, modality,
accession number, study description); the search runs in the background with a Cancel, and
pages in (:data:`PAGE` studies at a time, *More results* for the next page: QIDO-RS
limit/offset, or C-FIND cancelled after a page). The series of the selected study are listed
below it, as in a PACS's query window. *Open* (or a double-click) asks the window to retrieve
the study and show it; while it arrives, the series list shows how many images of each are here.
"""

from __future__ import annotations

import datetime as dt

from PyQt6.QtCore import QDate, Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QDialog, QGridLayout, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout,
    QWidget,
)

from spineviewer.gui.pacs.outcome import Outcome, submit
from spineviewer.gui.pacs.secrets import secret_for
from spineviewer.gui.pacs.status_line import StatusLine
from spineviewer.gui.reading.overlay_text import format_person_name
from spineviewer.gui.shell.background import BackgroundWork, Task
from spineviewer.pacs.nodes import NodeStore, PacsNode
from spineviewer.pacs.query import StudyQuery, StudyResult

#: Studies asked for per page.
PAGE = 50
#: Seconds a query waits for the server.
QUERY_TIMEOUT_S = 30
STUDY_COLUMNS = ("Patient", "Patient ID", "Date", "Description", "Modality", "Series", "Images",
                 "Accession", "Local")
SERIES_COLUMNS = ("#", "Modality", "Description", "Images", "Local")
#: Date choices: label -> (days back to the start, days back to the end); None: any / between.
DATE_CHOICES = {"Any date": None, "Today": (0, 0), "Yesterday": (1, 1), "Last 7 days": (6, 0),
                "Last 30 days": (29, 0), "Last 12 months": (364, 0), "Between…": None}
MODALITIES = ("", "MR", "CT", "CR", "DX", "PT", "NM", "US", "XA", "SR", "SEG", "OT")
_ROLE = Qt.ItemDataRole.UserRole


def _cell(text: str, *, centre: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem()
    # Counts sort as numbers (112 after 73), the rest as text.
    item.setData(Qt.ItemDataRole.DisplayRole, int(text) if centre and text.isdigit() else text)
    if centre:
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    return item


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def _table(columns: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)
    return table


class QueryDialog(QDialog):
    """Search a PACS node and choose a study.

    Signals
    -------
    openRequested(node, study)
        The reader asked to open ``study`` (:class:`StudyResult`) of ``node``.

    Parameters
    ----------
    store : NodeStore
    work : BackgroundWork
    here : callable
        ``here(study_uid, series_uid or None) -> str``: what the *Local* columns say of a study
        or a series (``"yes"``, ``"12/40"``, '').
    """

    openRequested = pyqtSignal(object, object)

    def __init__(self, store: NodeStore, work: BackgroundWork, here, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Open from PACS")
        self.setObjectName("pacsQuery")
        self.store, self.work, self._here = store, work, here
        self.studies: list[StudyResult] = []
        self.series = []
        self._query: StudyQuery | None = None
        self._node: PacsNode | None = None
        self._task: Task | None = None
        self._generation = 0
        self._series_generation = 0
        self._build()
        self.refresh_nodes()
        self.resize(1250, 680)

    # -- construction ----------------------------------------------------------------------

    def _build(self) -> None:
        self.node_box = QComboBox()
        self.node_box.setObjectName("pacsNode")
        self.patient_name = QLineEdit()
        self.patient_name.setPlaceholderText("FAMILY^GIVEN, * and ? allowed")
        self.patient_id = QLineEdit()
        self.accession = QLineEdit()
        self.description = QLineEdit()
        self.description.setPlaceholderText("e.g. *SPINE*")
        self.modality = QComboBox()
        self.modality.setEditable(True)
        self.modality.addItems(MODALITIES)
        self.dates = QComboBox()
        self.dates.addItems(DATE_CHOICES)
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.currentDate())
        self.dates.currentTextChanged.connect(self._dates_changed)
        for edit in (self.patient_name, self.patient_id, self.accession, self.description):
            edit.returnPressed.connect(self.search)
        self.between = QWidget()
        between = QHBoxLayout(self.between)
        between.setContentsMargins(0, 0, 0, 0)
        between.addWidget(self.date_from)
        between.addWidget(QLabel("to"))
        between.addWidget(self.date_to)
        dates = QHBoxLayout()
        dates.addWidget(self.dates)
        dates.addWidget(self.between, 1)
        grid = QGridLayout()
        rows = (("Server", self.node_box, "Patient name", self.patient_name, "Patient ID", self.patient_id),
                ("Study date", dates, "Modality", self.modality, "Accession", self.accession))
        for r, row in enumerate(rows):
            for c in range(0, 6, 2):
                grid.addWidget(QLabel(row[c]), r, c)
                if isinstance(row[c + 1], QHBoxLayout):
                    grid.addLayout(row[c + 1], r, c + 1)
                else:
                    grid.addWidget(row[c + 1], r, c + 1)
        grid.addWidget(QLabel("Description"), 2, 0)
        grid.addWidget(self.description, 2, 1)
        for c in (1, 3, 5):
            grid.setColumnStretch(c, 1)
        self.search_button = QPushButton("Search")
        self.search_button.setObjectName("pacsSearch")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        self.stop_button = QPushButton("Cancel search")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.hide()
        grid.addWidget(self.search_button, 2, 5, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.stop_button, 2, 4, Qt.AlignmentFlag.AlignRight)

        self.study_table = _table(STUDY_COLUMNS, "pacsStudies")
        self.study_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.study_table.itemSelectionChanged.connect(self._study_selected)
        self.study_table.itemActivated.connect(lambda _: self.open_selected())
        self.series_table = _table(SERIES_COLUMNS, "pacsSeries")
        self.series_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.study_table)
        split.addWidget(self.series_table)
        split.setSizes([330, 250])

        self.status = StatusLine("pacsQueryStatus")
        self.more_button = QPushButton("More results")
        self.more_button.setEnabled(False)
        self.more_button.clicked.connect(self.more)
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("pacsOpen")
        self.open_button.setEnabled(False)
        self.open_button.setToolTip("Retrieve the study into the local cache and show it (double-click)")
        self.open_button.clicked.connect(self.open_selected)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.more_button)
        bottom.addWidget(self.open_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self._dates_changed(self.dates.currentText())

    def _dates_changed(self, choice: str) -> None:
        self.between.setVisible(choice == "Between…")

    def refresh_nodes(self) -> None:
        """List the stored nodes in the server box (keeping the one chosen)."""
        chosen = self.node_box.currentText()
        self.node_box.clear()
        try:
            nodes = self.store.nodes()
        except ValueError as exc:
            nodes = []
            self.status.show_text("error", str(exc))
        for node in nodes:
            self.node_box.addItem(node.name, node)
        if chosen:
            self.node_box.setCurrentIndex(max(0, self.node_box.findText(chosen)))
        if not nodes:
            self.status.show_text("note", "No PACS server yet: add one in Settings > Preferences > PACS servers.")

    # -- searching -------------------------------------------------------------------------

    def form_query(self, today: dt.date | None = None) -> StudyQuery:
        """The query the form describes; ValueError saying what is wrong."""
        today = today or dt.date.today()
        choice = DATE_CHOICES.get(self.dates.currentText())
        if self.dates.currentText() == "Between…":
            start, end = self.date_from.date().toPyDate(), self.date_to.date().toPyDate()
        elif choice is not None:
            start, end = today - dt.timedelta(days=choice[0]), today - dt.timedelta(days=choice[1])
        else:
            start = end = None
        return StudyQuery(patient_name=self.patient_name.text(), patient_id=self.patient_id.text(),
                          date_from=start, date_to=end, modality=self.modality.currentText().upper(),
                          accession=self.accession.text(), description=self.description.text())

    def search(self) -> None:
        """Search the chosen node with the form's filters (the first page)."""
        node = self.node_box.currentData()
        if node is None:
            self.status.show_text("error", "Choose a PACS server (Settings > Preferences > PACS servers)")
            return
        try:
            query = self.form_query()
        except ValueError as exc:
            self.status.show_text("error", f"Cannot search: {exc}")
            return
        self._node, self._query = node, query
        self.studies = []
        self.study_table.setRowCount(0)
        self.series_table.setRowCount(0)
        self._fetch(0)

    def more(self) -> None:
        """The next page of the last search."""
        if self._node is not None and self._query is not None:
            self._fetch(len(self.studies))

    def _fetch(self, offset: int) -> None:
        from spineviewer.pacs.client import connect

        node, query = self._node, self._query
        secret = secret_for(self.store, node, self)
        if secret is False:
            return
        self.stop()
        self._generation += 1
        generation = self._generation

        def work(task: Task):
            with connect(node, secret, timeout=QUERY_TIMEOUT_S) as client:
                return client.query_studies(query, limit=PAGE, offset=offset, cancel=task.cancel)

        self.status.show_text("busy", f"Searching {node.name}…")
        self._busy(True)
        self._task = submit(self.work, node.name, work, label=f"Searching {node.name}",
                            on_outcome=lambda outcome: self._found(generation, offset, outcome))

    def stop(self) -> None:
        """Cancel the search running (its answer is dropped)."""
        if self._task is not None:
            self._task.cancel.set()
            self._task = None
            self._generation += 1
            self._busy(False)
            self.status.show_text("note", "Search cancelled")

    def _busy(self, busy: bool) -> None:
        self.search_button.setEnabled(not busy)
        self.stop_button.setVisible(busy)
        self.more_button.setEnabled(False)

    def _found(self, generation: int, offset: int, outcome: Outcome) -> None:
        if generation != self._generation:
            return
        self._task = None
        self._busy(False)
        if not outcome.ok:
            self.status.show_text("note" if outcome.cancelled else "error", outcome.error)
            return
        page: list[StudyResult] = list(outcome.value)
        self.studies = self.studies[:offset] + page
        self._show_studies(first_new=offset)
        more = len(page) >= PAGE
        self.more_button.setEnabled(more)
        count = len(self.studies)
        noun = "study" if count == 1 else "studies"
        self.status.show_text("ok" if count else "note",
                              f"{count} {noun} on {self._node.name}" + (" (more results available)" if more else "")
                              if count else f"No study on {self._node.name} matches")

    def _show_studies(self, first_new: int = 0) -> None:
        table = self.study_table
        table.setSortingEnabled(False)
        table.setRowCount(len(self.studies))
        for row in range(len(self.studies)):
            study = self.studies[row]
            cells = (format_person_name(study.patient_name), study.patient_id,
                     study.study_date.isoformat() if study.study_date else "", study.description,
                     ", ".join(study.modalities), _count(study.n_series), _count(study.n_instances),
                     study.accession, self._here(study.study_uid, None))
            for column, text in enumerate(cells):
                item = _cell(text, centre=column in (4, 5, 6, 8))
                item.setData(_ROLE, row)
                table.setItem(row, column, item)
        # Newest first, as a PACS lists them; a click on a column header sorts by it.
        table.setSortingEnabled(True)
        if first_new == 0:
            table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        new_rows = [r for r in range(table.rowCount()) if table.item(r, 0).data(_ROLE) == first_new]
        if new_rows:
            table.selectRow(new_rows[0])

    # -- the selected study ----------------------------------------------------------------

    def selected_study(self) -> StudyResult | None:
        rows = self.study_table.selectionModel().selectedRows()
        item = self.study_table.item(rows[0].row(), 0) if rows else None
        index = item.data(_ROLE) if item is not None else None
        return self.studies[index] if index is not None and index < len(self.studies) else None

    def _study_selected(self) -> None:
        from spineviewer.pacs.client import connect

        study = self.selected_study()
        self.open_button.setEnabled(study is not None)
        self.series = []
        self.series_table.setRowCount(0)
        if study is None or self._node is None:
            return
        node, secret = self._node, self.store.secret(self._node.name)
        self._series_generation += 1
        generation = self._series_generation

        def work(_task):
            with connect(node, secret, timeout=QUERY_TIMEOUT_S) as client:
                return client.query_series(study.study_uid)

        def listed(outcome: Outcome) -> None:
            if generation != self._series_generation:
                return
            if not outcome.ok:
                self.status.show_text("error", outcome.error)
                return
            self.series = list(outcome.value)
            self.show_series()

        submit(self.work, node.name, work, label="Listing series", on_outcome=listed)

    def show_series(self) -> None:
        """Fill the series list of the selected study (and refresh what is here)."""
        study = self.selected_study()
        table = self.series_table
        table.setRowCount(len(self.series))
        here = self._series_here(study.study_uid) if study is not None else [""] * len(self.series)
        for row, one in enumerate(self.series):
            cells = (_count(one.number), one.modality, one.description or "(no description)",
                     _count(one.n_instances), here[row])
            for column, text in enumerate(cells):
                table.setItem(row, column, _cell(text, centre=column != 2))

    def refresh_here(self, study_uid: str | None = None) -> None:
        """Update the *Local* columns of ``study_uid`` (None: of every study listed)."""
        for row in range(self.study_table.rowCount()):
            item = self.study_table.item(row, len(STUDY_COLUMNS) - 1)
            if item is None or item.data(_ROLE) is None:
                continue
            uid = self.studies[item.data(_ROLE)].study_uid
            if study_uid is None or uid == study_uid:
                item.setText(self._here(uid, None))
        study = self.selected_study()
        if study is not None and study_uid in (None, study.study_uid):
            for row, here in enumerate(self._series_here(study.study_uid)):
                item = self.series_table.item(row, len(SERIES_COLUMNS) - 1)
                if item is not None:
                    item.setText(here)

    def _series_here(self, study_uid: str) -> list[str]:
        """What the cache holds of each listed series. The whole study is looked at once: when
        it is complete every series is, and checking it means listing every series folder."""
        if self._here(study_uid, None) == "yes":
            return ["yes"] * len(self.series)
        return [self._here(study_uid, one.series_uid) for one in self.series]

    def open_selected(self) -> None:
        study = self.selected_study()
        if study is not None and self._node is not None:
            self.openRequested.emit(self._node, study)
