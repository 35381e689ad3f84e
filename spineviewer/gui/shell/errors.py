"""The last line of defence: an unexpected error is logged and shown as one short sentence.

No traceback ever reaches the reader. The full traceback goes to the log file, whose path the
message gives, so a bug report can include it.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

from PyQt6.QtCore import QStandardPaths, QThread
from PyQt6.QtWidgets import QApplication, QMessageBox

from spineviewer.core.problems import describe_exception

log = logging.getLogger("spineviewer")
#: Messages on screen (a parentless box would be garbage-collected at once).
_shown: list[QMessageBox] = []


def log_file() -> Path:
    """Where the session log is written (the user's application data folder)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(folder or Path.home() / ".spineviewer") / "spineviewer.log"


def configure_logging() -> Path:
    """Send the ``spineviewer`` loggers to :func:`log_file`; returns its path."""
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("spineviewer")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def user_message(exc: BaseException) -> str:
    """The short sentence shown for an unexpected error."""
    return (f"Something went wrong: {describe_exception(exc)}.\n\n"
            f"spineviewer keeps running. The details were written to {log_file()}.")


def show_error(exc: BaseException) -> QMessageBox | None:
    """Log ``exc`` with its traceback and, in the GUI thread, show a short, non-blocking message."""
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    app = QApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        # Widgets live in the GUI thread only; off it the log is the whole report.
        return None
    box = QMessageBox(QMessageBox.Icon.Warning, "spineviewer", user_message(exc),
                      QMessageBox.StandardButton.Ok, app.activeWindow())
    box.setModal(False)
    box.finished.connect(lambda _: _shown.remove(box) if box in _shown else None)
    _shown.append(box)
    box.show()
    return box


def install_excepthook() -> None:
    """Route uncaught exceptions of the GUI thread and of plain threads to :func:`show_error`."""

    def hook(kind, value, traceback) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, traceback)
            return
        show_error(value.with_traceback(traceback))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        log.error("error in thread %s", args.thread.name if args.thread else "?",
                  exc_info=(args.exc_type, args.exc_value, args.exc_traceback))

    sys.excepthook = hook
    threading.excepthook = thread_hook
