"""The work of opening a selection, run off the GUI thread: the study-by-study scan, a preview
of the first image, and each found study's worklist entry.

What reaches the GUI goes through the task's signals (:class:`~spineviewer.gui.shell.background.Task`):
``progress``, ``partial`` with ``("preview", pixels, pixel_spacing, series_description)`` once,
and ``("studies", [(study, entry), ...])`` as studies are found.
"""

from __future__ import annotations

from spineviewer.core.model import LoadResult
from spineviewer.core.pixels import frame_pixels
from spineviewer.core.study_scan import FoundStudy, scan_studies
from spineviewer.core.worklist import WorklistEntry, entry_for
from spineviewer.gui.shell.background import Task


def scan_selection(task: Task, paths: list[str]
                   ) -> tuple[LoadResult, list[tuple[FoundStudy, WorklistEntry]]]:
    """Scan ``paths``; the whole result and, when they hold several studies, each one with its
    worklist entry (its status read from its annotation file here, not in the GUI thread)."""
    def first_image(frame) -> None:
        try:
            pixels = frame_pixels(frame)
        except Exception:  # noqa: BLE001 - a preview is optional; the scan goes on
            return
        task.partial.emit(("preview", pixels, frame.pixel_spacing, frame.file.series_description))

    def studies(found) -> None:
        task.partial.emit(("studies", [(study, entry_for(study)) for study in found]))

    result, found = scan_studies(paths, progress=task.report, cancel=task.cancel,
                                 on_first_image=first_image, on_studies=studies)
    return result, [(study, entry_for(study)) for study in found] if len(found) > 1 else []
