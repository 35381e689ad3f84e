"""Decoding a whole stack into one volume: on every core, the displayed slice first.

The volume is allocated once at its final type and each slice is decoded into its own place.
Encapsulated grey frames are one task each, decoded by the direct decoder of
:mod:`spineviewer.core.codecs` straight into the volume (into one reused frame per thread when
a rescale changes the type); every other file is one task through
:func:`spineviewer.core.pixels.read_frames`. Worker threads take the pending task nearest the
stack's :attr:`~spineviewer.core.model.Stack.focus` (the slice a viewer shows) each time they
are free, so when the reader scrolls while a study loads, the slices around the new position
come next. Threads, not processes: the chosen decoders release the GIL, and threads write into
the one volume with no copy (``benchmarks/decoders.py`` measured both; see docs/benchmarks.md).

Volumes are ``(slice, row, col)``; a slice's place is its position along the stack's normal.
"""

from __future__ import annotations

import bisect
import os
import queue
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable

import numpy as np

from spineviewer.core.codecs import direct_decoder
from spineviewer.core.frames import Frame, ImageFile
from spineviewer.core.pixels import (
    PixelDecodeError, rescale_into, output_dtype, read_frames_by, stored_dtype,
)
from spineviewer.core.problems import Problem


class PartialVolume:
    """A volume being decoded, whose finished slices can already be read."""

    def __init__(self) -> None:
        self._array: np.ndarray | None = None
        self._ready: np.ndarray | None = None

    def start(self, array: np.ndarray) -> None:
        self._ready = np.zeros(array.shape[0], dtype=bool)
        self._array = array

    def mark(self, position: int) -> None:
        if self._ready is not None:
            self._ready[position] = True

    def slice(self, index: int) -> np.ndarray | None:
        """Slice ``index`` if it is decoded, else None."""
        array, ready = self._array, self._ready
        if array is None or ready is None or not 0 <= index < len(ready) or not ready[index]:
            return None
        return array[index]


@dataclass
class _Task:
    """Slices to decode together: one frame of a directly decoded file, or a whole file."""

    image: ImageFile
    entries: list[tuple[int, Frame]]
    direct: bool

    @property
    def first(self) -> int:
        return self.entries[0][0]


def _plan(frames: list[Frame]) -> list[_Task]:
    by_file: dict[int, list[tuple[int, Frame]]] = defaultdict(list)
    for position, frame in enumerate(frames):
        by_file[id(frame.file)].append((position, frame))
    tasks = []
    for entries in by_file.values():
        image = entries[0][1].file
        # A zip member is a stream: seeking to frame k would inflate everything before it
        # again for every frame, so its frames are one task, read in one pass (the direct
        # decoder still decodes them: read_frames_by chooses it).
        if direct_decoder(image) is not None and image.source.member is None:
            tasks.extend(_Task(image, [entry], True) for entry in entries)
        else:
            tasks.append(_Task(image, entries, False))
    return tasks


class _Order:
    """Pending tasks, handed out nearest the stack's focus first (by their first slice)."""

    def __init__(self, tasks: list[_Task], focus: Callable[[], int | None]) -> None:
        self._pending = sorted(tasks, key=lambda task: task.first)
        self._firsts = [task.first for task in self._pending]
        self._focus = focus
        self._lock = threading.Lock()

    def take(self) -> _Task | None:
        with self._lock:
            if not self._pending:
                return None
            focus = self._focus()
            best = 0
            if focus is not None:
                best = min(bisect.bisect_left(self._firsts, focus), len(self._firsts) - 1)
                if best > 0 and focus - self._firsts[best - 1] <= abs(self._firsts[best] - focus):
                    best -= 1
            del self._firsts[best]
            return self._pending.pop(best)


