"""Decoding pixel data into slices and volumes, with the Modality LUT applied.

Native (uncompressed, little-endian) pixel data is read straight from the byte offset the header
scan recorded: one ``read`` per slice, no second parse. Everything else (compressed transfer
syntaxes, big endian, colour) goes through :func:`pydicom.pixels.pixel_array` and the installed
decoder plugins (pylibjpeg, pyjpegls). A Siemens mosaic is read whole, once per request, and its
tiles are cut out (:func:`spineviewer.core.mosaic.cut_tiles`).

Notes
-----
The rescale ``value = stored * RescaleSlope + RescaleIntercept`` (PS3.3 C.11.1.1.2, Modality LUT)
is applied before anything else. The stored integer type is kept when the slope is 1 and the
intercept integral and the rescaled range still fits; otherwise the volume is float32.
Volumes are ``(slice, row, col)``.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Callable

import numpy as np
from pydicom import dcmread
from pydicom.pixels import pixel_array
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from spineviewer.core.frames import Frame, ImageFile
from spineviewer.core.mosaic import cut_tiles
from spineviewer.core.problems import Problem

_NATIVE_LITTLE = {ExplicitVRLittleEndian, ImplicitVRLittleEndian}
_LUMA = np.array([0.299, 0.587, 0.114])


class PixelDecodeError(Exception):
    """A file whose pixels could not be decoded; the message names the file and the reason."""


def stored_dtype(image: ImageFile) -> np.dtype:
    """The numpy type of stored values (BitsAllocated, PixelRepresentation)."""
    kind = "i" if image.pixel_representation == 1 else "u"
    size = {1: 1, 8: 1, 16: 2, 32: 4}.get(image.bits_allocated, 2)
    return np.dtype(f"<{kind}{size}")


def output_dtype(frames: list[Frame]) -> np.dtype:
    """The smallest type that holds every rescaled value of these frames exactly."""
    image = frames[0].file
    if image.samples_per_pixel != 1:
        return np.dtype(np.uint8)
    slopes = {frame.rescale_slope for frame in frames}
    intercepts = {frame.rescale_intercept for frame in frames}
    if slopes != {1.0} or any(float(b) != int(b) for b in intercepts):
        return np.dtype(np.float32)
    bits = min(image.bits_stored, image.bits_allocated)
    if image.pixel_representation == 1:
        low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    else:
        low, high = 0, 2 ** bits - 1
    low, high = low + min(intercepts), high + max(intercepts)
    for candidate in (stored_dtype(image), np.dtype(np.int16), np.dtype(np.uint16), np.dtype(np.int32)):
        info = np.iinfo(candidate)
        if info.min <= low and high <= info.max:
            return candidate.newbyteorder("=")
    return np.dtype(np.float32)


def _fast_path(image: ImageFile) -> bool:
    return (image.pixel_offset is not None and image.transfer_syntax_uid in _NATIVE_LITTLE
            and image.samples_per_pixel == 1 and image.bits_allocated in (8, 16, 32))


def _sign_extend(values: np.ndarray, image: ImageFile) -> np.ndarray:
    shift = image.bits_allocated - image.bits_stored
    if image.pixel_representation == 1 and 0 < shift < image.bits_allocated:
        values = (values << shift) >> shift
    return values


def _read_native(image: ImageFile, indices: list[int]) -> np.ndarray:
    """Frames ``indices`` of a native file as ``(len(indices), rows, cols)`` stored values."""
    dtype = stored_dtype(image)
    size = image.frame_bytes
    out = np.empty((len(indices), image.rows, image.columns), dtype=dtype)
    with image.source.open() as fp:
        for k, index in enumerate(indices):
            fp.seek(image.pixel_offset + index * size)
            data = fp.read(size)
            if len(data) < size:
                raise PixelDecodeError(f"{image.source.display}: the pixel data is truncated")
            out[k] = np.frombuffer(data, dtype=dtype).reshape(image.rows, image.columns)
    return _sign_extend(out, image)


def _to_gray(values: np.ndarray, image: ImageFile) -> np.ndarray:
    if image.samples_per_pixel == 1:
        return values
    return np.clip(np.rint(values[..., :3] @ _LUMA), 0, 255).astype(np.uint8)


def _decode_failure(image: ImageFile, exc: BaseException) -> PixelDecodeError:
    from spineviewer.core.problems import describe_exception  # noqa: PLC0415

    syntax = UID(image.transfer_syntax_uid)
    if syntax.is_compressed and isinstance(exc, (RuntimeError, NotImplementedError)):
        reason = f"no installed decoder can read its {syntax.name} pixel data"
    else:
        reason = f"its pixel data cannot be decoded: {describe_exception(exc)}"
    return PixelDecodeError(f"{image.source.display}: {reason}")


def _read_decoded(image: ImageFile, indices: list[int]) -> np.ndarray:
    """Frames ``indices`` decoded by pydicom's pixel backends, ``(len(indices), rows, cols)``."""
    with image.source.open() as fp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = dcmread(fp, force=True)
        if "TransferSyntaxUID" not in ds.file_meta:
            ds.file_meta.TransferSyntaxUID = UID(image.transfer_syntax_uid)
        if image.number_of_frames == 1:
            values = ds.pixel_array[np.newaxis]
        elif len(indices) == 1:
            values = pixel_array(ds, index=indices[0])[np.newaxis]
        else:
            values = ds.pixel_array[indices]
    values = _to_gray(values, image)
    if values.shape[1:] != (image.rows, image.columns):
        raise PixelDecodeError(f"{image.source.display}: decoded pixels do not match Rows/Columns")
    return values


