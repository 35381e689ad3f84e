"""Checks of one file's declared image sizes and frame geometry, before the file is trusted.

A header can declare anything: NumberOfFrames 2147483647, Rows halved, an orientation of two
zero vectors. Each check here turns such a header into one plain reason, so the file becomes a
:class:`~spineviewer.core.problems.Problem` and the rest of the series still loads. Sizes are
checked before any frame is built, so a lie costs nothing but a few comparisons.

Positions and orientations are DICOM LPS (mm, direction cosines); see
:mod:`spineviewer.core.geometry`.
"""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset
from pydicom.uid import UID

from spineviewer.core.frames import Frame, ImageFile
from spineviewer.core.tags import get

#: BitsAllocated values of pixel data DICOM defines (PS3.5 §8.1.1 and PS3.3 C.7.6.3.1.1).
_BITS_ALLOCATED = (1, 8, 16, 32, 64)
#: An encapsulated frame is at least one fragment: an 8-byte item header (PS3.5 A.4).
_FRAGMENT_HEADER = 8
#: Tolerance on the length of each direction cosine vector and on their dot product.
_UNIT_TOLERANCE = 0.01
#: Farther from the scanner's origin than this (1 km) a position is garbage, not anatomy.
_POSITION_LIMIT_MM = 1e6


def _declared(image: ImageFile) -> str:
    return (f"NumberOfFrames {image.number_of_frames} x Rows {image.rows} x Columns "
            f"{image.columns} x SamplesPerPixel {image.samples_per_pixel} x BitsAllocated "
            f"{image.bits_allocated}")


def _format_problem(image: ImageFile) -> str | None:
    if image.rows < 1 or image.columns < 1:
        return f"Rows {image.rows} x Columns {image.columns} is not an image size"
    if not 1 <= image.bits_allocated <= max(_BITS_ALLOCATED):
        return f"BitsAllocated {image.bits_allocated} is not a size DICOM pixels come in"
    if not 1 <= image.bits_stored <= image.bits_allocated:
        return f"BitsStored {image.bits_stored} does not fit BitsAllocated {image.bits_allocated}"
    if image.samples_per_pixel not in (1, 3):
        return f"SamplesPerPixel {image.samples_per_pixel} is neither 1 (grey) nor 3 (colour)"
    return None


def _frame_count_problem(image: ImageFile, ds: Dataset) -> str | None:
    per_frame = get(ds, "PerFrameFunctionalGroupsSequence")
    if per_frame and len(per_frame) < image.number_of_frames:
        return (f"NumberOfFrames {image.number_of_frames} is more than the "
                f"{len(per_frame)} frames its Per-frame Functional Groups describe")
    return None


def declared_size_problem(image: ImageFile, file_size: int, pixel_start: int, ds: Dataset) -> str | None:
    """Why the declared image sizes cannot be right for this file, or None.

    Parameters
    ----------
    image : ImageFile
    file_size : int
        Bytes in the file (a zip member's declared size).
    pixel_start : int
        Offset of the Pixel Data element (its tag) in the file.
    ds : Dataset
        The parsed header, for the Per-frame Functional Groups.

    Notes
    -----
    Native Pixel Data holds ``ceil(frames x rows x columns x samples x bits / 8)`` bytes,
    padded to an even length (PS3.5 §8.1.1); some writers pad more, but less than a frame. A
    shorter value, or one with room for another whole frame (Rows halved), means a wrong Rows,
    Columns or NumberOfFrames, which would show a wrong image. Encapsulated data holds
    at least one fragment per frame (PS3.5 A.4).
    """
    problem = _format_problem(image) or _frame_count_problem(image, ds)
    if problem:
        return problem
    samples = image.samples_per_pixel
    if image.photometric == "YBR_FULL_422":
        samples = 2  # two luminance values share one pair of chroma values (PS3.3 C.7.6.3.1.2)
    frame_bits = image.rows * image.columns * samples * image.bits_allocated
    needed = -(-image.number_of_frames * frame_bits // 8)
    if image.pixel_offset is not None:
        if image.pixel_length == 0:
            return "the Pixel Data element is empty"
        # Some writers pad the value by a few rows; a whole frame more means the sizes are wrong.
        if not needed <= image.pixel_length < needed + max(frame_bits // 8, 2):
            return (f"its Pixel Data holds {image.pixel_length} bytes but {_declared(image)} "
                    f"need {needed}")
        available = file_size - image.pixel_offset
        if available < needed:
            return (f"the file is truncated: its pixel data needs {needed} bytes "
                    f"but only {max(available, 0)} are present")
    elif UID(image.transfer_syntax_uid).is_encapsulated:
        remaining = max(file_size - pixel_start, 0)
        if image.number_of_frames * _FRAGMENT_HEADER > remaining:
            return (f"NumberOfFrames {image.number_of_frames} cannot fit in the {remaining} bytes "
                    "of encapsulated pixel data left in the file")
    return None


def _orientation_problem(orientation: np.ndarray) -> str | None:
    row, col = orientation[:3], orientation[3:]
    lengths = np.array([np.linalg.norm(row), np.linalg.norm(col)])
    if (np.all(np.isfinite(lengths)) and np.all(np.abs(lengths - 1) <= _UNIT_TOLERANCE)
            and abs(float(row @ col)) <= _UNIT_TOLERANCE):
        return None
    shown = "\\".join(f"{v:.6g}" for v in orientation)
    return (f"its ImageOrientationPatient {shown} is not two perpendicular unit vectors "
            "(no slice direction follows from it)")


def frame_problem(frames: list[Frame]) -> str | None:
    """Why the geometry of a file's frames cannot be used, or None.

    Each ImageOrientationPatient must be two perpendicular unit vectors (PS3.3 C.7.6.2.1.1)
    and each ImagePositionPatient within a kilometre of the origin.
    """
    seen: set[bytes] = set()
    for frame in frames:
        if frame.orientation is not None and frame.orientation.tobytes() not in seen:
            seen.add(frame.orientation.tobytes())
            problem = _orientation_problem(frame.orientation)
            if problem:
                return problem
        if frame.position is not None and np.max(np.abs(frame.position)) > _POSITION_LIMIT_MM:
            shown = "\\".join(f"{v:.6g}" for v in frame.position)
            return f"its ImagePositionPatient {shown} lies more than a kilometre from the origin"
    return None
