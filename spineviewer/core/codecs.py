"""The decoder chosen for each compressed transfer syntax, called on one frame's codestream.

pydicom's ``pixel_array`` finds a plugin, builds a runner and copies the result; for a 512 x 512
JPEG-LS frame that path took 24 ms where the codec itself takes 5. Here each transfer syntax
has a list of decoders in order of measured speed (``benchmarks/decoders.py``, results in
``docs/benchmarks.md``); the first one installed decodes straight from the frame's codestream
into the caller's array of the stored integer type. The imagecodecs decoders lead every list:
they are the fastest on one core, release the GIL (so threads decode on every core) and write
into a given array, so no per-frame temporary is made at all.

Only what pydicom would decode the same way takes this path: grey images (MONOCHROME1/2, one
sample) of 8 or 16 bits allocated, whose codestream header agrees with Rows, Columns and
BitsAllocated. Anything else raises :class:`NeedsGeneralPath` and the caller uses pydicom.
The corrections pydicom applies after decoding are applied the same way, so the voxels are
bit-identical (``tests/core/test_compressed_decoders.py``): JPEG and RLE mask the unused high
bits (PS3.5 §8.1.1); JPEG-LS, which cannot store a sign, is sign-extended from its precision
when PixelRepresentation is 1; JPEG 2000 is sign-corrected when its codestream's signedness
disagrees with PixelRepresentation.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Callable

import numpy as np
from pydicom import uid
from pydicom.pixels import get_decoder

from spineviewer.core.frames import ImageFile

#: Transfer syntaxes by codestream family (PS3.5 A.4, 8.2).
FAMILIES: dict[str, str] = {
    uid.JPEGBaseline8Bit: "jpeg", uid.JPEGExtended12Bit: "jpeg",
    uid.JPEGLossless: "jpeg", uid.JPEGLosslessSV1: "jpeg",
    uid.JPEGLSLossless: "jpeg-ls", uid.JPEGLSNearLossless: "jpeg-ls",
    uid.JPEG2000Lossless: "jpeg2000", uid.JPEG2000: "jpeg2000",
    uid.HTJ2KLossless: "htj2k", uid.HTJ2KLosslessRPCL: "htj2k", uid.HTJ2K: "htj2k",
    uid.RLELossless: "rle",
}
_MONOCHROME = ("MONOCHROME1", "MONOCHROME2")
#: JPEG frame headers: SOF0-3, 5-7, 9-11, 13-15 (ITU T.81 B.1.1.3) and JPEG-LS SOF55 (T.87).
_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB,
                          0xCD, 0xCE, 0xCF, 0xF7})


class NeedsGeneralPath(Exception):
    """The frame is not one the direct decoders handle as pydicom would (the reason says why)."""


class CorruptCodestream(ValueError):
    """A codestream that cannot hold the frame: an RLE frame that does not decode, or a
    JPEG-LS frame cut short. pydicom's general path is not tried on it: its plugins show such
    frames as garbage without a word, or (CharLS) spend 10-20 s looking for the end marker of a
    JPEG-LS frame that has none.

    A JPEG frame without its end marker is decoded: libjpeg-turbo, like pydicom's plugins,
    reads what is there (GH184 of fo-dicom's test data lacks only the marker)."""


@dataclass(frozen=True)
class Codestream:
    """What a frame's codestream header declares about the image it holds."""

    rows: int
    columns: int
    samples: int
    precision: int
    signed: bool = False

    def codec_dtype(self) -> np.dtype:
        """The integer type the decoders return for this codestream."""
        if self.precision > 16:
            raise NeedsGeneralPath(f"a {self.precision}-bit codestream")
        size = 1 if self.precision <= 8 else 2
        return np.dtype(f"{'i' if self.signed else 'u'}{size}")


def _jpeg_header(data: bytes) -> Codestream:
    """The frame header (SOFn, or SOF55 for JPEG-LS) of a JPEG codestream (ITU T.81 B.2.2)."""
    if data[:2] != b"\xff\xd8":
        raise NeedsGeneralPath("the codestream does not start with a JPEG SOI marker")
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise NeedsGeneralPath("no JPEG marker where one should be")
        marker = data[pos + 1]
        if marker == 0xFF:  # a fill byte before the marker
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker in _SOF_MARKERS and length >= 8 and pos + 10 <= len(data):
            head = data[pos + 4:pos + 10]
            return Codestream(rows=int.from_bytes(head[1:3], "big"),
                              columns=int.from_bytes(head[3:5], "big"),
                              samples=head[5], precision=head[0])
        if marker == 0xDA or length < 2:
            break
        pos += 2 + length
    raise NeedsGeneralPath("no JPEG frame header before the scan")


def _j2k_header(data: bytes) -> Codestream:
    """The SIZ segment of a JPEG 2000 codestream (ITU T.800 A.5.1), which follows SOC."""
    if data[:4] != b"\xff\x4f\xff\x51" or len(data) < 45:
        raise NeedsGeneralPath("not a bare JPEG 2000 codestream (a JP2 file, or garbage)")

    def u32(at: int) -> int:
        return int.from_bytes(data[at:at + 4], "big")

    samples = int.from_bytes(data[40:42], "big")
    ssiz, x_step, y_step = data[42], data[43], data[44]
    if (x_step, y_step) != (1, 1):
        raise NeedsGeneralPath("a subsampled JPEG 2000 component")
    return Codestream(rows=u32(12) - u32(20), columns=u32(8) - u32(16), samples=samples,
                      precision=(ssiz & 0x7F) + 1, signed=bool(ssiz & 0x80))


def _rle_header(data: bytes, image: ImageFile) -> Codestream:
    """The RLE header (PS3.5 G.3.1): one segment per byte of a sample, each starting after
    the previous one and inside the frame."""
    segments = int.from_bytes(data[:4], "little") if len(data) >= 64 else -1
    if segments != image.bits_allocated // 8:
        raise NeedsGeneralPath(f"{segments} RLE segments for {image.bits_allocated} bits allocated")
    offsets = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "little") for i in range(segments)]
    if offsets[0] != 64 or any(b <= a for a, b in zip(offsets, offsets[1:])) or offsets[-1] >= len(data):
        raise CorruptCodestream(f"its RLE pixel data cannot be decoded: segments start at "
                                f"{offsets} in a frame of {len(data)} bytes (cut short or corrupt)")
    return Codestream(rows=image.rows, columns=image.columns, samples=1,
                      precision=image.bits_allocated)


