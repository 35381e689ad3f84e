"""Segmenting an enhancing cord lesion in 3-D from one click on a sagittal post-contrast series,
and measuring any lesion mask in patient space.

Coordinates: masks are boolean ``(slice, row, col)`` arrays on the stack's own grid, in the
stack's slice order; points are DICOM patient LPS in mm (index <-> LPS through
:func:`spineviewer.core.stack_geometry.stack_geometry`).

How :func:`segment_lesion` works:

1. the spinal canal is followed through the click (:mod:`spineviewer.assist.centreline`); the
   lesion may only grow inside a tube of :data:`TUBE_AP_MM` front and back and
   :data:`TUBE_LATERAL_MM` to either side of its centreline (the cord and its surroundings),
   and a click outside that tube is refused;
2. the intensity model: the *enhancing level* is the 90th percentile within 2 mm of the click
   in its slice (or, when the click falls in a dark centre, the 90th percentile within 5 mm of
   it: a ring); the *background* is normal cord: the 35th percentile of a strip along the
   cord through the click (:func:`_background`). Nothing is proposed when the level is not clearly above the
   background;
3. region growing: the voxels above half-way between background and enhancing level (the
   half-height edge, which keeps the true boundary under partial volume), connected in 3-D to
   the click, inside the tube; a region that reaches the edge of the tube is opened by one
   pixel per slice (thin partial-volume bridges to epidural fat break) and refused if it still
   does (it is the surroundings, not a lesion standing out from the cord);
4. clean-up: a one-pixel closing per slice, then the holes of every slice filled (the
   non-enhancing centre of a ring-enhancing or cystic lesion belongs to the lesion), then 3-D
   holes.

:func:`measure_mask` gives the numbers of any mask: volume (voxels x pixel area x slice
spacing), and the maximal SI, AP and transverse diameters along the lesion's own axes in
patient space (SI the principal in-plane axis nearest head-foot, AP perpendicular to it in the
sagittal plane, transverse across the slices), each with its caliper endpoints placed through
the lesion's centre on the slice holding most of the lesion. A diameter is the extent of the
voxel centres along its axis plus one voxel's extent along it, so it is quantised to the pixel
spacing in-plane and to the slice spacing across slices: on a sagittal series the transverse
size is only known to the slice spacing (3-4 mm).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

from spineviewer.assist.centreline import seeded_view, track_cord
from spineviewer.assist.refusal import AssistRefusal, check_cancel, report_progress
from spineviewer.core.drawings import Point
from spineviewer.core.model import Stack
from spineviewer.core.stack_geometry import stack_geometry

#: The lesion grows at most this far in front of and behind the canal centreline, mm.
TUBE_AP_MM = 15.0
#: ... and this far to either side of it, mm.
TUBE_LATERAL_MM = 12.0
#: Normal cord is sampled at least this far along the cord from the click, mm.
BACKGROUND_AWAY_MM = 25.0
#: Enhancement needed: the level over the background, as a fraction of the background.
MIN_ENHANCEMENT = 0.3
#: A region with more than this share of its voxels on the edge of the tube has leaked.
LEAK_FRACTION = 0.02
#: A lesion extends at most this far along the cord from the click, mm.
REACH_MM = 100.0
#: Radius searched for a ring around a dark click, mm.
RING_RADIUS_MM = 5.0


@dataclass(frozen=True, eq=False)
class LesionSegmentation:
    """A lesion mask and its measurements.

    Attributes
    ----------
    series_instance_uid : str
    mask : ndarray of bool, shape (slices, rows, cols)
        On the stack's grid, in the stack's slice order.
    volume_mm3 : float
    si, ap, transverse : tuple of Point
        Caliper endpoints of the three maximal diameters, LPS mm.
    si_mm, ap_mm, transverse_mm : float
    filled_centre : bool
        True when a non-enhancing centre (ring enhancement, cyst) was included.
    message : str
        One sentence for the reader.
    """

    series_instance_uid: str
    mask: np.ndarray
    volume_mm3: float
    si: tuple[Point, Point]
    ap: tuple[Point, Point]
    transverse: tuple[Point, Point]
    si_mm: float
    ap_mm: float
    transverse_mm: float
    filled_centre: bool
    message: str


def segment_lesion(stack: Stack, seed: Point, *, box: tuple[Point, Point] | None = None,
                   cancel=None, progress=None) -> LesionSegmentation:
    """Segment the enhancing lesion through a click on a sagittal post-contrast stack.

    Parameters
    ----------
    stack : Stack
        A sagittal post-contrast (T1 + gadolinium) stack.
    seed : Point
        A click inside the lesion, LPS mm.
    box : pair of Point, optional
        Two opposite corners (LPS mm) of a box drawn around the lesion on a slice: the
        lesion is kept inside the box's rows and columns (on every slice).
    cancel : threading.Event, optional
    progress : callable, optional
        ``progress(done, total)``.

    Raises
    ------
    AssistRefusal
        When the series is not sagittal, no canal runs at the click, the click lies outside the
        cord and its surroundings, or nothing enhances there.
    """
    report_progress(progress, 0)
    view, seed_view = seeded_view(stack, seed, cancel=cancel)
    geometry = stack_geometry(stack)
    cord = track_cord(view, seed_view, cancel=cancel)
    report_progress(progress, 1)
    tube = _tube(view, cord)
    k, r, c = (int(round(v)) for v in seed_view)
    if not tube[k, r, c]:
        raise AssistRefusal("the click lies outside the spinal cord and its surroundings: "
                            "click inside the enhancing lesion")
    if box is not None:
        tube &= _box_mask(view, geometry, box)
    data = view.volume
    background = _background(data, (k, r, c), view)
    level, ring = _enhancing_level(data, (k, r, c), view)
    if level - background < MIN_ENHANCEMENT * max(background, 1.0):
        raise AssistRefusal("nothing enhances at the click: the signal there is not clearly "
                            "above the cord's")
    threshold = 0.5 * (level + background)
    check_cancel(cancel)
    window = _window(tube, r, view)
    local = (k - window[0].start, r - window[1].start, c - window[2].start)
    region = _grow(data[window], tube[window], threshold, local, ring, view)
    if _leaks(region, tube[window]):
        region = _cut_bridges(region, local)
        if _leaks(region, tube[window]):
            raise AssistRefusal("what enhances at the click does not stand out from its "
                                "surroundings (it runs beyond the cord): outline the lesion by "
                                "hand")
    report_progress(progress, 2)
    grown = _fill(region)
    if ring and not grown[local]:
        raise AssistRefusal("nothing enhances at the click: the signal there is not clearly "
                            "above the cord's, and no enhancing ring surrounds it")
    filled = np.zeros(data.shape, dtype=bool)
    filled[window] = grown
    region_voxels = int(region.sum())
    mask = np.swapaxes(filled, 1, 2) if view.transposed else filled
    result = measure_mask(stack, mask)
    added = int(grown.sum()) - region_voxels
    filled_centre = added > max(3, 0.05 * int(filled.sum()))
    report_progress(progress, 3)
    note = " including its non-enhancing centre" if filled_centre else ""
    return replace(
        result, filled_centre=filled_centre,
        message=(f"enhancing lesion{note}: {result.volume_mm3:.0f} mm3, "
                 f"SI {result.si_mm:.1f} x AP {result.ap_mm:.1f} x transverse "
                 f"{result.transverse_mm:.1f} mm (signal above {threshold:.0f})"))


def measure_mask(stack: Stack, mask: np.ndarray) -> LesionSegmentation:
    """Volume and maximal SI, AP and transverse diameters of a lesion mask, in patient space.

    Parameters
    ----------
    stack : Stack
        The stack whose grid the mask is on.
    mask : ndarray of bool, shape (slices, rows, cols)

    Raises
    ------
    ValueError
        When the mask does not fit the stack or is empty.
    """
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != stack.shape:
        raise ValueError(f"the mask is {mask.shape} but the series is {stack.shape} "
                         "(slices, rows, columns)")
    if not mask.any():
        raise ValueError("the mask is empty")
    geometry = stack_geometry(stack)
    plane = geometry.planes[0]
    d_r, d_c = plane.spacing
    gap = geometry.gap(0, 1.0) if len(geometry) > 1 else geometry.thickness
    index = np.argwhere(mask).astype(float)
    points = geometry.from_index(index)
    volume = float(len(index) * d_r * d_c * gap)
    si_dir, ap_dir, tr_dir = _lesion_axes(points, plane)
    voxel = (plane.row_direction * d_c, plane.column_direction * d_r, plane.normal * gap)
    counts = np.bincount(index[:, 0].astype(int), minlength=mask.shape[0])
    home = int(np.argmax(counts))
    centre = points.mean(axis=0)
    home_plane = geometry.planes[home]
    centre_on = centre - home_plane.distance(centre) * home_plane.normal
    sizes, ends = [], []
    for axis, on_slice in ((si_dir, True), (ap_dir, True), (tr_dir, False)):
        along = points @ axis
        pad = 0.5 * sum(abs(float(v @ axis)) for v in voxel)
        lo, hi = float(along.min()) - pad, float(along.max()) + pad
        base = centre_on if on_slice else centre
        middle = base - float(base @ axis) * axis
        ends.append((_point(middle + lo * axis), _point(middle + hi * axis)))
        sizes.append(hi - lo)
    return LesionSegmentation(
        series_instance_uid=stack.series_uid, mask=mask, volume_mm3=volume,
        si=ends[0], ap=ends[1], transverse=ends[2], si_mm=sizes[0], ap_mm=sizes[1],
        transverse_mm=sizes[2], filled_centre=False,
        message=(f"{volume:.0f} mm3, SI {sizes[0]:.1f} x AP {sizes[1]:.1f} x transverse "
                 f"{sizes[2]:.1f} mm"))


def _lesion_axes(points: np.ndarray, plane) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SI, AP and transverse unit directions of a lesion (LPS).

    Transverse is the slice normal; SI the principal axis of the lesion's points within the
    image plane that lies nearest head-foot (the head-foot direction itself when the lesion is
    about round in-plane); AP completes them.
    """
    normal = plane.normal
    in_plane = points - np.outer(points @ normal, normal)
    centred = in_plane - in_plane.mean(axis=0)
    u, v = plane.row_direction, plane.column_direction
    coords = np.column_stack([centred @ u, centred @ v])
    head = np.array([u[2], v[2]])
    head = head / max(np.linalg.norm(head), 1e-9)
    if len(coords) >= 3:
        values, vectors = np.linalg.eigh(np.cov(coords.T))
        elongation = values[1] / max(values[0], 1e-9)
        choice = vectors[:, np.argmax(np.abs(vectors.T @ head))]
        direction = choice if elongation > 1.2 else head
    else:
        direction = head
    si = direction[0] * u + direction[1] * v
    si = si / np.linalg.norm(si) * (1.0 if si[2] >= 0 else -1.0)
    ap = np.cross(normal, si)
    ap = ap / np.linalg.norm(ap) * (1.0 if ap[1] >= 0 else -1.0)
    transverse = normal * (1.0 if normal[0] >= 0 else -1.0)
    return si, ap, transverse


