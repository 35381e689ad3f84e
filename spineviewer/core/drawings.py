"""Drawn annotations: calipers, cord paths, outlines, arrows and text, in patient space.

Coordinates: every point is DICOM LPS (x to the patient's left, y posterior, z superior) in
mm, whatever the plane it was drawn on, so a measurement holds for oblique blocks and relates
sagittal to axial series through their shared FrameOfReferenceUID. A series without
PixelSpacing can only give points scaled in pixels: such a drawing says so with
``unit=Unit.PX`` and everything measured from it is labelled in pixels, never in mm.

Each drawing also stores the SeriesInstanceUID and SOPInstanceUID of the image it was drawn on
(to show it on that image again and to reference it in a DICOM SR) and a unique ``id``.
Drawings are frozen and checked at construction; an invalid one raises ValueError saying why.

A drawing the software proposed (``spineviewer.assist``) has ``proposed=True`` until the reader
accepts it (:mod:`spineviewer.core.proposals`): it is shown in its own style and no
measurement counts it. A :class:`Segmentation` is a lesion mask on the voxel grid of one stack;
the mask itself lives in a file beside the annotation file, named by the SHA-256 of its
content (:mod:`spineviewer.core.masks`), and the drawing holds that hash, the mask's shape, its
voxel count and volume and its centre.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar

import numpy as np

from spineviewer.core.units import Unit
from spineviewer.core.validation import assign, text_value
from spineviewer.core.vocabulary import parse

#: Largest deviation from a right angle between the axes of a bidirectional caliper, degrees.
PERPENDICULAR_TOLERANCE_DEG = 10.0

#: Points closer than this are the same point (mm, or px for pixel drawings).
_SAME_POINT = 1e-3

Point = tuple[float, float, float]


class CaliperRole(str, Enum):
    """What a straight caliper measures on a sagittal post-contrast image."""

    SI = "si"
    AP = "ap"


class Component(str, Enum):
    """Which part of a lesion a path or outline delineates."""

    ENHANCEMENT = "enhancement"
    T2 = "t2"


def new_id() -> str:
    """A fresh unique annotation id (32 hex digits)."""
    return uuid.uuid4().hex


@dataclass(frozen=True, kw_only=True)
class Drawing:
    """Common part of every drawn annotation (the image it was drawn on, its id, its unit)."""

    series_instance_uid: str
    sop_instance_uid: str
    id: str = field(default_factory=new_id)
    unit: Unit = Unit.MM
    proposed: bool = False
    kind: ClassVar[str] = ""

    def __post_init__(self):
        for name in ("series_instance_uid", "sop_instance_uid", "id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{self.kind}: {name} must be a non-empty string, got {value!r}")
        assign(self, "unit", _length_unit(self.unit, self.kind))
        if not isinstance(self.proposed, bool):
            raise ValueError(f"{self.kind}: proposed must be true or false, got {self.proposed!r}")

    @property
    def points(self) -> tuple[Point, ...]:
        """Every point of the drawing, LPS."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class Caliper(Drawing):
    """A straight distance between two points; ``role`` says whether it is the lesion's SI or
    AP size (None: a plain distance that no lesion metric uses)."""

    endpoints: tuple[Point, Point]
    role: CaliperRole | None = None
    kind: ClassVar[str] = "caliper"

    def __post_init__(self):
        super().__post_init__()
        assign(self, "endpoints", _segment(self.endpoints, "a caliper"))
        assign(self, "role", _vocabulary(CaliperRole, self.role, "caliper role"))

    @property
    def points(self) -> tuple[Point, ...]:
        return self.endpoints

    @property
    def length(self) -> float:
        return _distance(*self.endpoints)


@dataclass(frozen=True, kw_only=True)
class Bidirectional(Drawing):
    """An axial caliper pair: the long axis and a short axis perpendicular to it."""

    long_axis: tuple[Point, Point]
    short_axis: tuple[Point, Point]
    kind: ClassVar[str] = "bidirectional"

    def __post_init__(self):
        super().__post_init__()
        assign(self, "long_axis", _segment(self.long_axis, "the long axis of a bidirectional caliper"))
        assign(self, "short_axis", _segment(self.short_axis, "the short axis of a bidirectional caliper"))
        long_dir, short_dir = _direction(self.long_axis), _direction(self.short_axis)
        off = 90.0 - math.degrees(math.acos(min(1.0, abs(float(long_dir @ short_dir)))))
        if off > PERPENDICULAR_TOLERANCE_DEG:
            raise ValueError(f"the axes of a bidirectional caliper must be perpendicular "
                             f"(within {PERPENDICULAR_TOLERANCE_DEG:g} degrees); they are "
                             f"{off:.1f} degrees off")
        if self.short_length > self.long_length * (1 + 1e-9):
            raise ValueError("the short axis of a bidirectional caliper is longer than its long axis; "
                             "swap them")

    @property
    def points(self) -> tuple[Point, ...]:
        return self.long_axis + self.short_axis

    @property
    def long_length(self) -> float:
        return _distance(*self.long_axis)

    @property
    def short_length(self) -> float:
        return _distance(*self.short_axis)


