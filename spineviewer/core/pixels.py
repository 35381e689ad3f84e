"""Decoding pixel data into slices, with the Modality LUT applied.

Native (uncompressed, little-endian) pixel data is read straight from the byte offset the header
scan recorded: one ``read`` per slice, no second parse. Encapsulated grey frames are cut from
the file at the offset the scan recorded (:func:`pydicom.encaps.get_frame`, Basic Offset Table
first) and decoded by the decoder :mod:`spineviewer.core.codecs` chooses for their transfer
syntax, straight into the caller's array. Everything else (colour, big endian, odd bit depths,
a codestream the direct decoders refuse) goes through :func:`pydicom.pixels.pixel_array` and
the installed decoder plugins. A Siemens mosaic is read whole, once per request, and its tiles
are cut out (:func:`spineviewer.core.mosaic.cut_tiles`). Whole volumes are decoded in
:mod:`spineviewer.core.volume_load`.

Notes
-----
The rescale ``value = stored * RescaleSlope + RescaleIntercept`` (PS3.3 C.11.1.1.2, Modality LUT)
is applied before anything else. The stored integer type is kept when the slope is 1 and the
intercept integral and the rescaled range still fits; otherwise the volume is float32.
Volumes are ``(slice, row, col)``.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import replace

import numpy as np
from pydicom import dcmread
from pydicom.encaps import generate_fragments, get_frame, parse_basic_offsets, parse_fragments
from pydicom.pixels import pixel_array
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from spineviewer.core.codecs import (Decoder, CorruptCodestream, decode_codestream, direct_decoder,
                                     pydicom_decodes)
from spineviewer.core.frames import Frame, ImageFile
from spineviewer.core.mosaic import cut_tiles

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
        available = pydicom_decodes(syntax)
        reason = (f"its {syntax.name} pixel data cannot be decoded: every installed decoder "
                  "refused it (corrupt or unsupported)" if available else
                  f"no installed decoder can read its {syntax.name} pixel data")
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


def _fragment_starts(image: ImageFile) -> tuple[int, ...] | None:
    """Where each frame's one fragment starts in a multi-frame file without a Basic Offset
    Table; None for any other file (:func:`~pydicom.encaps.get_frame` finds its frames).

    Walked once per file: get_frame would walk every item header up to the frame again for
    each frame, and a volume decodes its frames one task at a time. Single-frame files never
    take a place in the cache."""
    return None if image.number_of_frames < 2 else _multiframe_fragment_starts(image)


@functools.lru_cache(maxsize=8)
def _multiframe_fragment_starts(image: ImageFile) -> tuple[int, ...] | None:
    with image.source.open() as fp:
        fp.seek(image.fragments_offset)
        if parse_basic_offsets(fp):
            return None
        count, starts = parse_fragments(fp)
    return tuple(starts) if count == image.number_of_frames else None


def _read_direct(image: ImageFile, indices: list[int], out: np.ndarray, decoder: Decoder) -> None:
    """Frames ``indices`` of an encapsulated file decoded into ``out`` ``(n, rows, cols)``.

    Only the Basic Offset Table and the frames asked for are read; a fragment can hold no
    more than the file does, so a lying item length costs nothing."""
    starts = _fragment_starts(image)
    with image.source.open() as fp:
        for k, index in enumerate(indices):
            if starts is None:
                fp.seek(image.fragments_offset)
                data = get_frame(fp, index, number_of_frames=image.number_of_frames)
            else:
                fp.seek(starts[index])
                data = next(generate_fragments(fp))
            decode_codestream(data, image, out[k], decoder)


def _try_direct(image: ImageFile, indices: list[int], out: np.ndarray) -> str | None:
    """Decode with the direct decoder into ``out``; its name, or None when pydicom must decode.

    A frame the direct decoder refuses or fails on goes to pydicom's general path, which
    either reads it (a codestream quirk only pydicom handles) or names the problem; so the
    direct path never makes a file fail that loaded before."""
    decoder = direct_decoder(image)
    if decoder is None:
        return None
    try:
        _read_direct(image, indices, out, decoder)
    except (KeyboardInterrupt, SystemExit):
        raise
    except CorruptCodestream as exc:
        raise PixelDecodeError(f"{image.source.display}: {exc}") from exc
    except BaseException:  # noqa: BLE001 - decoders raise many types, Rust panics included
        return None
    return decoder.name


def _read_general(image: ImageFile, indices: list[int]) -> np.ndarray:
    layout = image.mosaic
    if layout is not None:
        # The stored image is the whole mosaic: decode it once, then cut every requested tile.
        whole = replace(image, rows=layout.rows, columns=layout.columns, number_of_frames=1, mosaic=None)
        return cut_tiles(read_frames(whole, [0])[0], layout, indices)
    return _read_native(image, indices) if _fast_path(image) else _read_decoded(image, indices)


def _guarded(read, image: ImageFile, *args):
    """Call a pixel reader; whatever it raises becomes the file's PixelDecodeError."""
    try:
        return read(image, *args)
    except (KeyboardInterrupt, SystemExit, PixelDecodeError):
        raise
    except BaseException as exc:  # noqa: BLE001 - decoders raise many types, Rust panics included
        raise _decode_failure(image, exc) from exc


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
    values, _ = read_frames_by(image, indices)
    return values


def read_frames_by(image: ImageFile, indices: list[int],
                   out: np.ndarray | None = None) -> tuple[np.ndarray, str]:
    """:func:`read_frames`, and the name of the decoder that read them (``pydicom`` for the
    general path, ``native`` for uncompressed data).

    ``out``, when given, is ``(n, rows, cols)`` of the stored type and receives the values
    (a direct decoder writes straight into it).

    Raises
    ------
    PixelDecodeError
        As :func:`read_frames`.
    """
    if out is None and direct_decoder(image) is not None:
        out = np.empty((len(indices), image.rows, image.columns), dtype=stored_dtype(image))
    if out is not None:
        name = _try_direct(image, indices, out)
        if name is not None:
            return out, name
    values = _guarded(_read_general, image, indices)
    route = "native" if _fast_path(image) else "pydicom"
    if out is None:
        return values, route
    out[...] = values
    return out, route


def rescale_into(out: np.ndarray, stored: np.ndarray, frame: Frame) -> None:
    """Write ``stored * slope + intercept`` (the frame's Modality LUT) into ``out``."""
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
    rescale_into(out, stored, frame)
    return out


def load_slice(stack, index: int) -> np.ndarray:
    """Decode slice ``index`` of a stack on its own, ``(rows, cols)``, in the volume's type."""
    return frame_pixels(stack.frames[index], dtype=output_dtype(stack.frames))
