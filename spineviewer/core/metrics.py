"""ISCM metrics of a lesion and a patient, computed from the drawings and the vertebral levels.

Coordinates are DICOM LPS mm (x left, y posterior, z superior); lengths are Euclidean in
patient space, so they hold for oblique blocks. A drawing made on a series without
PixelSpacing is in pixels (``Unit.PX``): what is measured from it is labelled ``px`` and
never compared with, or reported as, mm.

Definitions (the ISCM case series and DESIGN.md):

- ``ap``: the larger of the sagittal AP caliper and the AP axis of the axial bidirectional
  caliper (the axis closer to the patient's y direction); ``transverse``: the other axial axis;
  ``si``: the sagittal SI caliper. Several drawings of one kind give their maximum, as the
  series reports maximal sizes.
- Enhancing extent: the longest enhancement cord path, else the longest SI caliper.
  T2 extent: the longest T2 cord path. An extent's top and bottom are its most cranial and
  most caudal level coordinates; ``segments`` counts it by the study's
  :class:`~spineviewer.core.levels.SegmentRule` (the length in segments rounded half up, at
  least one, by default; or the levels touched), ``levels_touched`` always counts the levels
  it touches, ``segments_fractional`` is the difference of the coordinates, and the length is
  measured along the drawing (a path's polyline, not its chord).
- ``t2_enhancement_ratio`` = T2 segments / enhancement segments, by the study's rule;
  ``t2_enhancement_ratio_mm`` = T2 length / enhancement length, both in mm.
- Location from the enhancing extent (see :func:`suggest_location`), unless the reader chose
  one (``LesionFindings.location_override``).
- ``volume``: from the lesion's accepted enhancement segmentation (its mask's volume in patient
  space; the largest when there are several), else from enhancement outlines on two or more
  parallel slices, each slice standing for a slab as thick as the distance to its neighbours
  (Cavalieri).

Proposals are never measured: a drawing, disc or conus tip marked proposed
(:mod:`spineviewer.core.proposals`) counts only once the reader accepts it, so the CSV tables
and the DICOM SR, which read these metrics, hold the reader's values only.

Each value records the drawings the rules above chose (:attr:`Measurement.sources`): the
largest caliper, the longest path, the enhancement outlines of the volume. Views select
drawings by those ids and never re-apply the rules. A missing drawing or missing levels leave
the dependent values None; nothing raises.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from spineviewer.core.annotations import (
    Bidirectional, Caliper, CaliperRole, Component, CordPath, Lesion, Outline, Segmentation,
    StudyAnnotations,
)
from spineviewer.core.levels import L1_INDEX, T1_INDEX, Extent, SegmentRule, VertebralLevels
from spineviewer.core.measurement import Measurement, measured, measured_row, measurements_of
from spineviewer.core.units import Unit
from spineviewer.core.vocabulary import Location, Multiplicity

#: Length of the conus zone above the conus tip marker, mm.
CONUS_ZONE_MM = 30.0

#: Outlines whose normals differ by more than this are not on parallel slices, degrees.
_PARALLEL_DEG = 5.0


@dataclass(frozen=True)
class LesionMetrics:
    """Every metric of one lesion; a value is None when its inputs are missing.

    Each measured field holds a :class:`Measurement` of the field's name; its table column is
    the name with the unit of a study measured in mm (:func:`~.measurement.measured_columns`).
    """

    lesion_id: int
    ap: Measurement | None = measured(Unit.MM)
    transverse: Measurement | None = measured(Unit.MM)
    si: Measurement | None = measured(Unit.MM)
    enhancement_length: Measurement | None = measured(Unit.MM)
    enhancement_segments: Measurement | None = measured(Unit.SEGMENTS)
    enhancement_segments_fractional: Measurement | None = measured(Unit.SEGMENTS)
    t2_length: Measurement | None = measured(Unit.MM)
    t2_segments: Measurement | None = measured(Unit.SEGMENTS)
    t2_segments_fractional: Measurement | None = measured(Unit.SEGMENTS)
    t2_enhancement_ratio: Measurement | None = measured(Unit.RATIO)
    t2_enhancement_ratio_mm: Measurement | None = measured(Unit.RATIO)
    volume: Measurement | None = measured(Unit.MM3)
    enhancement_levels_touched: Measurement | None = measured(Unit.SEGMENTS)
    t2_levels_touched: Measurement | None = measured(Unit.SEGMENTS)
    level_top: str | None = None
    level_bottom: str | None = None
    location_suggested: Location | None = None
    location: Location | None = None

    def measurements(self) -> list[Measurement]:
        """The measured values that are available, in field order."""
        return measurements_of(self)

    def as_row(self) -> dict:
        """A tidy row: ``lesion_id``, levels, location, and one key per available measurement
        (its :attr:`Measurement.key`, e.g. ``ap_mm``)."""
        row = {"lesion_id": self.lesion_id, "level_top": self.level_top,
               "level_bottom": self.level_bottom,
               "location": self.location.value if self.location else None}
        row.update(measured_row(self))
        return row


@dataclass(frozen=True)
class PatientMetrics:
    """Per-patient values: the lesion count and multiplicity, the longest T2 extent and the
    intervals from the primary tumour's diagnosis (negative when the ISCM came first)."""

    n_lesions: int
    multiplicity: Multiplicity | None
    primary_to_presentation: Measurement | None = measured(Unit.YEARS)
    primary_to_diagnosis: Measurement | None = measured(Unit.YEARS)
    max_t2_segments: Measurement | None = measured(Unit.SEGMENTS)
    lesions: tuple[LesionMetrics, ...] = ()

    def measurements(self) -> list[Measurement]:
        """The measured values that are available, in field order."""
        return measurements_of(self)

    def as_row(self) -> dict:
        """A tidy row: ``n_lesions``, ``multiplicity`` and one key per available measurement
        (``primary_to_presentation_years``, ``max_t2_segments``)."""
        row = {"n_lesions": self.n_lesions,
               "multiplicity": self.multiplicity.value if self.multiplicity else None}
        row.update(measured_row(self))
        return row