# --- the decoders: each fills ``out`` (rows, cols) of the codec's type from one codestream ---

def _imagecodecs_jpeg8(data: bytes, out: np.ndarray) -> None:
    import imagecodecs  # noqa: PLC0415 - imported on first use, not at start-up

    imagecodecs.jpeg8_decode(data, out=out)


def _imagecodecs_jpegls(data: bytes, out: np.ndarray) -> None:
    import imagecodecs  # noqa: PLC0415

    imagecodecs.jpegls_decode(data, out=out)


def _imagecodecs_jpeg2k(data: bytes, out: np.ndarray) -> None:
    import imagecodecs  # noqa: PLC0415

    # One thread per frame: frames are decoded in parallel already, and OpenJPEG's own
    # threads made one frame slower on a busy machine (see docs/benchmarks.md).
    imagecodecs.jpeg2k_decode(data, numthreads=1, out=out)


def _imagecodecs_htj2k(data: bytes, out: np.ndarray) -> None:
    import imagecodecs  # noqa: PLC0415

    imagecodecs.htj2k_decode(data, out=out)


def _imagecodecs_rle(data: bytes, out: np.ndarray) -> None:
    import imagecodecs  # noqa: PLC0415

    # Segments hold the most significant byte first; "<u2" asks for them reassembled into
    # little-endian words, which is the byte order of ``out``.
    imagecodecs.dicomrle_decode(data, f"<u{out.itemsize}", out=out.reshape(-1).view(np.uint8))


def _filled(out: np.ndarray, decoded: np.ndarray) -> None:
    if decoded.shape != out.shape:
        raise ValueError(f"the decoder returned {decoded.shape[::-1]} pixels, not {out.shape[::-1]}")
    out[...] = decoded


