"""The ground truth of a phantom case, as written to ``ground-truth.json``.

All points are patient DICOM LPS in mm (x to the patient's left, y posterior, z superior),
rounded to 0.001 mm. Truth is measured from the phantom's own geometry:

- discs, cranial to caudal: the posterior margin of each disc at its mid-height on the
  midsagittal plane;
- the conus tip: the end of the cord on its centreline;
- lesions: the centre of the enhancing ellipsoid, its diameters (AP and transverse across
  the cord, SI along it), the top and bottom of the enhancement and of the cord T2
  hyperintensity as points on the cord centreline, lengths along the centreline (the curve,
  not the chord), segment counts from the level coordinate of
  :mod:`spineviewer.phantom.segments`, and the qualitative findings.

Document keys (schema version 2): ``schema_version``, ``case``, ``generator`` (seed and
options), ``patient``, ``study``, ``frame_of_reference_uid``, ``series`` (``series_uid``,
``description``, ``plane``, ``contrast``, ``folder``, ``n_slices``, matrix and spacings, and
``stacks`` with their ``station``; axial series list ``covers_lesions``), ``levels``
(definition, ``conus_zone_mm``), ``discs`` (``name``, ``point_lps_mm``, cranial to caudal),
``conus_tip_lps_mm`` and ``lesions``. Each lesion has ``lesion_id``, ``centre_lps_mm``,
``ap_mm``, ``transverse_mm``, ``si_mm``, ``level_top``, ``level_bottom``, the extents
``enhancement`` and ``t2`` (``top_lps_mm``, ``bottom_lps_mm``, ``length_mm``, ``s_top``,
``s_bottom``, ``segments`` (the span rule, the default), ``levels_touched`` (the touched
rule), ``segments_fractional``), ``t2_enhancement_ratio`` (span rule),
``t2_enhancement_ratio_touched``, ``t2_enhancement_ratio_mm``, ``location`` and the findings ``position``, ``morphology``,
``cord_expansion``, ``t2_signal``, ``t1_signal``, ``cystic_change``, ``hemorrhage``,
``enhancement_present`` (the vocabulary's *enhancement*, renamed because ``enhancement``
holds the extent), ``enhancement_pattern``, ``rim_sign`` and ``flame_sign``.
"""

from __future__ import annotations

from spineviewer.phantom.anatomy import Anatomy
from spineviewer.phantom.cases import CaseSpec, LesionSpec
from spineviewer.phantom.cord import PlacedLesion
from spineviewer.phantom.levels import level_name
from spineviewer.phantom.protocol import SeriesSpec
from spineviewer.phantom.segments import Extent, LevelAxis, location_category

SCHEMA_VERSION = 2
#: Length of the conus zone above the conus tip, along the cord, mm.
CONUS_ZONE_MM = 30.0


def _point(values) -> list[float]:
    return [round(float(c), 3) + 0.0 for c in values]


def disc_points(anatomy: Anatomy) -> list[tuple[str, list[float]]]:
    """Names and LPS points of the discs C2-C3 ... L5-S1, cranial to caudal."""
    layout, curve = anatomy.layout, anatomy.curve
    result = []
    for name, a in zip(layout.disc_names, layout.disc_mid_a):
        half_ap = 0.5 * float(layout.profile("canal_ap", a))
        result.append((name, _point(curve.point(a, -half_ap))))
    return result


def level_axis(anatomy: Anatomy) -> LevelAxis:
    """The level axis through the true disc points."""
    return LevelAxis.from_discs([p for _, p in disc_points(anatomy)])


def _extent(anatomy: Anatomy, axis: LevelAxis, a_top: float, a_bottom: float) -> tuple:
    curve = anatomy.curve
    top, bottom = curve.point(a_top), curve.point(a_bottom)
    extent = Extent(axis.s(top), axis.s(bottom), a_bottom - a_top)
    return extent, {
        "top_lps_mm": _point(top), "bottom_lps_mm": _point(bottom),
        "length_mm": round(extent.length_mm, 3),
        "s_top": round(extent.s_top, 4), "s_bottom": round(extent.s_bottom, 4),
        "segments": extent.segments,
        "levels_touched": extent.levels_touched,
        "segments_fractional": round(extent.segments_fractional, 4),
    }


