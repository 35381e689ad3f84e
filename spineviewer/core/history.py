"""Undo and redo of study annotations, and the small observer used to announce changes.

The annotation document (:mod:`spineviewer.core.document`) saves when its history announces a
new value, and announces its own changes the same way; the GUI turns those into Qt signals.

Annotations are immutable values (:mod:`spineviewer.core.annotations`), so the history is a
list of snapshots: an edit pushes the new value, undo steps back to the previous one. Sharing
between snapshots is structural (unchanged lesions are the same objects), so a long history
costs little memory.
"""

from __future__ import annotations

import weakref
from typing import Callable, Generic, TypeVar

T = TypeVar("T")

#: Undo steps kept by default.
DEFAULT_LIMIT = 200


class Signal:
    """Callbacks called with the arguments of :meth:`emit`, in the order they connected.

    Bound methods are held weakly, so a closed view that forgot to disconnect is dropped
    instead of kept alive; plain functions and lambdas are held strongly.
    """

    def __init__(self):
        self._slots: list = []

    def connect(self, callback: Callable) -> None:
        if hasattr(callback, "__self__") and hasattr(callback, "__func__"):
            self._slots.append(weakref.WeakMethod(callback))
        else:
            self._slots.append(lambda: callback)

    def disconnect(self, callback: Callable) -> None:
        """Remove a callback (no error if it was not connected)."""
        self._slots = [s for s in self._slots if s() is not None and s() != callback]

    def emit(self, *args) -> None:
        self._slots = [s for s in self._slots if s() is not None]
        for slot in list(self._slots):
            callback = slot()
            if callback is not None:
                callback(*args)


class History(Generic[T]):
    """Snapshots of a value with undo and redo.

    Parameters
    ----------
    initial : T
        The value as opened (not undoable).
    limit : int, keyword-only
        Undo steps kept; the oldest are forgotten beyond it.

    Attributes
    ----------
    changed : Signal
        Emitted with the current value after every push, undo, redo and reset.
    """

    def __init__(self, initial: T, *, limit: int = DEFAULT_LIMIT):
        if limit < 1:
            raise ValueError("an undo history keeps at least one step")
        self._limit = limit
        self._states: list[T] = [initial]
        self._labels: list[str] = []  # _labels[i] made _states[i + 1] from _states[i]
        self._index = 0
        self._merge_key: object = None
        self.changed = Signal()

    @property
    def state(self) -> T:
        return self._states[self._index]

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._states) - 1

    @property
    def undo_label(self) -> str:
        """What undo would take back (``"add caliper"``), '' when nothing."""
        return self._labels[self._index - 1] if self.can_undo else ""

    @property
    def redo_label(self) -> str:
        """What redo would do again, '' when nothing."""
        return self._labels[self._index] if self.can_redo else ""

    @property
    def labels(self) -> list[str]:
        """Labels of the undoable steps, oldest first."""
        return self._labels[: self._index]

    def push(self, new_state: T, label: str, *, merge_key: object = None) -> None:
        """Record an edit. Redo steps are dropped. Pushing an equal value does nothing.

        With a ``merge_key`` equal to the previous push's (the same text field being typed
        into, the same handle being dragged), the edit joins the previous step instead of
        making a new one.
        """
        if new_state == self.state:
            return
        del self._states[self._index + 1:]
        del self._labels[self._index:]
        if merge_key is not None and merge_key == self._merge_key and self.can_undo:
            self._states[self._index] = new_state
            self._labels[self._index - 1] = label
        else:
            self._states.append(new_state)
            self._labels.append(label)
            self._index += 1
            if len(self._labels) > self._limit:
                del self._states[0]
                del self._labels[0]
                self._index -= 1
        self._merge_key = merge_key
        self.changed.emit(self.state)

    def undo(self) -> T:
        """Step back; returns the current value (unchanged when there is nothing to undo)."""
        if self.can_undo:
            self._index -= 1
            self._merge_key = None
            self.changed.emit(self.state)
        return self.state

    def redo(self) -> T:
        """Step forward again; returns the current value."""
        if self.can_redo:
            self._index += 1
            self._merge_key = None
            self.changed.emit(self.state)
        return self.state

    def amend_all(self, fact: Callable[[T], T]) -> None:
        """Apply ``fact`` to every snapshot: something that happened outside the edits (an
        object sent to a server), which undo and redo must neither take back nor lose."""
        self._states = [fact(state) for state in self._states]
        self.changed.emit(self.state)

    def reset(self, state: T) -> None:
        """Start over from ``state`` (another study was opened): no undo, no redo."""
        self._states, self._labels, self._index, self._merge_key = [state], [], 0, None
        self.changed.emit(self.state)
