"""The study model: patients > studies > series > stacks of slices.

A *stack* is a set of parallel slices that form one volume: same orientation, matrix and pixel
spacing, one slice per position along the normal. A series usually is one stack, but is split
where one volume is impossible: localizers of three planes, two sagittal stations, diffusion or
multi-echo images that repeat positions.

Arrays are ``(slice, row, col)``; positions are DICOM LPS mm (:mod:`spineviewer.core.geometry`).
"""

from __future__ import annotations

from collections import Counter

import threading
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from spineviewer.core.geometry import VolumeGeometry, orientation_letters
from spineviewer.core.frames import Frame
from spineviewer.core.problems import Problem


@dataclass(eq=False)
class Stack:
    """Parallel slices of one series that form one volume, ordered along the slice normal.

    Attributes
    ----------
    series_uid : str
    number : int
        1-based position of the stack within its series.
    frames : list of Frame
        Slices in order of increasing position along the normal ``F_row × F_col``.
    geometry : VolumeGeometry
        The stack described as SimpleITK would: origin, spacing ``(ΔC, ΔR, Δslice)``, direction
        and size ``(columns, rows, slices)``. Pixel <-> patient conversions use each slice's own
        plane instead (:mod:`spineviewer.core.stack_geometry`).
    plane : str
        ``sagittal``, ``coronal``, ``axial``, ``oblique`` or ``unknown`` (no geometry in the files).
    spacing_known : bool
        False when the files give no PixelSpacing: measurements are then in pixels, not mm.
    notes : list of str
        Plain remarks on the stack (uneven spacing, missing geometry).
    """

    series_uid: str
    number: int
    frames: list[Frame]
    geometry: VolumeGeometry
    plane: str
    spacing_known: bool = True
    notes: list[str] = field(default_factory=list)
    #: Files whose pixels failed to decode when the volume was loaded (their slices are blank).
    decode_problems: list[Problem] = field(default_factory=list)
    #: Slices each decoder read when the volume was loaded (``imagecodecs.jpegls_decode``,
    #: ``pydicom`` for pydicom's general path, ``native`` for uncompressed data).
    decoded_by: dict[str, int] = field(default_factory=dict)
    #: The slice a viewer shows: a volume being decoded decodes the slices nearest it first.
    focus: int | None = None
    _volume: np.ndarray | None = field(default=None, repr=False)
    _partial: object | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def has_geometry(self) -> bool:
        return self.plane != "unknown"

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(slices, rows, columns)`` of the volume."""
        columns, rows, slices = self.geometry.size
        return slices, rows, columns

    @property
    def files(self) -> list[str]:
        """The files of the stack in slice order (a multi-frame file appears once)."""
        return list(dict.fromkeys(frame.file.source.display for frame in self.frames))

    @property
    def slice_positions(self) -> np.ndarray:
        """ImagePositionPatient of every slice, ``(slices, 3)`` LPS mm, as each file states it;
        ``(0, 0, k)`` for slice k of a stack without geometry (its nominal planes)."""
        if not self.has_geometry:
            return np.column_stack([np.zeros((len(self.frames), 2)), np.arange(len(self.frames))])
        return np.array([frame.position for frame in self.frames])

    @property
    def default_window(self) -> tuple[float, float] | None:
        """The (centre, width) the files recommend: the window at least half of the slices
        carry (WindowCenter/WindowWidth, PS3.3 C.11.2).

        One odd file must not decide (a 3-D series where one file says W6020/L3010 and the
        rest W307/L153 opens almost black from that file); when no window is shared by half
        the slices the files disagree, and None lets the viewer take the window from the
        histogram.
        """
        windows = Counter(frame.window for frame in self.frames if frame.window is not None)
        if not windows:
            return None
        window, count = windows.most_common(1)[0]
        return window if 2 * count >= len(self.frames) else None

    def edge_letters(self) -> dict[str, str]:
        """Orientation letters at the image edges: ``left``, ``right``, ``top``, ``bottom``."""
        if not self.has_geometry:
            return {}
        row_dir, col_dir = self.geometry.direction[:, 0], self.geometry.direction[:, 1]
        return {
            "right": orientation_letters(row_dir), "left": orientation_letters(-row_dir),
            "bottom": orientation_letters(col_dir), "top": orientation_letters(-col_dir),
        }

    @property
    def is_loaded(self) -> bool:
        return self._volume is not None

    def volume(self, *, progress: Callable[[int, int], None] | None = None,
               cancel: threading.Event | None = None) -> np.ndarray | None:
        """The whole volume ``(slices, rows, columns)``, decoded once and then cached.

        Returns None when ``cancel`` was set before decoding finished. Rescale slope and
        intercept are applied; the stored integer type is kept where the values fit. Slices
        nearest :attr:`focus` are decoded first, and can be read with :meth:`decoded_slice`
        while the rest are still decoding.
        """
        from spineviewer.core.volume_load import PartialVolume, load_volume

        with self._lock:
            if self._volume is None:
                self._partial = partial = PartialVolume()
                try:
                    self._volume = load_volume(self, progress=progress, cancel=cancel, partial=partial)
                finally:
                    self._partial = None
            return self._volume

    def decoded_slice(self, index: int) -> np.ndarray | None:
        """Slice ``index`` if it is already decoded (the volume, or a volume being decoded),
        else None; never decodes."""
        if self._volume is not None:
            return self._volume[index]
        partial = self._partial
        return None if partial is None else partial.slice(index)

    def slice_pixels(self, index: int) -> np.ndarray:
        """One slice ``(rows, columns)``, from the volume (cached or being decoded) or decoded
        on its own."""
        ready = self.decoded_slice(index)
        if ready is not None:
            return ready
        from spineviewer.core.pixels import load_slice

        return load_slice(self, index)

    def release(self) -> None:
        """Drop the cached volume (it is decoded again on the next request)."""
        self._volume = None


@dataclass(eq=False)
class Series:
    """One DICOM series (SeriesInstanceUID) and its stacks."""

    uid: str
    number: int | None
    description: str
    modality: str
    frame_of_reference_uid: str
    sop_class_uid: str
    protocol: dict
    stacks: list[Stack] = field(default_factory=list)

    @property
    def n_images(self) -> int:
        return sum(len(stack.frames) for stack in self.stacks)


@dataclass(eq=False)
class Study:
    """One study (StudyInstanceUID): date, description and its series in series-number order."""

    uid: str
    date: str
    time: str
    description: str
    accession_number: str
    series: list[Series] = field(default_factory=list)


@dataclass(eq=False)
class Patient:
    """One patient (PatientID plus name) and their studies."""

    id: str
    name: str
    birth_date: str
    sex: str
    studies: list[Study] = field(default_factory=list)


@dataclass(eq=False)
class LoadResult:
    """What a load produced: the patients found and every per-file problem."""

    patients: list[Patient] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def iter_series(self) -> Iterator[tuple[Patient, Study, Series]]:
        for patient in self.patients:
            for study in patient.studies:
                for series in study.series:
                    yield patient, study, series

    def iter_stacks(self) -> Iterator[Stack]:
        for _, _, series in self.iter_series():
            yield from series.stacks

    def series_by_uid(self, uid: str) -> Series | None:
        return next((s for _, _, s in self.iter_series() if s.uid == uid), None)

    def all_problems(self) -> list[Problem]:
        """Problems of the scan plus those found while decoding the volumes loaded so far."""
        found = list(self.problems)
        for stack in self.iter_stacks():
            found.extend(stack.decode_problems)
        return found