def lesion_truth(anatomy: Anatomy, axis: LevelAxis, lesion_id: int, spec: LesionSpec,
                 placed: PlacedLesion) -> dict:
    """Ground truth of one lesion."""
    curve = anatomy.curve
    centre = curve.point(placed.a, placed.v)
    centre[0] = placed.x
    half = 0.5 * placed.si
    enh, enh_json = _extent(anatomy, axis, placed.a - half, placed.a + half)
    t2, t2_json = _extent(anatomy, axis, placed.edema_top, placed.edema_bottom)
    zone_top = anatomy.cord.conus_tip_a - CONUS_ZONE_MM
    location = location_category(enh.s_top, enh.s_bottom, placed.a - half, placed.a + half,
                                 zone_top)
    return {
        "lesion_id": lesion_id,
        "centre_lps_mm": _point(centre),
        "centre_level_coordinate": round(axis.s(centre), 4),
        "ap_mm": placed.ap, "transverse_mm": placed.transverse, "si_mm": placed.si,
        "level_top": level_name(int(enh.s_top // 1)),
        "level_bottom": level_name(int(enh.s_bottom // 1)),
        "enhancement": enh_json,
        "t2": t2_json,
        "t2_enhancement_ratio": round(t2.segments / enh.segments, 4),
        "t2_enhancement_ratio_touched": round(t2.levels_touched / enh.levels_touched, 4),
        "t2_enhancement_ratio_mm": round(t2.length_mm / placed.si, 4),
        "location": location,
        "position": spec.position,
        "morphology": spec.morphology,
        "cord_expansion": spec.cord_expansion,
        "t2_signal": spec.t2_signal,
        "t1_signal": spec.t1_signal,
        "cystic_change": spec.cystic_change,
        "hemorrhage": spec.hemorrhage,
        "enhancement_present": spec.enhancement,
        "enhancement_pattern": spec.enhancement_pattern,
        "rim_sign": spec.rim_sign,
        "flame_sign": spec.flame_sign,
    }


def series_truth(series: SeriesSpec, series_uid: str, instance_numbers: list[list[int]],
                 lesion_ids: tuple[int, ...]) -> dict:
    """Description of one series and its stacks."""
    first = series.stacks[0]
    entry = {
        "series_number": series.number,
        "series_uid": series_uid,
        "description": series.description,
        "plane": series.plane,
        "contrast": series.contrast.value,
        "post_contrast": series.post_contrast,
        "folder": f"dicom/SE{series.number:04d}",
        "n_slices": series.n_images,
        "rows": first.rows, "cols": first.cols,
        "pixel_spacing_mm": list(first.pixel_spacing),
        "slice_thickness_mm": first.thickness,
        "spacing_between_slices_mm": first.spacing,
        "image_orientation_patient": [*first.f_row, *first.f_col],
        "stacks": [
            {"stack": i + 1, "station": stack.station, "n_slices": stack.n_slices,
             "instance_numbers": numbers,
             "first_position_lps_mm": list(stack.positions[0]),
             "last_position_lps_mm": list(stack.positions[-1])}
            for i, (stack, numbers) in enumerate(zip(series.stacks, instance_numbers))
        ],
    }
    if series.plane == "axial":
        entry["covers_lesions"] = list(lesion_ids)
    return entry


def case_truth(case: CaseSpec, anatomy: Anatomy, *, options: dict, uids: dict,
               series: list[dict]) -> dict:
    """The whole ground-truth document of a case.

    Parameters
    ----------
    case : CaseSpec
        The case.
    anatomy : Anatomy
        Its tissue model.
    options : dict
        Generator seed and options.
    uids : dict
        ``study_instance_uid`` and ``frame_of_reference_uid``.
    series : list of dict
        Entries from :func:`series_truth`.
    """
    axis = level_axis(anatomy)
    tip = anatomy.curve.point(anatomy.cord.conus_tip_a)
    patient = case.patient
    return {
        "schema_version": SCHEMA_VERSION,
        "case": case.slug,
        "generator": {"package": "spineviewer.phantom", **options},
        "coordinates": "DICOM patient LPS, mm (x left, y posterior, z superior)",
        "patient": {
            "patient_id": patient.patient_id, "name": patient.name, "sex": patient.sex,
            "age": patient.age, "birth_date": patient.birth_date,
            "primary_tumour": patient.primary_tumour,
            "primary_tumour_text": patient.primary_tumour_text,
            "presenting_symptom": patient.presenting_symptom,
            "iscm": "solitary" if case.solitary else "multiple",
        },
        "study": {"study_instance_uid": uids["study_instance_uid"],
                  "study_date": case.study_date, "accession_number": case.accession,
                  "description": case.study_description},
        "frame_of_reference_uid": uids["frame_of_reference_uid"],
        "series": series,
        "levels": {
            "definition": "level index C1=0 ... T1=7 ... L1=19 ... S1=24; a level runs from "
                          "the disc above the vertebra to the disc below it; the disc 'A-B' "
                          "is the boundary at s = index(B)",
            "conus_zone_mm": CONUS_ZONE_MM,
        },
        "discs": [{"name": name, "point_lps_mm": point} for name, point in disc_points(anatomy)],
        "conus_tip_lps_mm": _point(tip),
        "conus_tip_level_coordinate": round(axis.s(tip), 4),
        "lesions": [lesion_truth(anatomy, axis, i + 1, spec, placed) for i, (spec, placed)
                    in enumerate(zip(case.lesions, anatomy.cord.lesions))],
    }
