"""Reading spineviewer's DICOM SR back into study annotations.

:func:`import_sr` walks the content tree :mod:`.sr` writes: each ``Lesion N`` measurement group
becomes lesion N with its drawings (rebuilt from the SCOORD3D patient coordinates of each
drawing's measurements, tracked by the drawing's id; the SCOORD's image reference names the
image it was drawn on) and its coded findings; the ``Vertebral levels`` group gives the disc
markers and the conus tip; ``Other measurements`` gives the free distances. The lesion metrics
in the SR are not read: they are recomputed from the drawings, as everywhere in spineviewer.
The location category becomes the reader's choice only when it differs from the one the
restored drawings suggest.

Points are DICOM LPS mm.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset

from spineviewer.core.annotations import (
    Bidirectional,
    Caliper,
    CordPath,
    Lesion,
    LesionFindings,
    Outline,
    StudyAnnotations,
)
from spineviewer.core.levels import Disc, SegmentRule, VertebralLevels
from spineviewer.core.metrics import lesion_metrics
from spineviewer.core.units import Unit
from spineviewer.core.tags import date as dicom_date
from spineviewer.export import sr_codes as C

_MEASUREMENTS = ("DCM", "126010")
_GROUP = ("DCM", "125007")
_TRACKING = ("DCM", "112039")
_PERSON = ("DCM", "121008")
_LESION_NAME = re.compile(r"^Lesion (\d+)$")


class SRFormatError(ValueError):
    """An SR that is not a spineviewer Measurement Report, with the reason."""


def import_sr(path) -> StudyAnnotations:
    """The study annotations a spineviewer SR holds.

    Raises
    ------
    SRFormatError
        When the file is not a DICOM SR with an Imaging Measurements container.
    """
    path = Path(path)
    try:
        ds = pydicom.dcmread(path)
    except (OSError, pydicom.errors.InvalidDicomError) as exc:
        raise SRFormatError(f"{path.name}: not a readable DICOM file ({exc})") from None
    root = ds.get("ContentSequence")
    if not root:
        raise SRFormatError(f"{path.name}: not a structured report (no content)")
    containers = [item for item in root if _name(item) == _MEASUREMENTS]
    if not containers:
        raise SRFormatError(f"{path.name}: no Imaging Measurements container (TID 1500)")
    series_of = _series_of_images(ds)
    lesions, free, discs, tip, frames, rules = [], [], [], None, set(), set()
    for group in (g for c in containers for g in c.get("ContentSequence", []) if _name(g) == _GROUP):
        label = _tracking_text(group)
        items = list(group.get("ContentSequence", []))
        frames.update(_frames(items))
        if label == C.LEVELS_GROUP:
            discs, tip = _landmarks(items)
            continue
        drawings = _drawings(items, series_of)
        match = _LESION_NAME.match(label or "")
        if match:
            lesions.append((int(match.group(1)), drawings, _findings(items)))
            rules.update(_segment_rules(items))
        else:
            free.extend(drawings)
    levels = VertebralLevels(tuple(discs), tip) if discs or tip is not None else None
    study = StudyAnnotations(
        str(ds.StudyInstanceUID), patient_id=str(ds.get("PatientID", "")),
        frame_of_reference_uid=min(frames, default=""),
        reader=_reader(root), study_date=dicom_date(ds.get("StudyDate", "")), levels=levels,
        lesions=tuple(_lesion(k, drawings, findings, levels) for k, drawings, findings in lesions),
        annotations=tuple(free), segment_rule=_segment_rule(rules, bool(lesions)))
    return study


def _segment_rules(items) -> set[SegmentRule]:
    rules = {C.key(concept): rule for rule, concept in C.SEGMENT_RULES.items()}
    return {rules[C.key(item.ConceptCodeSequence[0])] for item in items
            if item.ValueType == "CODE" and _name(item) == C.key(C.SEGMENT_RULE)
            and C.key(item.ConceptCodeSequence[0]) in rules}


def _segment_rule(rules: set[SegmentRule], has_lesions: bool) -> SegmentRule:
    """The study's rule as the SR states it; an SR with lesions but no rule was written before
    rules existed, when levels touched were counted."""
    if len(rules) > 1:
        raise SRFormatError("the lesions of this SR state different segment counting rules")
    if rules:
        return rules.pop()
    return SegmentRule.TOUCHED if has_lesions else SegmentRule.SPAN


def _lesion(lesion_id: int, drawings, findings: dict, levels) -> Lesion:
    location = findings.pop("location", None)
    lesion = Lesion(lesion_id, tuple(drawings), LesionFindings(**findings))
    if location is not None and lesion_metrics(lesion, levels).location_suggested is not location:
        lesion = replace(lesion, findings=replace(lesion.findings, location_override=location))
    return lesion


def _drawings(items, series_of: dict[str, str]) -> list:
    """Drawings rebuilt from the NUM items that carry coordinates, in the order written."""
    pieces: dict[str, dict] = {}
    for item in items:
        if item.ValueType != "NUM":
            continue
        children = list(item.get("ContentSequence", []))
        solid = next((c for c in children if c.ValueType == "SCOORD3D"), None)
        flat = next((c for c in children if c.ValueType == "SCOORD"), None)
        drawing_id = _tracking_text(item)
        if solid is None or flat is None or drawing_id is None:
            continue
        sop = str(flat.ContentSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID)
        unit = Unit.PX if str(item.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue
                              ).startswith("{pixels}") else Unit.MM
        entry = pieces.setdefault(drawing_id, {"id": drawing_id, "sop_instance_uid": sop,
                                               "series_instance_uid": series_of.get(sop, ""),
                                               "unit": unit})
        entry[C.key(item.ConceptNameCodeSequence[0])] = np.asarray(solid.GraphicData, float).reshape(-1, 3)
    return [d for d in (_drawing(entry) for entry in pieces.values()) if d is not None]


def _drawing(entry: dict):
    common = {k: entry[k] for k in ("id", "sop_instance_uid", "series_instance_uid", "unit")}
    if not common["series_instance_uid"]:
        raise SRFormatError(f"image {common['sop_instance_uid']} is not listed in the SR's evidence")

    def get(concept):
        return entry.get(C.key(concept))

    for concept, role in ((C.CALIPER_SI, "si"), (C.CALIPER_AP, "ap"), (C.CALIPER, None)):
        if get(concept) is not None:
            return Caliper(endpoints=get(concept), role=role, **common)
    if get(C.LONG_AXIS) is not None and get(C.SHORT_AXIS) is not None:
        return Bidirectional(long_axis=get(C.LONG_AXIS), short_axis=get(C.SHORT_AXIS), **common)
    for concept, role in ((C.PATH_T2, "t2"), (C.PATH_ENHANCEMENT, "enhancement")):
        if get(concept) is not None:
            return CordPath(vertices=get(concept), role=role, **common)
    for concept, role in ((C.OUTLINE_ENHANCEMENT, "enhancement"), (C.OUTLINE_T2, "t2")):
        if get(concept) is not None:
            return Outline(vertices=get(concept), role=role, **common)
    return None


def _findings(items) -> dict:
    """LesionFindings fields (and ``location``) from the coded qualitative evaluations."""
    names = {C.key(concept): (field, {C.key(v): word for word, v in values.items()})
             for field, (concept, values) in C.FINDINGS.items()}
    locations = {C.key(v): location for location, v in C.LOCATIONS.items()}
    found = {}
    for item in items:
        if item.ValueType != "CODE":
            continue
        name, value = _name(item), C.key(item.ConceptCodeSequence[0])
        if name == C.key(C.LOCATION) and value in locations:
            found["location"] = locations[value]
        elif name in names and value in names[name][1]:
            found[names[name][0]] = names[name][1][value]
    return found


def _landmarks(items) -> tuple[list[Disc], tuple | None]:
    discs, tip = [], None
    for item in items:
        if item.ValueType != "CODE" or _name(item) != C.key(C.LANDMARK):
            continue
        solid = next((c for c in item.get("ContentSequence", []) if c.ValueType == "SCOORD3D"), None)
        if solid is None:
            continue
        point = tuple(float(v) for v in np.asarray(solid.GraphicData, float)[:3])
        value = C.key(item.ConceptCodeSequence[0])
        if value == C.key(C.CONUS_TIP):
            tip = point
        elif value in C.DISCS:
            discs.append(Disc(C.DISCS[value], point))
    return discs, tip


def _series_of_images(ds: Dataset) -> dict[str, str]:
    """SOPInstanceUID -> SeriesInstanceUID from the SR's evidence sequences."""
    found = {}
    for keyword in ("CurrentRequestedProcedureEvidenceSequence", "PertinentOtherEvidenceSequence"):
        for study in ds.get(keyword, []):
            for series in study.get("ReferencedSeriesSequence", []):
                for image in series.get("ReferencedSOPSequence", []):
                    found[str(image.ReferencedSOPInstanceUID)] = str(series.SeriesInstanceUID)
    return found


def _frames(items) -> set[str]:
    found = set()
    for item in items:
        for child in item.get("ContentSequence", []):
            if child.get("ValueType") == "SCOORD3D":
                found.add(str(child.ReferencedFrameOfReferenceUID))
    return found


def _tracking_text(item: Dataset) -> str | None:
    for child in item.get("ContentSequence", []):
        if child.get("ValueType") == "TEXT" and _name(child) == _TRACKING:
            return str(child.TextValue)
    return None


def _reader(root) -> str:
    for item in root:
        if item.get("ValueType") == "PNAME" and _name(item) == _PERSON:
            name = str(item.PersonName)
            # A reader written as free text was stored as a one-component name ("Dr Reader^").
            return name[:-1] if name.endswith("^") and name.count("^") == 1 else name
    return ""


def _name(item: Dataset) -> tuple[str, str] | None:
    """``(scheme, value)`` of an item's concept name (see :func:`.sr_codes.key`)."""
    sequence = item.get("ConceptNameCodeSequence")
    return C.key(sequence[0]) if sequence else None

