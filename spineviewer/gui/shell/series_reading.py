"""Reading a case series from the main window: the worklist, blinded reading, the done mark.

One :class:`SeriesReading` per main window. When a scan finds two studies or more
(:func:`~spineviewer.core.study_scan.scan_studies`), the worklist dock lists them as they are
found and the first is opened at once; the worklist then chooses which study the viewers and
the annotation session show. Blinded reading (View menu, remembered in the settings) replaces
the patient's name, ID, birth date and study dates everywhere on screen with a pseudonym keyed
by a secret kept in the settings (:mod:`spineviewer.core.blinding`). The reader's name is asked
once and recorded in every annotation file they change. *Done* is an edit of the study's
annotations, checked first by :func:`~spineviewer.core.reading_status.missing_for_done`.
"""

from __future__ import annotations

from PyQt6.QtCore import QObject, Qt
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QDockWidget, QInputDialog, QMenu, QMessageBox

from spineviewer.core.blinding import blinded, new_key, new_seed, pseudonym
from spineviewer.core.model import LoadResult
from spineviewer.core.reading_status import (
    declare_missing_not_assessable,
    mark_done,
    missing_extents,
    missing_for_done,
)
from spineviewer.core.study_scan import FoundStudy
from spineviewer.core.worklist import Worklist, WorklistEntry
from spineviewer.gui.reading.overlay_text import format_person_name
from spineviewer.gui.shell.worklist_dock import WorklistView

#: Settings keys.
BLINDED_KEY, PSEUDONYM_KEY, SEED_KEY, READER_KEY = (
    "reading/blinded", "reading/pseudonym-key", "reading/shuffle-seed", "reading/reader")

#: (keys, what they do) for Help > Keyboard shortcuts.
SERIES_SHORTCUTS = [
    ("Ctrl+Right / Ctrl+Left", "Next / previous study of the worklist"),
    ("Ctrl+D", "Mark the study done (after checking levels and extents), or reopen it"),
    ("Ctrl+B", "Blinded reading on / off: a pseudonym instead of patient name, ID and dates"),
]


