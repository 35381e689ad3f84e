"""StudyAnnotations to and from plain JSON values, and the migrations of older layouts.

The layout is documented field by field in ``docs/annotation-format.md`` and as a JSON Schema
in ``resources/annotation.schema.json``. Points are DICOM LPS (x left, y posterior, z superior)
in mm, or in pixels for a drawing whose ``unit`` is ``px``; keys holding points end in
``_lps``. Reading is strict: an unknown or missing key is an error, because a reader that
dropped what it did not understand would lose it at the next autosave.

Migrations: a function registered with ``@migration(n)`` turns a layout of version ``n`` into
version ``n + 1``; :func:`migrate` chains them up to :data:`SCHEMA_VERSION`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from enum import Enum
from typing import Callable

from spineviewer.core.annotations import (
    DRAWING_KINDS, SCHEMA_VERSION, Drawing, Lesion, LesionFindings, PatientFindings, Sent,
    StudyAnnotations,
)
from spineviewer.core.levels import Disc, VertebralLevels, disc_name, parse_disc_name

#: Value of the ``format`` key that marks a spineviewer annotation file.
FORMAT = "spineviewer-annotations"

_STUDY_KEYS = ("format", "schema_version", "study_instance_uid", "study_date", "patient_id",
               "frame_of_reference_uid", "reader", "created", "modified", "levels", "segment_rule",
               "done", "lesions", "annotations", "patient", "sent")
_SENT_KEYS = ("what", "node", "address", "time", "study_instance_uid", "instances")
_DRAWING_COMMON = ("kind", "id", "series_instance_uid", "sop_instance_uid", "unit")
_GEOMETRY = {"endpoints", "long_axis", "short_axis", "vertices", "tail", "head", "anchor", "centre"}
_DATES = {"primary_diagnosis_date", "iscm_presentation_date", "iscm_diagnosis_date"}

_MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


class FormatError(ValueError):
    """The content is not a valid annotation layout; the message says where and why."""


# Encoding ------------------------------------------------------------------------------------

def to_json(study: StudyAnnotations) -> dict:
    """The JSON value (dicts, lists, str, numbers, None) of study annotations."""
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "study_instance_uid": study.study_instance_uid,
        "study_date": study.study_date.isoformat() if study.study_date else None,
        "patient_id": study.patient_id,
        "frame_of_reference_uid": study.frame_of_reference_uid,
        "reader": study.reader,
        "created": study.created,
        "modified": study.modified,
        "levels": None if study.levels is None else _levels_to_json(study.levels),
        "segment_rule": study.segment_rule.value,
        "done": study.done,
        "lesions": [{"lesion_id": lesion.lesion_id, "findings": _form_to_json(lesion.findings),
                     "annotations": [_drawing_to_json(d) for d in lesion.annotations],
                     "not_assessable": _plain(lesion.not_assessable)}
                    for lesion in study.lesions],
        "annotations": [_drawing_to_json(d) for d in study.annotations],
        "patient": _form_to_json(study.patient),
        "sent": [_form_to_json(item) for item in study.sent],
    }


def _levels_to_json(levels: VertebralLevels) -> dict:
    return {"discs": [{"name": d.name, "point_lps": list(d.point), "proposed": d.proposed}
                      for d in levels.discs],
            "conus_tip_lps": None if levels.conus_tip is None else list(levels.conus_tip),
            "anchor": None if levels.anchor is None else disc_name(levels.anchor),
            "conus_tip_proposed": levels.conus_tip_proposed}


def _drawing_to_json(drawing: Drawing) -> dict:
    value = {"kind": drawing.kind}
    for f in fields(drawing):
        item = getattr(drawing, f.name)
        if f.name in _GEOMETRY:
            value[f"{f.name}_lps"] = [list(p) for p in item] if isinstance(item[0], tuple) else list(item)
        else:
            value[f.name] = _plain(item)
    return value


def _form_to_json(form) -> dict:
    return {f.name: _plain(getattr(form, f.name)) for f in fields(form)}


def _plain(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


# Decoding ------------------------------------------------------------------------------------

def from_json(value: dict) -> StudyAnnotations:
    """Study annotations from a JSON value of the current schema version.

    Raises
    ------
    FormatError
        Naming the first key or value that is wrong.
    """
    _keys(value, _STUDY_KEYS, "the file")
    if value["format"] != FORMAT:
        raise FormatError(f"format is {value['format']!r}, not {FORMAT!r}")
    try:
        lesions = tuple(_lesion(item, k) for k, item in enumerate(_list(value["lesions"], "lesions")))
        free = tuple(_drawing(item, f"annotations[{k}]")
                     for k, item in enumerate(_list(value["annotations"], "annotations")))
        patient = _form(PatientFindings, value["patient"], "patient")
        levels = None if value["levels"] is None else _levels(value["levels"])
        study_date = value["study_date"]
        sent = tuple(_sent(item, f"sent[{k}]") for k, item in enumerate(_list(value["sent"], "sent")))
        return StudyAnnotations(
            value["study_instance_uid"], patient_id=value["patient_id"],
            frame_of_reference_uid=value["frame_of_reference_uid"], reader=value["reader"],
            study_date=None if study_date is None else _date(study_date, "study_date"),
            levels=levels, lesions=lesions, annotations=free, patient=patient,
            created=value["created"], modified=value["modified"],
            segment_rule=value["segment_rule"], done=value["done"], sent=sent)
    except FormatError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise FormatError(str(exc)) from None


def _lesion(value, k: int) -> Lesion:
    where = f"lesions[{k}]"
    _keys(value, ("lesion_id", "findings", "annotations", "not_assessable"), where)
    drawings = tuple(_drawing(item, f"{where}.annotations[{j}]")
                     for j, item in enumerate(_list(value["annotations"], f"{where}.annotations")))
    try:
        return Lesion(value["lesion_id"], drawings, _form(LesionFindings, value["findings"], f"{where}.findings"),
                      tuple(_list(value["not_assessable"], f"{where}.not_assessable")))
    except ValueError as exc:
        raise FormatError(f"{where}: {exc}") from None


def _drawing(value, where: str) -> Drawing:
    if not isinstance(value, dict) or value.get("kind") not in DRAWING_KINDS:
        kinds = ", ".join(DRAWING_KINDS)
        raise FormatError(f"{where}: kind must be one of {kinds}")
    cls = DRAWING_KINDS[value["kind"]]
    names = [f.name for f in fields(cls)]
    keys = ["kind"] + [f"{n}_lps" if n in _GEOMETRY else n for n in names]
    _keys(value, keys, where)
    arguments = {n: value[f"{n}_lps" if n in _GEOMETRY else n] for n in names}
    try:
        return cls(**arguments)
    except (ValueError, TypeError) as exc:
        raise FormatError(f"{where}: {exc}") from None


def _sent(value, where: str) -> Sent:
    _keys(value, _SENT_KEYS, where)
    try:
        return Sent(**value)
    except (ValueError, TypeError) as exc:
        raise FormatError(f"{where}: {exc}") from None


def _levels(value) -> VertebralLevels:
    _keys(value, ("discs", "conus_tip_lps", "anchor", "conus_tip_proposed"), "levels")
    discs = []
    for k, disc in enumerate(_list(value["discs"], "levels.discs")):
        _keys(disc, ("name", "point_lps", "proposed"), f"levels.discs[{k}]")
        point = _triplet(disc["point_lps"], f"levels.discs[{k}].point_lps")
        discs.append(Disc(parse_disc_name(disc["name"]), point, disc["proposed"]))
    if len({d.lower_index for d in discs}) != len(discs):
        raise FormatError("levels.discs: two discs have the same name")
    tip = value["conus_tip_lps"]
    anchor = value["anchor"]
    if anchor is not None:
        anchor = _disc_index(anchor, "levels.anchor")
        if anchor not in {d.lower_index for d in discs}:
            raise FormatError(f"levels.anchor: {value['anchor']!r} is not one of the marked discs")
    return VertebralLevels(tuple(discs), None if tip is None else _triplet(tip, "levels.conus_tip_lps"),
                           anchor=anchor,
                           conus_tip_proposed=value["conus_tip_proposed"])


def _disc_index(value, where: str) -> int:
    try:
        return parse_disc_name(value)
    except (ValueError, TypeError) as exc:
        raise FormatError(f"{where}: {exc}") from None


def _form(cls, value, where: str):
    _keys(value, [f.name for f in fields(cls)], where)
    try:
        return cls(**value)
    except ValueError as exc:
        raise FormatError(f"{where}: {exc}") from None


def _keys(value, expected, where: str) -> None:
    if not isinstance(value, dict):
        raise FormatError(f"{where}: expected an object")
    missing = [k for k in expected if k not in value]
    unknown = [k for k in value if k not in expected]
    if missing:
        raise FormatError(f"{where}: missing {', '.join(missing)}")
    if unknown:
        raise FormatError(f"{where}: unexpected {', '.join(unknown)}")


def _list(value, where: str) -> list:
    if not isinstance(value, list):
        raise FormatError(f"{where}: expected a list")
    return value


def _triplet(value, where: str) -> tuple[float, float, float]:
    if (not isinstance(value, list) or len(value) != 3
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        raise FormatError(f"{where}: expected [x, y, z] in mm")
    return tuple(float(v) for v in value)


def _date(value, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise FormatError(f"{where}: {value!r} is not a YYYY-MM-DD date") from None


# Migrations ----------------------------------------------------------------------------------

def migration(from_version: int):
    """Register a function that turns a layout of ``from_version`` into the next version."""
    def register(function: Callable[[dict], dict]) -> Callable[[dict], dict]:
        if from_version in _MIGRATIONS:
            raise ValueError(f"a migration from version {from_version} is already registered")
        _MIGRATIONS[from_version] = function
        return function
    return register


def migrate(value: dict) -> tuple[dict, int]:
    """Bring a JSON value up to :data:`SCHEMA_VERSION`; returns it and its original version.

    Raises
    ------
    FormatError
        When the version is missing, newer than this spineviewer, or has no migration.
    """
    if not isinstance(value, dict):
        raise FormatError("the file does not hold a JSON object")
    version = value.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise FormatError("schema_version is missing; this is not a spineviewer annotation file")
    if version > SCHEMA_VERSION:
        raise FormatError(f"it was written by a newer spineviewer (schema version {version}; "
                          f"this one reads up to {SCHEMA_VERSION})")
    original = version
    while version < SCHEMA_VERSION:
        if version not in _MIGRATIONS:
            raise FormatError(f"schema version {version} cannot be read (no migration)")
        try:
            value = _MIGRATIONS[version](value)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise FormatError(f"version {version} content could not be converted ({exc!r})") from None
        version += 1
        value["schema_version"] = version
    return value, original


@migration(0)
def _from_draft_layout(old: dict) -> dict:
    """Version 0 (the pre-release draft): top-level ``study_uid``, ``discs`` and
    ``conus_tip``; lesions numbered by ``id``; drawings with ``type``, ``series_uid``,
    ``sop_uid`` and ``points`` (calipers and cord paths only); the patient's ``age``."""
    kinds = {"caliper": ("caliper", "endpoints_lps"), "path": ("cord-path", "vertices_lps")}

    def drawing(d: dict) -> dict:
        kind, key = kinds[d["type"]]
        return {"kind": kind, "id": d["id"], "series_instance_uid": d["series_uid"],
                "sop_instance_uid": d["sop_uid"], "unit": "mm", "role": d.get("role"),
                key: d["points"]}

    patient = dict(old.get("patient") or {})
    patient["age_years"] = patient.pop("age", None)
    patient = _form_to_json(PatientFindings(**patient))
    discs = [{"name": d["name"], "point_lps": d["point"]} for d in old.get("discs", [])]
    return {
        "format": FORMAT, "schema_version": 1, "study_instance_uid": old["study_uid"],
        "study_date": None, "patient_id": old.get("patient_id", ""),
        "frame_of_reference_uid": "", "reader": old.get("reader", ""),
        "created": "", "modified": "",
        "levels": {"discs": discs, "conus_tip_lps": old.get("conus_tip")} if discs else None,
        "lesions": [{"lesion_id": lesion["id"],
                     "findings": _form_to_json(LesionFindings(**lesion.get("findings", {}))),
                     "annotations": [drawing(d) for d in lesion.get("annotations", [])]}
                    for lesion in old.get("lesions", [])],
        "annotations": [], "patient": patient,
    }


