"""The cohort tables laid out like the ISCM series' Tables 1-3, from ``summary.json``'s figures.

A table is a title and lines; a line is a label, a value and a depth (0: a heading such as
``Location``, 1: a category under it). Counts read ``44 (63%)`` (percentages rounded half up),
sizes and segment counts ``mean (range)``, intervals and durations ``median (range)``. A
heading or line says its n (``Enhancement (n = 64)``) only where it differs from the table's
total of patients or lesions, because empty values are left out of a variable's n.
"""

from __future__ import annotations

from dataclasses import dataclass

from spineviewer.core.levels import SegmentRule

CATEGORY_LABELS = {
    "F": "Female", "M": "Male", "O": "Other", "lung": "Lung carcinoma",
    "breast": "Breast carcinoma", "cns": "CNS origin", "renal": "Renal cell carcinoma",
    "sensory": "Sensory symptoms", "bowel-bladder": "Bowel and/or bladder dysfunction",
    "peripheral-ring": "Peripheral (ring)", "solitary": "Solitary ISCM", "multiple": "Multiple ISCMs",
    "cord-conus": "Cord/conus", "cauda-equina": "Cauda equina",
}
LESION_HEADINGS = (
    ("location", "Location"), ("position", "Position"), ("morphology", "Morphology"),
    ("cord_expansion", "Cord expansion"), ("enhancement", "Enhancement"),
    ("enhancement_pattern", "Enhancement pattern"), ("t2_signal", "T2 signal intensity"),
    ("t1_signal", "T1 signal intensity"), ("cystic_change", "Cystic change"),
    ("hemorrhage", "Intratumoral hemorrhage"), ("rim_sign", "Rim sign"),
    ("flame_sign", "Flame sign"),
    ("leptomeningeal_origin_suspected", "Leptomeningeal origin suspected"),
)
#: Categories shown only when some row has them.
_SHOWN_IF_PRESENT = {("sex", "O")}


@dataclass(frozen=True)
class Line:
    label: str
    value: str
    depth: int


@dataclass(frozen=True)
class Table:
    title: str
    lines: tuple[Line, ...]


def percent(count: int, n: int) -> str:
    """``44 (63%)``: the percentage rounded half up, as the series prints it."""
    return f"{count} ({int(100 * count / n + 0.5)}%)" if n else f"{count}"