@dataclass(frozen=True, kw_only=True)
class CordPath(Drawing):
    """A polyline following the cord over the longitudinal extent of a lesion component.

    Repeated consecutive vertices (a double click) are dropped; two distinct vertices remain
    at least.
    """

    vertices: tuple[Point, ...]
    role: Component = Component.T2
    kind: ClassVar[str] = "cord-path"

    def __post_init__(self):
        super().__post_init__()
        points = _points(self.vertices, "a cord path")
        kept = [points[0]] + [q for p, q in zip(points, points[1:]) if _distance(p, q) > _SAME_POINT]
        if len(kept) < 2:
            raise ValueError("a cord path needs at least two distinct points")
        assign(self, "vertices", tuple(kept))
        assign(self, "role", _vocabulary(Component, self.role, "cord path role", required=True))

    @property
    def points(self) -> tuple[Point, ...]:
        return self.vertices

    @property
    def length(self) -> float:
        """Length along the polyline (not the chord between its ends)."""
        return float(np.sum(np.linalg.norm(np.diff(np.asarray(self.vertices), axis=0), axis=1)))


@dataclass(frozen=True, kw_only=True)
class Outline(Drawing):
    """A closed polygon drawn on one slice (the last vertex joins the first)."""

    vertices: tuple[Point, ...]
    role: Component = Component.ENHANCEMENT
    kind: ClassVar[str] = "outline"

    def __post_init__(self):
        super().__post_init__()
        assign(self, "vertices", _points(self.vertices, "an outline"))
        if len(self.vertices) < 3:
            raise ValueError("an outline needs at least three points")
        assign(self, "role", _vocabulary(Component, self.role, "outline role", required=True))
        if self.area <= _SAME_POINT ** 2:
            raise ValueError("an outline must enclose an area (its points are on one line)")

    @property
    def points(self) -> tuple[Point, ...]:
        return self.vertices

    @property
    def vector_area(self) -> np.ndarray:
        """Area vector ``½ Σ p_i × p_(i+1)``: its norm is the area, its direction the normal."""
        p = np.asarray(self.vertices)
        return 0.5 * np.sum(np.cross(p, np.roll(p, -1, axis=0)), axis=0)

    @property
    def area(self) -> float:
        """Enclosed area in mm² (px² for pixel drawings)."""
        return float(np.linalg.norm(self.vector_area))


@dataclass(frozen=True, kw_only=True)
class Arrow(Drawing):
    """An arrow from ``tail`` to ``head`` (the head points at the finding), with optional text."""

    tail: Point
    head: Point
    text: str = ""
    kind: ClassVar[str] = "arrow"

    def __post_init__(self):
        super().__post_init__()
        tail, head = _segment((self.tail, self.head), "an arrow")
        assign(self, "tail", tail)
        assign(self, "head", head)
        assign(self, "text", text_value(self.text, "arrow text"))

    @property
    def points(self) -> tuple[Point, ...]:
        return (self.tail, self.head)


@dataclass(frozen=True, kw_only=True)
class TextNote(Drawing):
    """A piece of text anchored at one point."""

    anchor: Point
    text: str
    kind: ClassVar[str] = "text-note"

    def __post_init__(self):
        super().__post_init__()
        assign(self, "anchor", _points((self.anchor,), "a text note")[0])
        assign(self, "text", text_value(self.text, "text note"))
        if not self.text.strip():
            raise ValueError("a text note needs some text")

    @property
    def points(self) -> tuple[Point, ...]:
        return (self.anchor,)