@migration(1)
def _anchor_and_segment_rule_added(old: dict) -> dict:
    """Version 1 had no ``levels.anchor`` (every disc name stands as stored: a null anchor)
    and no ``segment_rule``: it counted the levels an extent touches, and keeps counting so,
    so that numbers already exported from it do not change. Nor had it the reading status:
    no study was marked done and no extent declared not assessable."""
    if old.get("levels") is not None:
        old["levels"]["anchor"] = None
    old["segment_rule"] = "touched"
    old["done"] = False
    for lesion in old.get("lesions", []):
        lesion["not_assessable"] = []
    return old


@migration(2)
def _proposals_and_segmentations_added(old: dict) -> dict:
    """Version 2 knew no proposals and no segmentation masks: every drawing, disc and conus
    tip it holds was placed by the reader (``proposed`` false)."""
    levels = old.get("levels")
    if levels is not None:
        for disc in levels.get("discs", []):
            disc["proposed"] = False
        levels["conus_tip_proposed"] = False
    for drawing in old.get("annotations", []) + [d for lesion in old.get("lesions", [])
                                                 for d in lesion.get("annotations", [])]:
        drawing["proposed"] = False
    return old


@migration(3)
def _sent_added(old: dict) -> dict:
    """Version 3 had no record of what was sent to a PACS: nothing was."""
    old["sent"] = []
    return old
