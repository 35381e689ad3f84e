"""How a proposal says no: a refusal with a plain reason, or a cancellation by the reader; and
how it reports its progress."""

from __future__ import annotations

import threading


class AssistRefusal(Exception):
    """The algorithm will not propose: the reason is one sentence for the reader
    (for example "no spinal cord found in this series")."""


class AssistCancelled(Exception):
    """The reader cancelled a running proposal."""


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise :class:`AssistCancelled` when ``cancel`` is set (call between steps)."""
    if cancel is not None and cancel.is_set():
        raise AssistCancelled("cancelled")


def report_progress(progress, done: int, total: int = 3) -> None:
    """Call ``progress(done, total)`` when a progress callback was given (the cord proposals
    have three steps)."""
    if progress is not None:
        progress(done, total)
