"""Which image of a loaded study a SOP Instance UID names, and the plane it lies in.

Points are placed on the image by its :class:`~spineviewer.core.plane.ImagePlane` (DICOM LPS
mm; pixel index, corner-mm and SR SCOORD conventions named there).
"""

from __future__ import annotations

from dataclasses import dataclass

from spineviewer.core.frames import Frame
from spineviewer.core.model import LoadResult, Series, Stack
from spineviewer.core.plane import ImagePlane
from spineviewer.core.stack_geometry import slice_plane


@dataclass(frozen=True)
class LocatedImage:
    """One image of a loaded study, found by its SOP Instance UID."""

    series: Series
    stack: Stack
    index: int

    @property
    def frame(self) -> Frame:
        return self.stack.frames[self.index]

    @property
    def plane(self) -> ImagePlane:
        return slice_plane(self.stack, self.index)


def image_index(result: LoadResult) -> dict[str, LocatedImage]:
    """Every single-frame image of a load result by SOPInstanceUID.

    Frames of a multi-frame file share one SOP Instance UID; they are left out, as an image
    reference without a frame number could not say which frame is meant.
    """
    found: dict[str, LocatedImage] = {}
    for _, _, series in result.iter_series():
        for stack in series.stacks:
            for index, frame in enumerate(stack.frames):
                if frame.index is None:
                    found[frame.file.sop_instance_uid] = LocatedImage(series, stack, index)
    return found
