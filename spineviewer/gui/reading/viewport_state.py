"""What one viewport shows of its stack: the slice index and the window. Nothing else.

Zoom and pan belong to the view; everything about the images (geometry, pixels, series) to the
:class:`~spineviewer.core.model.Stack` the state refers to. Views observe ``changed`` and render.
"""

from __future__ import annotations

from PyQt6.QtCore import QObject, pyqtSignal

from spineviewer.core.model import Stack
from spineviewer.gui.reading.overlay_text import SeriesContext
from spineviewer.gui.reading.windowing import MIN_WIDTH, Window


class ViewportState(QObject):
    """Slice index and window of one stack on screen.

    Parameters
    ----------
    stack : Stack
        The images (the model; never modified here).
    context : SeriesContext
        The patient, study and series the stack belongs to, for the overlays.
    """

    #: Anything shown changed (slice or window).
    changed = pyqtSignal()
    #: The slice changed (also announced by ``changed``); carries the new index.
    sliceChanged = pyqtSignal(int)

    def __init__(self, stack: Stack, context: SeriesContext, parent: QObject | None = None):
        super().__init__(parent)
        self.stack = stack
        self.context = context
        self._slice = stack.shape[0] // 2
        self._window: Window | None = stack.default_window
        self.default_window: Window | None = stack.default_window

    @property
    def slice_index(self) -> int:
        return self._slice

    @property
    def slice_count(self) -> int:
        return self.stack.shape[0]

    @property
    def window(self) -> Window | None:
        """``(centre, width)``, None until the files or the first pixels decide it."""
        return self._window

    def set_slice(self, index: int) -> None:
        """Show slice ``index`` (clamped to the stack)."""
        index = max(0, min(self.slice_count - 1, int(index)))
        if index != self._slice:
            self._slice = index
            self.changed.emit()
            self.sliceChanged.emit(index)

    def step(self, count: int) -> None:
        """Move ``count`` slices along the stack (negative: backwards)."""
        self.set_slice(self._slice + count)

    def set_window(self, window: Window) -> None:
        centre, width = float(window[0]), max(MIN_WIDTH, float(window[1]))
        if (centre, width) != self._window:
            self._window = (centre, width)
            self.changed.emit()

    def reset_window(self) -> None:
        """Back to the files' recommended window (or the automatic one)."""
        if self.default_window is not None:
            self.set_window(self.default_window)


def follow_changes(previous: ViewportState | None, state: ViewportState | None,
                   slot) -> ViewportState | None:
    """Move ``slot`` from ``previous``'s ``changed`` signal to ``state``'s (either may be None,
    ``previous`` may no longer hold the connection); returns ``state``, to keep as the one
    followed."""
    if previous is not None:
        try:
            previous.changed.disconnect(slot)
        except TypeError:
            pass
    if state is not None:
        state.changed.connect(slot)
    return state