def _point(values) -> Point:
    return tuple(float(v) for v in values)


def _tube(view, cord) -> np.ndarray:
    """The cord and its surroundings, ``(slice, long, ap)`` of the view."""
    n_slices, n_long, n_ap = view.volume.shape
    index = view.from_stack_index(cord.index)
    tube = np.zeros(view.volume.shape, dtype=bool)
    reach_ap = int(round(TUBE_AP_MM / view.ap_mm))
    lateral = TUBE_LATERAL_MM / max(view.slice_mm, 0.1)
    cols = np.arange(n_ap)
    slices = np.arange(n_slices)
    for k_c, r, c in index:
        row = int(r)
        near_cols = np.abs(cols - c) <= reach_ap
        near_slices = np.abs(slices - k_c) <= lateral
        tube[np.ix_(near_slices, [row], near_cols)] = True
    return tube


def _window(tube: np.ndarray, r: int, view) -> tuple[slice, slice, slice]:
    """The part of the volume a lesion through row ``r`` can occupy: the tube's slices and
    columns, and :data:`REACH_MM` of rows on either side (work stays small on large images)."""
    slices = np.flatnonzero(tube.any(axis=(1, 2)))
    cols = np.flatnonzero(tube.any(axis=(0, 1)))
    reach = int(round(REACH_MM / view.long_mm))
    return (slice(int(slices[0]), int(slices[-1]) + 1),
            slice(max(0, r - reach), min(tube.shape[1], r + reach + 1)),
            slice(int(cols[0]), int(cols[-1]) + 1))


