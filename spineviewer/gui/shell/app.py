"""Starting the reading workstation: the application, its dark theme and the main window.

``spineviewer [PATH ...]`` calls :func:`run`; tests build the same window with
:func:`main_window` inside pytest-qt's application.
"""

from __future__ import annotations

import ctypes.util
import os
import sys

import pyqtgraph as pg
from PyQt6.QtCore import QSettings
from PyQt6.QtGui import QColor, QPalette
from PyQt6.QtWidgets import QApplication, QStyleFactory

from spineviewer import RESOURCES_DIR
from spineviewer.gui.shell.errors import configure_logging, install_excepthook
from spineviewer.gui.shell.main_window import MainWindow

STYLE_SHEET = RESOURCES_DIR / "dark.qss"


def configure_pyqtgraph() -> None:
    """pyqtgraph options for the whole session: arrays are ``(row, col)``, as in ``core``."""
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)


def _dark_palette() -> QPalette:
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#1e2126", QPalette.ColorRole.WindowText: "#d8dce2",
        QPalette.ColorRole.Base: "#16181c", QPalette.ColorRole.AlternateBase: "#1c1f24",
        QPalette.ColorRole.Text: "#d8dce2", QPalette.ColorRole.Button: "#2a2e35",
        QPalette.ColorRole.ButtonText: "#d8dce2", QPalette.ColorRole.Highlight: "#2f6fab",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#2a2e35",
        QPalette.ColorRole.ToolTipText: "#e8eaee", QPalette.ColorRole.PlaceholderText: "#7c838d",
        QPalette.ColorRole.Link: "#6fb1ef",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b717a"))
    return palette


def apply_theme(app: QApplication) -> None:
    """The dark reading-room theme: Fusion, a dark palette and ``resources/dark.qss``."""
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    app.setPalette(_dark_palette())
    if STYLE_SHEET.is_file():
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))


_application: QApplication | None = None


def application() -> QApplication:
    """The running QApplication, created and themed on first use.

    The module keeps a reference: a QApplication whose Python wrapper is collected is destroyed.
    """
    global _application
    app = QApplication.instance()
    if app is None:
        app = _application = QApplication(sys.argv[:1])
    app.setApplicationName("spineviewer")
    app.setOrganizationName("spineviewer")
    configure_pyqtgraph()
    apply_theme(app)
    return app


def main_window(paths: list[str] | None = None, *, settings: QSettings | None = None) -> MainWindow:
    """A themed main window that has started opening ``paths`` (no path: the sample study)."""
    application()
    window = MainWindow(settings)
    if paths:
        window.open_paths(list(paths))
    else:
        window.open_sample()
    return window


def display_problem(environ=None, platform: str = sys.platform) -> str | None:
    """Why no window can open here, in one sentence, or None.

    On Linux Qt aborts the process (exit 134, a message about plugins) when there is no display
    or when the X11 plugin lacks ``libxcb-cursor0``; checking first lets the reader get a
    sentence instead. Platforms chosen with QT_QPA_PLATFORM other than xcb and wayland
    (``offscreen``, ``vnc``) need neither.
    """
    environ = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return None
    requested = environ.get("QT_QPA_PLATFORM", "")
    if requested and not requested.startswith(("xcb", "wayland")):
        return None
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return ("no display was found (DISPLAY and WAYLAND_DISPLAY are not set), so the window "
                "cannot open; the commands in 'spineviewer --help' run without one")
    uses_x11 = requested.startswith("xcb") or not environ.get("WAYLAND_DISPLAY")
    if uses_x11 and ctypes.util.find_library("xcb-cursor") is None:
        return ("Qt needs the system library libxcb-cursor0 to open a window on X11; install it "
                "(sudo apt-get install libxcb-cursor0, see the README); the commands in "
                "'spineviewer --help' run without it")
    return None


def run(paths: list[str]) -> int:
    """Open the workstation on ``paths`` and run until the window closes; the exit status.

    Without a usable display, says why on stderr and returns 1 instead of letting Qt abort.
    """
    problem = display_problem()
    if problem is not None:
        print(f"spineviewer: {problem}", file=sys.stderr)
        return 1
    app = application()
    configure_logging()
    install_excepthook()
    window = main_window(paths)
    window.show()
    return app.exec()
