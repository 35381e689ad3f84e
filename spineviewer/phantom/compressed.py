"""Compressed copies of phantom images, in every transfer syntax spineviewer decodes.

pydicom's encoder plugins write RLE (pylibjpeg-rle), JPEG-LS (pyjpegls) and JPEG 2000
(pylibjpeg-openjpeg). pydicom has no encoder for the JPEG processes (baseline, extended 12-bit,
lossless 14 and its first-order prediction SV1) nor for HTJ2K: those codestreams come from
imagecodecs (libjpeg-turbo 3 and OpenJPH) and are encapsulated by pydicom
(:func:`pydicom.encaps.encapsulate`). The copies keep every attribute and UID of the original
(the same image in another encoding is the same instance); lossy ones say so (Lossy Image
Compression, PS3.3 C.7.6.1.1.5).

JPEG baseline holds 8 bits: a 12-bit image is written scaled to 0-255 (``stored * 255 //
max``), its window scaled the same way, so the copy is a different image of the same anatomy.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate
from pydicom.uid import (
    UID, HTJ2K, JPEG2000, HTJ2KLossless, HTJ2KLosslessRPCL, JPEG2000Lossless, JPEGBaseline8Bit,
    JPEGExtended12Bit, JPEGLossless, JPEGLosslessSV1, JPEGLSLossless, JPEGLSNearLossless,
    RLELossless,
)


@dataclass(frozen=True)
class Compression:
    """One way of writing a compressed copy.

    Attributes
    ----------
    uid : UID
        The transfer syntax.
    lossless : bool
    encoder : str
        The package that writes the codestream.
    options : dict
        What is passed to it (quality, error bound, predictor).
    """

    uid: UID
    lossless: bool
    encoder: str
    options: dict


#: Every syntax spineviewer reads directly, by short name.
COMPRESSIONS: dict[str, Compression] = {
    "rle": Compression(RLELossless, True, "pylibjpeg", {}),
    "jpeg-ls-lossless": Compression(JPEGLSLossless, True, "pyjpegls", {}),
    "jpeg-ls-near-lossless": Compression(JPEGLSNearLossless, False, "pyjpegls", {"jls_error": 2}),
    "jpeg2000-lossless": Compression(JPEG2000Lossless, True, "pylibjpeg", {}),
    "jpeg2000": Compression(JPEG2000, False, "pylibjpeg", {"j2k_cr": [15]}),
    "jpeg-lossless-sv1": Compression(JPEGLosslessSV1, True, "imagecodecs", {"predictor": 1}),
    "jpeg-lossless": Compression(JPEGLossless, True, "imagecodecs", {"predictor": 6}),
    "jpeg-baseline": Compression(JPEGBaseline8Bit, False, "imagecodecs", {"level": 90}),
    "jpeg-extended-12bit": Compression(JPEGExtended12Bit, False, "imagecodecs", {"level": 90}),
    "htj2k-lossless": Compression(HTJ2KLossless, True, "imagecodecs", {}),
    "htj2k-lossless-rpcl": Compression(HTJ2KLosslessRPCL, True, "imagecodecs", {"tlm": True}),
    "htj2k": Compression(HTJ2K, False, "imagecodecs", {"level": 0.0002}),  # OpenJPH qstep
}


def _imagecodecs_codestream(pixels: np.ndarray, compression: Compression, bits: int) -> bytes:
    import imagecodecs  # noqa: PLC0415 - only needed to write these copies

    uid, options = compression.uid, compression.options
    if uid in (JPEGLossless, JPEGLosslessSV1):
        return imagecodecs.jpeg8_encode(pixels, lossless=True, predictor=options["predictor"],
                                        bitspersample=bits)
    if uid == JPEGBaseline8Bit:
        return imagecodecs.jpeg8_encode(pixels, level=options["level"])
    if uid == JPEGExtended12Bit:
        return imagecodecs.jpeg8_encode(pixels, level=options["level"], bitspersample=12)
    reversible = uid != HTJ2K
    return imagecodecs.htj2k_encode(pixels, level=None if reversible else options["level"],
                                    reversible=reversible, tlm=options.get("tlm"))


def _to_8_bits(ds: Dataset, pixels: np.ndarray) -> np.ndarray:
    peak = max(int(pixels.max()), 1)
    scaled = (pixels.astype(np.uint32) * 255 // peak).astype(np.uint8)
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    for keyword in ("WindowCenter", "WindowWidth"):
        if keyword in ds:
            ds.data_element(keyword).value = round(float(ds.data_element(keyword).value) * 255 / peak, 1)
    return scaled


def compress(ds: Dataset, name: str) -> None:
    """Re-encode a single-frame grey dataset in place with the compression ``name``.

    Raises
    ------
    ValueError
        An unknown name, or an image this writer does not handle (colour, multi-frame,
        more than 16 bits, 12-bit JPEG of a deeper image).
    """
    if name not in COMPRESSIONS:
        raise ValueError(f"unknown compression {name!r}; expected one of {', '.join(COMPRESSIONS)}")
    compression = COMPRESSIONS[name]
    if ds.get("SamplesPerPixel", 1) != 1 or int(ds.get("NumberOfFrames", 1) or 1) != 1:
        raise ValueError("only single-frame grey images are written compressed here")
    pixels = ds.pixel_array
    if compression.uid == JPEGExtended12Bit and ds.BitsStored > 12:
        raise ValueError(f"JPEG Extended holds 12 bits, not the {ds.BitsStored} stored here")
    if compression.encoder in ("pydicom", "pyjpegls", "pylibjpeg"):
        ds.compress(compression.uid, pixels, encoding_plugin=compression.encoder,
                    generate_instance_uid=False, **compression.options)
    else:
        if compression.uid == JPEGBaseline8Bit and ds.BitsStored > 8:
            pixels = _to_8_bits(ds, pixels)
        codestream = _imagecodecs_codestream(np.ascontiguousarray(pixels), compression,
                                             int(ds.BitsStored))
        ds.PixelData = encapsulate([codestream])
        ds["PixelData"].is_undefined_length = True
        ds["PixelData"].VR = "OB"
        ds.file_meta.TransferSyntaxUID = compression.uid
    if not compression.lossless:
        ds.LossyImageCompression = "01"
        ds.LossyImageCompressionMethod = {JPEGBaseline8Bit: "ISO_10918_1", JPEGExtended12Bit: "ISO_10918_1",
                                          JPEGLSNearLossless: "ISO_14495_1", JPEG2000: "ISO_15444_1",
                                          HTJ2K: "ISO_15444_15"}[compression.uid]


def compress_folder(source: Path, target: Path, name: str) -> int:
    """Write a compressed copy of every DICOM file under ``source`` into ``target``, keeping
    the relative paths; other files are copied as they are. Returns the number of images.

    ``target`` is replaced file by file; the source is only read.
    """
    source, target = Path(source), Path(target)
    count = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            ds = pydicom.dcmread(path)
        except pydicom.errors.InvalidDicomError:
            shutil.copyfile(path, out)
            continue
        compress(ds, name)
        ds.save_as(out, enforce_file_format=True)
        count += 1
    return count
