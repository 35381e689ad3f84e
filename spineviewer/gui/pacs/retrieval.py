"""Retrieving a study from a PACS into the local cache, in the background, and showing it.

One retrieve runs at a time (a new one stops the previous: what arrived stays in the cache,
and opening that study again resumes it). The status bar shows its progress in images, the
series being fetched and a Stop button. A study the cache holds complete is shown at once,
without asking the server. Otherwise the study is shown as soon as its first series is
complete, and shown again when everything has arrived, with the reader's layout, series,
image and window kept (:mod:`spineviewer.gui.pacs.position`). A failure leaves what arrived in
the cache and says in one line which server failed and why. At its end a retrieve keeps the
cache within its size limit, sparing the study on screen and every study with annotations.

How a folder is shown is the caller's ``show(folder, again)`` (a study of its own, or a
study of a worklist): ``again`` is True for the second showing of the same retrieve.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtWidgets import QProgressBar, QPushButton

from spineviewer.gui.pacs.outcome import Outcome, submit
from spineviewer.gui.shell.background import BackgroundWork, Task
from spineviewer.pacs.cache import StudyCache
from spineviewer.pacs.nodes import PacsNode

#: Seconds the client waits for each answer of the server.
RETRIEVE_TIMEOUT_S = 60
#: Shortest interval between two progress reports reaching the GUI, seconds.
REPORT_INTERVAL_S = 0.1


@dataclass
class RetrieveJob:
    """One retrieve as the GUI follows it."""

    node: PacsNode
    study_uid: str
    label: str
    show: Callable[[Path, bool], None]
    n_series: int | None = None
    task: Task | None = None
    shown: bool = False
    series: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    done: int = 0
    total: int | None = None


def studies_on_screen(window) -> frozenset[str]:
    """The StudyInstanceUIDs of the studies open in ``window`` (none before one is open)."""
    shown = window.result
    return frozenset() if shown is None else frozenset(
        study.uid for patient in shown.patients for study in patient.studies)


class Retrieval(QObject):
    """The retrieves of one window and their place in its status bar.

    Signals
    -------
    progressed(study_uid)
        What the cache holds of that study changed (the query dialog's *Local* columns
        follow it).
    finished(study_uid, outcome)
        A retrieve ended (:class:`~spineviewer.gui.pacs.outcome.Outcome`; its value is the
        study's folder).
    """

    progressed = pyqtSignal(str)
    finished = pyqtSignal(str, object)

    def __init__(self, window, work: BackgroundWork, cache: StudyCache):
        super().__init__(window)
        self.window, self.work, self.cache = window, work, cache
        self.job: RetrieveJob | None = None
        self.progress = QProgressBar()
        self.progress.setObjectName("pacsRetrieveProgress")
        self.progress.setMinimumWidth(300)
        self.progress.setMaximumWidth(420)
        self.stop_button = QPushButton("Stop retrieving")
        self.stop_button.setObjectName("pacsStop")
        self.stop_button.setToolTip("Stop the retrieve; what arrived stays in the cache and the "
                                    "next opening resumes it")
        self.stop_button.clicked.connect(self.stop)
        bar = window.statusBar()
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.stop_button)
        self.progress.hide()
        self.stop_button.hide()

    @property
    def busy(self) -> bool:
        return self.job is not None

    def retrieve(self, node: PacsNode, secret: str | None, study_uid: str, label: str,
                 show: Callable[[Path, bool], None], *, n_series: int | None = None) -> None:
        """Show the study ``study_uid`` of ``node``, retrieving what the cache lacks."""
        from spineviewer.pacs.client import connect

        self.stop(quiet=True)
        if self.cache.is_complete(study_uid):
            self.cache.touch(study_uid)
            show(self.cache.folder(study_uid), False)
            self._say(f"{label}: opened from the local cache")
            return
        job = RetrieveJob(node, study_uid, label, show, n_series)
        self.job = job
        # The retrieve keeps the cache within its limit at the end, never removing the study on
        # screen (nor, as always, a study with annotations).
        on_screen = studies_on_screen(self.window)

        def work(task: Task) -> Path:
            last = [0.0, ""]

            def progress(report) -> None:
                now = time.monotonic()
                complete = report.total is not None and report.done >= report.total
                if complete or report.series_uid != last[1] or now - last[0] >= REPORT_INTERVAL_S:
                    last[0], last[1] = now, report.series_uid
                    task.partial.emit(report)

            with connect(node, secret, timeout=RETRIEVE_TIMEOUT_S) as client:
                return client.retrieve_study(study_uid, self.cache, progress=progress, cancel=task.cancel,
                                             protect=on_screen.__contains__)

        self._show_progress(job)
        job.task = submit(self.work, node.name, work, label=f"Retrieving {label}",
                          on_outcome=lambda outcome: self._ended(job, outcome),
                          on_partial=lambda report: self._reported(job, report))

    def stop(self, *, quiet: bool = False) -> None:
        """Stop the retrieve running (what arrived stays in the cache)."""
        job, self.job = self.job, None
        if job is None:
            return
        if job.task is not None:
            job.task.cancel.set()
        self._hide_progress()
        if not quiet:
            self._say(f"Retrieve of {job.label} stopped: {job.done} images are in the cache; "
                      "opening the study again resumes it")
        self.progressed.emit(job.study_uid)

    def here(self, study_uid: str, series_uid: str | None) -> str:
        """What the cache holds of a study or a series: ``"yes"``, ``"12/40"`` or ''."""
        job = self.job if self.job is not None and self.job.study_uid == study_uid else None
        try:
            if self.cache.is_complete(study_uid):
                return "yes"
            if series_uid is None:
                if job is not None and job.total:
                    return f"{job.done}/{job.total}"
                return "partly" if self.cache.folder(study_uid).is_dir() else ""
            if job is not None and series_uid in job.series:
                done, total = job.series[series_uid]
                return "yes" if total is not None and done >= total else f"{done}/{total or '?'}"
            count = len(self.cache.instances(study_uid, series_uid))
            return str(count) if count else ""
        except (OSError, ValueError):
            return ""

    # -- progress --------------------------------------------------------------------------

    def _reported(self, job: RetrieveJob, report) -> None:
        if job is not self.job:
            return
        if report.series_uid:
            job.series[report.series_uid] = (report.done, report.total)
        job.done, job.total = report.study_done, report.study_total
        self._show_progress(job)
        self.progressed.emit(job.study_uid)
        series_complete = bool(report.series_uid) and report.total is not None and report.done >= report.total
        more_to_come = job.total is None or job.done < job.total
        if not job.shown and series_complete and more_to_come:
            job.shown = True
            job.show(self.cache.folder(job.study_uid), False)

    def _ended(self, job: RetrieveJob, outcome: Outcome) -> None:
        if job is not self.job:
            return
        self.job = None
        self._hide_progress()
        self.progressed.emit(job.study_uid)
        self.finished.emit(job.study_uid, outcome)
        if outcome.ok:
            folder = Path(outcome.value)
            self.cache.touch(job.study_uid)
            job.show(folder, job.shown)
            self._say(f"{job.label}: retrieved from {job.node.name} ({job.total or job.done} images)")
        elif outcome.cancelled:
            self._say(f"Retrieve of {job.label} stopped: {job.done} images are in the cache")
        else:
            kept = f"; the {job.done} images that arrived stay in the cache" if job.done else ""
            self._say(f"Could not retrieve {job.label}: {outcome.error}{kept}")

    def _show_progress(self, job: RetrieveJob) -> None:
        total = job.total or 0
        self.progress.setMaximum(max(total, 1) if total else 0)
        self.progress.setValue(min(job.done, total) if total else 0)
        of = f" of {job.n_series}" if job.n_series else ""
        where = f"series {len(job.series)}{of}" if job.series else "listing the series"
        self.progress.setFormat(f"Retrieving %v of %m images, {where}" if total else f"Retrieving: {where}")
        self.progress.setToolTip(f"Retrieving {job.label} from {job.node.name}")
        self.progress.show()
        self.stop_button.show()

    def _hide_progress(self) -> None:
        self.progress.hide()
        self.stop_button.hide()

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 15000)