def _libjpeg(data: bytes, out: np.ndarray) -> None:
    import libjpeg  # noqa: PLC0415

    _filled(out, libjpeg.decode(data))


def _pyjpegls(data: bytes, out: np.ndarray) -> None:
    import jpeg_ls  # noqa: PLC0415

    decoded = jpeg_ls.decode_from_buffer(data)
    if len(decoded) != out.nbytes:
        raise ValueError(f"the decoder returned {len(decoded)} bytes, not {out.nbytes}")
    out.reshape(-1).view(np.uint8)[:] = np.frombuffer(decoded, np.uint8)


def _openjpeg(data: bytes, out: np.ndarray) -> None:
    import openjpeg  # noqa: PLC0415

    _filled(out, openjpeg.decode(data))


def _pylibjpeg_rle(data: bytes, out: np.ndarray) -> None:
    from rle.utils import decode_frame  # noqa: PLC0415

    decoded = decode_frame(data, out.size, 8 * out.itemsize, "<")
    if len(decoded) != out.nbytes:
        raise ValueError(f"the decoder returned {len(decoded)} bytes, not {out.nbytes}")
    out.reshape(-1).view(np.uint8)[:] = np.frombuffer(decoded, np.uint8)


@dataclass(frozen=True)
class Decoder:
    """One codec that can decode a family of codestreams.

    Attributes
    ----------
    name : str
        ``package.function`` as shown in diagnostics and benchmarks.
    module : str
        The module that must be importable for the decoder to be offered.
    fill : callable
        ``fill(codestream, out)`` decodes into ``out``, a C-contiguous ``(rows, cols)`` array
        of the codec's integer type.
    """

    name: str
    module: str
    fill: Callable[[bytes, np.ndarray], None]

    @property
    def available(self) -> bool:
        return importlib.util.find_spec(self.module) is not None


#: Decoders per codestream family, fastest first, as measured by ``benchmarks/decoders.py``
#: on 512 x 512 12-bit MR frames (figures in docs/benchmarks.md). pylibjpeg-libjpeg also reads
#: JPEG-LS, at a fifth of CharLS's speed: it is left to pydicom's general path.
CANDIDATES: dict[str, tuple[Decoder, ...]] = {
    "jpeg": (Decoder("imagecodecs.jpeg8_decode", "imagecodecs", _imagecodecs_jpeg8),
             Decoder("pylibjpeg-libjpeg.decode", "libjpeg", _libjpeg)),
    "jpeg-ls": (Decoder("imagecodecs.jpegls_decode", "imagecodecs", _imagecodecs_jpegls),
                Decoder("pyjpegls.decode_from_buffer", "jpeg_ls", _pyjpegls)),
    "jpeg2000": (Decoder("imagecodecs.jpeg2k_decode", "imagecodecs", _imagecodecs_jpeg2k),
                 Decoder("pylibjpeg-openjpeg.decode", "openjpeg", _openjpeg)),
    "htj2k": (Decoder("imagecodecs.htj2k_decode", "imagecodecs", _imagecodecs_htj2k),
              Decoder("pylibjpeg-openjpeg.decode", "openjpeg", _openjpeg)),
    "rle": (Decoder("imagecodecs.dicomrle_decode", "imagecodecs", _imagecodecs_rle),
            Decoder("pylibjpeg-rle.decode_frame", "rle", _pylibjpeg_rle)),
}
_chosen: dict[str, Decoder | None] = {}


def decoder_for(transfer_syntax: str) -> Decoder | None:
    """The fastest installed decoder for a transfer syntax, None when pydicom must decode it."""
    family = FAMILIES.get(transfer_syntax)
    if family is None:
        return None
    if family not in _chosen:
        _chosen[family] = next((d for d in CANDIDATES[family] if d.available), None)
    return _chosen[family]


def pydicom_decodes(syntax: str) -> bool:
    """Whether one of pydicom's installed pixel-data plugins can decode this transfer syntax."""
    try:
        return get_decoder(syntax).is_available
    except NotImplementedError:
        return False


