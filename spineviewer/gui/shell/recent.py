"""Recently opened studies, remembered across sessions in QSettings.

An entry is the list of paths opened together (a folder, several files, a zip archive); the
newest comes first and re-opening an entry moves it to the top.
"""

from __future__ import annotations

import json
from pathlib import Path

from PyQt6.QtCore import QSettings

_KEY = "recent/openings"
MAX_RECENT = 10


class RecentOpenings:
    """The list of recent openings stored in ``settings``."""

    def __init__(self, settings: QSettings):
        self._settings = settings

    def entries(self) -> list[list[str]]:
        raw = self._settings.value(_KEY, "[]")
        try:
            entries = json.loads(raw if isinstance(raw, str) else "[]")
        except ValueError:
            return []
        return [[str(p) for p in entry] for entry in entries
                if isinstance(entry, list) and entry]

    def add(self, paths: list[str]) -> None:
        entry = [str(Path(p).resolve()) for p in paths]
        entries = [e for e in self.entries() if e != entry]
        entries.insert(0, entry)
        self._settings.setValue(_KEY, json.dumps(entries[:MAX_RECENT]))
        self._settings.sync()

    def clear(self) -> None:
        self._settings.setValue(_KEY, "[]")
        self._settings.sync()


def entry_label(entry: list[str]) -> str:
    """Menu text: the first path's name and folder, and how many more were opened with it."""
    first = Path(entry[0])
    label = f"{first.name}  ({first.parent})"
    if len(entry) > 1:
        label += f"  +{len(entry) - 1} more"
    return label