def lesion_metrics(lesion: Lesion, levels: VertebralLevels | None, *,
                   conus_zone_mm: float = CONUS_ZONE_MM,
                   segment_rule: SegmentRule = SegmentRule.SPAN) -> LesionMetrics:
    """The metrics of one lesion.

    Parameters
    ----------
    lesion : Lesion
        Its drawings (LPS mm, or px) and findings.
    levels : VertebralLevels or None
        Needed for segments, levels and location (at least two discs).
    conus_zone_mm : float, keyword-only
        Length of cord above the conus tip marker that counts as conus, mm.
    segment_rule : SegmentRule, keyword-only
        How ``*_segments`` and the ratio count an extent (the study's rule).

    Proposed drawings and proposed discs are left out (they count once accepted).
    """
    values: dict = {}
    lesion = Lesion(lesion.lesion_id, tuple(d for d in lesion.annotations if not d.proposed),
                    lesion.findings, lesion.not_assessable)
    levels = None if levels is None else levels.accepted()
    ap = [_caliper(c) for c in lesion.of_kind(Caliper) if c.role is CaliperRole.AP]
    si = [_caliper(c) for c in lesion.of_kind(Caliper) if c.role is CaliperRole.SI]
    axial = [(b, *axial_sizes(b)) for b in lesion.of_kind(Bidirectional)]
    values["ap"] = _largest("ap", ap + [(a, unit, b.id) for b, a, _, unit in axial])
    values["transverse"] = _largest("transverse", [(t, unit, b.id) for b, _, t, unit in axial])
    values["si"] = _largest("si", si)

    paths = lesion.of_kind(CordPath)
    enhancing = _longest([p for p in paths if p.role is Component.ENHANCEMENT]) or _longest(
        [c for c in lesion.of_kind(Caliper) if c.role is CaliperRole.SI])
    t2 = _longest([p for p in paths if p.role is Component.T2])
    enhancing_extent = drawing_extent(enhancing, levels)
    t2_extent = drawing_extent(t2, levels)
    values.update(_extent_values("enhancement", enhancing, enhancing_extent, segment_rule))
    values.update(_extent_values("t2", t2, t2_extent, segment_rule))

    both = () if enhancing is None or t2 is None else (t2.id, enhancing.id)
    if enhancing_extent and t2_extent:
        values["t2_enhancement_ratio"] = Measurement(
            "t2_enhancement_ratio",
            t2_extent.segments(segment_rule) / enhancing_extent.segments(segment_rule), Unit.RATIO, both)
    if enhancing and t2 and enhancing.unit is Unit.MM and t2.unit is Unit.MM:
        values["t2_enhancement_ratio_mm"] = Measurement(
            "t2_enhancement_ratio_mm", t2.length / enhancing.length, Unit.RATIO, both)
    if enhancing_extent:
        values["level_top"] = enhancing_extent.level_top
        values["level_bottom"] = enhancing_extent.level_bottom
        in_mm = enhancing.unit is Unit.MM
        zone_top = conus_zone_start(levels, zone_mm=conus_zone_mm if in_mm else None)
        values["location_suggested"] = suggest_location(enhancing_extent, zone_top)
    values["volume"] = mask_volume(lesion.of_kind(Segmentation)) or outline_volume(lesion.of_kind(Outline))
    values["location"] = lesion.findings.location_override or values.get("location_suggested")
    return LesionMetrics(lesion.lesion_id, **values)


