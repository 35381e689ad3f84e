"""Background work: results reach the GUI thread, and none arrives after shutdown."""

import threading

from PyQt6.QtCore import QCoreApplication

from spineviewer.gui.shell.background import BackgroundWork


def test_result_is_delivered(qtbot):
    """A finished task calls its on_done in the GUI thread."""
    work = BackgroundWork()
    results = []
    work.submit(lambda task: 42, label="answer", on_done=results.append)
    qtbot.waitUntil(lambda: results == [42])
    assert work.running() == []


def test_no_result_after_shutdown(qtbot):
    """A result emitted just before shutdown is not delivered once the pool is shut down, so
    it never reaches views that are going away."""
    work = BackgroundWork()
    release, results, failures = threading.Event(), [], []

    def slow(task):
        release.wait(10)
        return "late"

    work.submit(slow, label="slow", on_done=results.append, on_failed=failures.append)
    release.set()
    work.shutdown()
    for _ in range(5):
        QCoreApplication.processEvents()
    assert results == [] and failures == [] and work.running() == []