def cores() -> int:
    """Processor cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 2


def _workers(tasks: list[_Task]) -> int:
    if any(task.direct for task in tasks):
        # Decoding is processor work: one thread per core; more only queue on the cores.
        return cores()
    # Native reads wait on the disk and release the GIL: a few more threads than cores.
    return min(8, cores() + 2)


class _Decode:
    """What each task does: decode its slices into the volume and note the decoder."""

    def __init__(self, volume: np.ndarray, partial: PartialVolume | None) -> None:
        self.volume, self.partial = volume, partial
        self.local = threading.local()
        self.decoders: Counter[str] = Counter()
        self.failures: dict[str, Problem] = {}
        self.lock = threading.Lock()

    def _target(self, task: _Task) -> tuple[np.ndarray | None, bool]:
        """Where a direct task decodes: the volume slice itself when no rescale changes the
        values, else this thread's reused frame. None for file tasks."""
        if not task.direct:
            return None, False
        position, frame = task.entries[0]
        dtype = stored_dtype(task.image)
        if self.volume.dtype == dtype and frame.rescale_slope == 1.0:
            return self.volume[position:position + 1], True
        scratch = getattr(self.local, "frame", None)
        if scratch is None or scratch.shape[1:] != self.volume.shape[1:] or scratch.dtype != dtype:
            scratch = self.local.frame = np.empty((1, *self.volume.shape[1:]), dtype=dtype)
        return scratch, False

    def __call__(self, task: _Task) -> int:
        out, in_place = self._target(task)
        try:
            stored, name = read_frames_by(task.image, [f.index or 0 for _, f in task.entries], out)
        except PixelDecodeError as exc:
            # One bad file must not cost the radiologist the rest of the series: its slices
            # stay blank (a codec may have written part of one before it failed) and the
            # problem is reported once, with the file's name.
            if in_place:
                out[...] = 0
            shown = task.image.source.display
            with self.lock:
                self.failures.setdefault(shown, Problem(shown, str(exc).split(": ", 1)[-1]))
            return len(task.entries)
        for (position, frame), values in zip(task.entries, stored):
            if in_place:
                if frame.rescale_intercept:
                    values += int(frame.rescale_intercept)  # output_dtype checked the range
            else:
                rescale_into(self.volume[position], values, frame)
            if self.partial is not None:
                self.partial.mark(position)
        with self.lock:
            self.decoders[name] += len(task.entries)
        return len(task.entries)


def load_volume(stack, *, progress: Callable[[int, int], None] | None = None,
                cancel: threading.Event | None = None, workers: int | None = None,
                partial: PartialVolume | None = None) -> np.ndarray | None:
    """Decode every slice of a stack into one ``(slices, rows, cols)`` array.

    Parameters
    ----------
    stack : Stack
        Its ``focus`` (the displayed slice, read again each time a thread is free) decides
        the order: nearest slices first.
    progress : callable, optional
        Called as ``progress(done, total)`` in the calling thread as slices finish.
    cancel : threading.Event, optional
        When set, the threads stop after the slice each is decoding and None is returned.
    workers : int, optional
        Threads; by default one per core for compressed data, a few more for native files.
    partial : PartialVolume, optional
        Receives the volume at once and each slice as it is finished.

    Raises
    ------
    PixelDecodeError
        Only when the whole volume cannot be allocated.

    Notes
    -----
    A file whose pixels cannot be decoded leaves its slices blank (zero) and adds one
    :class:`Problem` naming it to ``stack.decode_problems``; the other slices still load.
    ``stack.decoded_by`` counts the slices each decoder read.
    """
    frames = stack.frames
    dtype = output_dtype(frames)
    try:
        # Zeroed pages are only committed when written, so a file that fails costs no memory.
        volume = np.zeros(stack.shape, dtype=dtype)
    except MemoryError as exc:
        size = np.prod(stack.shape, dtype=float) * dtype.itemsize
        raise PixelDecodeError(f"{stack.files[0]}: its volume needs {size / 2**30:.1f} GiB, more "
                               "memory than is free") from exc
    if partial is not None:
        partial.start(volume)
    tasks = _plan(frames)
    order = _Order(tasks, lambda: stack.focus)
    decode = _Decode(volume, partial)
    halt = threading.Event()  # set when a thread fails: the others stop too
    finished: queue.Queue = queue.Queue()

    def stopped() -> bool:
        return halt.is_set() or (cancel is not None and cancel.is_set())

    def work() -> None:
        try:
            while not stopped() and (task := order.take()) is not None:
                finished.put(decode(task))
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            finished.put(exc)
        finally:
            finished.put(None)

    threads = [threading.Thread(target=work, name=f"decode-{i}", daemon=True)
               for i in range(max(1, min(workers or _workers(tasks), len(tasks))))]
    for thread in threads:
        thread.start()
    done, running, error = 0, len(threads), None
    while running:
        item = finished.get()
        if item is None:
            running -= 1
        elif isinstance(item, BaseException):
            error = error or item
            halt.set()
        else:
            done += item
            if progress is not None and item:
                progress(done, len(frames))
    for thread in threads:
        thread.join()
    if error is not None:
        raise error
    if cancel is not None and cancel.is_set():
        return None
    stack.decode_problems = sorted(decode.failures.values(), key=lambda p: p.path)
    stack.decoded_by = dict(decode.decoders)
    return volume
