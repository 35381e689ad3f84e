"""Splitting a series' frames into stacks and computing each stack's volume geometry.

Frames go to the same stack when they share orientation, matrix and pixel spacing, lie on the
same in-plane grid (a second station shifts it), and do not repeat a position along the normal.
Slices are ordered by ``dot(IPP, F_row × F_col)`` (DICOM PS3.3 C.7.6.2.1.1), never by
InstanceNumber. Positions are DICOM LPS mm; see :mod:`spineviewer.core.geometry`.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from spineviewer.core.geometry import VolumeGeometry, plane_name, slice_normal
from spineviewer.core.frames import Frame
from spineviewer.core.model import Stack

_ORIENTATION_TOLERANCE = 1e-3
_DUPLICATE_FRACTION = 0.01
_UNEVEN_FRACTION = 0.1


def _cluster(items: list, key, close) -> list[list]:
    """Greedy clustering: each item joins the first cluster whose first member is close."""
    clusters: list[tuple[object, list]] = []
    for item in items:
        value = key(item)
        for reference, members in clusters:
            if close(reference, value):
                members.append(item)
                break
        else:
            clusters.append((value, [item]))
    return [members for _, members in clusters]


def _grid_key(frame: Frame):
    return frame.file.rows, frame.file.columns, frame.pixel_spacing


def _same_orientation(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.max(np.abs(a - b)) < _ORIENTATION_TOLERANCE)


def _in_plane(frame: Frame) -> np.ndarray:
    return np.array([frame.position @ frame.orientation[:3], frame.position @ frame.orientation[3:]])


def _station_tolerance(frames: list[Frame]) -> float:
    spacing = frames[0].pixel_spacing or (1.0, 1.0)
    return max(1.0, 0.5 * max(spacing))


def _split_repeats(frames: list[Frame], normal: np.ndarray, slice_gap: float) -> list[list[Frame]]:
    """Split frames that repeat positions (echoes, time points, b-values) into separate stacks."""
    depth = np.array([frame.position @ normal for frame in frames])
    tolerance = max(1e-3, _DUPLICATE_FRACTION * slice_gap)
    order = np.argsort(depth, kind="stable")
    if len(frames) < 2 or np.min(np.diff(depth[order])) > tolerance:
        return [frames]
    by_variant: dict[tuple, list[Frame]] = defaultdict(list)
    for frame in frames:
        by_variant[frame.variant].append(frame)
    groups = list(by_variant.values())
    if len(groups) > 1 and all(_distinct_positions(g, normal, tolerance) for g in groups):
        return groups
    # No tag tells the repeats apart: the k-th frame at each position goes to stack k.
    ranked: dict[int, list[Frame]] = defaultdict(list)
    slots: list[tuple[float, int]] = []
    for frame in sorted(frames, key=lambda f: (f.instance_number or 0, f.file.source, f.index or 0)):
        d = frame.position @ normal
        matches = [i for i, (value, _) in enumerate(slots) if abs(value - d) <= tolerance]
        if matches:
            value, count = slots[matches[0]]
            slots[matches[0]] = (value, count + 1)
            ranked[count].append(frame)
        else:
            slots.append((d, 1))
            ranked[0].append(frame)
    return [ranked[k] for k in sorted(ranked)]


def _distinct_positions(frames: list[Frame], normal: np.ndarray, tolerance: float) -> bool:
    depth = np.sort([frame.position @ normal for frame in frames])
    return len(depth) < 2 or bool(np.min(np.diff(depth)) > tolerance)


def _typical_gap(frames: list[Frame], normal: np.ndarray) -> float:
    depth = np.unique(np.round([frame.position @ normal for frame in frames], 3))
    if len(depth) < 2:
        return frames[0].slice_thickness or 1.0
    return float(np.median(np.diff(depth)))


def _frame_notes(frames: list[Frame]) -> list[str]:
    return list(dict.fromkeys(note for frame in frames for note in frame.notes))


def _geometric_stack(series_uid: str, frames: list[Frame]) -> Stack:
    orientation = frames[0].orientation
    normal = slice_normal(orientation)
    frames = sorted(frames, key=lambda f: float(f.position @ normal))
    depth = np.array([frame.position @ normal for frame in frames])
    notes = _frame_notes(frames)
    if len(frames) > 1:
        gaps = np.diff(depth)
        gap = float((depth[-1] - depth[0]) / (len(frames) - 1))
        if np.max(np.abs(gaps - gap)) > _UNEVEN_FRACTION * abs(gap):
            notes.append(f"slices are unevenly spaced ({gaps.min():.2f} to {gaps.max():.2f} mm apart)")
    else:
        gap = frames[0].slice_thickness or 1.0
    row_spacing, col_spacing = frames[0].pixel_spacing or (1.0, 1.0)
    direction = np.column_stack([orientation[:3], orientation[3:], normal])
    geometry = VolumeGeometry(
        origin=np.asarray(frames[0].position, dtype=float),
        spacing=np.array([col_spacing, row_spacing, gap]),
        direction=direction,
        size=(frames[0].file.columns, frames[0].file.rows, len(frames)),
    )
    stack = Stack(series_uid, 0, frames, geometry, plane_name(orientation),
                  spacing_known=frames[0].pixel_spacing is not None, notes=notes)
    if not stack.spacing_known:
        stack.notes.append("no PixelSpacing: measurements are in pixels, not mm")
    return stack


def _plain_stack(series_uid: str, frames: list[Frame]) -> Stack:
    frames = sorted(frames, key=lambda f: (f.instance_number or 0, f.file.source, f.index or 0))
    row_spacing, col_spacing = frames[0].pixel_spacing or (1.0, 1.0)
    geometry = VolumeGeometry(
        origin=np.zeros(3), spacing=np.array([col_spacing, row_spacing, 1.0]), direction=np.eye(3),
        size=(frames[0].file.columns, frames[0].file.rows, len(frames)),
    )
    notes = _frame_notes(frames) + ["no ImagePositionPatient/ImageOrientationPatient: shown in file "
                                    "order, no cross-reference"]
    if frames[0].pixel_spacing is None:
        notes.append("no PixelSpacing: measurements are in pixels, not mm")
    return Stack(series_uid, 0, frames, geometry, "unknown",
                 spacing_known=frames[0].pixel_spacing is not None, notes=notes)


def _sample_format(frame: Frame) -> tuple:
    image = frame.file
    return (image.samples_per_pixel, image.bits_allocated, image.photometric)


def _stack_order(stack: Stack) -> tuple:
    """Largest stack first; equal stacks cranial first (a cervical before a thoracic station)."""
    top = float(np.max(stack.slice_positions[:, 2])) if stack.has_geometry else 0.0
    return -len(stack.frames), -round(top, 1), stack.frames[0].instance_number or 0


def build_stacks(series_uid: str, frames: list[Frame]) -> list[Stack]:
    """Split one series' frames into stacks, each ordered along its normal.

    Parameters
    ----------
    series_uid : str
    frames : list of Frame
        Every frame of the series, in any order.

    Returns
    -------
    list of Stack
        Numbered 1..n; the largest stack first so that the series opens on its main volume.
    """
    with_geometry = [f for f in frames if f.has_geometry]
    without = [f for f in frames if not f.has_geometry]
    stacks: list[Stack] = []
    for same_grid in _cluster(with_geometry, lambda f: (_grid_key(f), _sample_format(f)), lambda a, b: a == b):
        for oriented in _cluster(same_grid, lambda f: f.orientation, _same_orientation):
            tolerance = _station_tolerance(oriented)
            stations = _cluster(oriented, _in_plane, lambda a, b: bool(np.max(np.abs(a - b)) <= tolerance))
            for station in stations:
                normal = slice_normal(station[0].orientation)
                gap = _typical_gap(station, normal)
                for part in _split_repeats(station, normal, gap):
                    stacks.append(_geometric_stack(series_uid, part))
    for same_grid in _cluster(without, lambda f: (_grid_key(f), _sample_format(f)), lambda a, b: a == b):
        stacks.append(_plain_stack(series_uid, same_grid))
    stacks.sort(key=_stack_order)
    for number, stack in enumerate(stacks, start=1):
        stack.number = number
    return stacks
