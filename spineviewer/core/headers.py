"""The fast header scan: one file in, its image frames' metadata out, no pixel data decoded.

Each file is parsed with pydicom up to (not into) its Pixel Data: large values are deferred, so
the scan touches a few kilobytes per file. For native (uncompressed) pixel data the byte offset of
the Pixel Data value is kept, which lets :mod:`spineviewer.core.pixels` read a slice with one
``read`` instead of parsing the file again.

Enhanced (multi-frame) images are described frame by frame from their Per-frame and Shared
Functional Groups (PS3.3 C.7.6.16), so they enter the model exactly like classic single-frame
files. Coordinates are DICOM LPS mm; see :mod:`spineviewer.core.geometry`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import warnings

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.pixels import get_decoder
from pydicom.tag import Tag
from pydicom.uid import UID

from spineviewer.core.problems import Problem, ProblemKind, describe_exception
from spineviewer.core.sources import FileSource
from spineviewer.core.tags import get

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


@dataclass(frozen=True, eq=False)
class ImageFile:
    """What one image file says about itself, shared by all of its frames."""

    source: FileSource
    sop_instance_uid: str
    sop_class_uid: str
    transfer_syntax_uid: str
    patient_id: str
    patient_name: str
    patient_birth_date: str
    patient_sex: str
    study_uid: str
    study_date: str
    study_time: str
    study_description: str
    accession_number: str
    series_uid: str
    series_number: int | None
    series_description: str
    modality: str
    frame_of_reference_uid: str
    rows: int
    columns: int
    bits_allocated: int
    bits_stored: int
    pixel_representation: int
    samples_per_pixel: int
    photometric: str
    number_of_frames: int
    #: Byte offset and length of a native Pixel Data value, None when encapsulated or unknown.
    pixel_offset: int | None
    pixel_length: int | None
    little_endian: bool
    #: Tags the hanging protocol reads (contrast, timing, sequence).
    protocol: dict = field(default_factory=dict)

    @property
    def frame_bytes(self) -> int:
        """Bytes of one native frame."""
        return self.rows * self.columns * self.samples_per_pixel * self.bits_allocated // 8


@dataclass(frozen=True, eq=False)
class Frame:
    """One 2-D image: a single-frame file, or one frame of a multi-frame file.

    Attributes
    ----------
    file : ImageFile
    index : int or None
        0-based frame number within a multi-frame file, None for a single-frame file.
    position, orientation : ndarray or None
        ImagePositionPatient (3,) and ImageOrientationPatient (6,), LPS mm; None if absent.
    pixel_spacing : tuple of float or None
        ``(ΔR, ΔC)`` in mm, None if the file gives no physical spacing.
    """

    file: ImageFile
    index: int | None
    position: np.ndarray | None
    orientation: np.ndarray | None
    pixel_spacing: tuple[float, float] | None
    slice_thickness: float | None
    rescale_slope: float
    rescale_intercept: float
    window: tuple[float, float] | None
    instance_number: int | None
    #: Values that tell apart frames sharing a position (echo, time point, b-value ...).
    variant: tuple = ()

    @property
    def has_geometry(self) -> bool:
        return self.position is not None and self.orientation is not None


def _text(ds: Dataset, keyword: str) -> str:
    value = get(ds, keyword, "")
    if isinstance(value, (list, pydicom.multival.MultiValue)):
        return "\\".join(str(v) for v in value)
    return str(value).strip()


def _number(value, default=None):
    try:
        if isinstance(value, (list, tuple, pydicom.multival.MultiValue)):
            value = value[0]
        return float(value)
    except (TypeError, ValueError, IndexError):
        return default


def _integer(value) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _vector(value, length: int) -> np.ndarray | None:
    if isinstance(value, str):
        value = value.split("\\")
    try:
        array = np.array([float(v) for v in value], dtype=float)
    except (TypeError, ValueError):
        return None
    return array if array.shape == (length,) and np.all(np.isfinite(array)) else None


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
        "contrast_agent": _text(ds, "ContrastBolusAgent"),
        "repetition_time": _number(get(ds, "RepetitionTime")),
        "echo_time": _number(get(ds, "EchoTime")),
        "inversion_time": _number(get(ds, "InversionTime")),
        "scanning_sequence": _text(ds, "ScanningSequence"),
        "sequence_name": _text(ds, "SequenceName"),
        "image_type": _text(ds, "ImageType"),
        "body_part": _text(ds, "BodyPartExamined"),
        "protocol_name": _text(ds, "ProtocolName"),
    }
    return {key: value for key, value in tags.items() if value not in ("", None)}


def _image_file(source: FileSource, ds: Dataset, sop_class: str) -> ImageFile:
    transfer_syntax = _transfer_syntax(ds)
    offset, length = _pixel_location(ds, transfer_syntax)
    return ImageFile(
        source=source,
        sop_instance_uid=_text(ds, "SOPInstanceUID") or source.display,
        sop_class_uid=sop_class,
        transfer_syntax_uid=transfer_syntax,
        patient_id=_text(ds, "PatientID"),
        patient_name=_text(ds, "PatientName"),
        patient_birth_date=_text(ds, "PatientBirthDate"),
        patient_sex=_text(ds, "PatientSex"),
        study_uid=_text(ds, "StudyInstanceUID"),
        study_date=_text(ds, "StudyDate"),
        study_time=_text(ds, "StudyTime"),
        study_description=_text(ds, "StudyDescription"),
        accession_number=_text(ds, "AccessionNumber"),
        series_uid=_text(ds, "SeriesInstanceUID"),
        series_number=_integer(get(ds, "SeriesNumber")),
        series_description=_text(ds, "SeriesDescription") or _text(ds, "ProtocolName"),
        modality=_text(ds, "Modality"),
        frame_of_reference_uid=_text(ds, "FrameOfReferenceUID"),
        rows=int(get(ds, "Rows")),
        columns=int(get(ds, "Columns")),
        bits_allocated=int(get(ds, "BitsAllocated")),
        bits_stored=int(get(ds, "BitsStored") or get(ds, "BitsAllocated")),
        pixel_representation=int(get(ds, "PixelRepresentation") or 0),
        samples_per_pixel=int(get(ds, "SamplesPerPixel") or 1),
        photometric=_text(ds, "PhotometricInterpretation") or "MONOCHROME2",
        number_of_frames=max(1, _integer(get(ds, "NumberOfFrames")) or 1),
        pixel_offset=offset,
        pixel_length=length,
        little_endian=ds.original_encoding[1] is not False,
        protocol=_protocol_tags(ds),
    )


def _window(ds: Dataset) -> tuple[float, float] | None:
    centre, width = _number(get(ds, "WindowCenter")), _number(get(ds, "WindowWidth"))
    if centre is None or width is None or width <= 0:
        return None
    return centre, width


def _spacing(ds: Dataset) -> tuple[float, float] | None:
    spacing = _vector(get(ds, "PixelSpacing"), 2)
    if spacing is None or np.any(spacing <= 0):
        return None
    return float(spacing[0]), float(spacing[1])


def _classic_variant(ds: Dataset) -> tuple:
    return (
        _integer(get(ds, "EchoNumbers")),
        _number(get(ds, "EchoTime")),
        _integer(get(ds, "TemporalPositionIdentifier")),
        _number(get(ds, "TriggerTime")),
        _number(get(ds, "DiffusionBValue")),
        _integer(get(ds, "AcquisitionNumber")),
    )


def _classic_frames(image: ImageFile, ds: Dataset) -> list[Frame]:
    slope = _number(get(ds, "RescaleSlope"), 1.0) or 1.0
    intercept = _number(get(ds, "RescaleIntercept"), 0.0)
    common = dict(
        position=_vector(get(ds, "ImagePositionPatient"), 3),
        orientation=_vector(get(ds, "ImageOrientationPatient"), 6),
        pixel_spacing=_spacing(ds),
        slice_thickness=_number(get(ds, "SliceThickness")),
        rescale_slope=slope,
        rescale_intercept=intercept,
        window=_window(ds),
        instance_number=_integer(get(ds, "InstanceNumber")),
        variant=_classic_variant(ds),
    )
    if image.number_of_frames == 1:
        return [Frame(file=image, index=None, **common)]
    # A multi-frame file without functional groups (cine, old multi-frame): frames share geometry.
    return [Frame(file=image, index=i, **common) for i in range(image.number_of_frames)]


def _group_item(per_frame: Dataset | None, shared: Dataset | None, keyword: str) -> Dataset | None:
    for groups in (per_frame, shared):
        if groups is not None:
            sequence = groups.get(keyword)
            if sequence:
                return sequence[0]
    return None


def _enhanced_frames(image: ImageFile, ds: Dataset) -> list[Frame]:
    shared_seq = get(ds, "SharedFunctionalGroupsSequence")
    shared = shared_seq[0] if shared_seq else None
    per_frame_seq = get(ds, "PerFrameFunctionalGroupsSequence") or []
    frames = []
    for index in range(image.number_of_frames):
        own = per_frame_seq[index] if index < len(per_frame_seq) else None

        def item(keyword: str, own=own) -> Dataset:
            return _group_item(own, shared, keyword) or Dataset()

        measures = item("PixelMeasuresSequence")
        transform = item("PixelValueTransformationSequence")
        voi = item("FrameVOILUTSequence")
        content = item("FrameContentSequence")
        echo = item("MREchoSequence")
        diffusion = item("MRDiffusionSequence")
        frame_type = _text(item("MRImageFrameTypeSequence"), "FrameType")
        slope = _number(get(transform, "RescaleSlope"), _number(get(ds, "RescaleSlope"), 1.0)) or 1.0
        intercept = _number(get(transform, "RescaleIntercept"), _number(get(ds, "RescaleIntercept"), 0.0))
        frames.append(Frame(
            file=image,
            index=index,
            position=_vector(get(item("PlanePositionSequence"), "ImagePositionPatient"), 3),
            orientation=_vector(get(item("PlaneOrientationSequence"), "ImageOrientationPatient"), 6),
            pixel_spacing=_spacing(measures) or _spacing(ds),
            slice_thickness=_number(get(measures, "SliceThickness")),
            rescale_slope=slope,
            rescale_intercept=intercept,
            window=_window(voi) or _window(ds),
            instance_number=index + 1,
            variant=(
                _number(get(echo, "EffectiveEchoTime")),
                _integer(get(content, "TemporalPositionIndex")),
                _number(get(diffusion, "DiffusionBValue")),
                _text(content, "StackID"),
                _integer(get(content, "FrameAcquisitionNumber")),
                frame_type,
            ),
        ))
    return frames


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
            sop_class = _text(ds, "SOPClassUID") or str(ds.file_meta.get("MediaStorageSOPClassUID", ""))
            reason = _non_image_reason(sop_class, ds)
            if reason:
                kind = ProblemKind.SKIPPED if force is False or len(ds) > 3 else ProblemKind.ERROR
                return [], Problem(shown, reason, kind)
            missing = [k for k in ("Rows", "Columns", "BitsAllocated") if get(ds, k) is None]
            if missing:
                return [], Problem(shown, f"an image without {', '.join(missing)}")
            image = _image_file(source, ds, sop_class)
            enhanced = "PerFrameFunctionalGroupsSequence" in ds or "SharedFunctionalGroupsSequence" in ds
            frames = _enhanced_frames(image, ds) if enhanced else _classic_frames(image, ds)
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