def read_frames(image: ImageFile, indices: list[int]) -> np.ndarray:
    """Stored values of frames ``indices`` (0-based) of one file, ``(n, rows, cols)``.

    This is the one place pixels are read and decoders called, so it is where their failures
    become the file's :class:`PixelDecodeError`: decoders raise many types, and the Rust ones
    (pylibjpeg-rle) panic with ``pyo3_runtime.PanicException``, a ``BaseException``. Only
    ``KeyboardInterrupt`` and ``SystemExit`` pass through.

    Raises
    ------
    PixelDecodeError
        The file cannot be read or its pixels decoded; the message names the file.
    """
    try:
        layout = image.mosaic
        if layout is not None:
            # The stored image is the whole mosaic: decode it once, then cut every requested tile.
            whole = replace(image, rows=layout.rows, columns=layout.columns, number_of_frames=1, mosaic=None)
            return cut_tiles(read_frames(whole, [0])[0], layout, indices)
        return _read_native(image, indices) if _fast_path(image) else _read_decoded(image, indices)
    except (KeyboardInterrupt, SystemExit, PixelDecodeError):
        raise
    except BaseException as exc:  # noqa: BLE001 - decoders raise many types, Rust panics included
        raise _decode_failure(image, exc) from exc


def _rescale_into(out: np.ndarray, stored: np.ndarray, frame: Frame) -> None:
    if frame.rescale_slope == 1.0 and frame.rescale_intercept == 0.0:
        out[...] = stored
    elif out.dtype.kind == "f":
        out[...] = stored.astype(np.float64) * frame.rescale_slope + frame.rescale_intercept
    else:
        out[...] = stored.astype(out.dtype) + int(frame.rescale_intercept)


def frame_pixels(frame: Frame, *, dtype: np.dtype | None = None) -> np.ndarray:
    """Decode one frame on its own, ``(rows, cols)``, rescaled (Modality LUT applied).

    Raises
    ------
    PixelDecodeError
        The frame's file cannot be decoded (whatever the decoder raised).
    """
    stored = read_frames(frame.file, [frame.index or 0])[0]
    out = np.empty(stored.shape, dtype=dtype or output_dtype([frame]))
    _rescale_into(out, stored, frame)
    return out


def load_slice(stack, index: int) -> np.ndarray:
    """Decode slice ``index`` of a stack on its own, ``(rows, cols)``, in the volume's type."""
    return frame_pixels(stack.frames[index], dtype=output_dtype(stack.frames))


def load_volume(stack, *, progress: Callable[[int, int], None] | None = None,
                cancel: threading.Event | None = None, workers: int | None = None) -> np.ndarray | None:
    """Decode every slice of a stack into one ``(slices, rows, cols)`` array.

    Parameters
    ----------
    stack : Stack
    progress : callable, optional
        Called as ``progress(done, total)`` after each file.
    cancel : threading.Event, optional
        When set, decoding stops and None is returned.
    workers : int, optional
        Threads reading files (file reads and most decoders release the GIL).

    Raises
    ------
    PixelDecodeError
        Only when the whole volume cannot be allocated.

    Notes
    -----
    A file whose pixels cannot be decoded leaves its slices blank (zero) and adds a
    :class:`Problem` naming it to ``stack.decode_problems``; the other slices still load.
    """
    frames = stack.frames
    try:
        # Zeroed pages are only committed when written, so a file that fails costs no memory.
        volume = np.zeros(stack.shape, dtype=output_dtype(frames))
    except MemoryError as exc:
        size = np.prod(stack.shape, dtype=float) * output_dtype(frames).itemsize
        raise PixelDecodeError(f"{stack.files[0]}: its volume needs {size / 2**30:.1f} GiB, more "
                               "memory than is free") from exc
    by_file: dict[int, list[tuple[int, Frame]]] = defaultdict(list)
    files: dict[int, ImageFile] = {}
    for position, frame in enumerate(frames):
        by_file[id(frame.file)].append((position, frame))
        files[id(frame.file)] = frame.file
    total, done = len(frames), 0
    lock = threading.Lock()
    failures: list[Problem] = []

    def decode(key: int) -> int:
        if cancel is not None and cancel.is_set():
            return 0
        entries = by_file[key]
        try:
            stored = read_frames(files[key], [frame.index or 0 for _, frame in entries])
        except PixelDecodeError as exc:
            # One bad file must not cost the radiologist the rest of the series: its slices
            # stay blank and the problem is reported with the file's name.
            with lock:
                failures.append(Problem(files[key].source.display, str(exc).split(": ", 1)[-1]))
            return len(entries)
        for (position, frame), values in zip(entries, stored):
            _rescale_into(volume[position], values, frame)
        return len(entries)

    workers = workers or min(8, (os.cpu_count() or 2) + 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for count in pool.map(decode, list(by_file)):
            with lock:
                done += count
            if progress is not None and count:
                progress(done, total)
    if cancel is not None and cancel.is_set():
        return None
    stack.decode_problems = sorted(failures, key=lambda p: p.path)
    return volume