def patient_metrics(study: StudyAnnotations, *, conus_zone_mm: float = CONUS_ZONE_MM) -> PatientMetrics:
    """Per-patient metrics of a study, with the metrics of each of its lesions (one per lesion,
    in lesion order; proposals are left out, by :func:`lesion_metrics`, which alone reads the
    drawings and levels)."""
    lesions = tuple(lesion_metrics(l, study.levels, conus_zone_mm=conus_zone_mm,
                                   segment_rule=study.segment_rule)
                    for l in study.lesions)
    n = len(lesions)
    multiplicity = None if n == 0 else Multiplicity.SOLITARY if n == 1 else Multiplicity.MULTIPLE
    t2 = [m.t2_segments for m in lesions if m.t2_segments is not None]
    longest = max(t2, key=lambda m: m.value, default=None)
    patient = study.patient
    return PatientMetrics(
        n_lesions=n, multiplicity=multiplicity,
        max_t2_segments=None if longest is None else Measurement(
            "max_t2_segments", longest.value, Unit.SEGMENTS, longest.sources),
        primary_to_presentation=_years("primary_to_presentation", patient.primary_diagnosis_date,
                                       patient.iscm_presentation_date),
        primary_to_diagnosis=_years("primary_to_diagnosis", patient.primary_diagnosis_date,
                                    patient.iscm_diagnosis_date),
        lesions=lesions,
    )


def axial_sizes(bidirectional: Bidirectional) -> tuple[float, float, Unit]:
    """``(ap, transverse, unit)`` of an axial bidirectional caliper.

    The AP axis is the one whose direction has the larger component along the patient's y
    (posterior) axis; at exactly 45 degrees the long axis counts as transverse (the cord is
    wider than it is deep).
    """
    def y_share(axis):
        a, b = np.asarray(axis)
        return abs((b - a)[1]) / np.linalg.norm(b - a)

    long_is_ap = y_share(bidirectional.long_axis) > y_share(bidirectional.short_axis)
    lengths = (bidirectional.long_length, bidirectional.short_length)
    ap, transverse = lengths if long_is_ap else lengths[::-1]
    return ap, transverse, bidirectional.unit


def conus_zone_start(levels: VertebralLevels, *, zone_mm: float | None = CONUS_ZONE_MM) -> float:
    """Level coordinate where the conus zone begins.

    With a conus tip marker, the zone is the cord within ``zone_mm`` above the tip, measured
    along the spine axis through the discs (level by level with each level's height). Without
    a marker, or with ``zone_mm=None`` (drawings in pixels, where mm cannot be measured), it
    begins at the T12-L1 disc. Everything caudal to the start counts as conus zone.
    """
    if levels.conus_tip is None or zone_mm is None or not levels.is_usable:
        return float(L1_INDEX)
    s = levels.coordinate(levels.conus_tip)
    if not math.isfinite(s):
        return float(L1_INDEX)
    remaining = float(zone_mm)
    while remaining > 1e-9:
        level = math.ceil(s) - 1
        height = levels.level_height(level)
        if height <= 0:
            return float(L1_INDEX)
        room = (s - level) * height
        if remaining <= room:
            return s - remaining / height
        remaining -= room
        s = float(level)
    return s


def suggest_location(extent: Extent, conus_zone_top: float) -> Location | None:
    """Location category of an enhancing extent.

    ``cervical`` touches only C1-C7, ``thoracic`` only T1 and below above the conus zone,
    ``cervicothoracic`` both; ``conus`` lies in the conus zone only, ``thoracic-conus``
    touches the thoracic cord and the conus zone. An extent that touches the cervical cord
    and the conus zone fits no category: None (the reader chooses).
    """
    cervical = extent.s_top < T1_INDEX
    thoracic = extent.s_bottom >= T1_INDEX and extent.s_top < conus_zone_top
    conus = extent.s_bottom >= conus_zone_top
    if conus:
        if cervical:
            return None
        return Location.THORACIC_CONUS if thoracic else Location.CONUS
    if cervical:
        return Location.CERVICOTHORACIC if thoracic else Location.CERVICAL
    return Location.THORACIC


