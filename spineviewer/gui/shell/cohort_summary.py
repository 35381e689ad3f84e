"""File > Cohort summary…: the tables, tests and figures of many studies, as ``spineviewer cohort``.

Asks for the folder of the studies (a parent folder of many, searched for their annotation
files) and for the folder of the tables, runs :func:`spineviewer.cohort.build.build_cohort` in
the background, and says in the status bar where ``tables.html`` is, with the number of
patients, lesions and problems. When the studies hold several readers' readings, it asks whose
to count.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QFileDialog, QInputDialog, QMainWindow

LABEL = "Cohort summary"


class CohortSummary:
    """The File menu entry and the run it starts."""

    def __init__(self, window: QMainWindow):
        self.window = window
        file_menu = window.menuBar().actions()[0].menu()
        before = next((a for a in file_menu.actions() if "Quit" in a.text()), None)
        self.action = QAction("Cohort &summary…", window)
        self.action.setStatusTip("Tables, tests and figures of many annotated studies")
        self.action.triggered.connect(self.ask)
        file_menu.insertAction(before, self.action)
        file_menu.insertSeparator(before)

    def ask(self) -> None:
        """Ask for the studies' folder and the tables' folder, then run."""
        studies = QFileDialog.getExistingDirectory(
            self.window, "Cohort summary: the folder of the studies (searched for their annotations)")
        if not studies:
            return
        out = QFileDialog.getExistingDirectory(self.window, "Cohort summary: the folder for the tables")
        if out:
            self.run([studies], out)

    def run(self, inputs: list[str], out: str, reader: str | None = None) -> None:
        """Build the cohort's files in the background; the status bar says how it went."""
        from spineviewer.cohort.build import build_cohort
        from spineviewer.cohort.inputs import CohortError

        def work(task):
            # A refusal is an answer for the user (whose readings? nothing to count?), not a
            # failure of the worker.
            try:
                return build_cohort(inputs, out, reader=reader)
            except CohortError as refusal:
                return refusal

        self._say("Making the cohort tables…")
        self.window.work.submit(work, label=LABEL,
                                on_done=lambda result: self._done(result, inputs, out),
                                on_failed=lambda reason: self._say(
                                    f"The cohort tables could not be made: {reason}"))

    def _done(self, result, inputs: list[str], out: str) -> None:
        from spineviewer.cohort.build import HTML_FILE
        from spineviewer.cohort.inputs import CohortError, SeveralReaders

        if isinstance(result, SeveralReaders):
            reader, ok = QInputDialog.getItem(self.window, LABEL, "The studies were read by "
                                              "several readers. Count the readings of:",
                                              result.readers, 0, False)
            if ok and reader:
                self.run(inputs, out, reader=reader)
            else:
                self._say("Cohort summary cancelled: choose one reader")
            return
        if isinstance(result, CohortError):
            self._say(f"The cohort tables could not be made: {result}")
            return
        summary = result.summary
        problems = len(summary["problems"])
        said = "" if not problems else f", {problems} problem{'s' if problems > 1 else ''} listed under the tables"
        self._say(f"Cohort tables written to {Path(out) / HTML_FILE} ({summary['n_patients']} "
                  f"patients, {summary['n_lesions']} lesions{said})")

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text)
