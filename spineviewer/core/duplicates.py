"""Files that claim the same SOP Instance UID: one image, or two images with one name.

A SOP Instance UID names one image for good (PS3.3 C.12.1.1.1). Two files that carry it are
either copies (a study exported twice into one folder) or a fault (a broken anonymizer, a
hand-edited file); either way only the first is loaded, and the others become problems, so
nothing downstream (an SR, an anonymized copy) ever holds two images under one UID.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from spineviewer.core.frames import Frame, ImageFile
from spineviewer.core.pixels import PixelDecodeError, read_frames
from spineviewer.core.problems import Problem, ProblemKind


def _same_pixels(a: ImageFile, b: ImageFile) -> bool:
    if (a.rows, a.columns, a.number_of_frames) != (b.rows, b.columns, b.number_of_frames):
        return False
    indices = list(range(a.number_of_frames))
    try:
        return bool(np.array_equal(read_frames(a, indices), read_frames(b, indices)))
    except PixelDecodeError:
        return False  # what cannot be decoded cannot be shown to be a copy


def drop_duplicates(frames: list[Frame]) -> tuple[list[Frame], list[Problem]]:
    """Keep the first file of each SOP Instance UID; a problem for every other one.

    Parameters
    ----------
    frames : list of Frame
        Frames of every scanned file, in scan order.

    Returns
    -------
    frames : list of Frame
        The frames of the files kept.
    problems : list of Problem
        ``skipped`` for an exact copy (same pixels), ``error`` for a file whose pixels differ
        from the first file's (or cannot be decoded to compare).
    """
    by_uid: dict[str, list[ImageFile]] = defaultdict(list)
    for image in dict.fromkeys(frame.file for frame in frames):
        by_uid[image.sop_instance_uid].append(image)
    dropped: set[int] = set()
    problems = []
    for uid, images in by_uid.items():
        first = images[0]
        for other in images[1:]:
            dropped.add(id(other))
            shown = first.source.display
            if _same_pixels(first, other):
                problems.append(Problem(other.source.display, f"a copy of {shown} (the same "
                                        "SOPInstanceUID and pixels): loaded once", ProblemKind.SKIPPED))
            else:
                problems.append(Problem(other.source.display, f"has the SOPInstanceUID of {shown} "
                                        "but different pixels: not loaded (one of them is wrong)"))
    if not dropped:
        return frames, []
    return [frame for frame in frames if id(frame.file) not in dropped], problems
