"""Preferences > Study cache: where retrieved studies are kept, how much room they may take.

The cache (:class:`~spineviewer.pacs.cache.StudyCache`) removes the least recently used
studies beyond its limit after each retrieve, never a study with annotations and never the
study on screen. The limit is kept in the window's settings (``pacs/cache-limit-gb``).
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from spineviewer.gui.pacs.outcome import Outcome, submit
from spineviewer.gui.pacs.status_line import StatusLine
from spineviewer.gui.shell.background import BackgroundWork
from spineviewer.pacs.cache import DEFAULT_LIMIT_BYTES, StudyCache

#: Settings key of the limit, in GB.
LIMIT_KEY = "pacs/cache-limit-gb"
GB = 1024**3


def limit_from_settings(settings) -> int:
    """The cache limit in bytes the settings hold (the default when none or a bad one)."""
    value = str(settings.value(LIMIT_KEY, "") or "")
    return int(value) * GB if value.isdigit() and 1 <= int(value) <= 100_000 else DEFAULT_LIMIT_BYTES


def _size(n_bytes: int) -> str:
    return f"{n_bytes / GB:.1f} GB" if n_bytes >= GB / 10 else f"{n_bytes / 1024**2:.0f} MB"


class CachePage(QWidget):
    """The cache's folder, its limit and what it holds now.

    Parameters
    ----------
    cache : StudyCache
    settings : QSettings
    work : BackgroundWork
    protect : callable
        ``protect() -> set of StudyInstanceUID`` never removed now (the studies on screen).
    """

    def __init__(self, cache: StudyCache, settings, work: BackgroundWork, protect, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pacsCache")
        self.cache, self.settings, self.work, self.protect = cache, settings, work, protect
        folder = QLabel(str(cache.root))
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.limit = QSpinBox()
        self.limit.setRange(1, 100_000)
        self.limit.setSuffix(" GB")
        self.limit.setMaximumWidth(160)
        self.limit.setValue(cache.limit_bytes // GB)
        self.limit.valueChanged.connect(self._limit_changed)
        self.usage = StatusLine("pacsCacheUsage")
        self.apply_button = QPushButton("Keep within the limit now")
        self.apply_button.setToolTip("Remove the least recently used studies beyond the limit "
                                     "(never one with annotations, never the one on screen)")
        self.apply_button.clicked.connect(self.evict)
        form = QFormLayout()
        form.addRow("Folder", folder)
        form.addRow("Size limit", self.limit)
        form.addRow("In use", self.usage)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(row)
        note = QLabel("Beyond the limit, the studies used least recently are removed after each "
                      "retrieve. A study with annotations is never removed: its reading stays "
                      "beside its images.")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addStretch(1)
        self.refresh()

    def _limit_changed(self, gigabytes: int) -> None:
        self.settings.setValue(LIMIT_KEY, str(gigabytes))
        self.cache.limit_bytes = gigabytes * GB

    def refresh(self) -> None:
        """Measure what the cache holds, in the background."""
        cache = self.cache
        self.usage.show_text("busy", "measuring…")
        submit(self.work, "cache", lambda _task: (cache.size(), len(cache.studies())),
               label="Cache size", on_outcome=self._measured)

    def _measured(self, outcome: Outcome) -> None:
        if not outcome.ok:
            self.usage.show_text("error", outcome.error)
            return
        size, studies = outcome.value
        self.usage.show_text("ok" if size <= self.cache.limit_bytes else "note",
                             f"{_size(size)} in {studies} stud{'y' if studies == 1 else 'ies'}")

    def evict(self) -> None:
        cache, protect = self.cache, set(self.protect())
        self.usage.show_text("busy", "removing…")
        submit(self.work, "cache", lambda _task: cache.evict(protect=lambda uid: uid in protect),
               label="Cache size", on_outcome=lambda _: self.refresh())