class SeriesReading(QObject):
    """The worklist, blinded reading and the done mark of one main window.

    Attributes
    ----------
    worklist : Worklist
    view : WorklistView
    dock : QDockWidget
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        settings = window.settings
        self.settings = settings
        self.reader_dialog: QInputDialog | None = None
        #: ``fetch(uid) -> bool``: shows a study of the worklist that is not on this computer
        #: yet (a PACS worklist retrieves it); False leaves the study to :meth:`open_study`.
        self.fetch = None
        self.done_box: QMessageBox | None = None
        if not settings.value(PSEUDONYM_KEY, ""):
            settings.setValue(PSEUDONYM_KEY, new_key())
        seed = settings.value(SEED_KEY, "")
        self.worklist = Worklist(int(seed) if str(seed).isdigit() else None)
        self.view = WorklistView(self.worklist, self.label, lambda: self.is_blinded,
                                 lambda: self.reader_name)
        self.dock = QDockWidget("Worklist", window)
        self.dock.setObjectName("worklistDock")
        self.dock.setWidget(self.view)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        window.splitDockWidget(self.dock, window.browser_dock, Qt.Orientation.Vertical)
        self.dock.hide()
        self._build_actions()
        self.view.studyChosen.connect(self.open_study)
        self.view.previous_button.clicked.connect(lambda: self.step(-1))
        self.view.next_button.clicked.connect(lambda: self.step(1))
        self.view.done_button.clicked.connect(self.toggle_done)
        session = window.annotations.session
        session.changed.connect(self._session_changed)
        self.worklist.changed.connect(self._worklist_changed)
        self._worklist_changed()

    # -- construction ----------------------------------------------------------------------

    def _action(self, menu: QMenu, text: str, slot, shortcut: str = "", *, tip: str = "",
                checkable: bool = False) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(lambda checked=False: slot(checked) if checkable else slot())
        menu.addAction(action)
        self.window.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.window.menuBar()
        help_menu = bar.actions()[-1]
        menu = QMenu("&Worklist", self.window)
        bar.insertMenu(help_menu, menu)
        self.next_action = self._action(menu, "&Next study", lambda: self.step(1), "Ctrl+Right")
        self.previous_action = self._action(menu, "&Previous study", lambda: self.step(-1), "Ctrl+Left")
        self.done_action = self._action(menu, "Mark study &done", self.toggle_done, "Ctrl+D",
                                        tip="Mark the study done (Ctrl+D); missing levels or "
                                            "extents are listed first")
        menu.addSeparator()
        self.blinded_action = self._action(
            menu, "&Blinded reading", self.set_blinded, "Ctrl+B", checkable=True,
            tip="Hide patient name, ID, birth date and dates; show a pseudonym (Ctrl+B)")
        self.blinded_action.setChecked(self.is_blinded)
        self.shuffle_action = self._action(
            menu, "&Shuffle the order", self.set_shuffled, checkable=True,
            tip="Read the studies in a random order, reproducible from its recorded seed")
        self.shuffle_action.setChecked(self.worklist.seed is not None)
        self._action(menu, "&Reader name…", self.ask_reader_name)
        menu.addSeparator()
        menu.addAction(self.dock.toggleViewAction())
        self.menu = menu

    # -- blinding --------------------------------------------------------------------------

    @property
    def is_blinded(self) -> bool:
        return str(self.settings.value(BLINDED_KEY, "false")).lower() == "true"

    @property
    def is_series(self) -> bool:
        """True when the open selection holds more than one study."""
        return len(self.worklist) > 1

    def pseudonym(self, uid: str) -> str:
        return pseudonym(uid, str(self.settings.value(PSEUDONYM_KEY)))

    def label(self, entry: WorklistEntry) -> str:
        """What the worklist calls a study: the pseudonym, or the patient's name and ID."""
        if self.is_blinded:
            return self.pseudonym(entry.uid)
        name = format_person_name(entry.patient_name) or "(no name)"
        return f"{name}   {entry.patient_id}".rstrip()

    def shown(self, result: LoadResult | None) -> LoadResult | None:
        """The open study as the views may show it (blinded when blinded reading is on)."""
        if result is None or not self.is_blinded:
            return result
        uid = next((study.uid for patient in result.patients for study in patient.studies), "")
        return blinded(result, self.pseudonym(uid))

    def paths_label(self, label: str, count: int) -> str:
        """How status messages name what was opened (folder names can name patients)."""
        if not self.is_blinded:
            return label
        return "the selected folder" if count == 1 else f"the {count} selected folders"

    def title(self, default: str) -> str:
        """The window title: the study being read in a series, else ``default``."""
        if self.is_series and self.worklist.current is not None:
            entry = self.worklist.entry(self.worklist.current)
            return f"{self.label(entry)} — {self.worklist.progress()} — spineviewer"
        result = self.window.result
        if self.is_blinded and result is not None and result.patients:
            return f"{self.shown(result).patients[0].name} — spineviewer"
        return default

    def set_blinded(self, on: bool) -> None:
        self.settings.setValue(BLINDED_KEY, "true" if on else "false")
        self.window.refresh_identity()
        self.view.refresh()
        self.window.statusBar().showMessage(
            "Blinded reading: patient name, ID and dates are hidden" if on
            else "Blinded reading off: patient data are shown")

    def set_shuffled(self, on: bool) -> None:
        seed = new_seed() if on else None
        self.settings.setValue(SEED_KEY, "" if seed is None else str(seed))
        self.worklist.set_seed(seed)

    # -- the reader ------------------------------------------------------------------------

    @property
    def reader_name(self) -> str:
        return str(self.settings.value(READER_KEY, "") or "")

    def ask_reader_name(self) -> None:
        """Ask who is reading (non-modal: the study keeps loading meanwhile)."""
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("Reader")
        dialog.setLabelText("Your name, recorded in the annotation files you write:")
        dialog.setTextValue(self.reader_name)
        dialog.textValueSelected.connect(self._reader_named)
        self.reader_dialog = dialog
        dialog.open()

    def _reader_named(self, name: str) -> None:
        self.settings.setValue(READER_KEY, name.strip())
        self._session_changed()
        self.view.refresh()

    # -- the worklist ----------------------------------------------------------------------

    def clear(self) -> None:
        self.worklist.clear()
        self.dock.hide()

    def studies_found(self, found: list[tuple[FoundStudy, WorklistEntry]]) -> None:
        """Studies reported by the scan; the first one opens as soon as there is a series."""
        self.worklist.add(found)
        # An entry read from disk during the scan may predate the reader's latest change.
        self.worklist.follow(self.window.annotations.session.study)
        if not self.is_series:
            return
        if not self.dock.isVisible():
            self.dock.show()
            # The list of studies gets about half the height, the series of the open study the rest.
            self.window.resizeDocks([self.dock, self.window.browser_dock],
                                    [self.window.height() * 9 // 20, self.window.height() * 11 // 20],
                                    Qt.Orientation.Vertical)
            if not self.reader_name:
                self.ask_reader_name()
        if self.worklist.current is None:
            self.open_study(self.worklist.first_unfinished())

    def open_study(self, uid: str | None) -> None:
        """Show the study ``uid`` of the worklist in the viewers and the annotation session."""
        if uid is None:
            return
        if self.fetch is not None and self.fetch(uid):
            self.worklist.set_current(uid)
            return
        study = self.worklist.study(uid)
        self.worklist.set_current(uid)
        self.window.show_study(study.result, [str(study.folder)])
        self.window.statusBar().showMessage(
            f"{self.label(self.worklist.entry(uid))}: {self.worklist.entry(uid).n_series} series "
            f"({self.worklist.progress()})")

    def step(self, step: int) -> None:
        if not self.is_series:
            self.window.statusBar().showMessage("Open a folder of several studies to use the worklist")
            return
        uid = self.worklist.neighbour(step)
        if uid is None:
            self.window.statusBar().showMessage(
                "This is the last study of the worklist" if step > 0 else "This is the first study")
            return
        self.open_study(uid)

    def _worklist_changed(self) -> None:
        series = self.is_series
        for action in (self.next_action, self.previous_action):
            action.setEnabled(series)
        if series and self.worklist.current is not None:
            self.window.setWindowTitle(self.title(self.window.windowTitle()))

    # -- the open study --------------------------------------------------------------------

    def _session_changed(self) -> None:
        session = self.window.annotations.session
        if session.document is not None:
            session.document.reader = self.reader_name
        self.worklist.follow(session.study)
        done = session.study is not None and session.study.done
        self.done_action.setText("Reopen the study (not done)" if done else "Mark study &done")
        self.view.done_button.setText("Reopen" if done else "Mark done")
        self.done_action.setEnabled(session.is_open)
        self.view.done_button.setEnabled(session.is_open)

    def toggle_done(self) -> None:
        """Mark the open study done after the check, or reopen a study marked done."""
        session = self.window.annotations.session
        study = session.study
        if study is None:
            self.window.statusBar().showMessage("Open a study first")
            return
        if study.done:
            session.apply(mark_done, False, label="reopen the study")
            return
        missing = missing_for_done(study)
        if not missing:
            self._mark_done()
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "The study is not complete",
                          "Before this study is done:\n\n" + "\n".join(f"• {m}" for m in missing),
                          QMessageBox.StandardButton.NoButton, self.window)
        box.setObjectName("doneCheck")
        extents_only = study.levels is not None and study.levels.discs
        declare = None
        if extents_only and any(missing_extents(lesion) for lesion in study.lesions):
            declare = box.addButton("Not assessable, mark done", QMessageBox.ButtonRole.AcceptRole)
        anyway = box.addButton("Mark done anyway", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep reading", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)

        def answered(_=None) -> None:
            clicked = box.clickedButton()
            if clicked is declare and declare is not None:
                self._mark_done(declare_missing_not_assessable)
            elif clicked is anyway:
                self._mark_done()

        box.finished.connect(answered)
        self.done_box = box
        box.open()

    def _mark_done(self, before=None) -> None:
        def edit(study):
            return mark_done(before(study) if before is not None else study)

        session = self.window.annotations.session
        if session.apply(edit, label="mark the study done"):
            progress = f" ({self.worklist.progress()})" if self.is_series else ""
            self.window.statusBar().showMessage(f"Study marked done{progress}")

