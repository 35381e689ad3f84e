"""Pixels for the viewports: single slices at once, whole volumes in the background.

A viewport asks :meth:`PixelStore.slice` for what it should draw. Once a stack's volume is
decoded the answer comes from it; before that a slice is decoded on its own
(:meth:`~spineviewer.core.model.Stack.slice_pixels`, a few milliseconds) in the background and
announced with ``sliceReady``, so the first image appears long before the volume is complete.
Only the newest slice wanted per stack is decoded: scrolling fast through a stack that is still
loading never queues a backlog. The slice asked for becomes the stack's ``focus``: a volume
being decoded takes the slices nearest it next, and the ones it has finished are shown at once.
Arrays are ``(rows, cols)`` of rescaled values.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from PyQt6.QtCore import QObject, pyqtSignal

from spineviewer.core.model import Stack
from spineviewer.gui.shell.background import BackgroundWork, Task

#: Background priorities: the slice on screen first, then volumes; thumbnails wait (0).
PRIORITY_SLICE, PRIORITY_VOLUME = 2, 1
#: Single slices kept while volumes load (a few MB at most).
_SLICE_CACHE = 96


class PixelStore(QObject):
    """Decoded slices and volumes of the open study, and the work that produces them.

    Signals
    -------
    sliceReady(stack, index)
        A slice asked for by :meth:`slice` is now available.
    volumeReady(stack)
        The whole volume of ``stack`` is decoded (its ``decode_problems`` are filled).
    volumeFailed(stack, reason)
        Decoding stopped with an error (or was cancelled: reason ``"cancelled"``).
    """

    sliceReady = pyqtSignal(object, int)
    volumeReady = pyqtSignal(object)
    volumeFailed = pyqtSignal(object, str)

    def __init__(self, work: BackgroundWork, parent: QObject | None = None):
        super().__init__(parent)
        self._work = work
        self._slices: OrderedDict[tuple[Stack, int], np.ndarray] = OrderedDict()
        self._wanted: dict[Stack, int] = {}
        self._decoding: dict[Stack, Task] = {}
        self._volumes: dict[Stack, Task] = {}

    def slice(self, stack: Stack, index: int) -> np.ndarray | None:
        """Slice ``index`` of ``stack`` if it is decoded; otherwise schedule it and return None."""
        if stack.is_loaded:
            return stack.slice_pixels(index)
        # A volume being decoded turns towards the slice on screen, and may have it already.
        stack.focus = index
        ready = stack.decoded_slice(index)
        if ready is not None:
            return ready
        key = (stack, index)
        if key in self._slices:
            self._slices.move_to_end(key)
            return self._slices[key]
        self._wanted[stack] = index
        if stack not in self._decoding:
            self._decode_next(stack)
        return None

    def request_volume(self, stack: Stack) -> None:
        """Decode the whole volume in the background unless it is decoded or on its way."""
        if stack.is_loaded or stack in self._volumes:
            return

        def decode(task: Task):
            return stack.volume(progress=task.report, cancel=task.cancel)

        description = stack.frames[0].file.series_description or "series"
        label = f"Loading {description} ({stack.shape[0]} slices)"
        self._volumes[stack] = self._work.submit(
            decode, label=label, priority=PRIORITY_VOLUME, on_done=lambda volume: self._volume_done(stack, volume),
            on_failed=lambda reason: self._volume_failed(stack, reason))

    def loading(self, stack: Stack) -> bool:
        """True while the volume of ``stack`` is being decoded."""
        return stack in self._volumes

    def clear(self) -> None:
        """Forget cached slices and wanted slices (a new study was opened)."""
        self._slices.clear()
        self._wanted.clear()
        self._decoding.clear()

    def _decode_next(self, stack: Stack) -> None:
        index = self._wanted.pop(stack, None)
        if index is None:
            return

        def decode(task: Task):
            return stack.slice_pixels(index)

        self._decoding[stack] = self._work.submit(
            decode, label="slice", reported=False, priority=PRIORITY_SLICE,
            on_done=lambda pixels: self._slice_done(stack, index, pixels),
            on_failed=lambda reason: self._slice_done(stack, index, None))

    def _slice_done(self, stack: Stack, index: int, pixels: np.ndarray | None) -> None:
        self._decoding.pop(stack, None)
        if pixels is None:
            # An undecodable file shows as a blank slice; the volume load names the file.
            _, rows, cols = stack.shape
            pixels = np.zeros((rows, cols), dtype=np.float32)
        self._slices[(stack, index)] = pixels
        while len(self._slices) > _SLICE_CACHE:
            self._slices.popitem(last=False)
        self.sliceReady.emit(stack, index)
        if stack in self._wanted:
            self._decode_next(stack)

    def _volume_done(self, stack: Stack, volume: np.ndarray | None) -> None:
        self._volumes.pop(stack, None)
        if volume is None:
            self.volumeFailed.emit(stack, "cancelled")
            return
        for key in [key for key in self._slices if key[0] == stack]:
            del self._slices[key]
        self.volumeReady.emit(stack)

    def _volume_failed(self, stack: Stack, reason: str) -> None:
        self._volumes.pop(stack, None)
        self.volumeFailed.emit(stack, reason)