def _box_mask(view, geometry, box) -> np.ndarray:
    corners = view.from_stack_index(geometry.to_index(np.asarray(box, dtype=float)))
    lo = np.floor(corners.min(axis=0)).astype(int)
    hi = np.ceil(corners.max(axis=0)).astype(int)
    keep = np.zeros(view.volume.shape, dtype=bool)
    keep[:, max(0, lo[1]):hi[1] + 1, max(0, lo[2]):hi[2] + 1] = True
    return keep


def _background(data, seed, view) -> float:
    """Signal of normal cord around the lesion: the 35th percentile, on the click's slice, of
    a strip 6 mm wide and 50 mm long along the cord through the click (mostly cord; the
    lesion is brighter, the CSF at its edges darker)."""
    k, r, c = seed
    rows = int(round(BACKGROUND_AWAY_MM / view.long_mm))
    cols = max(1, int(round(3.0 / view.ap_mm)))
    strip = data[k, max(0, r - rows): r + rows + 1, max(0, c - cols): c + cols + 1]
    return float(np.percentile(strip, 35))


def _enhancing_level(data, seed, view) -> tuple[float, bool]:
    """Enhancing level at the click and whether it comes from a ring around a dark centre.

    The level is the 90th percentile within 2 mm of the click in its slice (a click near the
    lesion's edge still gets the lesion's own level); when the 3 x 3 pixels at the click are
    darker than three quarters of the 90th percentile within 5 mm, the click is in a dark
    centre and that percentile (the ring) is the level.
    """
    k, r, c = seed
    patch = data[k, max(0, r - 1): r + 2, max(0, c - 1): c + 2]
    here = float(np.median(patch))
    ring = float(np.percentile(_disk(data[k], r, c, RING_RADIUS_MM, view), 90))
    if here >= 0.75 * ring:
        return float(np.percentile(_disk(data[k], r, c, 2.0, view), 90)), False
    return ring, True


