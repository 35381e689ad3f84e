"""Regenerate the screenshots in ``docs/`` from the real window on the bundled sample studies.

Run: ``QT_QPA_PLATFORM=offscreen python docs/screenshots.py`` (or under Xvfb). The window is
the one ``spineviewer`` opens; it is grabbed once every volume has been decoded.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PyQt6.QtCore import QSettings
from PyQt6.QtWidgets import QApplication

from spineviewer import SAMPLE_DIR
from spineviewer.gui.app import application, main_window

DOCS = Path(__file__).resolve().parent


def _settle(app: QApplication, window, seconds: float = 30.0) -> None:
    """Process events until every viewport shows a fully decoded volume."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        stacks = [v.state.stack for v in window.grid.viewports if v.state is not None]
        if stacks and all(stack.is_loaded for stack in stacks):
            break
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)


def grab(case: str, out: Path, size=(1600, 900)) -> None:
    settings = QSettings(str(DOCS / ".screenshot-settings.ini"), QSettings.Format.IniFormat)
    window = main_window([str(SAMPLE_DIR / case)], settings=settings)
    window.resize(*size)
    window.show()
    _settle(QApplication.instance(), window)
    window.grab().save(str(out))
    window.close()
    print(out)


def main() -> int:
    application()
    grab("case1-breast-t12", DOCS / "screenshot-main.png")
    grab("case3-lung-multiple", DOCS / "screenshot-case3.png")
    Path(DOCS / ".screenshot-settings.ini").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
