"""The answer key of a phantom case: the annotations a careful reader would make, placed at the
ground truth, written beside the case as ``reference-annotations.json``.

Coordinates: every point is DICOM patient LPS in mm (x to the patient's left, y posterior, z
superior), rounded to 0.001 mm like the ground truth. A drawing lies in the plane of the image
it is drawn on: its points are projected along that image's normal ``F_row x F_col`` onto the
plane through its ImagePositionPatient.

What the key holds (reader :data:`READER`):

- levels: the true disc points, named as in the truth, and the conus tip;
- per lesion, on the midsagittal slice of the sagittal post-contrast series: an SI caliper from
  the true top to the true bottom of the enhancement and an AP caliper across the true centre,
  perpendicular to it; on the axial post-contrast slice nearest the lesion centre (when the
  axial block reaches the lesion): a bidirectional caliper of the true AP and transverse sizes
  along the image's column and row directions; on the midsagittal slice of the sagittal T2
  series: a T2 cord path that samples the cord centreline every :data:`PATH_STEP_MM` at most
  from the top to the bottom of the T2 hyperintensity, so its length is the truth's
  ``length_mm``; and the lesion's findings;
- the patient findings the truth knows (sex, age, primary tumour, dominant symptom).

The image of each drawing is found in the generated files themselves (their headers, read with
:func:`spineviewer.core.loader.load_study`); where a series has several stacks (two sagittal
stations), the one that holds the drawing farthest from its edges is used. The location
category is left to be suggested from the levels, so a measurement of the key checks it.
Ids are derived from the StudyInstanceUID and the timestamps from the study's date and time, so
the file is bit-identical for the same case, seed and options.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spineviewer.core.annotation_file import ANSWER_KEY_NAME, save_annotations
from spineviewer.core.annotations import (
    Bidirectional,
    Caliper,
    CordPath,
    Lesion,
    LesionFindings,
    PatientFindings,
    StudyAnnotations,
    timestamp,
)
from spineviewer.core.levels import Disc, VertebralLevels, parse_disc_name
from spineviewer.core.loader import load_study
from spineviewer.core.model import LoadResult, Series, Stack
from spineviewer.core.plane import ImagePlane
from spineviewer.core.stack_geometry import slice_plane, stack_geometry
from spineviewer.phantom.curve import SpineCurve

#: Who "read" the key, as written in its ``reader`` field.
READER = "ground truth (spineviewer phantom)"
#: Name of the key in a case folder (the study loader skips it).
FILE_NAME = ANSWER_KEY_NAME
#: Largest step between two vertices of a cord path, mm along the cord.
PATH_STEP_MM = 2.0

_DECIMALS = 3
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "spineviewer.phantom.answer_key")
_LESION_FINDINGS = ("position", "morphology", "cord_expansion", "t2_signal", "t1_signal",
                    "cystic_change", "hemorrhage", "enhancement_pattern", "rim_sign", "flame_sign")


@dataclass(frozen=True, eq=False)
class DrawnImage:
    """One image of a study that a drawing goes on: its UIDs and its plane (LPS mm)."""

    series_instance_uid: str
    sop_instance_uid: str
    plane: ImagePlane

    def project(self, points) -> np.ndarray:
        """Points ``(..., 3)`` moved along the normal onto the image plane, rounded."""
        points = np.asarray(points, dtype=float)
        depth = self.plane.distance(points)
        return np.round(points - depth[..., None] * self.plane.normal, _DECIMALS) + 0.0

    def drawn_on(self) -> dict:
        """The keyword arguments that tie a drawing to this image."""
        return {"series_instance_uid": self.series_instance_uid,
                "sop_instance_uid": self.sop_instance_uid}


def write_answer_key(folder, truth: dict, curve: SpineCurve) -> Path:
    """Build the answer key of the case in ``folder`` and save it as ``folder/FILE_NAME``.

    Parameters
    ----------
    folder : path-like
        A generated case folder (``dicom/`` beside ``ground-truth.json``).
    truth : dict
        Its ground truth.
    curve : SpineCurve
        The case's spinal axis, whose centreline the T2 cord paths follow.
    """
    folder = Path(folder)
    key = answer_key(truth, load_study(folder / "dicom"), curve)
    return save_annotations(key, folder / FILE_NAME)


def answer_key(truth: dict, images: LoadResult, curve: SpineCurve) -> StudyAnnotations:
    """The annotations of a case placed at its ground truth.

    Parameters
    ----------
    truth : dict
        The case's ground truth (``ground-truth.json``).
    images : LoadResult
        The case's generated files, loaded (headers only).
    curve : SpineCurve
        The case's spinal axis (the cord centreline).

    Raises
    ------
    ValueError
        When the files are not those of the truth (another study, a series missing).
    """
    study_uid = truth["study"]["study_instance_uid"]
    study = next((s for p in images.patients for s in p.studies if s.uid == study_uid), None)
    if study is None:
        raise ValueError(f"the files hold no study {study_uid} (the study of {truth['case']})")
    sagittal_post = _series(truth, images, plane="sagittal", post_contrast=True)
    sagittal_t2 = _series(truth, images, plane="sagittal", contrast="T2")
    axial_post = _series(truth, images, plane="axial", post_contrast=True)
    lesions = []
    for entry in truth["lesions"]:
        drawings = _sagittal_calipers(study_uid, entry, sagittal_post)
        drawings += _axial_caliper(study_uid, entry, axial_post)
        drawings += _t2_path(study_uid, entry, sagittal_t2, curve)
        lesions.append(Lesion(entry["lesion_id"], drawings, _lesion_findings(entry)))
    made = timestamp(dt.datetime.strptime(study.date + study.time[:6], "%Y%m%d%H%M%S"))
    return StudyAnnotations(
        study_uid, patient_id=truth["patient"]["patient_id"],
        frame_of_reference_uid=truth["frame_of_reference_uid"], reader=READER,
        study_date=dt.datetime.strptime(truth["study"]["study_date"], "%Y%m%d").date(),
        levels=true_levels(truth), lesions=tuple(lesions), patient=_patient_findings(truth),
        created=made, modified=made)


def true_levels(truth: dict) -> VertebralLevels:
    """The true discs, named as in the truth, with the conus tip."""
    discs = tuple(Disc(parse_disc_name(d["name"]), tuple(map(float, d["point_lps_mm"])))
                  for d in truth["discs"])
    return VertebralLevels(discs, tuple(map(float, truth["conus_tip_lps_mm"])))


def _sagittal_calipers(study_uid: str, entry: dict, series: Series) -> tuple:
    """SI caliper from the true top to bottom, AP caliper across the centre, perpendicular."""
    extent = entry["enhancement"]
    top, bottom = np.array(extent["top_lps_mm"]), np.array(extent["bottom_lps_mm"])
    image = _image(series, np.array([top, bottom]))
    if image is None:
        return ()
    top, bottom = image.project([top, bottom])
    centre = image.project(entry["centre_lps_mm"])
    across = np.cross(bottom - top, image.plane.normal)
    half_ap = 0.5 * entry["ap_mm"] * across / np.linalg.norm(across)
    number = entry["lesion_id"]
    return (
        Caliper(endpoints=(top, bottom), role="si", id=_id(study_uid, number, "si"),
                **image.drawn_on()),
        Caliper(endpoints=image.project([centre - half_ap, centre + half_ap]), role="ap",
                id=_id(study_uid, number, "ap"), **image.drawn_on()),
    )


def _axial_caliper(study_uid: str, entry: dict, series: Series) -> tuple:
    """Bidirectional caliper of the true AP and transverse sizes on the nearest axial slice."""
    centre = np.array(entry["centre_lps_mm"])
    image = _image(series, centre[None, :])
    if image is None:
        return ()
    centre = image.project(centre)
    axes = sorted([(entry["transverse_mm"], image.plane.row_direction),
                   (entry["ap_mm"], image.plane.column_direction)],
                  key=lambda axis: -axis[0])
    (long_mm, long_dir), (short_mm, short_dir) = axes
    return (Bidirectional(
        long_axis=image.project([centre - 0.5 * long_mm * long_dir, centre + 0.5 * long_mm * long_dir]),
        short_axis=image.project([centre - 0.5 * short_mm * short_dir,
                                  centre + 0.5 * short_mm * short_dir]),
        id=_id(study_uid, entry["lesion_id"], "axial"), **image.drawn_on()),)


def _t2_path(study_uid: str, entry: dict, series: Series, curve: SpineCurve) -> tuple:
    """T2 cord path along the centreline, vertices at most PATH_STEP_MM apart."""
    ends = np.array([entry["t2"]["top_lps_mm"], entry["t2"]["bottom_lps_mm"]])
    arc, _ = curve.project(ends[:, 1], ends[:, 2])
    steps = max(1, math.ceil((arc[1] - arc[0]) / PATH_STEP_MM))
    vertices = curve.point(np.linspace(arc[0], arc[1], steps + 1))
    vertices[[0, -1]] = ends
    image = _image(series, vertices)
    if image is None:
        return ()
    return (CordPath(vertices=image.project(vertices), role="t2",
                     id=_id(study_uid, entry["lesion_id"], "t2-path"), **image.drawn_on()),)


def _image(series: Series, points: np.ndarray) -> DrawnImage | None:
    """The image of ``series`` to draw ``points`` on, or None when no stack holds them.

    The slice is the one nearest the points' mean (for points on the cord centreline: the
    midsagittal slice); among stacks, the one that holds the points farthest from its edges
    (in pixels) wins.
    """
    best: tuple[float, Stack, int] | None = None
    for stack in series.stacks:
        index = stack_geometry(stack).to_index(points)
        k = int(np.rint(index[:, 0].mean()))
        slices, rows, cols = stack.shape
        if not 0 <= k < slices:
            continue
        margin = min(index[:, 1].min(), rows - 1 - index[:, 1].max(),
                     index[:, 2].min(), cols - 1 - index[:, 2].max())
        if margin >= 0 and (best is None or margin > best[0]):
            best = (float(margin), stack, k)
    if best is None:
        return None
    frame = best[1].frames[best[2]]
    return DrawnImage(series.uid, frame.file.sop_instance_uid, slice_plane(best[1], best[2]))


def _series(truth: dict, images: LoadResult, *, plane: str, contrast: str | None = None,
            post_contrast: bool | None = None) -> Series:
    for entry in truth["series"]:
        if entry["plane"] == plane and (contrast is None or entry["contrast"] == contrast) and (
                post_contrast is None or entry["post_contrast"] == post_contrast):
            series = images.series_by_uid(entry["series_uid"])
            if series is None:
                raise ValueError(f"series {entry['description']!r} of {truth['case']} is not "
                                 "among the files")
            return series
    raise ValueError(f"{truth['case']} lists no {plane} series of that contrast")


def _lesion_findings(entry: dict) -> LesionFindings:
    return LesionFindings(enhancement=entry["enhancement_present"],
                          **{name: entry[name] for name in _LESION_FINDINGS})


def _patient_findings(truth: dict) -> PatientFindings:
    patient = truth["patient"]
    return PatientFindings(sex=patient["sex"], age_years=patient["age"],
                           primary_tumor=patient["primary_tumour"],
                           primary_tumor_detail=patient["primary_tumour_text"],
                           dominant_symptom=patient["presenting_symptom"])


def _id(study_uid: str, lesion_id: int, drawing: str) -> str:
    """A drawing id derived from the study, the lesion and the drawing's role (32 hex digits)."""
    return uuid.uuid5(_ID_NAMESPACE, f"{study_uid}/lesion/{lesion_id}/{drawing}").hex