def mask_volume(segmentations) -> Measurement | None:
    """Volume of the enhancing lesion from its accepted segmentation masks, or None.

    The largest enhancement mask in mm3 (in px3 only when none is in mm); its source is that
    segmentation. Proposed masks are left out by the caller (:func:`lesion_metrics`).
    """
    masks = [s for s in segmentations if s.role is Component.ENHANCEMENT]
    return _largest("volume", [(s.volume, s.volume_unit, s.id) for s in masks],
                    units=(Unit.MM3, Unit.PX3))


def outline_volume(outlines) -> Measurement | None:
    """Volume of the enhancing lesion from its outlines on parallel slices, or None.

    Outlines on the same plane add up; each plane stands for a slab reaching halfway to its
    neighbours (the end planes: as thick as the gap to their one neighbour). Needs two planes
    or more, all outlines in one unit. Its sources are the enhancement outlines, in the order
    given.
    """
    outlines = [o for o in outlines if o.role is Component.ENHANCEMENT]
    units = {o.unit for o in outlines}
    if len(outlines) < 2 or len(units) != 1:
        return None
    normals = [o.vector_area / o.area for o in outlines]
    reference = normals[0]
    if any(abs(float(n @ reference)) < math.cos(math.radians(_PARALLEL_DEG)) for n in normals):
        return None
    depth = [float(np.mean(o.vertices, axis=0) @ reference) for o in outlines]
    planes: list[list[float]] = []
    for d, outline in sorted(zip(depth, outlines), key=lambda pair: pair[0]):
        if planes and d - planes[-1][0] < 1e-3:
            planes[-1][1] += outline.area
        else:
            planes.append([d, outline.area])
    if len(planes) < 2:
        return None
    positions = np.array([p[0] for p in planes])
    areas = np.array([p[1] for p in planes])
    gaps = np.diff(positions)
    thickness = np.concatenate([[gaps[0]], (gaps[:-1] + gaps[1:]) / 2, [gaps[-1]]])
    return Measurement("volume", float(areas @ thickness), units.pop().volume,
                       tuple(o.id for o in outlines))


def drawing_extent(drawing, levels: VertebralLevels | None) -> Extent | None:
    """The longitudinal extent of a drawing's points: from its most cranial to its most
    caudal level coordinate. None without a drawing, without two discs, or when degenerate
    levels (two discs on one point) give no coordinate."""
    if drawing is None or levels is None or not levels.is_usable:
        return None
    s = [levels.coordinate(p) for p in drawing.points]
    if not all(math.isfinite(v) for v in s):
        return None
    return Extent(min(s), max(s))


def _caliper(caliper: Caliper) -> tuple[float, Unit, str]:
    return caliper.length, caliper.unit, caliper.id


def _largest(name: str, candidates: list[tuple[float, Unit, str]], *,
             units: tuple[Unit, Unit] = (Unit.MM, Unit.PX)) -> Measurement | None:
    """The largest candidate ``(value, unit, drawing id)`` in mm; in px only when nothing was
    measured in mm. Its source is the drawing that gave it (the first of equal ones)."""
    for unit in units:
        found = [(value, source) for value, u, source in candidates if u is unit]
        if found:
            value, source = max(found, key=lambda pair: pair[0])
            return Measurement(name, value, unit, (source,))
    return None


def _longest(drawings):
    """The longest drawing, preferring those in mm; None when there is none."""
    for unit in (Unit.MM, Unit.PX):
        found = [d for d in drawings if d.unit is unit]
        if found:
            return max(found, key=lambda d: d.length)
    return None


def _extent_values(prefix: str, drawing, extent: Extent | None, rule: SegmentRule) -> dict:
    values = {}
    if drawing is not None:
        source = (drawing.id,)
        values[f"{prefix}_length"] = Measurement(f"{prefix}_length", drawing.length,
                                                 drawing.unit, source)
    if extent is not None:
        values[f"{prefix}_segments"] = Measurement(f"{prefix}_segments", extent.segments(rule),
                                                   Unit.SEGMENTS, source)
        values[f"{prefix}_levels_touched"] = Measurement(
            f"{prefix}_levels_touched", extent.levels_touched, Unit.SEGMENTS, source)
        values[f"{prefix}_segments_fractional"] = Measurement(
            f"{prefix}_segments_fractional", extent.segments_fractional, Unit.SEGMENTS, source)
    return values


def _years(name: str, start: dt.date | None, end: dt.date | None) -> Measurement | None:
    if start is None or end is None:
        return None
    return Measurement(name, round((end - start).days / 365.25, 2), Unit.YEARS)
