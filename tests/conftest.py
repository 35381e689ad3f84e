"""Shared test fixtures: the real-DICOM corpus (optional), a private user data folder for every
test, and tiny DICOM series writers.

Tests that need ``../shared/dicom-corpus`` skip with a clear reason when it is absent (a user's
clone has no ``../shared``); everything else writes its files into ``tmp_path``.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.sequence import Sequence  # noqa: E402
from pydicom.uid import (  # noqa: E402
    EnhancedMRImageStorage, ExplicitVRLittleEndian, MRImageStorage, generate_uid,
)

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "dicom-corpus"
SAMPLES = REPO / "sample_dicom"


class Panic(BaseException):
    """Stands in for ``pyo3_runtime.PanicException``: a BaseException, not an Exception."""


def panic(*args, **kwargs):
    """A decoder (or any call) that panics as the Rust plugins do."""
    raise Panic("index out of bounds")


@pytest.fixture(autouse=True)
def user_data(tmp_path, monkeypatch) -> Path:
    """``XDG_DATA_HOME`` in ``tmp_path``: annotations saved per user (read-only studies, the
    copies keyed by StudyInstanceUID) never reach the real home folder or another test."""
    folder = tmp_path / "user-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    return folder


@pytest.fixture
def corpus() -> Path:
    """The shared real-DICOM corpus, or a skip when this checkout has none beside it."""
    if not CORPUS.is_dir():
        pytest.skip(f"needs the real-DICOM corpus at {CORPUS} (not present in this checkout)")
    return CORPUS


@pytest.fixture(scope="session")
def tilted_study(tmp_path_factory) -> Path:
    """Phantom case 2 (seed 0) with its axial blocks tilted 15° about left-right (~10 s, once)."""
    from spineviewer.phantom import generate_case

    return generate_case(2, tmp_path_factory.mktemp("tilted"), oblique_deg=15.0)


def write_slice(path: Path, pixels: np.ndarray, *, position, orientation=(1, 0, 0, 0, 1, 0),
                spacing=(0.8, 0.8), series_uid: str, study_uid: str, instance: int = 1,
                description: str = "AX T2", frame_of_reference: str = "1.2.3.4", extra: dict | None = None,
                pixel_spacing: bool = True) -> Path:
    """Write one MR slice as a DICOM file (uint16, explicit VR little endian)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MRImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = MRImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.PatientName, ds.PatientID = "TEST^PATIENT", "TEST001"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    ds.FrameOfReferenceUID = frame_of_reference
    ds.Modality, ds.SeriesDescription, ds.SeriesNumber = "MR", description, 1
    ds.InstanceNumber = instance
    ds.ImagePositionPatient = [float(v) for v in position]
    ds.ImageOrientationPatient = [float(v) for v in orientation]
    if pixel_spacing:
        ds.PixelSpacing = [float(v) for v in spacing]
    ds.SliceThickness = 3.0
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    for keyword, value in (extra or {}).items():
        setattr(ds, keyword, value)
    ds.PixelData = pixels.astype("<u2").tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def write_series(folder: Path, *, n: int = 5, gap: float = 4.0, start=(0.0, 0.0, 0.0),
                 orientation=(1, 0, 0, 0, 1, 0), shape=(8, 10), series_uid: str | None = None,
                 study_uid: str = "1.2.826.0.1.3680043.8.498.1", reverse_numbers: bool = False,
                 prefix: str = "IM", **kwargs) -> list[Path]:
    """Write ``n`` parallel slices ``gap`` mm apart along the orientation's normal."""
    folder.mkdir(parents=True, exist_ok=True)
    series_uid = series_uid or generate_uid()
    normal = np.cross(orientation[:3], orientation[3:])
    paths = []
    for k in range(n):
        pixels = np.full(shape, 100 * (k + 1), dtype=np.uint16)
        pixels[0, 0] = k
        number = n - k if reverse_numbers else k + 1
        paths.append(write_slice(folder / f"{prefix}{k:04d}", pixels,
                                 position=np.asarray(start, float) + k * gap * normal,
                                 orientation=orientation, series_uid=series_uid, study_uid=study_uid,
                                 instance=number, **kwargs))
    return paths


def write_enhanced(path: Path, orientations, positions, *, shape=(6, 12), spacing=(1.5, 1.0),
                   series_uid: str | None = None) -> Path:
    """An Enhanced MR file, one frame per orientation and position (Plane Orientation and Plane
    Position per frame, PS3.3 C.7.6.16.2.3-4), pixel spacing shared; orientations are
    ``(F_row, F_col)`` pairs."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = EnhancedMRImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = EnhancedMRImageStorage, meta.MediaStorageSOPInstanceUID
    ds.PatientName, ds.PatientID = "TEST^PATIENT", "TEST001"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = "1.2.3", series_uid or generate_uid()
    ds.FrameOfReferenceUID = "1.2.3.4"
    ds.Modality, ds.SeriesDescription, ds.SeriesNumber, ds.InstanceNumber = "MR", "SAG T2", 1, 1
    measures = Dataset()
    measures.PixelSpacing = [float(v) for v in spacing]
    measures.SliceThickness = 2.0
    shared = Dataset()
    shared.PixelMeasuresSequence = Sequence([measures])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    frames = []
    for (f_row, f_col), ipp in zip(orientations, positions):
        orientation, position, item = Dataset(), Dataset(), Dataset()
        orientation.ImageOrientationPatient = [float(v) for v in (*f_row, *f_col)]
        position.ImagePositionPatient = [float(v) for v in ipp]
        item.PlaneOrientationSequence = Sequence([orientation])
        item.PlanePositionSequence = Sequence([position])
        frames.append(item)
    ds.PerFrameFunctionalGroupsSequence = Sequence(frames)
    ds.NumberOfFrames = len(frames)
    ds.Rows, ds.Columns = shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.PixelData = np.zeros((len(frames), *shape), "<u2").tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path
