"""The fast header scan: one file in, its image frames' metadata out, no pixel data decoded.

Each file is parsed with pydicom up to (not into) its Pixel Data: large values are deferred, so
the scan touches a few kilobytes per file. For native (uncompressed) pixel data the byte offset of
the Pixel Data value is kept, which lets :mod:`spineviewer.core.pixels` read a slice with one
``read`` instead of parsing the file again.

Enhanced (multi-frame) images are described frame by frame from their Per-frame and Shared
Functional Groups (PS3.3 C.7.6.16), and Siemens mosaics tile by tile
(:mod:`spineviewer.core.mosaic`), so they enter the model exactly like classic single-frame
files. Coordinates are DICOM LPS mm; see :mod:`spineviewer.core.geometry`.
"""

from __future__ import annotations

import warnings

import pydicom
from pydicom.dataset import Dataset
from pydicom.pixels import get_decoder
from pydicom.tag import Tag
from pydicom.uid import UID

from spineviewer.core.frames import Frame, ImageFile, classic_frames, enhanced_frames
from spineviewer.core.mosaic import is_mosaic, mosaic_frames
from spineviewer.core.problems import Problem, ProblemKind, describe_exception
from spineviewer.core.sources import FileSource
from spineviewer.core.tags import get, integer, number, text

_PIXEL_DATA = Tag(0x7FE0, 0x0010)
_DEFER_BYTES = 2048
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


def _non_image_reason(sop_class: str, ds: Dataset) -> str | None:
    if sop_class == _DICOMDIR_CLASS or "DirectoryRecordSequence" in ds:
        return "a DICOMDIR index, not an image"
    for prefix, what in _NON_IMAGE_PREFIXES.items():
        if sop_class.startswith(prefix):
            name = UID(sop_class).name if UID(sop_class).is_valid else sop_class
            return f"{what} ({name}), not an image"
    if _PIXEL_DATA not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        return "has no pixel data"
    return None


def _pixel_location(ds: Dataset, transfer_syntax: str) -> tuple[int | None, int | None]:
    raw = ds._dict.get(_PIXEL_DATA)
    if transfer_syntax not in _NATIVE_SYNTAXES:
        return None, None
    if raw is None or not hasattr(raw, "value_tell"):
        return None, None
    if raw.length == 0xFFFFFFFF:
        return None, None
    return raw.value_tell, raw.length


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


def _image_file(source: FileSource, ds: Dataset, sop_class: str) -> ImageFile:
    transfer_syntax = _transfer_syntax(ds)
    offset, length = _pixel_location(ds, transfer_syntax)
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
        rows=int(get(ds, "Rows")),
        columns=int(get(ds, "Columns")),
        bits_allocated=int(get(ds, "BitsAllocated")),
        bits_stored=int(get(ds, "BitsStored") or get(ds, "BitsAllocated")),
        pixel_representation=int(get(ds, "PixelRepresentation") or 0),
        samples_per_pixel=int(get(ds, "SamplesPerPixel") or 1),
        photometric=text(ds, "PhotometricInterpretation") or "MONOCHROME2",
        number_of_frames=max(1, integer(get(ds, "NumberOfFrames")) or 1),
        pixel_offset=offset,
        pixel_length=length,
        little_endian=ds.original_encoding[1] is not False,
        protocol=_protocol_tags(ds),
    )


def _native_length_problem(image: ImageFile, file_size: int | None) -> str | None:
    if image.pixel_offset is None or file_size is None or image.samples_per_pixel != 1:
        return None
    if image.pixel_length == 0:
        return "the Pixel Data element is empty"
    needed = image.frame_bytes * image.number_of_frames
    available = file_size - image.pixel_offset
    if image.bits_allocated >= 8 and available < needed:
        return (f"the file is truncated: its pixel data needs {needed} bytes "
                f"but only {max(available, 0)} are present")
    return None


def _missing_decoder(transfer_syntax: str) -> str | None:
    syntax = UID(transfer_syntax)
    if not syntax.is_compressed:
        return None
    try:
        available = get_decoder(syntax).is_available
    except NotImplementedError:
        available = False
    return None if available else f"no installed decoder can read {syntax.name} pixel data"


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
            warnings.simplefilter("always")
            ds = pydicom.dcmread(fp, defer_size=_DEFER_BYTES, force=force)
            if any("End of file reached" in str(w.message) for w in caught):
                return [], Problem(shown, "the file is truncated (it ends inside an element)")
            sop_class = text(ds, "SOPClassUID") or str(ds.file_meta.get("MediaStorageSOPClassUID", ""))
            reason = _non_image_reason(sop_class, ds)
            if reason:
                kind = ProblemKind.SKIPPED if force is False or len(ds) > 3 else ProblemKind.ERROR
                return [], Problem(shown, reason, kind)
            missing = [k for k in ("Rows", "Columns", "BitsAllocated") if get(ds, k) is None]
            if missing:
                return [], Problem(shown, f"an image without {', '.join(missing)}")
            image = _image_file(source, ds, sop_class)
            enhanced = "PerFrameFunctionalGroupsSequence" in ds or "SharedFunctionalGroupsSequence" in ds
            if enhanced:
                frames = enhanced_frames(image, ds)
            else:
                frames = mosaic_frames(image, ds) if is_mosaic(ds) else classic_frames(image, ds)
            file_size = fp.seek(0, 2)
        problem = _missing_decoder(image.transfer_syntax_uid) or _native_length_problem(image, file_size)
        if problem:
            return [], Problem(shown, problem)
        return frames, None
    except Exception as exc:  # noqa: BLE001 - a bad file must never stop the load
        reason = describe_exception(exc)
        if "truncated" not in reason:
            reason = f"cannot be read as DICOM: {reason}"
        return [], Problem(shown, reason)
