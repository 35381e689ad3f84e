"""The calipers a lesion mask proposes: where its diameters lie, drawn as a reader draws them.

Each caliper lies on the image of its stack nearest the middle of its endpoints; the endpoints
are projected onto that image's plane, so the caliper is shown on that image and measured
there. Lesion masks are made on sagittal series (:func:`~spineviewer.assist.lesion.segment_lesion`
refuses others): a mask proposes its SI and AP calipers; the transverse size, across the
sagittal slices, is known only to the slice spacing and stays with the mask's numbers. A mask
on another plane proposes no caliper (its SI/AP/transverse reading assumes sagittal slices).
"""

from __future__ import annotations

import numpy as np

from spineviewer.core.annotations import Caliper, CaliperRole, Drawing
from spineviewer.core.model import Stack
from spineviewer.core.stack_geometry import slice_plane, stack_geometry
from spineviewer.core.units import Unit

#: Endpoints closer than this once projected are the same point (mm).
_SAME_POINT_MM = 1e-3


def _on_image(stack: Stack, points) -> tuple[list[tuple[float, float, float]], dict]:
    """``points`` projected onto the image of ``stack`` nearest their mean, and that image's
    identity as drawing keywords."""
    points = np.asarray(points, dtype=float)
    index = stack_geometry(stack).nearest(points.mean(axis=0))
    plane = slice_plane(stack, index)
    projected = [tuple(float(v) for v in plane.from_corner_mm(plane.to_corner_mm(p))) for p in points]
    return projected, {"series_instance_uid": stack.series_uid,
                       "sop_instance_uid": stack.frames[index].file.sop_instance_uid,
                       "unit": Unit.of_image(stack.spacing_known)}


def _length(pair) -> float:
    return float(np.linalg.norm(np.subtract(pair[1], pair[0])))


def lesion_calipers(stack: Stack, found) -> list[Drawing]:
    """The SI and AP calipers of a segmented lesion (``found``: a
    :class:`~spineviewer.assist.lesion.LesionSegmentation` or anything with its ``si``, ``ap``
    and ``transverse`` endpoint pairs) on ``stack``. A diameter of one voxel, or one that
    vanishes once projected, proposes no caliper; the mask keeps its numbers."""
    if stack.plane != "sagittal":
        return []
    drawings = []
    for role, pair in ((CaliperRole.SI, found.si), (CaliperRole.AP, found.ap)):
        if pair is None:
            continue
        points, where = _on_image(stack, pair)
        if _length(points) < _SAME_POINT_MM:
            continue
        drawings.append(Caliper(endpoints=(points[0], points[1]), role=role, **where))
    return drawings
