"""The study's findings as a DICOM SR: a TID 1500 Measurement Report (Comprehensive 3D SR).

Content (codes: :mod:`.sr_codes`):

- one Measurement Group (TID 1501) per lesion, tracked as ``Lesion 1``, ``Lesion 2`` ...:
  finding type *Lesion*, finding site *Spinal cord* (SCT), the upper and lower vertebral level
  and the location category as coded qualitative evaluations, the reader's findings as coded
  qualitative evaluations, then the measurements:

  - one NUM per drawing (SI and AP calipers, the long and short axes of a bidirectional
    caliper, cord paths, outlines), tracked by the drawing's id, inferred from a SCOORD
    POLYLINE in the image coordinates of the SOP instance it was drawn on and from a SCOORD3D
    of the same points in patient LPS mm in the frame of reference;
  - the lesion's metrics (:func:`spineviewer.core.metrics.lesion_metrics`): sizes in mm, extents
    in ``{segments}``, ratios as ``{ratio}``, volume in mm3;

- one group ``Vertebral levels`` with every disc marker and the conus tip as a coded landmark
  inferred from a SCOORD3D POINT, so that :mod:`.sr_import` can restore the levels;
- one group ``Other measurements`` for distances not tied to a lesion.

Proposals (drawings, discs and a conus tip that ``spineviewer assist`` or the workstation
placed and the reader has not accepted) are left out entirely: the report holds the reader's
findings only (:func:`spineviewer.core.proposals.accepted`). Segmentation masks are reported
through the lesion's volume; the masks themselves go to a DICOM SEG.

Arrows, text notes and free-text notes are teaching material, not measurements, and are left
out (free text could carry patient data). Patient and study attributes come from the referenced
images, as the SR must belong to their study; nothing else identifying is added (the scanner
listed as contributing equipment keeps its manufacturer and model, not its institution,
station or serial number).

Coordinates: SCOORD ``(column, row)`` with ``(0, 0)`` at the top left corner of the first pixel
(PS3.3 C.18.6.1.1), converted from LPS through each image's own position, orientation and
spacing (:meth:`spineviewer.core.plane.ImagePlane.to_scoord`); SCOORD3D in LPS mm.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pydicom
from highdicom import UID
from highdicom.sr import (
    Comprehensive3DSR,
    CoordinatesForMeasurement,
    CoordinatesForMeasurement3D,
    DeviceObserverIdentifyingAttributes,
    FindingSite,
    Measurement,
    MeasurementReport,
    MeasurementsAndQualitativeEvaluations,
    ObservationContext,
    ObserverContext,
    PersonObserverIdentifyingAttributes,
    QualitativeEvaluation,
    SourceImageForRegion,
    TrackingIdentifier,
)
from highdicom.sr.value_types import ContentSequence
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes

from spineviewer.core.safe_write import write_atomically
from spineviewer.core.annotations import (
    Bidirectional,
    Caliper,
    CaliperRole,
    Component,
    CordPath,
    Drawing,
    Lesion,
    Outline,
    StudyAnnotations,
)
from spineviewer.core.levels import level_index
from spineviewer.core.metrics import lesion_metrics
from spineviewer.core.model import LoadResult
from spineviewer.core.proposals import accepted
from spineviewer.export import sr_codes as C
from spineviewer.export.located_image import LocatedImage, image_index
from spineviewer.export.source_header import hashed_uid as _hashed_uid, header_without_site

#: Series number of the SR series (high, so that it sorts after the images).
SR_SERIES_NUMBER = 990
_SIZES = ("ap", "transverse", "si")


def build_sr(result: LoadResult, annotations: StudyAnnotations) -> Comprehensive3DSR:
    """The Measurement Report of one annotated study.

    Parameters
    ----------
    result : LoadResult
        The study the annotations were drawn on: the SR references its images and copies its
        patient and study attributes.
    annotations : StudyAnnotations

    Raises
    ------
    ValueError
        When a drawing refers to an image that is not in ``result``, or the study has no frame
        of reference.
    """
    annotations = accepted(annotations)
    images = image_index(result)
    used: dict[str, LocatedImage] = {}

    def locate(drawing: Drawing) -> LocatedImage:
        found = images.get(drawing.sop_instance_uid)
        if found is None:
            raise ValueError(f"a {drawing.kind} refers to image {drawing.sop_instance_uid}, which is "
                             "not in the study that was opened")
        used[drawing.sop_instance_uid] = found
        return found

    groups = [_lesion_group(annotations, lesion, locate) for lesion in annotations.lesions]
    if annotations.levels is not None and annotations.levels.discs:
        groups.append(_levels_group(annotations, _frame_of_reference(annotations, result)))
    measuring = [d for d in annotations.annotations if type(d) in _MEASURES]
    if measuring:
        groups.append(MeasurementsAndQualitativeEvaluations(
            tracking_identifier=TrackingIdentifier(_uid(annotations, "other"), C.OTHER_GROUP),
            measurements=[m for d in measuring for m in _drawing_measurements(d, locate(d))]))
    evidence = _evidence(used, result, annotations)
    report = MeasurementReport(
        observation_context=_observation_context(annotations),
        procedure_reported=codes.LN.MRIUnspecifiedBodyRegion,
        imaging_measurements=groups or None,
        title=codes.DCM.ImagingMeasurementReport)
    sr = Comprehensive3DSR(
        evidence=evidence, content=report[0], series_instance_uid=UID(),
        series_number=SR_SERIES_NUMBER, sop_instance_uid=UID(), instance_number=1,
        manufacturer="spineviewer", is_complete=True)
    sr.SeriesDescription = "spineviewer measurements"
    scheme = Dataset()
    scheme.CodingSchemeDesignator = C.SCHEME
    scheme.CodingSchemeName = C.SCHEME_NAME
    scheme.CodingSchemeResponsibleOrganization = "spineviewer"
    sr.CodingSchemeIdentificationSequence = [scheme]
    return sr


def write_sr(result: LoadResult, annotations: StudyAnnotations, path) -> Path:
    """Build the SR (:func:`build_sr`) and write it to ``path`` atomically."""
    sr = build_sr(result, annotations)
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, sr, enforce_file_format=True)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, buffer.getvalue())
    return path


def _lesion_group(study: StudyAnnotations, lesion: Lesion, locate) -> MeasurementsAndQualitativeEvaluations:
    metrics = lesion_metrics(lesion, study.levels, segment_rule=study.segment_rule)
    measurements = [m for d in lesion.annotations if type(d) in _MEASURES
                    for m in _drawing_measurements(d, locate(d))]
    for value in metrics.measurements():
        measurements.append(Measurement(
            name=C.METRICS[value.name], value=value.value, unit=C.UNITS[value.unit],
            derivation=C.MAXIMUM if value.name in _SIZES else None))
    evaluations = [QualitativeEvaluation(C.SEGMENT_RULE, C.SEGMENT_RULES[study.segment_rule])]
    for level, concept in ((metrics.level_top, C.LEVEL_TOP), (metrics.level_bottom, C.LEVEL_BOTTOM)):
        if level:
            evaluations.append(QualitativeEvaluation(concept, C.vertebra(level_index(level))))
    if metrics.location is not None:
        evaluations.append(QualitativeEvaluation(C.LOCATION, C.LOCATIONS[metrics.location]))
    for field_name, (concept, values) in C.FINDINGS.items():
        word = getattr(lesion.findings, field_name)
        if word is not None:
            evaluations.append(QualitativeEvaluation(concept, values[word]))
    return MeasurementsAndQualitativeEvaluations(
        tracking_identifier=TrackingIdentifier(_uid(study, f"lesion/{lesion.lesion_id}"),
                                               f"Lesion {lesion.lesion_id}"),
        finding_type=C.LESION, finding_sites=[FindingSite(C.SPINAL_CORD)],
        measurements=measurements or None, qualitative_evaluations=evaluations or None)


def _levels_group(study: StudyAnnotations, frame_of_reference: str) -> MeasurementsAndQualitativeEvaluations:
    landmarks = [(C.disc(d.lower_index), d.point) for d in study.levels.discs]
    if study.levels.conus_tip is not None:
        landmarks.append((C.CONUS_TIP, study.levels.conus_tip))
    evaluations = []
    for concept, point in landmarks:
        evaluation = QualitativeEvaluation(C.LANDMARK, concept)
        evaluation[0].ContentSequence = ContentSequence([CoordinatesForMeasurement3D(
            "POINT", np.array([point], dtype=float), frame_of_reference)])
        evaluations.append(evaluation)
    return MeasurementsAndQualitativeEvaluations(
        tracking_identifier=TrackingIdentifier(_uid(study, "levels"), C.LEVELS_GROUP),
        qualitative_evaluations=evaluations)


def _drawing_measurements(drawing: Drawing, image: LocatedImage) -> list[Measurement]:
    """One NUM per measured quantity of a drawing, with its 2-D and 3-D coordinates."""
    unit = C.UNITS[drawing.unit]
    tracking = TrackingIdentifier(_drawing_uid(drawing.id), drawing.id)
    if isinstance(drawing, Caliper):
        name = {CaliperRole.SI: C.CALIPER_SI, CaliperRole.AP: C.CALIPER_AP}.get(drawing.role, C.CALIPER)
        parts = [(name, drawing.length, drawing.endpoints, False)]
    elif isinstance(drawing, Bidirectional):
        parts = [(C.LONG_AXIS, drawing.long_length, drawing.long_axis, False),
                 (C.SHORT_AXIS, drawing.short_length, drawing.short_axis, False)]
    elif isinstance(drawing, CordPath):
        name = C.PATH_T2 if drawing.role is Component.T2 else C.PATH_ENHANCEMENT
        parts = [(name, drawing.length, drawing.vertices, False)]
    else:
        name = C.OUTLINE_T2 if drawing.role is Component.T2 else C.OUTLINE_ENHANCEMENT
        unit = C.UNITS[drawing.unit.area]
        parts = [(name, drawing.area, drawing.vertices, True)]
    return [Measurement(name=name, value=float(value), unit=unit, tracking_identifier=tracking,
                        referenced_coordinates=_coordinates(points, image, closed))
            for name, value, points, closed in parts]


def _coordinates(points, image: LocatedImage, closed: bool) -> list:
    if not image.series.frame_of_reference_uid:
        raise ValueError(f"series '{image.series.description}' has no FrameOfReferenceUID; its "
                         "measurements cannot be placed in patient space")
    points = np.asarray(points, dtype=float)
    if closed:
        points = np.vstack([points, points[:1]])
    frame = image.frame
    source = SourceImageForRegion(frame.file.sop_class_uid, frame.file.sop_instance_uid)
    flat = CoordinatesForMeasurement("POLYLINE", image.plane.to_scoord(points), source)
    solid = CoordinatesForMeasurement3D("POLYGON" if closed else "POLYLINE",
                                        points[:-1] if closed else points,
                                        image.series.frame_of_reference_uid)
    return [flat, solid]


def _evidence(used: dict[str, LocatedImage], result: LoadResult,
              annotations: StudyAnnotations) -> list[Dataset]:
    """Headers of the referenced images (or of one image of the study when none is)."""
    located = list(used.values())
    if not located:
        located = [LocatedImage(s, stack, 0) for _, study, s in result.iter_series()
                   if study.uid == annotations.study_instance_uid for stack in s.stacks][:1]
    if not located:
        raise ValueError(f"study {annotations.study_instance_uid} is not in the files that were opened")
    return [header_without_site(image.frame) for image in located]


def _observation_context(study: StudyAnnotations) -> ObservationContext:
    reader = study.reader.strip()
    if reader:
        # Free text ("Dr Reader") is one name component: the trailing caret says so (PS3.5 6.2).
        name = reader if "^" in reader else f"{reader}^"
        observer = ObserverContext(codes.DCM.Person, PersonObserverIdentifyingAttributes(name=name))
        return ObservationContext(observer_person_context=observer)
    device = ObserverContext(codes.DCM.Device, DeviceObserverIdentifyingAttributes(
        uid=_hashed_uid("spineviewer"), name="spineviewer"))
    return ObservationContext(observer_device_context=device)


def _frame_of_reference(study: StudyAnnotations, result: LoadResult) -> str:
    if study.frame_of_reference_uid:
        return study.frame_of_reference_uid
    for _, one, series in result.iter_series():
        if one.uid == study.study_instance_uid and series.frame_of_reference_uid:
            return series.frame_of_reference_uid
    raise ValueError("the study has no FrameOfReferenceUID, so its vertebral levels cannot be placed")


def _uid(study: StudyAnnotations, what: str) -> str:
    """A stable UID for a tracked group of this study (the same in every export)."""
    return _hashed_uid(f"{study.study_instance_uid}/{what}")


def _drawing_uid(drawing_id: str) -> str:
    """The UID of a drawing: its 32-hex-digit id read as a 128-bit number, else a hash."""
    try:
        if len(drawing_id) == 32:
            return f"2.25.{int(drawing_id, 16)}"
    except ValueError:
        pass
    return _hashed_uid(f"drawing/{drawing_id}")


_MEASURES = {Caliper, Bidirectional, CordPath, Outline}