def _disk(image, r: int, c: int, radius_mm: float, view) -> np.ndarray:
    """Pixels of ``image`` within ``radius_mm`` of ``(r, c)``."""
    rr = int(np.ceil(radius_mm / view.long_mm))
    cc = int(np.ceil(radius_mm / view.ap_mm))
    rows = np.arange(max(0, r - rr), min(image.shape[0], r + rr + 1))
    cols = np.arange(max(0, c - cc), min(image.shape[1], c + cc + 1))
    inside = (((rows[:, None] - r) * view.long_mm) ** 2
              + ((cols[None, :] - c) * view.ap_mm) ** 2) <= radius_mm ** 2
    return image[np.ix_(rows, cols)][inside]


def _grow(data, tube, threshold, seed, ring: bool, view) -> np.ndarray:
    """Voxels above ``threshold`` inside the tube connected to the click (or, for a ring, to
    the bright voxels nearest the click in its slice)."""
    above = (data > threshold) & tube
    labels, count = ndimage.label(above)
    k, r, c = seed
    if not ring and labels[k, r, c]:
        return labels == labels[k, r, c]
    near = np.argwhere(labels[k] > 0)
    if near.size == 0:
        raise AssistRefusal("nothing enhances at the click: the signal there is not clearly "
                            "above the cord's")
    scale = np.array([view.long_mm, view.ap_mm])
    distance = np.linalg.norm((near - [r, c]) * scale, axis=1)
    nearest = near[np.argmin(distance)]
    if distance.min() > RING_RADIUS_MM:
        raise AssistRefusal("nothing enhances at the click: the signal there is not clearly "
                            "above the cord's")
    return labels == labels[k, nearest[0], nearest[1]]


def _leaks(region: np.ndarray, tube: np.ndarray) -> bool:
    """True when the region runs into the edge of the search tube: what was grown is not a
    lesion standing out from the cord but the surroundings (no contrast, a bright neighbour)."""
    edge = tube & ~ndimage.binary_erosion(tube, ndimage.generate_binary_structure(3, 1))
    touching = np.count_nonzero(region & edge)
    return touching > max(5, LEAK_FRACTION * np.count_nonzero(region))


def _cut_bridges(region: np.ndarray, seed) -> np.ndarray:
    """The region opened by one pixel in every slice (thin partial-volume bridges to a bright
    neighbour such as epidural fat break), the part connected to the click (or, when the click
    itself went, the largest part within its slice's reach)."""
    cross = ndimage.generate_binary_structure(2, 1)
    opened = np.stack([ndimage.binary_opening(part, cross) for part in region])
    labels, count = ndimage.label(opened)
    if count == 0:
        return opened
    chosen = labels[seed]
    if chosen == 0:
        sizes = np.bincount(labels[seed[0]].ravel(), minlength=count + 1)
        sizes[0] = 0
        chosen = int(np.argmax(sizes)) if sizes.any() else 0
    return labels == chosen if chosen else opened


def _fill(region: np.ndarray) -> np.ndarray:
    """Close by one pixel and fill the holes of every slice, then 3-D holes."""
    closed = np.empty_like(region)
    cross = ndimage.generate_binary_structure(2, 1)
    for k in range(region.shape[0]):
        closed[k] = ndimage.binary_fill_holes(
            ndimage.binary_closing(region[k], cross) | region[k])
    return ndimage.binary_fill_holes(closed)
