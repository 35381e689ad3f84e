"""Writing phantom images as DICOM MR Image Storage files.

One slice per file, with a 128-byte preamble and file meta information (DICOM PS3.10),
MONOCHROME2, 16 bits allocated, 12 bits stored, no rescale (MR). Geometry follows the Image
Plane module (PS3.3 C.7.6.2): ImagePositionPatient is the centre of the first transmitted
pixel, ImageOrientationPatient the row and column direction cosines, in patient LPS mm.

UIDs are deterministic: ``2.25.`` followed by the integer of a name-based (version 5) UUID
of the generator's inputs, so the same seed and options give the same UIDs and files.
"""

from __future__ import annotations

import importlib.util
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import get_encoder
from pydicom.uid import (
    UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEG2000Lossless, JPEGLosslessSV1,
    JPEGLSLossless, MRImageStorage, RLELossless,
)

from spineviewer.phantom.compressed import COMPRESSIONS, compress
from spineviewer.phantom.protocol import SeriesSpec, StackGeometry

_UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://spineviewer/phantom")
IMPLEMENTATION_CLASS_UID = UID(f"2.25.{uuid.uuid5(_UID_NAMESPACE, 'implementation').int}")
IMPLEMENTATION_VERSION_NAME = "SVPHANTOM_1"
CONTRAST_AGENT = "gadoterate meglumine"

_SYNTAXES: dict[str, UID] = {
    "explicit-little-endian": ExplicitVRLittleEndian,
    "implicit-little-endian": ImplicitVRLittleEndian,
    "rle": RLELossless,
    "jpeg-ls-lossless": JPEGLSLossless,
    "jpeg2000-lossless": JPEG2000Lossless,
    "jpeg-lossless": JPEGLosslessSV1,
}
# Compressed syntaxes are written by phantom.compressed, whose fixed encoder per syntax keeps
# the bytes reproducible whatever else is installed. JPEG Lossless is its first-order
# prediction (SV1), the syntax PACS most often store.
_COMPRESSIONS: dict[UID, str] = {
    RLELossless: "rle", JPEGLSLossless: "jpeg-ls-lossless", JPEG2000Lossless: "jpeg2000-lossless",
    JPEGLosslessSV1: "jpeg-lossless-sv1",
}


def _encoder_ready(uid: UID) -> bool:
    if not uid.is_compressed:
        return True
    encoder = COMPRESSIONS[_COMPRESSIONS[uid]].encoder
    if encoder == "imagecodecs":
        return importlib.util.find_spec("imagecodecs") is not None
    try:
        return encoder in get_encoder(uid).available_plugins
    except NotImplementedError:
        return False


#: Transfer syntax names that can be written with the installed encoders.
TRANSFER_SYNTAXES: tuple[str, ...] = tuple(n for n, u in _SYNTAXES.items() if _encoder_ready(u))


def transfer_syntax_uid(name: str) -> UID:
    """The UID of a transfer syntax name, checking that it can be written.

    Raises
    ------
    ValueError
        If the name is unknown or no encoder for it is installed.
    """
    if name not in _SYNTAXES:
        raise ValueError(f"unknown transfer syntax {name!r}; expected one of "
                         f"{', '.join(TRANSFER_SYNTAXES)}")
    if name not in TRANSFER_SYNTAXES:
        raise ValueError(f"transfer syntax {name!r} ({_SYNTAXES[name].name}) cannot be "
                         f"written: no encoder for it is installed; available: "
                         f"{', '.join(TRANSFER_SYNTAXES)}")
    return _SYNTAXES[name]


def deterministic_uid(*parts: str) -> UID:
    """A ``2.25`` UID derived from ``parts`` (same parts, same UID)."""
    return UID(f"2.25.{uuid.uuid5(_UID_NAMESPACE, '/'.join(parts)).int}")


def ds_string(value: float, decimals: int = 4) -> str:
    """Format a number as a Decimal String of at most 16 characters, without ``-0``."""
    text = f"{round(float(value), decimals) + 0.0:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class StudyHeader:
    """Patient and study attributes shared by every file of a study."""

    patient_name: str
    patient_id: str
    patient_sex: str
    patient_age: int
    patient_birth_date: str
    study_uid: str
    frame_of_reference_uid: str
    study_date: str
    study_time: str
    accession: str
    description: str


def clock(start: str, minutes: float) -> str:
    """``HHMMSS`` time ``minutes`` after ``start`` (``HHMMSS``), same day."""
    seconds = int(start[:2]) * 3600 + int(start[2:4]) * 60 + int(start[4:6]) + round(minutes * 60)
    return f"{seconds // 3600:02d}{seconds % 3600 // 60:02d}{seconds % 60:02d}"