#: Most voxels a mask may have: a 1024 x 1024 x 256 stack, far beyond a spine series, and a
#: bound on what reading a hostile mask file can allocate.
MAX_MASK_VOXELS = 1024 * 1024 * 256

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, kw_only=True)
class Segmentation(Drawing):
    """A lesion component segmented in 3-D on one stack: a mask on its ``(slice, row, col)`` grid.

    ``sop_instance_uid`` is the image of the stack's first slice (the mask's slice 0), which
    with the series names the stack. The mask is stored in a file named by ``mask_sha256``
    (:mod:`spineviewer.core.masks`); ``voxels`` and ``volume`` are its voxel count and its
    volume in patient space (mm3, px3 for a series without PixelSpacing), computed when it was
    stored, so metrics need neither the file nor the images. ``centre`` is the mask's centroid,
    LPS, where the drawing is shown from a list.
    """

    mask_sha256: str
    shape: tuple[int, int, int]
    voxels: int
    volume: float
    centre: Point
    role: Component = Component.ENHANCEMENT
    kind: ClassVar[str] = "segmentation"

    def __post_init__(self):
        super().__post_init__()
        if not isinstance(self.mask_sha256, str) or not _SHA256.match(self.mask_sha256):
            raise ValueError("segmentation: mask_sha256 must be 64 lowercase hex digits")
        shape = tuple(self.shape) if isinstance(self.shape, (tuple, list)) else ()
        if (len(shape) != 3 or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1
                                       for n in shape)):
            raise ValueError(f"segmentation: shape must be three whole numbers (slices, rows, "
                             f"columns) from 1, got {self.shape!r}")
        if math.prod(shape) > MAX_MASK_VOXELS:
            raise ValueError(f"segmentation: a {shape} mask is larger than {MAX_MASK_VOXELS} voxels")
        assign(self, "shape", shape)
        if (isinstance(self.voxels, bool) or not isinstance(self.voxels, int)
                or not 1 <= self.voxels <= math.prod(shape)):
            raise ValueError(f"segmentation: voxels must be a whole number from 1 to the mask's "
                             f"size, got {self.voxels!r}")
        if (isinstance(self.volume, bool) or not isinstance(self.volume, (int, float))
                or not math.isfinite(self.volume) or self.volume <= 0):
            raise ValueError(f"segmentation: volume must be a positive number, got {self.volume!r}")
        assign(self, "volume", float(self.volume))
        assign(self, "centre", _points((self.centre,), "a segmentation")[0])
        assign(self, "role", _vocabulary(Component, self.role, "segmentation role", required=True))

    @property
    def points(self) -> tuple[Point, ...]:
        return (self.centre,)

    @property
    def volume_unit(self) -> Unit:
        """``mm3``, or ``px3`` for a mask on a series without PixelSpacing."""
        return self.unit.volume


#: Every drawing kind by its name in files.
DRAWING_KINDS: dict[str, type[Drawing]] = {
    cls.kind: cls for cls in (Caliper, Bidirectional, CordPath, Outline, Arrow, TextNote, Segmentation)
}



def _length_unit(value, kind: str) -> Unit:
    """The unit of a drawing's points: mm, or px for a series without PixelSpacing."""
    try:
        unit = parse(Unit, value)
    except ValueError:
        unit = None
    if unit is None or not unit.is_length:
        raise ValueError(f"{kind} unit is required: one of mm, px (got {value!r})")
    return unit


def _vocabulary(enum, value, what: str, *, required: bool = False):
    member = parse(enum, value)
    if member is None and required:
        raise ValueError(f"{what} is required: one of {', '.join(m.value for m in enum)}")
    return member



def _points(values, what: str) -> tuple[Point, ...]:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: points must be (x, y, z) triplets of numbers") from None
    if array.ndim != 2 or array.shape[1] != 3 or len(array) == 0:
        raise ValueError(f"{what}: points must be (x, y, z) triplets, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what}: points must be finite numbers")
    return tuple(tuple(float(v) for v in row) for row in array)


def _segment(values, what: str) -> tuple[Point, Point]:
    points = _points(values, what)
    if len(points) != 2:
        raise ValueError(f"{what} needs exactly two points, got {len(points)}")
    if _distance(*points) <= _SAME_POINT:
        raise ValueError(f"{what} needs two distinct points")
    return points


def _direction(segment) -> np.ndarray:
    a, b = np.asarray(segment, dtype=float)
    return (b - a) / np.linalg.norm(b - a)


def _distance(a, b) -> float:
    return float(np.linalg.norm(np.subtract(b, a)))
