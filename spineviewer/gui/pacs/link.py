"""The PACS entries of the main window: File > Open from PACS…, Open a PACS worklist…,
Send to PACS…, and Settings > Preferences… (PACS servers).

One :class:`PacsLink` per window owns the node store (shared with ``spineviewer pacs``), the
study cache, a small pool for network work (apart from the window's, so opening a study does
not stop a retrieve and Esc does not cancel a send) and the :class:`Retrieval`. A study
opened from the query dialog is shown as a study of its own: first through the window's usual
opening, then, when the rest has arrived, shown again in place.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QEvent, QObject
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QFileDialog, QInputDialog, QMenu

from spineviewer.core.study_scan import scan_studies
from spineviewer.gui.pacs.cache_page import limit_from_settings
from spineviewer.gui.pacs.position import show_again
from spineviewer.gui.pacs.retrieval import Retrieval, studies_on_screen
from spineviewer.gui.pacs.secrets import secret_for
from spineviewer.gui.reading.overlay_text import format_person_name
from spineviewer.gui.shell.background import BackgroundWork
from spineviewer.pacs.cache import StudyCache
from spineviewer.pacs.nodes import NodeStore


class PacsLink(QObject):
    """The PACS menus of one window and what they open.

    Attributes
    ----------
    store : NodeStore
    cache : StudyCache
    work : BackgroundWork
        The pool of queries, retrieves, tests and sendings.
    retrieval : Retrieval
    """

    def __init__(self, window, *, store: NodeStore | None = None, cache: StudyCache | None = None):
        super().__init__(window)
        from spineviewer.gui.pacs.pacs_worklist import PacsWorklist

        self.window = window
        self.store = store or NodeStore()
        self.cache = cache or StudyCache(limit_bytes=limit_from_settings(window.settings))
        self.work = BackgroundWork(self, threads=3)
        self.retrieval = Retrieval(window, self.work, self.cache)
        self.worklist = PacsWorklist(window, self.retrieval, self.work, self.store)
        self.preferences = None
        self.query = None
        self.sending = None
        self._build_menus()
        window.installEventFilter(self)

    def _build_menus(self) -> None:
        window = self.window
        file_menu = window.menuBar().actions()[0].menu()
        actions = file_menu.actions()
        after_dicomdir = next((a for a in actions if "DICOMDIR" in a.text()), None)
        before = actions[actions.index(after_dicomdir) + 1] if after_dicomdir in actions else None
        self.open_action = self._action("Open from &PACS…", self.ask_query, "Ctrl+Shift+P",
                                        "Search a PACS server and open a study from it")
        self.worklist_action = self._action("Open a PACS &worklist…", self.ask_worklist, None,
                                            "A list of StudyInstanceUIDs or accession numbers, "
                                            "read as a case series from a PACS")
        file_menu.insertActions(before, [self.open_action, self.worklist_action])
        quit_action = next((a for a in file_menu.actions() if "Quit" in a.text()), None)
        self.send_action = self._action("Send to PAC&S…", self.ask_send, None,
                                        "Store the SR, the SEG or an anonymized copy on a PACS server")
        file_menu.insertAction(quit_action, self.send_action)
        file_menu.insertSeparator(quit_action)
        bar = window.menuBar()
        settings = QMenu("&Settings", window)
        bar.insertMenu(bar.actions()[-1], settings)
        self.preferences_action = self._action("&Preferences…", self.show_preferences,
                                               "Ctrl+,",
                                               "PACS servers and their passwords")
        settings.addAction(self.preferences_action)
        self.settings_menu = settings

    def _action(self, text: str, slot, shortcut, tip: str) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _=False: slot())
        return action

    # -- the dialogs -----------------------------------------------------------------------

    def show_preferences(self):
        from spineviewer.gui.pacs.preferences import PreferencesDialog

        if self.preferences is None:
            self.preferences = PreferencesDialog(self.store, self.work, self.window, cache=self.cache,
                                                 settings=self.window.settings, protect=self._on_screen)
            self.preferences.finished.connect(lambda _: self.query and self.query.refresh_nodes())
        self.preferences.servers.refresh(select=self.preferences.servers.editing)
        self.preferences.cache.refresh()
        self.preferences.show()
        self.preferences.raise_()
        return self.preferences

    def ask_query(self):
        """Show the query dialog (one per window, kept with its results)."""
        from spineviewer.gui.pacs.query_dialog import QueryDialog

        if self.query is None:
            self.query = QueryDialog(self.store, self.work, self.retrieval.here, self.window)
            self.query.openRequested.connect(self.open_study)
            self.retrieval.progressed.connect(self.query.refresh_here)
            self.retrieval.finished.connect(self._retrieve_finished)
        self.query.refresh_nodes()
        self.query.show()
        self.query.raise_()
        self.query.patient_name.setFocus()
        return self.query

    def ask_send(self):
        from spineviewer.gui.pacs.send_dialog import SendDialog

        if self.window.result is None or not self.window.result.patients:
            self.window.statusBar().showMessage("Open a study first: its reading is what is sent", 10000)
            return None
        self.sending = SendDialog(self.window, self.store, self.work)
        self.sending.show()
        return self.sending

    def ask_worklist(self) -> None:
        try:
            nodes = self.store.nodes()
        except ValueError as exc:
            self.window.statusBar().showMessage(str(exc))
            return
        if not nodes:
            self.window.statusBar().showMessage("Add a PACS server first (Settings > Preferences…)")
            return
        names = [node.name for node in nodes]
        name, ok = (names[0], True) if len(names) == 1 else QInputDialog.getItem(
            self.window, "PACS worklist", "The studies are on:", names, 0, False)
        if not ok:
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "A list of StudyInstanceUIDs or accession numbers",
                                              "", "Study lists (*.txt *.csv);;All files (*)")
        if path:
            self.open_worklist(nodes[names.index(name)], path)

    def open_worklist(self, node, path) -> None:
        secret = secret_for(self.store, node, self.window)
        if secret is not False:
            self.worklist.load(node, secret, path)

    # -- opening a study -------------------------------------------------------------------

    def open_study(self, node, study) -> None:
        """Retrieve ``study`` (a :class:`~spineviewer.pacs.query.StudyResult`) of ``node`` and show it."""
        secret = secret_for(self.store, node, self.query or self.window)
        if secret is False:
            return
        name = format_person_name(study.patient_name) or study.patient_id or "the study"
        date = f" {study.study_date.isoformat()}" if study.study_date else ""
        # Blinded reading: no name or date in the title and the status bar.
        label = "the study" if self.window.reading.is_blinded else f"{name}{date}"
        if self.query is not None:
            self.query.status.show_text("busy", f"Opening {label} from {node.name}…")
        self.retrieval.retrieve(node, secret, study.study_uid, label,
                                lambda folder, again: self.show_folder(folder, again, label),
                                n_series=study.n_series)

    def show_folder(self, folder: Path, again: bool, label: str = "") -> None:
        """Show a study of the cache as a study of its own; ``again``: in place of its first showing."""
        window, paths = self.window, [str(folder)]
        if again and window.opened_paths != paths:
            return  # the reader has opened something else meanwhile
        if not again or window.result is None:
            # The cache folder is named by the StudyInstanceUID: messages name the study.
            window.open_paths(paths, label)
            return

        def shown(result) -> None:
            if window.opened_paths != paths or window.result is None:
                return
            show_again(window, result, paths)
            window.statusBar().showMessage(f"{label or 'The study'}: every series has arrived", 10000)

        window.work.submit(lambda task: scan_studies(paths, progress=task.report,
                                                     cancel=task.cancel)[0],
                           label="Loading the rest of the study", on_done=shown)

    def _on_screen(self) -> frozenset[str]:
        return studies_on_screen(self.window)

    def _retrieve_finished(self, study_uid: str, outcome) -> None:
        if self.query is None:
            return
        if outcome.ok:
            self.query.status.show_text("ok", "Retrieved: the study is open")
        elif outcome.cancelled:
            self.query.status.show_text("note", "Retrieve stopped; what arrived stays in the cache")
        else:
            self.query.status.show_text("error", outcome.error)

    # -- closing ---------------------------------------------------------------------------

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        # While Python tears the link down (garbage collection at the end of a session), Qt can
        # still deliver the window's last events to this filter after the link's attributes
        # are gone: nothing to stop then.
        window = self.__dict__.get("window")
        if window is not None and watched is window and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False

    def shutdown(self) -> None:
        """Stop what runs on the network (before the window goes away)."""
        self.retrieval.stop(quiet=True)
        self.work.shutdown(timeout_ms=5000)