def build_image(study: StudyHeader, series: SeriesSpec, series_uid: str, stack: StackGeometry,
                slice_index: int, instance_number: int, sop_uid: str, pixels: np.ndarray,
                window: tuple[float, float]) -> Dataset:
    """The dataset of one image (without file meta).

    Parameters
    ----------
    study : StudyHeader
        Patient and study attributes.
    series : SeriesSpec
        The series (description, contrast, sequence).
    series_uid : str
        SeriesInstanceUID.
    stack : StackGeometry
        The stack holding the slice.
    slice_index : int
        Index of the slice in the stack's acquisition order.
    instance_number : int
        InstanceNumber.
    sop_uid : str
        SOPInstanceUID.
    pixels : ndarray, shape (rows, cols), uint16
        The image.
    window : tuple of float
        WindowCenter and WindowWidth.
    """
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"]
    ds.SOPClassUID = MRImageStorage
    ds.SOPInstanceUID = sop_uid
    series_time = clock(study.study_time, 2.0 + 5.0 * (series.number - 1))
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = study.study_date
    ds.InstanceCreationDate = study.study_date
    ds.StudyTime = study.study_time
    ds.SeriesTime = ds.AcquisitionTime = series_time
    ds.ContentTime = ds.InstanceCreationTime = clock(series_time, 4.0)
    ds.AccessionNumber = study.accession
    ds.Modality = "MR"
    ds.Manufacturer = "spineviewer"
    ds.InstitutionName = "spineviewer phantom"
    ds.ReferringPhysicianName = "PHANTOM^REFERRER"
    ds.StationName = "SVPHANTOM"
    ds.StudyDescription = study.description
    ds.SeriesDescription = ds.ProtocolName = series.description
    ds.ManufacturerModelName = "phantom"
    ds.PatientName = study.patient_name
    ds.PatientID = study.patient_id
    ds.PatientBirthDate = study.patient_birth_date
    ds.PatientSex = study.patient_sex
    ds.PatientAge = f"{study.patient_age:03d}Y"
    ds.BodyPartExamined = "SPINE"
    if series.post_contrast:
        ds.ContrastBolusAgent = CONTRAST_AGENT
        ds.ContrastBolusRoute = "IV"
    _set_acquisition(ds, series, stack)
    ds.StudyInstanceUID = study.study_uid
    ds.SeriesInstanceUID = series_uid
    ds.StudyID = "1"
    ds.SeriesNumber = series.number
    ds.AcquisitionNumber = 1
    ds.InstanceNumber = instance_number
    position = stack.positions[slice_index]
    ds.ImagePositionPatient = [ds_string(c) for c in position]
    ds.ImageOrientationPatient = [ds_string(c, 8) for c in (*stack.f_row, *stack.f_col)]
    ds.FrameOfReferenceUID = study.frame_of_reference_uid
    ds.PositionReferenceIndicator = ""
    ds.SliceLocation = ds_string(float(np.dot(position, stack.normal)))
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = pixels.shape
    ds.PixelSpacing = [ds_string(d, 6) for d in stack.pixel_spacing]
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    ds.WindowCenter = ds_string(window[0], 1)
    ds.WindowWidth = ds_string(window[1], 1)
    ds.PixelData = np.ascontiguousarray(pixels, dtype="<u2").tobytes()
    ds["PixelData"].VR = "OW"
    return ds


def _set_acquisition(ds: Dataset, series: SeriesSpec, stack: StackGeometry) -> None:
    """MR Image module and acquisition attributes (1.5 T turbo spin echo)."""
    seq = series.sequence
    ds.ScanningSequence = "SE"
    ds.SequenceVariant = ["SK", "SP", "OSP"]
    ds.ScanOptions = ""
    ds.MRAcquisitionType = "2D"
    ds.SliceThickness = ds_string(stack.thickness)
    ds.SpacingBetweenSlices = ds_string(stack.spacing)
    ds.RepetitionTime = ds_string(seq.repetition_time)
    ds.EchoTime = ds_string(seq.echo_time)
    ds.EchoTrainLength = seq.echo_train_length
    ds.NumberOfAverages = ds_string(seq.averages)
    ds.ImagingFrequency = "63.87"
    ds.ImagedNucleus = "1H"
    ds.EchoNumbers = 1
    ds.MagneticFieldStrength = "1.5"
    ds.PixelBandwidth = ds_string(seq.pixel_bandwidth)
    ds.FlipAngle = ds_string(seq.flip_angle)
    ds.InPlanePhaseEncodingDirection = "ROW" if stack.plane == "sagittal" else "COL"
    ds.PatientPosition = "HFS"
    ds.SoftwareVersions = "spineviewer phantom 1"


def write_image(ds: Dataset, path: Path, syntax: UID) -> None:
    """Write ``ds`` as a DICOM file with transfer syntax ``syntax``.

    Compressed syntaxes encode the pixel data with a fixed plugin, keeping the
    SOPInstanceUID (the same image in another encoding is the same instance).
    """
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = syntax
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    ds.file_meta = meta
    ds.preamble = b"\x00" * 128
    if syntax.is_compressed:
        meta.TransferSyntaxUID = ExplicitVRLittleEndian  # what PixelData holds until then
        compress(ds, _COMPRESSIONS[syntax])
    ds.save_as(path, implicit_vr=syntax == ImplicitVRLittleEndian, little_endian=True,
               enforce_file_format=True)
