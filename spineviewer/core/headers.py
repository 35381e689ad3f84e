"""The fast header scan: one file in, its image frames' metadata out, no pixel data decoded.

Each file is parsed with pydicom up to (not into) its Pixel Data: large values are deferred, so
the scan touches a few kilobytes per file, and nothing after the Pixel Data (trailing padding) is
parsed. The parse reads at most ``HEADER_LIMIT`` bytes and stops at a zero tag, which no dataset
holds (a run of zeros in place of a header). For native (uncompressed) pixel data the byte offset
of the Pixel Data value is kept, which lets :mod:`spineviewer.core.pixels` read a slice with one
``read`` instead of parsing the file again.

Declared sizes are checked against the file before any frame is built
(:mod:`spineviewer.core.frame_checks`):
NumberOfFrames x Rows x Columns x samples x bits must fit in the Pixel Data actually present.

Enhanced (multi-frame) images are described frame by frame from their Per-frame and Shared
Functional Groups (PS3.3 C.7.6.16), and Siemens mosaics tile by tile
(:mod:`spineviewer.core.mosaic`), so they enter the model exactly like classic single-frame
files. Coordinates are DICOM LPS mm; see :mod:`spineviewer.core.geometry`.
"""

from __future__ import annotations

import warnings
import zlib

import pydicom
from pydicom.dataset import Dataset
from pydicom.filereader import data_element_offset_to_value, read_partial
from pydicom.tag import Tag
from pydicom.uid import UID

from spineviewer.core.codecs import decoder_for, pydicom_decodes
from spineviewer.core.frame_checks import declared_size_problem, frame_problem
from spineviewer.core.frames import BadHeader, Frame, ImageFile, classic_frames, enhanced_frames
from spineviewer.core.mosaic import is_mosaic, mosaic_frames
from spineviewer.core.problems import Problem, ProblemKind, describe_exception
from spineviewer.core.sources import FileSource
from spineviewer.core.tags import get, integer, number, text

_PIXEL_DATA = Tag(0x7FE0, 0x0010)
_PIXEL_TAGS = frozenset({0x7FE00010, 0x7FE00008, 0x7FE00009})
_TRAILING_PADDING = 0xFFFCFFFC
_DEFER_BYTES = 2048
#: The most the header scan reads of one file before its Pixel Data: far above the largest
#: enhanced MR header (a few MB for thousands of frames), far below a padding attack.
HEADER_LIMIT = 32 << 20
#: More than any File Meta Information group holds (a few hundred bytes in practice).
_META_LIMIT = 64 << 10
_DICOMDIR_CLASS = "1.2.840.10008.1.3.10"
#: Transfer syntaxes whose Pixel Data bytes sit unencoded in the file (deflate does not).
_NATIVE_SYNTAXES = {
    pydicom.uid.ExplicitVRLittleEndian, pydicom.uid.ImplicitVRLittleEndian, pydicom.uid.ExplicitVRBigEndian,
}

#: SOP class UID prefixes of objects that are not images a viewer shows (PS3.4 B.5).
_NON_IMAGE_PREFIXES = {
    "1.2.840.10008.5.1.4.1.1.88.": "a structured report",
    "1.2.840.10008.5.1.4.1.1.481.": "a radiotherapy object",
    "1.2.840.10008.5.1.4.1.1.11.": "a presentation state",
    "1.2.840.10008.5.1.4.1.1.9.": "a waveform",
    "1.2.840.10008.5.1.4.1.1.104.": "an encapsulated document",
    "1.2.840.10008.5.1.4.1.1.66": "a raw data, registration or segmentation object",
    "1.2.840.10008.5.1.4.1.1.4.2": "an MR spectroscopy object",
}

