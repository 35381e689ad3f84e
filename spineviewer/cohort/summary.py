"""Summary statistics of a cohort: the figures of the tables, as ``summary.json`` holds them.

Variable names are the CSV column names and categories are the CSV values. An empty cell (not
assessed) is left out of a variable's n, as the ISCM series does. Categorical variables give
``{"n", "counts"}`` with every word of the vocabulary (zero counts included); numeric ones give
``{"n", "mean", "median", "min", "max"}``, unrounded (None when n is 0).

Thresholds count T2 extents of at least 2 and 3 vertebral segments per lesion
(``t2_segments``) and per patient, where a patient's extent is the longest of their lesions
(``max_t2_segments``, as the series considers the longest lesion of a patient with several).

Derived figures (``derived``) are those of the published tables that combine columns: the ISCM
presenting or diagnosed before the primary tumour (a negative interval), the intervals of the
patients whose primary tumour was diagnosed first (interval >= 0, as the series' median (range)
counts them), and other CNS or spinal metastases and the primary tumour or non-CNS metastases
seen together or either of them (among patients with both assessed).
"""

from __future__ import annotations

import statistics

from spineviewer.cohort.consistency import CheckedCohort
from spineviewer.cohort.rows import CATEGORIES, CohortRow

LESION_CATEGORICAL = ("location", "position", "morphology", "cord_expansion", "t2_signal",
                      "t1_signal", "cystic_change", "hemorrhage", "enhancement",
                      "enhancement_pattern", "rim_sign", "flame_sign",
                      "leptomeningeal_origin_suspected")
LESION_NUMERIC = ("ap_mm", "transverse_mm", "si_mm", "enhancement_length_mm",
                  "enhancement_segments", "enhancement_segments_fractional", "t2_length_mm",
                  "t2_segments", "t2_segments_fractional", "t2_enhancement_ratio",
                  "t2_enhancement_ratio_mm", "volume_mm3", "enhancement_levels_touched",
                  "t2_levels_touched")
PATIENT_CATEGORICAL = ("sex", "primary_tumor", "dominant_symptom", "multiplicity",
                       "other_cns_spinal_mets", "leptomeningeal_mets", "leptomeningeal_sites",
                       "primary_or_noncns_mets_visible", "new_iscm_on_followup", "segment_rule")
PATIENT_NUMERIC = ("age_years", "symptom_duration_weeks", "primary_to_presentation_years",
                   "primary_to_diagnosis_years", "n_lesions", "max_t2_segments")
#: Extents in vertebral segments at or above which the series counts a lesion or a patient.
THRESHOLDS = (2, 3)


def summarise(cohort: CheckedCohort) -> dict:
    """The counts, n, means, medians and ranges of every variable (see the module notes)."""
    lesions, patients = cohort.lesions, cohort.patients
    return {
        "n_patients": len(patients),
        "n_lesions": len(lesions),
        "lesion_variables": {**{name: categorical(lesions, name) for name in LESION_CATEGORICAL},
                             **{name: numeric(_values(lesions, name)) for name in LESION_NUMERIC}},
        "patient_variables": {**{name: categorical(patients, name) for name in PATIENT_CATEGORICAL},
                              **{name: numeric(_values(patients, name)) for name in PATIENT_NUMERIC}},
        "thresholds": _thresholds(lesions, patients),
        "derived": _derived(patients),
    }


def categorical(rows: tuple[CohortRow, ...], name: str) -> dict:
    """``{"n", "counts"}``: the rows with a value, and the count of each vocabulary word.

    ``leptomeningeal_sites`` holds several sites per patient: each site is counted, n is the
    patients with at least one, and ``combinations`` counts the sets of sites as written.
    """
    values = _values(rows, name)
    counts = dict.fromkeys(CATEGORIES[name], 0)
    if name != "leptomeningeal_sites":
        for value in values:
            counts[value] += 1
        return {"n": len(values), "counts": counts}
    combinations: dict[str, int] = {}
    for value in values:
        for site in value.split(";"):
            counts[site] += 1
        combinations[value] = combinations.get(value, 0) + 1
    return {"n": len(values), "counts": counts, "combinations": combinations}


def numeric(values: list) -> dict:
    """``{"n", "mean", "median", "min", "max"}`` of the values given (None when empty)."""
    if not values:
        return {"n": 0, "mean": None, "median": None, "min": None, "max": None}
    return {"n": len(values), "mean": statistics.fmean(values),
            "median": statistics.median(values), "min": min(values), "max": max(values)}


def count_of(values: list, condition) -> dict:
    """``{"n", "count"}``: how many of the values meet the condition."""
    return {"n": len(values), "count": sum(1 for value in values if condition(value))}


def _values(rows, name: str) -> list:
    return [value for value in (row.get(name) for row in rows) if value is not None]


def _thresholds(lesions, patients) -> dict:
    per_lesion = _values(lesions, "t2_segments")
    per_patient = _values(patients, "max_t2_segments")
    result = {}
    for limit in THRESHOLDS:
        result[f"t2_segments_ge{limit}_lesions"] = count_of(per_lesion, lambda v, k=limit: v >= k)
    for limit in THRESHOLDS:
        result[f"t2_segments_ge{limit}_patients"] = count_of(per_patient, lambda v, k=limit: v >= k)
    return result


def _derived(patients) -> dict:
    presentation = _values(patients, "primary_to_presentation_years")
    diagnosis = _values(patients, "primary_to_diagnosis_years")
    both = [(row.get("other_cns_spinal_mets"), row.get("primary_or_noncns_mets_visible"))
            for row in patients]
    both = [pair for pair in both if None not in pair]
    return {
        "presentation_before_primary": count_of(presentation, lambda v: v < 0),
        "diagnosis_before_primary": count_of(diagnosis, lambda v: v < 0),
        "primary_to_presentation_years_primary_first": numeric([v for v in presentation if v >= 0]),
        "primary_to_diagnosis_years_primary_first": numeric([v for v in diagnosis if v >= 0]),
        "other_mets_or_primary_visible": count_of(both, lambda p: "present" in p),
        "other_mets_and_primary_visible": count_of(both, lambda p: p == ("present", "present")),
    }
