"""Lesion masks as a DICOM Segmentation (SEG), and back.

One binary segment per lesion, labelled ``Lesion N`` and tracked by a UID derived from the study
and the lesion number, category *Morphologically Abnormal Structure*, type *Neoplasm,
Metastatic* (SCT), anatomic region *Spinal cord*. The SEG references the images of the stack
the masks were drawn on (its source images), copies their patient and study attributes (it
must belong to their study, like the SR of :mod:`.sr`), shares their frame of reference, and
holds one frame per source image that carries any lesion (PS3.3 A.51, C.8.20).

Coordinates: a mask is a boolean ``(slice, row, col)`` array on the stack's grid in the stack's
slice order (:class:`spineviewer.core.model.Stack`); each SEG frame is tied to its source image
by SOPInstanceUID (and, for a multi-frame source, its frame number), never by position, so
reading back gives the same voxels on the same grid.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Sequence

import highdicom as hd
import numpy as np
import pydicom
from pydicom.sr.codedict import codes

from spineviewer.core.model import Stack
from spineviewer.core.safe_write import write_atomically
from spineviewer.export.source_header import hashed_uid as _hashed_uid, header_without_site

#: Series number of the SEG series (high, so that it sorts after the images, beside the SR's).
SEG_SERIES_NUMBER = 991
#: Largest SEG file read back, bytes.
MAX_SEG_BYTES = 512 * 1024 * 1024
_LABEL = re.compile(r"^Lesion (\d{1,4})$")


def build_seg(stack: Stack, segments: Sequence[tuple[int, np.ndarray]], *,
              series_description: str = "spineviewer lesion segmentation") -> hd.seg.Segmentation:
    """The SEG of lesion masks on one stack.

    Parameters
    ----------
    stack : Stack
        The stack the masks lie on (its images become the source images).
    segments : sequence of (int, ndarray)
        Lesion number and its boolean mask ``(slices, rows, cols)`` on the stack's grid.
    series_description : str

    Raises
    ------
    ValueError
        When there is no mask, a mask does not fit the stack, is empty, or two masks have the
        same lesion number.
    """
    if not segments:
        raise ValueError("no lesion mask to export")
    numbers = [int(number) for number, _ in segments]
    if len(set(numbers)) != len(numbers) or min(numbers) < 1:
        raise ValueError("every lesion mask needs its own positive lesion number")
    masks = []
    for number, mask in segments:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != stack.shape:
            raise ValueError(f"the mask of lesion {number} is {mask.shape}, the series is "
                             f"{stack.shape} (slices, rows, columns)")
        if not mask.any():
            raise ValueError(f"the mask of lesion {number} is empty")
        masks.append(mask)
    sources = _source_headers(stack)
    pixels = np.stack(masks, axis=-1).astype(np.uint8)
    study_uid = str(sources[0].StudyInstanceUID)
    descriptions = [hd.seg.SegmentDescription(
        segment_number=i + 1, segment_label=f"Lesion {number}",
        segmented_property_category=codes.SCT.MorphologicallyAbnormalStructure,
        segmented_property_type=codes.SCT.NeoplasmMetastatic,
        algorithm_type=hd.seg.SegmentAlgorithmTypeValues.SEMIAUTOMATIC,
        algorithm_identification=hd.AlgorithmIdentificationSequence(
            name="spineviewer assisted lesion segmentation", version="1",
            family=codes.DCM.ArtificialIntelligence),
        tracking_uid=_hashed_uid(f"{study_uid}/lesion/{number}"),
        tracking_id=f"Lesion {number}",
        anatomic_regions=[codes.SCT.SpinalCord])
        for i, number in enumerate(numbers)]
    seg = hd.seg.Segmentation(
        source_images=sources, pixel_array=pixels,
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=descriptions, series_instance_uid=hd.UID(),
        series_number=SEG_SERIES_NUMBER, sop_instance_uid=hd.UID(), instance_number=1,
        manufacturer="spineviewer", manufacturer_model_name="spineviewer",
        software_versions="1", device_serial_number="0",
        series_description=series_description)
    return seg


def write_seg(path, stack: Stack, segments: Sequence[tuple[int, np.ndarray]], *,
              series_description: str = "spineviewer lesion segmentation") -> Path:
    """Build the SEG (:func:`build_seg`) and write it to ``path`` atomically."""
    seg = build_seg(stack, segments, series_description=series_description)
    buffer = io.BytesIO()
    seg.save_as(buffer, enforce_file_format=True)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, buffer.getvalue())
    return path


def read_seg(path, stack: Stack) -> list[tuple[int, np.ndarray]]:
    """The lesion masks of a SEG on the grid of the stack it was made on.

    Returns
    -------
    list of (int, ndarray)
        Lesion number and boolean mask ``(slices, rows, cols)``, in segment order.

    Raises
    ------
    ValueError
        With a one-line reason naming the file: not a readable SEG, not binary, or made on
        other images than this stack's.
    """
    path = Path(path)
    name = path.name
    try:
        if not path.is_file():
            raise ValueError("not a regular file")
        if path.stat().st_size > MAX_SEG_BYTES:
            raise ValueError("larger than a lesion segmentation can be")
        ds = pydicom.dcmread(path)
        if str(ds.get("SOPClassUID", "")) != pydicom.uid.SegmentationStorage:
            raise ValueError("not a DICOM Segmentation")
        seg = hd.seg.Segmentation.from_dataset(ds, copy=False)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    except BaseException as exc:  # a hostile file may break the decoder in any way
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise ValueError(f"{name}: not a readable DICOM Segmentation ({type(exc).__name__})") from None
    return _masks(seg, stack, name)


def _masks(seg: hd.seg.Segmentation, stack: Stack, name: str) -> list[tuple[int, np.ndarray]]:
    if seg.segmentation_type != hd.seg.SegmentationTypeValues.BINARY:
        raise ValueError(f"{name}: not a binary segmentation")
    slot_of = {frame.file.sop_instance_uid: i for i, frame in enumerate(stack.frames)}
    references = _frame_references(seg)
    if not references or any(uid not in slot_of for uid, _ in references):
        raise ValueError(f"{name}: made on other images than those of this series")
    numbers = []
    for number in seg.segment_numbers:
        match = _LABEL.match(str(seg.get_segment_description(number).segment_label))
        numbers.append(int(match.group(1)) if match else int(number))
    pixels = np.asarray(seg.pixel_array)
    if pixels.ndim == 2:
        pixels = pixels[None]
    if pixels.shape[1:] != stack.shape[1:]:
        raise ValueError(f"{name}: its frames are {pixels.shape[1:]}, the images "
                         f"{stack.shape[1:]}")
    masks = np.zeros((len(numbers), *stack.shape), dtype=bool)
    for frame, (uid, segment) in zip(pixels, references):
        masks[seg.segment_numbers.index(segment), slot_of[uid]] |= frame > 0
    return list(zip(numbers, masks))


def _frame_references(seg) -> list[tuple[str, int]]:
    """Per SEG frame: the SOPInstanceUID of its source image and its segment number."""
    # A functional group the frames share (a SEG of one segment names it once) is in the
    # shared groups instead of each frame's (PS3.3 C.7.6.16).
    shared = seg.get("SharedFunctionalGroupsSequence") or [pydicom.Dataset()]
    found = []
    for item in seg.PerFrameFunctionalGroupsSequence:
        derivation = item.get("DerivationImageSequence") or shared[0].DerivationImageSequence
        identification = (item.get("SegmentIdentificationSequence")
                          or shared[0].SegmentIdentificationSequence)
        source = derivation[0].SourceImageSequence[0]
        segment = int(identification[0].ReferencedSegmentNumber)
        found.append((str(source.ReferencedSOPInstanceUID), segment))
    return found


#: Patient and study attributes a SEG must carry (Type 2) and copies from its source images; a
#: source without them (anonymized, or from a toolkit that leaves them out) gives them empty.
_PATIENT_STUDY_TYPE_2 = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate",
                         "StudyTime", "StudyID", "AccessionNumber", "ReferringPhysicianName")


def _source_headers(stack: Stack) -> list[pydicom.Dataset]:
    """The stack's source images, in slice order, without the site's identity."""
    headers = []
    seen = set()
    for frame in stack.frames:
        key = frame.file.sop_instance_uid
        if key in seen:
            raise ValueError("a SEG is written on series of single-frame images; this series "
                             "stores several slices in one file")
        seen.add(key)
        header = header_without_site(frame)
        for keyword in _PATIENT_STUDY_TYPE_2:
            if keyword not in header:
                setattr(header, keyword, None)   # Type 2: present, empty when the source lacks it
        headers.append(header)
    return headers
