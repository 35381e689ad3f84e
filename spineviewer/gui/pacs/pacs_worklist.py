"""File > Open a PACS worklist…: a list of studies on a PACS, read as a case series.

The list is a text or CSV file of StudyInstanceUIDs or accession numbers
(:func:`spineviewer.pacs.worklist.read_study_list`); accession numbers are turned into studies
by a query of the node. The studies fill the worklist dock (:mod:`spineviewer.gui.shell.series_reading`)
before any image is fetched; a study is retrieved into the cache when the reader opens it
(:class:`~spineviewer.gui.pacs.retrieval.Retrieval`: shown when its first series is here,
again when complete), so reading a series from a PACS is reading it from folders: blinding,
shuffling, the done mark and the status from each study's annotation file work the same.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QObject

from spineviewer.core.model import LoadResult
from spineviewer.core.study_scan import FoundStudy, scan_studies
from spineviewer.core.worklist import WorklistEntry, entry_for, saved_annotations
from spineviewer.gui.pacs.outcome import Outcome, submit
from spineviewer.gui.pacs.position import show_again
from spineviewer.gui.pacs.retrieval import Retrieval
from spineviewer.gui.pacs.status_line import REASON_LIMIT
from spineviewer.gui.shell.background import Task
from spineviewer.pacs.errors import one_line
from spineviewer.pacs.nodes import PacsNode

#: Seconds each accession query waits for the server.
RESOLVE_TIMEOUT_S = 30


def resolve(client, items: list[tuple[str, str]], cancel) -> tuple[list, list[str]]:
    """The studies of a worklist file's ``items`` (``("study_uid" | "accession", value)``):
    ``[(study_uid, StudyResult or None)]`` in the file's order without repeats, and one line
    per item the node does not know."""
    studies: dict[str, object] = {}
    problems = []
    for kind, value in items:
        if cancel.is_set():
            break
        if kind == "study_uid":
            studies.setdefault(value, None)
            continue
        found = client.find_by_accession(value)
        if not found:
            problems.append(f"accession {value}: no study on {client.node.name}")
        for study in found:
            studies[study.study_uid] = study
    return list(studies.items()), problems


def placeholder(uid: str, study, folder: Path) -> tuple[FoundStudy, WorklistEntry]:
    """The worklist's row of a study not retrieved yet (what the PACS said of it, if anything)."""
    entry = WorklistEntry(uid, description="not retrieved yet")
    if study is not None:
        entry = WorklistEntry(uid, patient_name=study.patient_name, patient_id=study.patient_id,
                              date=study.study_date.strftime("%Y%m%d") if study.study_date else "",
                              description=study.description, n_series=study.n_series or 0)
    return (FoundStudy(uid, [str(folder)], LoadResult()),
            entry.with_annotations(saved_annotations(folder, uid)))


class PacsWorklist(QObject):
    """The PACS worklist of a window: fills the worklist dock and retrieves on demand."""

    def __init__(self, window, retrieval: Retrieval, work, store):
        super().__init__(window)
        self.window, self.retrieval, self.work, self.store = window, retrieval, work, store
        self.reading = window.reading
        self.node: PacsNode | None = None
        self.secret: str | None = None
        self.uids: set[str] = set()
        self._shows = 0
        self.reading.fetch = self.fetch
        self.reading.worklist.changed.connect(self._worklist_changed)

    def load(self, node: PacsNode, secret: str | None, path) -> None:
        """Read the list at ``path``, resolve it on ``node`` in the background, fill the dock."""
        from spineviewer.pacs.client import connect
        from spineviewer.pacs.worklist import read_study_list

        def work(task: Task):
            try:
                items = read_study_list(path)
            except ValueError as exc:  # the file's problem, not the server's
                return [], [str(exc)]
            if not items:
                return [], [f"{Path(path).name} lists no StudyInstanceUID or accession number"]
            if all(kind == "study_uid" for kind, _ in items):
                return [(value, None) for kind, value in dict.fromkeys(items)], []
            with connect(node, secret, timeout=RESOLVE_TIMEOUT_S) as client:
                return resolve(client, items, task.cancel)

        self.window.statusBar().showMessage(f"Reading the worklist {Path(path).name} on {node.name}…")
        submit(self.work, node.name, work, label="Worklist",
               on_outcome=lambda outcome: self._resolved(node, secret, Path(path), outcome))

    def _resolved(self, node: PacsNode, secret, path: Path, outcome: Outcome) -> None:
        bar = self.window.statusBar()
        if not outcome.ok:
            bar.showMessage(f"The worklist {path.name} cannot be used: {outcome.error}")
            return
        studies, problems = outcome.value
        if not studies:
            bar.showMessage(f"The worklist {path.name} gives no study on {node.name}: "
                            + "; ".join(problems[:3]))
            return
        self.window.work.cancel_reported()
        self.reading.clear()
        self.node, self.secret = node, secret
        self.uids = {uid for uid, _ in studies}
        rows = [placeholder(uid, study, self.retrieval.cache.folder(uid)) for uid, study in studies]
        self.reading.studies_found(rows)
        if not self.reading.is_series:
            self.fetch(rows[0][0].uid)  # one study: no worklist to show, the study itself
        missing = f"; not found: {'; '.join(problems[:3])}" if problems else ""
        bar.showMessage(f"Worklist {path.name}: {len(rows)} studies on {node.name}{missing}", 20000)

    def _worklist_changed(self) -> None:
        # Opening folders clears the worklist: its studies are no longer this list's.
        if not len(self.reading.worklist):
            self.uids = set()

    def fetch(self, uid: str) -> bool:
        """Show a study of the list: retrieved (or taken from the cache) first, then scanned."""
        if uid not in self.uids or self.node is None:
            return False
        if self.reading.worklist.study(uid).result.patients:
            return False  # scanned already: the worklist shows it as it shows a folder's study
        entry = self.reading.worklist.entry(uid)
        self.reading.worklist.set_current(uid)
        self.retrieval.retrieve(self.node, self.secret, uid, self.reading.label(entry),
                                lambda folder, again: self._show(uid, folder, again),
                                n_series=entry.n_series or None)
        return True

    def _show(self, uid: str, folder: Path, again: bool) -> None:
        """Scan the study's cache folder in the background, then show it (again: in place)."""
        # Only the latest scan is shown: a first showing's scan finishing after the scan of
        # the complete study must not put the incomplete one back.
        self._shows += 1
        generation = self._shows

        def work(task: Task):
            _, found = scan_studies([str(folder)], progress=task.report, cancel=task.cancel)
            study = next((f for f in found if f.uid == uid), None)
            return None if study is None else (study, entry_for(study))

        def scanned(value) -> None:
            if value is None or self.reading.worklist.current != uid or generation != self._shows:
                return
            study, entry = value
            # The row takes what the images say; the study is kept as found only when complete,
            # so that opening it again retrieves the rest.
            kept = study if self.retrieval.cache.is_complete(uid) else self.reading.worklist.study(uid)
            self.reading.worklist.add([(kept, entry)])
            if again:
                show_again(self.window, study.result, [str(folder)])
            else:
                self.window.show_study(study.result, [str(folder)])

        self.window.work.submit(work, label=f"Opening {self.reading.label(self.reading.worklist.entry(uid))}",
                                on_done=scanned,
                                on_failed=lambda reason: self.window.statusBar().showMessage(
                                    f"The study could not be opened: {one_line(reason, REASON_LIMIT)}"))
