"""Settings > Preferences…: the workstation's preferences, one tab per subject (PACS servers,
the study cache)."""

from __future__ import annotations

from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from spineviewer.gui.pacs.cache_page import CachePage
from spineviewer.gui.pacs.servers_page import ServersPage
from spineviewer.gui.shell.background import BackgroundWork
from spineviewer.pacs.nodes import NodeStore


class PreferencesDialog(QDialog):
    """The preferences; ``servers`` is the PACS servers page, ``cache`` the study cache's
    (when a cache is given)."""

    def __init__(self, store: NodeStore, work: BackgroundWork, parent: QWidget | None = None, *,
                 cache=None, settings=None, protect=lambda: set()):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setObjectName("preferences")
        self.tabs = QTabWidget()
        self.servers = ServersPage(store, work)
        self.tabs.addTab(self.servers, "PACS servers")
        self.cache = None
        if cache is not None and settings is not None:
            self.cache = CachePage(cache, settings, work, protect)
            self.tabs.addTab(self.cache, "Study cache")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(860, 520)