_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x89PNG", "a PNG picture"),
    (b"\xff\xd8\xff", "a JPEG picture"),
    (b"GIF8", "a GIF picture"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{", "a JSON or text file"),
)


def _sniff(fp) -> tuple[bool, str | None]:
    """Decide from the first bytes whether to parse: (force, reason-if-not-DICOM)."""
    head = fp.read(132)
    fp.seek(0)
    if len(head) >= 132 and head[128:132] == b"DICM":
        return False, None
    if not head:
        return False, "the file is empty"
    # Files without the 128-byte preamble (ACR-NEMA, some exports) start with a group 0002/0008 tag.
    group_le = int.from_bytes(head[:2], "little")
    group_be = int.from_bytes(head[:2], "big")
    if len(head) >= 8 and (group_le in (0x0002, 0x0008) or group_be in (0x0002, 0x0008)):
        return True, None
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return False, f"not a DICOM file ({what})"
    return False, "not a DICOM file"


def _meta_end(fp) -> int | None:
    """Offset where the dataset starts after a File Meta Information group, None without one."""
    fp.seek(132)
    group_length = fp.read(12)
    fp.seek(0)
    if len(group_length) < 12 or group_length[:6] != b"\x02\x00\x00\x00UL":
        return None
    return 144 + int.from_bytes(group_length[8:12], "little")


def _dataset_start_problem(fp) -> str | None:
    """Why the dataset after the File Meta Information cannot be parsed within bounds, or None.

    pydicom would read zeros there as Command Set elements (group 0000) one by one, up to the
    header limit; a dataset never starts with a zero tag of zero length. A deflated dataset
    (PS3.5 A.5) is inflated whole by pydicom, so it is inflated here first, at most to the
    header limit: a small file must not inflate to gigabytes.
    """
    start = _meta_end(fp)
    if start is None:
        return None
    fp.seek(start)
    first = fp.read(8)
    fp.seek(0)
    if first == bytes(8):
        return "the file holds zeros where its dataset should start"
    meta = fp.read(min(start, _META_LIMIT))
    fp.seek(0)
    if pydicom.uid.DeflatedExplicitVRLittleEndian.encode() not in meta:
        return None
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    fp.seek(start)
    try:
        inflated = inflater.decompress(fp.read(HEADER_LIMIT), HEADER_LIMIT)
    except zlib.error:
        return None  # pydicom reports the broken stream
    finally:
        fp.seek(0)
    if len(inflated) >= HEADER_LIMIT and (inflater.unconsumed_tail or not inflater.eof):
        return f"its deflated dataset inflates past {HEADER_LIMIT / 2**20:g} MB: not read"
    return None


def _non_image_reason(sop_class: str, ds: Dataset, has_pixels: bool) -> str | None:
    if sop_class == _DICOMDIR_CLASS or "DirectoryRecordSequence" in ds:
        return "a DICOMDIR index, not an image"
    for prefix, what in _NON_IMAGE_PREFIXES.items():
        if sop_class.startswith(prefix):
            name = UID(sop_class).name if UID(sop_class).is_valid else sop_class
            return f"{what} ({name}), not an image"
    if not has_pixels:
        return "has no pixel data"
    return None


class _Prefix:
    """The first ``limit`` bytes of a file object: reads stop there as if the file ended."""

    def __init__(self, fp, limit: int):
        self._fp, self._limit = fp, limit

    def read(self, size: int = -1) -> bytes:
        allowed = max(0, self._limit - self._fp.tell())
        return self._fp.read(allowed if size is None or size < 0 else min(size, allowed))

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._fp.seek(offset, whence)

    def tell(self) -> int:
        return self._fp.tell()

    @property
    def exhausted(self) -> bool:
        return self._fp.tell() >= self._limit


class _PixelStop:
    """The parse's stop condition: the pixel data (whose position it records), trailing padding,
    or a zero tag (garbage: a dataset after the meta group never holds group 0000)."""

    def __init__(self):
        self.pixel_tag: int | None = None
        self.vr: str | None = None
        self.length = 0

    def __call__(self, tag, vr, length) -> bool:
        # Called for every top-level element: plain int arithmetic, no Tag comparisons.
        group = tag >> 16
        if group == 0x7FE0 and int(tag) in _PIXEL_TAGS:
            self.pixel_tag, self.vr, self.length = int(tag), vr, length
            return True
        return group == 0 or int(tag) == _TRAILING_PADDING


def _pixel_location(ds: Dataset, stop: _PixelStop, element_start: int,
                    transfer_syntax: str) -> tuple[int | None, int | None]:
    """Offset and length of a native Pixel Data value, (None, None) when encapsulated."""
    if stop.pixel_tag != _PIXEL_DATA or transfer_syntax not in _NATIVE_SYNTAXES:
        return None, None
    if stop.length == 0xFFFFFFFF:
        return None, None
    implicit = bool(ds.original_encoding[0])
    return element_start + data_element_offset_to_value(implicit, stop.vr or "OB"), stop.length


def _fragments_offset(ds: Dataset, stop: _PixelStop, element_start: int,
                      transfer_syntax: str) -> int | None:
    """Offset of the first item of encapsulated Pixel Data (PS3.5 A.4), None otherwise.

    A file with an Extended Offset Table gets None: its frames are found by pydicom."""
    if (stop.pixel_tag != _PIXEL_DATA or stop.length != 0xFFFFFFFF
            or not UID(transfer_syntax).is_encapsulated or "ExtendedOffsetTable" in ds):
        return None
    implicit = bool(ds.original_encoding[0])
    return element_start + data_element_offset_to_value(implicit, stop.vr or "OB")


def _transfer_syntax(ds: Dataset) -> str:
    uid = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    if uid:
        return str(uid)
    implicit, little = ds.original_encoding
    if implicit:
        return pydicom.uid.ImplicitVRLittleEndian
    return pydicom.uid.ExplicitVRLittleEndian if little else pydicom.uid.ExplicitVRBigEndian


def _protocol_tags(ds: Dataset) -> dict:
    tags = {
        "contrast_agent": text(ds, "ContrastBolusAgent"),
        "repetition_time": number(get(ds, "RepetitionTime")),
        "echo_time": number(get(ds, "EchoTime")),
        "inversion_time": number(get(ds, "InversionTime")),
        "scanning_sequence": text(ds, "ScanningSequence"),
        "sequence_name": text(ds, "SequenceName"),
        "image_type": text(ds, "ImageType"),
        "body_part": text(ds, "BodyPartExamined"),
        "protocol_name": text(ds, "ProtocolName"),
    }
    return {key: value for key, value in tags.items() if value not in ("", None)}


def _image_file(source: FileSource, ds: Dataset, sop_class: str,
                location: tuple[int | None, int | None], fragments: int | None) -> ImageFile:
    transfer_syntax = _transfer_syntax(ds)
    offset, length = location
    return ImageFile(
        source=source,
        sop_instance_uid=text(ds, "SOPInstanceUID") or source.display,
        sop_class_uid=sop_class,
        transfer_syntax_uid=transfer_syntax,
        patient_id=text(ds, "PatientID"),
        patient_name=text(ds, "PatientName"),
        patient_birth_date=text(ds, "PatientBirthDate"),
        patient_sex=text(ds, "PatientSex"),
        study_uid=text(ds, "StudyInstanceUID"),
        study_date=text(ds, "StudyDate"),
        study_time=text(ds, "StudyTime"),
        study_description=text(ds, "StudyDescription"),
        accession_number=text(ds, "AccessionNumber"),
        series_uid=text(ds, "SeriesInstanceUID"),
        series_number=integer(get(ds, "SeriesNumber")),
        series_description=text(ds, "SeriesDescription") or text(ds, "ProtocolName"),
        modality=text(ds, "Modality"),
        frame_of_reference_uid=text(ds, "FrameOfReferenceUID"),
        rows=integer(get(ds, "Rows")),
        columns=integer(get(ds, "Columns")),
        bits_allocated=integer(get(ds, "BitsAllocated")),
        bits_stored=integer(get(ds, "BitsStored")) or integer(get(ds, "BitsAllocated")),
        pixel_representation=integer(get(ds, "PixelRepresentation")) or 0,
        samples_per_pixel=integer(get(ds, "SamplesPerPixel")) or 1,
        photometric=text(ds, "PhotometricInterpretation") or "MONOCHROME2",
        number_of_frames=max(1, integer(get(ds, "NumberOfFrames")) or 1),
        pixel_offset=offset,
        pixel_length=length,
        little_endian=ds.original_encoding[1] is not False,
        protocol=_protocol_tags(ds),
        fragments_offset=fragments,
    )


def _missing_decoder(transfer_syntax: str) -> str | None:
    syntax = UID(transfer_syntax)
    if not syntax.is_compressed or decoder_for(transfer_syntax) is not None:
        return None
    return None if pydicom_decodes(syntax) else f"no installed decoder can read {syntax.name} pixel data"


def _parse(fp, force: bool, size: int) -> tuple[Dataset, _PixelStop, int]:
    """Parse up to the pixel data within ``HEADER_LIMIT``: the dataset, where it stopped and
    the offset of the element it stopped at. ``size`` is the file's length: a file that ends
    within the limit needs no bounded reader (most do, and it costs a call per read)."""
    bounded, stop = (_Prefix(fp, HEADER_LIMIT) if size > HEADER_LIMIT else fp), _PixelStop()
    ds = read_partial(bounded, stop_when=stop, defer_size=_DEFER_BYTES, force=force)
    if stop.pixel_tag is None and isinstance(bounded, _Prefix) and bounded.exhausted:
        raise BadHeader(f"its header runs past {HEADER_LIMIT / 2**20:g} MB without reaching "
                        "the pixel data: not read further")
    return ds, stop, fp.tell()


def _frames(image: ImageFile, ds: Dataset) -> list[Frame]:
    if "PerFrameFunctionalGroupsSequence" in ds or "SharedFunctionalGroupsSequence" in ds:
        return enhanced_frames(image, ds)
    return mosaic_frames(image, ds) if is_mosaic(ds) else classic_frames(image, ds)


def read_header(source: FileSource) -> tuple[list[Frame], Problem | None]:
    """Scan one file's header.

    Parameters
    ----------
    source : FileSource

    Returns
    -------
    frames : list of Frame
        One entry per image frame; empty when the file is not a loadable image.
    problem : Problem or None
        Why the file gives no frames (an error, or ``skipped`` for non-images); never raises for a
        bad file.
    """
    shown = source.display
    try:
        with source.open() as fp, warnings.catch_warnings(record=True) as caught:
            force, not_dicom = _sniff(fp)
            if not_dicom:
                return [], Problem(shown, not_dicom, ProblemKind.SKIPPED)
            unbounded = _dataset_start_problem(fp)
            if unbounded:
                return [], Problem(shown, unbounded)
            warnings.simplefilter("always")
            size = source.size()
            ds, stop, element_start = _parse(fp, force, size)
            if any("End of file reached" in str(w.message) for w in caught):
                return [], Problem(shown, "the file is truncated (it ends inside an element)")
            sop_class = text(ds, "SOPClassUID") or str(ds.file_meta.get("MediaStorageSOPClassUID", ""))
            reason = _non_image_reason(sop_class, ds, stop.pixel_tag is not None)
            if reason:
                kind = ProblemKind.SKIPPED if force is False or len(ds) > 3 else ProblemKind.ERROR
                return [], Problem(shown, reason, kind)
            missing = [k for k in ("Rows", "Columns", "BitsAllocated") if integer(get(ds, k)) is None]
            if missing:
                return [], Problem(shown, f"an image without {', '.join(missing)}")
            syntax = _transfer_syntax(ds)
            location = _pixel_location(ds, stop, element_start, syntax)
            fragments = _fragments_offset(ds, stop, element_start, syntax)
            image = _image_file(source, ds, sop_class, location, fragments)
            # Sizes first: a NumberOfFrames of 2**31 must not build two billion frames.
            problem = (_missing_decoder(image.transfer_syntax_uid)
                       or declared_size_problem(image, size, element_start, ds))
            if problem:
                return [], Problem(shown, problem)
            frames = _frames(image, ds)
            problem = frame_problem(frames)
        if problem:
            return [], Problem(shown, problem)
        return frames, None
    except BadHeader as exc:
        return [], Problem(shown, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bad file must never stop the load
        reason = describe_exception(exc)
        if "truncated" not in reason:
            reason = f"cannot be read as DICOM: {reason}"
        return [], Problem(shown, reason)