def direct_decoder(image: ImageFile) -> Decoder | None:
    """The decoder for this file's frames, or None when they take pydicom's general path
    (colour, odd bit depths, native data, a syntax no direct decoder reads). A Siemens mosaic
    is decoded whole through :func:`spineviewer.core.pixels.read_frames`, which asks again for
    its stored image."""
    if (image.fragments_offset is None or image.mosaic is not None or image.samples_per_pixel != 1
            or image.photometric not in _MONOCHROME or image.bits_allocated not in (8, 16)):
        return None
    return decoder_for(image.transfer_syntax_uid)


def _shift(values: np.ndarray, bits: int) -> None:
    """Keep the low ``bits`` of each value, sign-extended for a signed type (in place)."""
    shift = 8 * values.itemsize - bits
    if 0 < shift < 8 * values.itemsize:
        np.left_shift(values, shift, out=values)
        np.right_shift(values, shift, out=values)


def decode_codestream(data: bytes, image: ImageFile, out: np.ndarray,
                      decoder: Decoder | None = None) -> None:
    """Decode one frame's codestream into ``out`` as pydicom's ``pixel_array`` would.

    Parameters
    ----------
    data : bytes
        The frame's codestream (its fragments joined).
    image : ImageFile
        The file the frame belongs to (Rows, Columns, bits, PixelRepresentation).
    out : ndarray
        ``(rows, cols)``, C-contiguous, of the stored type (``pixels.stored_dtype``).
    decoder : Decoder, optional
        The codec to use; by default the one :func:`direct_decoder` chooses.

    Raises
    ------
    NeedsGeneralPath
        The codestream disagrees with the header, or needs handling only pydicom has.
    CorruptCodestream
        An RLE frame that does not decode; a JPEG-LS frame without its end marker that does
        not decode.
    Exception
        Whatever the codec raises on a corrupt codestream.
    """
    decoder = decoder or direct_decoder(image)
    family = FAMILIES.get(image.transfer_syntax_uid)
    if decoder is None or family is None:
        raise NeedsGeneralPath("no direct decoder for this file")
    # EOI (T.81 B.2.1, T.87) and EOC (T.800 A.4.4) are both FFD9; fragments may be padded.
    ended = family == "rle" or data.rstrip(b"\x00")[-2:] == b"\xff\xd9"
    if not ended and family == "jpeg-ls":
        data += b"\xff\xd9"  # CharLS fails at once on a cut frame that ends with one
    if family == "rle":
        stream = _rle_header(data, image)
    elif family in ("jpeg2000", "htj2k"):
        stream = _j2k_header(data)
    else:
        stream = _jpeg_header(data)
    if (stream.rows, stream.columns, stream.samples) != (image.rows, image.columns, 1):
        raise NeedsGeneralPath(f"the codestream holds {stream.samples} x {stream.columns} x "
                               f"{stream.rows} samples, the header says 1 x {image.columns} x {image.rows}")
    codec_type = stream.codec_dtype() if family != "rle" else out.dtype
    if codec_type.itemsize > out.itemsize:
        raise NeedsGeneralPath(f"a {stream.precision}-bit codestream in {image.bits_allocated} bits")
    try:
        if codec_type.itemsize == out.itemsize:
            # The same bytes, read as pydicom reads them: with the dataset's signedness.
            decoder.fill(data, out.view(codec_type))
        else:
            narrow = np.empty(out.shape, dtype=codec_type)  # an 8-bit frame in 16 bits: rare
            decoder.fill(data, narrow)
            out[...] = narrow
    except Exception as exc:
        if family == "rle":
            # RLE is fully specified (PS3.5 G.3): a frame the decoder refuses is corrupt, and
            # pydicom's plugins would show it as garbage.
            raise CorruptCodestream(f"its RLE pixel data cannot be decoded (corrupt or cut "
                                    f"short): {exc}") from exc
        if not ended:
            raise CorruptCodestream("its JPEG-LS pixel data cannot be decoded: the codestream "
                                    "ends without its end marker (cut short)") from exc
        raise
    if family == "jpeg2000" or family == "htj2k":
        if stream.signed != bool(image.pixel_representation):
            _shift(out, stream.precision)
    elif family == "jpeg-ls":
        if image.pixel_representation == 1:
            _shift(out, stream.precision)
    elif image.bits_stored < image.bits_allocated:
        _shift(out, image.bits_stored)
