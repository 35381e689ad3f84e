"""Background work reports every outcome in the GUI thread, decoder panics included, and
nothing after shutdown."""

from __future__ import annotations

import threading

import pytest
from PyQt6.QtCore import QCoreApplication, Qt
from PyQt6.QtWidgets import QApplication

from spineviewer.core import pixels
from spineviewer.core.loader import load_study
from spineviewer.gui.shell.background import BackgroundWork
from spineviewer.gui.shell.errors import show_error
from spineviewer.gui.shell.thumbnails import stack_thumbnail
from tests.conftest import panic, write_series


def _run(qtbot, fn):
    """Submit ``fn`` and wait for its outcome: ``("done", result)`` or ``("failed", reason)``."""
    work = BackgroundWork()
    outcome = []
    work.submit(fn, label="test", on_done=lambda r: outcome.append(("done", r)),
                on_failed=lambda reason: outcome.append(("failed", reason)))
    qtbot.waitUntil(lambda: bool(outcome), timeout=10000)
    assert work.wait(10000) and not work.running()
    return outcome[0]


def test_base_exception_in_a_worker_fires_failed(qtbot):
    """A panic in the worker reaches ``on_failed`` as one line; the task is finished."""
    kind, reason = _run(qtbot, panic)
    assert kind == "failed" and reason == "index out of bounds (Panic)"


def test_thumbnail_of_a_panicking_stack_fails_cleanly(qtbot, tmp_path, monkeypatch):
    """A thumbnail whose decoder panics fails with the file's name, in the GUI thread."""
    write_series(tmp_path, n=3)
    stack = next(load_study(tmp_path).iter_stacks())
    monkeypatch.setattr(pixels, "_read_native", panic)
    kind, reason = _run(qtbot, lambda task: stack_thumbnail(stack))
    assert kind == "failed" and "IM0001: its pixel data cannot be decoded" in reason


def test_no_error_box_off_the_gui_thread(qtbot):
    """An error shown from a worker thread is logged only: widgets belong to the GUI thread."""
    boxes = []
    thread = threading.Thread(target=lambda: boxes.append(show_error(ValueError("late"))))
    thread.start()
    thread.join(10)
    assert boxes == [None] and QApplication.instance() is not None


@pytest.mark.parametrize("kind", [KeyboardInterrupt, SystemExit])
def test_interrupts_are_reported_then_raised(qtbot, kind, monkeypatch):
    """Ctrl+C or exit inside a worker still fires ``on_failed`` and is not swallowed."""
    from spineviewer.gui.shell import background

    raised = []

    class Runner(background._Runner):
        def run(self):
            try:
                super().run()
            except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
                raised.append(exc)

    monkeypatch.setattr(background, "_Runner", Runner)

    def interrupt(task):
        raise kind()

    outcome, _ = _run(qtbot, interrupt)
    assert outcome == "failed" and [type(e) for e in raised] == [kind]


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


def test_progress_of_a_file_by_file_task_is_thinned(qtbot, monkeypatch):
    """A scan reports each of 1,000 files, one a millisecond: the GUI thread hears of it every
    50 ms (each signal makes it take the interpreter lock from the worker) and always of the
    last file."""
    from spineviewer.gui.shell import background

    clock = iter(k / 1000 for k in range(10_000))
    monkeypatch.setattr(background.time, "monotonic", lambda: next(clock))
    heard = []

    def scan(task):
        task.progress.connect(lambda done, total: heard.append(done),
                              type=Qt.ConnectionType.DirectConnection)
        for done in range(1, 1001):
            task.report(done, 1000)

    assert _run(qtbot, scan)[0] == "done"
    assert heard[0] == 1 and heard[-1] == 1000
    assert 19 <= len(heard) <= 22
    assert all(b - a >= 50 for a, b in zip(heard, heard[1:-1]))
