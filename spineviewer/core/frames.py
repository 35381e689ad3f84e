"""Image frames: what each 2-D image of a file says about its place in patient space.

A classic file is one frame; an enhanced (multi-frame) file is described frame by frame from its
Per-frame and Shared Functional Groups (PS3.3 C.7.6.16), and a Siemens mosaic tile by tile
(:mod:`spineviewer.core.mosaic`), so all of them enter the model the same way. Positions are
DICOM LPS mm; see :mod:`spineviewer.core.geometry`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pydicom.dataset import Dataset

from spineviewer.core.sources import FileSource
from spineviewer.core.tags import get, integer, number, text, vector


#: Beyond this a rescaled 32-bit value leaves float32's range (about 3e38).
_RESCALE_LIMIT = 1e25


class BadHeader(ValueError):
    """A header value that makes the file unusable; the message is the reason shown."""


@dataclass(frozen=True)
class MosaicLayout:
    """How a Siemens mosaic tiles its slices into one stored image.

    Attributes
    ----------
    count : int
        Slices in the mosaic (NumberOfImagesInMosaic).
    tiles : int
        Tiles per mosaic row and per mosaic column, ``ceil(sqrt(count))``; slice ``k`` is the
        tile at mosaic row ``k // tiles``, mosaic column ``k % tiles``.
    rows, columns : int
        Rows and Columns of the whole stored mosaic.
    """

    count: int
    tiles: int
    rows: int
    columns: int


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
    #: Set for a split Siemens mosaic: ``rows``, ``columns`` and ``number_of_frames`` then describe
    #: its tiles, and the layout the stored image.
    mosaic: MosaicLayout | None = None
    #: Byte offset of the first item (the Basic Offset Table) of encapsulated Pixel Data, None
    #: when native, unknown, or framed by an Extended Offset Table.
    fragments_offset: int | None = None

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
    #: Remarks the stack shows about this frame (a split mosaic, a geometry assumption).
    notes: tuple[str, ...] = ()

    @property
    def has_geometry(self) -> bool:
        return self.position is not None and self.orientation is not None


def _rescale(ds: Dataset, keyword: str, default: float, fallback: Dataset | None = None) -> float:
    """RescaleSlope or RescaleIntercept (PS3.3 C.11.1.1.2): ``default`` when absent.

    Raises
    ------
    BadHeader
        The value is present but not a finite number, or so large that rescaled values overflow
        a float32 volume: every pixel value would be wrong.
    """
    raw = get(ds, keyword)
    if raw is None:
        return default if fallback is None else _rescale(fallback, keyword, default)
    value = number(raw)
    if value is None or abs(value) > _RESCALE_LIMIT:
        shown = "\\".join(map(str, raw)) if isinstance(raw, list) else str(raw)
        raise BadHeader(f"its {keyword} {shown[:40]!r} is not a finite number")
    return value


def _window(ds: Dataset) -> tuple[float, float] | None:
    centre, width = number(get(ds, "WindowCenter")), number(get(ds, "WindowWidth"))
    if centre is None or width is None or width <= 0:
        return None
    return centre, width


def _spacing(ds: Dataset) -> tuple[float, float] | None:
    spacing = vector(get(ds, "PixelSpacing"), 2)
    if spacing is None or np.any(spacing <= 0):
        return None
    return float(spacing[0]), float(spacing[1])


def _classic_variant(ds: Dataset) -> tuple:
    return (
        integer(get(ds, "EchoNumbers")),
        number(get(ds, "EchoTime")),
        integer(get(ds, "TemporalPositionIdentifier")),
        number(get(ds, "TriggerTime")),
        number(get(ds, "DiffusionBValue")),
        integer(get(ds, "AcquisitionNumber")),
    )


def classic_attributes(ds: Dataset) -> dict:
    """The Frame fields of a classic image file, as keyword arguments shared by its frames."""
    slope = _rescale(ds, "RescaleSlope", 1.0) or 1.0
    intercept = _rescale(ds, "RescaleIntercept", 0.0)
    return dict(
        position=vector(get(ds, "ImagePositionPatient"), 3),
        orientation=vector(get(ds, "ImageOrientationPatient"), 6),
        pixel_spacing=_spacing(ds),
        slice_thickness=number(get(ds, "SliceThickness")),
        rescale_slope=slope,
        rescale_intercept=intercept,
        window=_window(ds),
        instance_number=integer(get(ds, "InstanceNumber")),
        variant=_classic_variant(ds),
    )


def classic_frames(image: ImageFile, ds: Dataset) -> list[Frame]:
    common = classic_attributes(ds)
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


def enhanced_frames(image: ImageFile, ds: Dataset) -> list[Frame]:
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
        frame_type = text(item("MRImageFrameTypeSequence"), "FrameType")
        slope = _rescale(transform, "RescaleSlope", 1.0, ds) or 1.0
        intercept = _rescale(transform, "RescaleIntercept", 0.0, ds)
        frames.append(Frame(
            file=image,
            index=index,
            position=vector(get(item("PlanePositionSequence"), "ImagePositionPatient"), 3),
            orientation=vector(get(item("PlaneOrientationSequence"), "ImageOrientationPatient"), 6),
            pixel_spacing=_spacing(measures) or _spacing(ds),
            slice_thickness=number(get(measures, "SliceThickness")),
            rescale_slope=slope,
            rescale_intercept=intercept,
            window=_window(voi) or _window(ds),
            instance_number=index + 1,
            variant=(
                number(get(echo, "EffectiveEchoTime")),
                integer(get(content, "TemporalPositionIndex")),
                number(get(diffusion, "DiffusionBValue")),
                text(content, "StackID"),
                integer(get(content, "FrameAcquisitionNumber")),
                frame_type,
            ),
        ))
    return frames
