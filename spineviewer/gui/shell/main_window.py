"""The main window: menus, the study browser, the viewer area, problems and the status bar.

Opening runs in the background (:mod:`spineviewer.gui.shell.background`): the header scan reports
progress with a Cancel button, the first image decoded during the scan is shown at once, then
the study is hung (:mod:`spineviewer.gui.reading.hanging`) and each hung stack shows its current slice
as soon as that slice alone is decoded, while the whole volume loads behind it. The viewports
are linked through patient space by :mod:`spineviewer.gui.reading.cross_reference` (reference lines,
3-D cursor, linked scrolling, synchronized zoom), driven by the tools of
:mod:`spineviewer.gui.reading.reading_tools`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from PyQt6.QtCore import QSettings, Qt
from PyQt6.QtGui import QAction, QActionGroup, QKeySequence
from PyQt6.QtWidgets import (QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox,
                             QProgressBar, QPushButton, QWidget)

from spineviewer import SAMPLE_DIR, __version__
from spineviewer.core.model import LoadResult, Stack
from spineviewer.gui.annotation.controls import AnnotationControls
from spineviewer.gui.shell.teaching_export import TeachingExport
from spineviewer.gui.shell.cohort_summary import CohortSummary
from spineviewer.gui.pacs.link import PacsLink
from spineviewer.gui.shell.background import BackgroundWork, Task
from spineviewer.gui.shell.browser import StudyBrowser, find_stack
from spineviewer.gui.reading.cross_reference import CrossReference
from spineviewer.gui.reading.hanging import choose_hanging
from spineviewer.gui.reading.overlay_text import find_context
from spineviewer.gui.reading.pixel_store import PixelStore
from spineviewer.gui.shell.problems import ProblemsList, problem_summary
from spineviewer.gui.reading.reading_tools import ReadingTools, icon
from spineviewer.gui.shell.recent import RecentOpenings, entry_label
from spineviewer.gui.shell.scan_task import scan_selection
from spineviewer.gui.shell.series_reading import SeriesReading
from spineviewer.gui.shell.shortcuts import ShortcutsDialog
from spineviewer.gui.reading.viewer_grid import LAYOUTS, ViewerGrid
from spineviewer.gui.reading.viewport import EMPTY_MESSAGE, Viewport
from spineviewer.gui.reading.viewport_state import ViewportState
from spineviewer.gui.reading.window_presets import load_presets

#: The study opened when no path is given.
SAMPLE_STUDY = SAMPLE_DIR / "case1-breast-t12"
#: The longest cursor readout expected (:meth:`Viewport.readout`): the status bar keeps its room.
_WIDEST_READOUT = ("Slice 999  row 9999  col 9999  value -99999\n"
                   "x -999.9  y -999.9  z -999.9 mm (LPS)  level: T12-L1")


def _paths_label(paths: list[str]) -> str:
    name = Path(paths[0]).name or paths[0]
    return name if len(paths) == 1 else f"{name} and {len(paths) - 1} more"


class MainWindow(QMainWindow):
    """The reading workstation's window. ``result`` is the open study (None before any)."""

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("spineviewer")
        self.setAcceptDrops(True)
        self.result: LoadResult | None = None
        self.opened_paths: list[str] = []
        self._scan: Task | None = None
        self._generation = 0
        self._shown_problems = -1
        self.settings = settings or QSettings()
        self.recent = RecentOpenings(self.settings)
        self.work = BackgroundWork(self)
        self.store = PixelStore(self.work, self)
        self.grid = ViewerGrid(self.store, self)
        self.setCentralWidget(self.grid)
        self.crossref = CrossReference(self.grid, self)
        for viewport in self.grid.viewports:
            viewport.accent = self.crossref.colour(viewport)
        self.browser = StudyBrowser(self.work)
        self.problems = ProblemsList()
        self.browser_dock = self._dock("Study", self.browser, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.problems_dock = self._dock("Problems", self.problems, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.problems_dock.hide()
        self._build_status_bar()
        self._build_menus()
        self.annotations = AnnotationControls(self)
        self.teaching_export = TeachingExport(self)
        self.reading = SeriesReading(self)
        self.cohort_summary = CohortSummary(self)
        self.pacs = PacsLink(self)
        self.browser.stackActivated.connect(lambda key: self.show_stack(self.grid.active, key))
        for viewport in self.grid.viewports:
            viewport.stackDropped.connect(self.show_stack)
            viewport.cursorMoved.connect(self.cursor_label.setText)
        self.work.progressChanged.connect(self._progress)
        self.store.volumeReady.connect(lambda _: self._refresh_problems())
        self.store.volumeFailed.connect(self._volume_failed)
        self.resize(1500, 900)
        self.resizeDocks([self.browser_dock], [330], Qt.Orientation.Horizontal)

    # -- construction ----------------------------------------------------------------------

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title.lower()}Dock")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.cursor_label = QLabel()
        self.cursor_label.setObjectName("cursorReadout")
        # The readout keeps one place of one size: the hint on its left is never covered by
        # a longer readout, and the images do not move as the mouse does.
        self.cursor_label.ensurePolished()
        self.cursor_label.setText(_WIDEST_READOUT)
        self.cursor_label.setFixedSize(self.cursor_label.sizeHint())
        self.cursor_label.clear()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(320)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop scanning and loading (Esc)")
        self.cancel_button.clicked.connect(self.cancel_loading)
        bar.addPermanentWidget(self.cursor_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        self.progress.hide()
        self.cancel_button.hide()

    def _action(self, menu, text: str, slot, shortcut=None, *, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        open_folder = self._action(file_menu, "Open &folder…", self.ask_folder, QKeySequence.StandardKey.Open)
        open_folder.setIcon(icon("open"))
        self._action(file_menu, "Open f&iles…", self.ask_files, "Ctrl+Shift+O")
        self._action(file_menu, "Open &zip…", self.ask_zip)
        self._action(file_menu, "Open &DICOMDIR…", self.ask_dicomdir)
        self.recent_menu = file_menu.addMenu("&Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._action(file_menu, "Open the &sample study", self.open_sample)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        view_menu = menus.addMenu("&View")
        toolbar = self.addToolBar("Reading")
        toolbar.setObjectName("readingToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        toolbar.addAction(open_folder)
        toolbar.addSeparator()
        group = QActionGroup(self)
        self.layout_actions: dict[str, QAction] = {}
        for number, name in enumerate(LAYOUTS, start=1):
            action = self._action(view_menu, f"Layout {name}", lambda _, n=name: self.grid.set_layout(n),
                                  f"Ctrl+{number}", checkable=True)
            action.setIcon(icon(f"layout-{name}"))
            action.setToolTip(f"Layout {name} (Ctrl+{number})")
            group.addAction(action)
            toolbar.addAction(action)
            self.layout_actions[name] = action
        self.layout_actions[self.grid.layout_name].setChecked(True)
        self.grid.layoutChanged.connect(lambda name: self.layout_actions[name].setChecked(True))
        view_menu.addSeparator()
        self.tools = ReadingTools(self, view_menu, toolbar, self.crossref, load_presets())
        view_menu.addSeparator()
        self.patient_action = self._action(view_menu, "Show &patient data", self.set_patient_visible,
                                           "I", checkable=True)
        self.patient_action.setChecked(True)
        view_menu.addSeparator()
        view_menu.addAction(self.browser_dock.toggleViewAction())
        view_menu.addAction(self.problems_dock.toggleViewAction())
        cancel = QAction("Cancel loading", self)
        cancel.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        cancel.triggered.connect(self.cancel_loading)
        self.addAction(cancel)

        help_menu = menus.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts, QKeySequence.StandardKey.HelpContents)
        self._action(help_menu, "&About spineviewer", self._about)

    # -- opening ---------------------------------------------------------------------------

    def ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a DICOM folder")
        if folder:
            self.open_paths([folder])

    def ask_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Open DICOM files")
        if files:
            self.open_paths(files)

    def ask_zip(self) -> None:
        archive, _ = QFileDialog.getOpenFileName(self, "Open a zip archive of DICOM files", "",
                                                 "Zip archives (*.zip);;All files (*)")
        if archive:
            self.open_paths([archive])

    def ask_dicomdir(self) -> None:
        dicomdir, _ = QFileDialog.getOpenFileName(self, "Open a DICOMDIR", "",
                                                  "DICOMDIR (DICOMDIR dicomdir);;All files (*)")
        if dicomdir:
            self.open_paths([dicomdir])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        entries = self.recent.entries()
        for entry in entries:
            action = self.recent_menu.addAction(entry_label(entry))
            action.setToolTip("\n".join(entry))
            action.triggered.connect(lambda _, e=entry: self.open_paths(e))
        if entries:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear the list", self.recent.clear)
        else:
            self.recent_menu.addAction("(nothing opened yet)").setEnabled(False)

    def open_sample(self) -> None:
        """Open the bundled sample study, or say plainly that it is not there."""
        if SAMPLE_STUDY.is_dir():
            self.open_paths([str(SAMPLE_STUDY)])
            return
        message = (f"The sample study is not installed ({SAMPLE_STUDY} is missing). "
                   "Open a DICOM folder with File > Open folder… or drop it on the window.")
        self.statusBar().showMessage(message)
        for viewport in self.grid.viewports:
            viewport.set_message("No study open.\nFile > Open folder…, or drop a DICOM folder here.")

    def open_paths(self, paths: list[str], name: str = "") -> None:
        """Scan ``paths`` in the background and show the study when the scan ends (named ``name``)."""
        paths = [str(p) for p in paths]
        if not paths:
            return
        # Whatever the previous study was still scanning or decoding is no longer wanted.
        self.work.cancel_reported()
        self.recent.add(paths)
        self.opened_paths = paths
        self.reading.clear()
        self._show_result(None)
        label = self.reading.paths_label(name or _paths_label(paths), len(paths))
        self.setWindowTitle(f"{label} — spineviewer")
        self.statusBar().showMessage(f"Scanning {label}…")
        for viewport in self.grid.viewports:
            viewport.set_message(f"Scanning {label}…")

        self._generation += 1
        generation = self._generation
        self._scan = self.work.submit(
            lambda task: scan_selection(task, paths), label=f"Scanning {label}",
            on_done=lambda result: self._scan_done(generation, label, result),
            on_failed=lambda reason: self._scan_failed(generation, label, reason),
            on_partial=lambda partial: self._partial(generation, partial))

    def _partial(self, generation: int, partial) -> None:
        if generation != self._generation:
            return
        if partial[0] == "studies":
            self.reading.studies_found(partial[1])
        elif self.result is None and not self.reading.is_series:
            _, pixels, spacing, description = partial
            self.grid.viewports[0].show_preview(pixels, spacing, f"{description}  (scanning…)")

    def _scan_done(self, generation: int, label: str, scanned) -> None:
        if generation != self._generation or self._scan is None:
            return
        result, studies = scanned
        cancelled = self._scan.cancelled()
        self._scan = None
        if self.reading.is_series:
            self.reading.studies_found(studies)
            self.statusBar().showMessage(f"{len(studies)} studies in {label}: "
                                         f"{self.reading.worklist.progress()}")
            return
        self._show_result(result)
        self.setWindowTitle(self.reading.title(self.windowTitle()))
        images = sum(series.n_images for _, _, series in result.iter_series())
        series = sum(1 for _ in result.iter_series())
        if cancelled:
            text = f"Scan of {label} cancelled: showing the {images} images read so far"
        elif images == 0:
            text = f"No images found in {label}"
        else:
            text = f"Opened {label}: {series} series, {images} images"
        summary = problem_summary(result.all_problems())
        self.statusBar().showMessage(f"{text}. {summary}" if summary else text)
        for viewport in self.grid.viewports:
            viewport.set_message(EMPTY_MESSAGE if images else f"No images in {label}.")

    def _scan_failed(self, generation: int, label: str, reason: str) -> None:
        if generation == self._generation:
            self._scan = None
            self.statusBar().showMessage(f"Could not open {label}: {reason}")
            for viewport in self.grid.viewports:
                viewport.set_message(f"Could not open {label}.")

    def show_study(self, result: LoadResult, paths: list[str]) -> None:
        """Show one study of a worklist; its annotation file belongs to ``paths``."""
        self._show_result(result, paths)
        self.setWindowTitle(self.reading.title(self.windowTitle()))

    def refresh_identity(self) -> None:
        """Show the patient data again as blinded reading now wants them."""
        shown = self.reading.shown(self.result)
        self.browser.set_result(shown)
        for viewport in self.grid.viewports:
            if viewport.state is not None:
                viewport.state.context = find_context(shown, viewport.state.stack)
                viewport.set_patient_visible(self.patient_action.isChecked())
        self.setWindowTitle(self.reading.title(f"{_paths_label(self.opened_paths)} — spineviewer"
                                               if self.opened_paths else "spineviewer"))

    def _show_result(self, result: LoadResult | None, paths: list[str] | None = None) -> None:
        self.result = result
        self.crossref.clear_cursor()
        self.store.clear()
        self.browser.set_result(self.reading.shown(result))
        self.annotations.study_shown(result, paths or self.opened_paths)
        for viewport in self.grid.viewports:
            viewport.show_state(None)
        self._shown_problems = -1
        self._refresh_problems()
        if result is not None:
            self.hang(result)

    def hang(self, result: LoadResult) -> None:
        """Put the study's sagittal T2, sagittal T1+C and axial series in the viewports."""
        if not result.patients or not result.patients[0].studies:
            return
        # The loader sorts studies by date: the first patient's latest study is being read.
        # The fourth viewport holds the next series, shown when the reader picks the 2x2 layout.
        stacks = choose_hanging(result.patients[0].studies[-1].series,
                                viewports=len(self.grid.viewports))
        if stacks:
            self.grid.set_layout(self.grid.layout_for(min(len(stacks), 3)))
        for viewport, stack in zip(self.grid.viewports, stacks):
            self._display(viewport, stack)
        self.grid.set_active(self.grid.viewports[0])
        self.grid.viewports[0].setFocus()

    # -- viewports -------------------------------------------------------------------------

    def show_stack(self, viewport: Viewport, key: str) -> None:
        """Show the stack named ``key`` (from the browser) in ``viewport``."""
        stack = find_stack(self.result, key)
        if stack is not None:
            self._display(viewport, stack)
            self.grid.set_active(viewport)

    def _display(self, viewport: Viewport, stack: Stack) -> None:
        viewport.show_state(ViewportState(stack, find_context(self.reading.shown(self.result), stack)))
        viewport.set_patient_visible(self.patient_action.isChecked())
        self.store.request_volume(stack)

    def set_patient_visible(self, visible: bool) -> None:
        for viewport in self.grid.viewports:
            viewport.set_patient_visible(visible)

    def set_level_namer(self, namer: Callable[[np.ndarray], str | None] | None) -> None:
        """Name vertebral levels in the cursor readout: ``namer(lps_point) -> "T11"`` or None."""
        for viewport in self.grid.viewports:
            viewport.level_namer = namer

    # -- progress and problems -------------------------------------------------------------

    def cancel_loading(self) -> None:
        """Stop the scan and the volume loads; slices still decode one by one on demand."""
        if any(task.reported for task in self.work.running()):
            self.work.cancel_reported()
            self.statusBar().showMessage("Loading cancelled: slices are decoded one at a time as you scroll.")

    def _progress(self, done: int, total: int, label: str) -> None:
        busy = total > 0
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setMaximum(total)
            self.progress.setValue(min(done, total))
            # Cut in the middle to fit the bar (the series and the "+N more" both stay).
            metrics = self.progress.fontMetrics()
            room = self.progress.contentsRect().width() - metrics.horizontalAdvance("  100%") - 12
            self.progress.setFormat(
                f"{metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, max(room, 60))}  %p%")
            self.progress.setToolTip(label)

    def _volume_failed(self, stack: Stack, reason: str) -> None:
        if reason != "cancelled":
            self.statusBar().showMessage(f"A series could not be loaded: {reason}")
        self._refresh_problems()

    def _refresh_problems(self) -> None:
        problems = self.result.all_problems() if self.result is not None else []
        if len(problems) == self._shown_problems:
            return
        self._shown_problems = len(problems)
        self.problems.set_problems(problems)
        self.problems_dock.setWindowTitle(f"Problems ({len(problems)})" if problems else "Problems")
        if problems and not self.problems_dock.isVisible():
            self.problems_dock.show()
            # A short list under the images: they keep most of the height.
            rows = min(len(problems), 5)
            self.resizeDocks([self.problems_dock], [60 + 22 * rows], Qt.Orientation.Vertical)

    # -- help, drops, closing --------------------------------------------------------------

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self).exec()

    def _about(self) -> None:
        QMessageBox.about(self, "About spineviewer",
                          f"spineviewer {__version__}\nA reading workstation for spine MRI.")

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        urls = event.mimeData().urls()
        if urls and all(url.isLocalFile() for url in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_paths(paths)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.work.shutdown()
        super().closeEvent(event)