def number(value: float) -> str:
    """One decimal at most: ``16``, ``19.9``, ``0.1``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def mean_range(stats: dict, unit: str = "") -> str:
    if not stats["n"]:
        return "-"
    return f"{stats['mean']:.1f}{unit} ({number(stats['min'])}–{number(stats['max'])})"


def median_range(stats: dict, unit: str = "") -> str:
    if not stats["n"]:
        return "-"
    return f"{number(stats['median'])}{unit} ({number(stats['min'])}–{number(stats['max'])})"


def rule_statement(rules: dict[str, int]) -> str:
    """The sentence saying how segments were counted."""
    if not rules:
        return "No study states its segment counting rule."
    if len(rules) == 1:
        rule = SegmentRule(next(iter(rules)))
        return f"Vertebral segments are counted by the `{rule.value}` rule ({rule.label})."
    said = ", ".join(f"`{r}` ({SegmentRule(r).label}) in {k} patients" for r, k in sorted(rules.items()))
    return f"Warning: the studies count vertebral segments by different rules: {said}."


def cohort_tables(summary: dict) -> tuple[Table, Table, Table]:
    """Table 1 (patient characteristics), Table 2 (lesion features), Table 3 (intervals and
    findings on the reference MRI, per patient)."""
    patients, lesions = summary["n_patients"], summary["n_lesions"]
    pv, lv, derived = summary["patient_variables"], summary["lesion_variables"], summary["derived"]
    limits = summary["thresholds"]
    first = Table(f"Table 1: Clinical features, per-patient basis (n = {patients} patients)", (
        *_categories("Sex", "sex", pv["sex"], patients),
        Line(_with_n("Age, years, median (range)", pv["age_years"]["n"], patients),
             median_range(pv["age_years"]), 0),
        *_categories("Primary malignancy", "primary_tumor", pv["primary_tumor"], patients),
        *_categories("Dominant presenting symptom", "dominant_symptom", pv["dominant_symptom"],
                     patients),
        Line(_with_n("Duration of symptoms at clinical presentation, median (range)",
                     pv["symptom_duration_weeks"]["n"], patients),
             median_range(pv["symptom_duration_weeks"], " weeks"), 0),
    ))
    segments = [("Length of enhancement", "enhancement_segments"),
                ("Length of cord T2 signal hyperintensity", "t2_segments"),
                ("Ratio, T2 signal/enhancement", "t2_enhancement_ratio")]
    sizes = [("Anterior-posterior", "ap_mm"), ("Transverse", "transverse_mm"),
             ("Superior-inferior", "si_mm")]
    second = Table(f"Table 2: MRI features, per-lesion basis (n = {lesions} lesions in {patients} patients)", (
        *(line for name, heading in LESION_HEADINGS
          for line in _categories(heading, name, lv[name], lesions)),
        Line("Size of enhancing lesion, mm, mean (range)", "", 0),
        *(Line(_with_n(label, lv[name]["n"], lesions), mean_range(lv[name]), 1) for label, name in sizes),
        Line("Longitudinal extent, No. of vertebral segments, mean (range)", "", 0),
        *(Line(_with_n(label, lv[name]["n"], lesions), mean_range(lv[name]), 1)
          for label, name in segments),
        Line("Cord T2 signal hyperintensity", "", 0),
        *(_threshold(limits[f"t2_segments_ge{k}_lesions"], k, lesions) for k in (2, 3)),
    ))
    third = Table(f"Table 3: Intervals and findings on the reference MRI, per-patient basis "
                  f"(n = {patients} patients)", (
        Line("Timing of primary tumor diagnosis", "", 0),
        _count_line("ISCM presentation preceded primary tumor diagnosis",
                    derived["presentation_before_primary"], patients),
        _count_line("ISCM diagnosis preceded primary tumor diagnosis",
                    derived["diagnosis_before_primary"], patients),
        Line("Time interval, median (range)", "", 0),
        Line(_with_n("Primary tumor diagnosis to ISCM presentation",
                     derived["primary_to_presentation_years_primary_first"]["n"], None),
             median_range(derived["primary_to_presentation_years_primary_first"], " years"), 1),
        Line(_with_n("Primary tumor diagnosis to ISCM diagnosis",
                     derived["primary_to_diagnosis_years_primary_first"]["n"], None),
             median_range(derived["primary_to_diagnosis_years_primary_first"], " years"), 1),
        *_categories("ISCMs on the reference MRI", "multiplicity", pv["multiplicity"], patients),
        Line(_with_n("Lesions per patient, mean (range)", pv["n_lesions"]["n"], patients),
             mean_range(pv["n_lesions"]), 1),
        Line("Other findings on the reference MRI", "", 0),
        _present_line("Non-cord CNS and/or spinal metastasis", pv["other_cns_spinal_mets"], patients),
        _present_line("Leptomeningeal metastasis", pv["leptomeningeal_mets"], patients),
        _present_line("Primary tumor and/or non-CNS metastasis",
                      pv["primary_or_noncns_mets_visible"], patients),
        _count_line("Non-cord CNS/spinal metastasis OR primary tumor/non-CNS metastasis",
                    derived["other_mets_or_primary_visible"], patients),
        _count_line("Both non-cord CNS/spinal metastasis AND primary tumor/non-CNS metastasis",
                    derived["other_mets_and_primary_visible"], patients),
        _present_line("New ISCM on follow-up", pv["new_iscm_on_followup"], patients),
        *_categories("Leptomeningeal metastasis sites", "leptomeningeal_sites",
                     pv["leptomeningeal_sites"], patients),
        Line("Cord T2 signal hyperintensity of the longest lesion", "", 0),
        *(_threshold(limits[f"t2_segments_ge{k}_patients"], k, patients) for k in (2, 3)),
    ))
    return first, second, third


def _with_n(label: str, n: int, total: int | None) -> str:
    return label if n == total else f"{label} (n = {n})"


def _categories(heading: str, name: str, stats: dict, total: int) -> list[Line]:
    n = stats["n"]
    lines = [Line(_with_n(heading, n, total), "", 0)]
    for word, count in stats["counts"].items():
        if (name, word) in _SHOWN_IF_PRESENT and not count:
            continue
        label = CATEGORY_LABELS.get(word, word.capitalize())
        lines.append(Line(label, percent(count, n), 1))
    return lines


def _count_line(label: str, stats: dict, total: int) -> Line:
    return Line(_with_n(label, stats["n"], total), percent(stats["count"], stats["n"]), 1)


def _present_line(label: str, stats: dict, total: int) -> Line:
    return _count_line(label, {"n": stats["n"], "count": stats["counts"]["present"]}, total)


def _threshold(stats: dict, limit: int, total: int) -> Line:
    return _count_line(f"≥ {limit} segments", stats, total)
