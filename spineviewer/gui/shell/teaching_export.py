"""File menu exports that leave the workstation: teaching figures, anonymized copy, DICOM SR.

The work is :mod:`spineviewer.export` (Qt-free, the same code as ``spineviewer figure``,
``anonymize`` and ``sr``); this module asks where and how, runs it (the anonymized copy in the
background, it writes a whole study) and says what was written. Figures are anonymous: no
patient data in their pixels or metadata.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QFileDialog, QInputDialog, QMainWindow

from spineviewer.gui.reading.overlay_text import find_context

# The exports (scikit-image, scipy, Pillow, highdicom) are imported when first used, not at
# start-up: they would add about half a second to opening the window.


def viewport_panel(window):
    """The active viewport's series, stack and slice as a figure ``PanelChoice``, or None."""
    from spineviewer.export.panel_choice import PanelChoice

    state = window.grid.active.state
    if state is None or window.result is None:
        return None
    series = find_context(window.result, state.stack).series
    return None if series is None else PanelChoice(series, state.stack, state.slice_index)


def export_figure(window, path, *, whole: bool, scale: float = 2.0) -> Path:
    """Write the active viewport (``whole=False``) or the lettered A, B, C figure as PNG/JPEG."""
    from spineviewer.export.figure import choose_panels, render_figure, save_figure

    annotations = window.annotations.session.study
    if whole:
        panels = choose_panels(window.result, annotations)
    else:
        panel = viewport_panel(window)
        panels = [] if panel is None else [panel]
    if not panels:
        raise ValueError("there is no image to put in a figure")
    return save_figure(render_figure(window.result, panels, annotations, scale=scale), path)


def export_anonymized(window, folder, pseudonym: str) -> None:
    """Write an anonymized copy of the open study into ``folder``, in the background."""
    from spineviewer.export.anonymize import anonymize_study

    session = window.annotations.session
    result, annotations = window.result, session.study
    # The lesion masks the annotations name are copied beside the copy's annotation file.
    masks = list(session.document.mask_folders) if session.document is not None else []

    def work(task):
        return anonymize_study(result, folder, pseudonym=pseudonym, annotations=annotations,
                               masks=masks)

    window.work.submit(work, label="Anonymizing",
                       on_done=lambda done: window.statusBar().showMessage(
                           f"Anonymized copy written to {folder} as {pseudonym}"),
                       on_failed=lambda reason: window.statusBar().showMessage(
                           f"The anonymized copy could not be written: {reason}"))


class TeachingExport:
    """The File menu entries; each asks for its target, then calls the functions above."""

    def __init__(self, window: QMainWindow):
        self.window = window
        file_menu = window.menuBar().actions()[0].menu()
        before = next((a for a in file_menu.actions() if "Quit" in a.text()), None)
        entries = (("Export &figure of this viewport…", lambda: self.ask_figure(whole=False)),
                   ("Export &teaching figure (A, B, C)…", lambda: self.ask_figure(whole=True)),
                   ("Export &anonymized copy…", self.ask_anonymized),
                   ("Export DICOM &SR…", self.ask_sr))
        self.actions = []
        for text, slot in entries:
            action = QAction(text, window)
            action.triggered.connect(slot)
            file_menu.insertAction(before, action)
            self.actions.append(action)
        file_menu.insertSeparator(before)

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 10000)

    def _ready(self) -> bool:
        if self.window.result is None or not self.window.result.patients:
            self._say("Open a study first")
            return False
        return True

    def ask_figure(self, *, whole: bool) -> None:
        if not self._ready():
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Export figure", "figure.png",
                                              "Images (*.png *.jpg *.jpeg)")
        if path:
            self._run(lambda: export_figure(self.window, path, whole=whole),
                      f"Anonymous figure written to {path}")

    def ask_sr(self) -> None:
        if not self._ready():
            return
        study = self.window.annotations.session.study
        if study is None or not study.lesions:
            self._say("Measure a lesion first: the SR reports the lesions")
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Export DICOM SR", "report.dcm",
                                              "DICOM (*.dcm)")
        if path:
            from spineviewer.export.sr import write_sr

            self._run(lambda: write_sr(self.window.result, study, path), f"DICOM SR written to {path}")

    def ask_anonymized(self) -> None:
        if not self._ready():
            return
        folder = QFileDialog.getExistingDirectory(self.window, "Folder for the anonymized copy")
        if not folder:
            return
        pseudonym, ok = QInputDialog.getText(self.window, "Anonymized copy", "Pseudonym (patient ID):")
        if ok and pseudonym.strip():
            export_anonymized(self.window, folder, pseudonym.strip())

    def _run(self, job, done: str) -> None:
        try:
            job()
        except (OSError, ValueError) as exc:
            self._say(f"Export failed: {exc}")
            return
        self._say(done)
