"""PACS work off the GUI thread, its result or its failure as one :class:`Outcome`.

Every failure of the PACS link is a :class:`~spineviewer.pacs.errors.PacsError` whose text
names the server and the reason ("Orthanc: HTTP 401 Unauthorized"); :func:`submit` runs a
function on a :class:`~spineviewer.gui.shell.background.BackgroundWork` pool and hands the GUI
thread an :class:`Outcome` holding either the value or that line, so each dialog shows one
sentence and no traceback. Anything else a worker raises is a bug: the pool logs it and the
outcome says so in one line too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spineviewer.gui.pacs.status_line import REASON_LIMIT
from spineviewer.gui.shell.background import BackgroundWork, Task
from spineviewer.pacs.errors import PacsError, RetrieveCancelled, one_line


@dataclass(frozen=True)
class Outcome:
    """How a PACS operation ended: ``value`` when it succeeded, else ``error`` (one line naming
    the server) or ``cancelled``."""

    value: object = None
    error: str = ""
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.error and not self.cancelled


def guarded(server: str, fn: Callable[[Task], object]) -> Callable[[Task], Outcome]:
    """``fn`` as a worker that returns an :class:`Outcome` instead of raising PACS failures."""
    def run(task: Task) -> Outcome:
        try:
            return Outcome(fn(task))
        except RetrieveCancelled as exc:
            return Outcome(error=str(exc), cancelled=True)
        except PacsError as exc:
            return Outcome(error=str(exc))
        except (ValueError, OSError) as exc:
            return Outcome(error=f"{server}: {one_line(exc, REASON_LIMIT)}")
    return run


def submit(work: BackgroundWork, server: str, fn: Callable[[Task], object], *, label: str,
           on_outcome: Callable[[Outcome], None],
           on_partial: Callable[[object], None] | None = None) -> Task:
    """Run ``fn(task)`` on ``work``; ``on_outcome`` gets its :class:`Outcome` in the GUI thread."""
    return work.submit(guarded(server, fn), label=label, reported=False,
                       on_done=on_outcome, on_partial=on_partial,
                       on_failed=lambda reason: on_outcome(Outcome(error=f"{server}: {reason}")))
