"""The cohort tables of rows written to match the ISCM series reproduce its published figures.

Every expected value below is read from the paper (``../shared/reference``: Tables 1-3 and the
results text) or, for the exact means, worked out by hand from the values of
``tests/cohort/published.py``; none is computed by spineviewer.
"""

from __future__ import annotations

import json
import math

import pytest

from spineviewer.cohort.build import build_cohort
from tests.cohort.published import write_published_cohort


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """The published series as CSV files, tabulated once: (summary.json, tables.md)."""
    folder = tmp_path_factory.mktemp("published")
    inputs = write_published_cohort(folder / "in")
    build_cohort(inputs, folder / "out")
    summary = json.loads((folder / "out" / "summary.json").read_text(encoding="utf-8"))
    return summary, (folder / "out" / "tables.md").read_text(encoding="utf-8")


def lines(markdown: str) -> dict[str, str]:
    """Label -> value of the table lines of tables.md (labels without their indent)."""
    found = {}
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 2:
            found.setdefault(cells[0].replace("&nbsp;", "").strip("*"), cells[1])
    return found


class TestTable1:
    def test_sizes(self, cohort):
        """49 patients with 70 ISCMs."""
        summary, _ = cohort
        assert (summary["n_patients"], summary["n_lesions"]) == (49, 70)

    def test_patient_counts(self, cohort):
        """Sex, primary malignancy and dominant symptom counts of Table 1."""
        variables = cohort[0]["patient_variables"]
        assert variables["sex"] == {"n": 49, "counts": {"F": 26, "M": 23, "O": 0}}
        assert variables["primary_tumor"] == {"n": 49, "counts": {
            "lung": 24, "breast": 7, "melanoma": 5, "cns": 4, "renal": 3, "other": 6}}
        assert variables["dominant_symptom"] == {"n": 49, "counts": {
            "weakness": 28, "sensory": 8, "bowel-bladder": 5, "pain": 4, "asymptomatic": 4}}

    def test_medians_and_ranges(self, cohort):
        """Age 57.7 (7-80); symptoms 2 weeks (0.1-32), n = 44; intervals 1.8 (0-19.3), n = 38,
        and 1.6 (0-19.5), n = 44, over the patients whose primary was diagnosed first."""
        summary = cohort[0]
        age = summary["patient_variables"]["age_years"]
        assert (age["n"], age["median"], age["min"], age["max"]) == (49, 57.7, 7.0, 80.0)
        weeks = summary["patient_variables"]["symptom_duration_weeks"]
        assert (weeks["n"], weeks["median"], weeks["min"], weeks["max"]) == (44, 2.0, 0.1, 32.0)
        derived = summary["derived"]
        presentation = derived["primary_to_presentation_years_primary_first"]
        assert (presentation["n"], presentation["median"], presentation["min"],
                presentation["max"]) == (38, 1.8, 0.0, 19.3)
        diagnosis = derived["primary_to_diagnosis_years_primary_first"]
        assert (diagnosis["n"], diagnosis["median"], diagnosis["min"], diagnosis["max"]) == (
            44, 1.6, 0.0, 19.5)

    def test_timing(self, cohort):
        """ISCM presentation preceded the primary's diagnosis in 10, its diagnosis in 5/49.

        One patient's presentation interval is unknown, so that n is 48 (the paper prints
        10 (20%) of 49; an empty value is left out of n here, so the table says 10 (21%))."""
        derived = cohort[0]["derived"]
        assert derived["presentation_before_primary"] == {"n": 48, "count": 10}
        assert derived["diagnosis_before_primary"] == {"n": 49, "count": 5}

    def test_printed_lines(self, cohort):
        """Table 1 as printed in the paper."""
        table = lines(cohort[1])
        assert table["Female"] == "26 (53%)"
        assert [table[k] for k in ("Lung carcinoma", "Breast carcinoma", "Melanoma", "CNS origin",
                                   "Renal cell carcinoma", "Other")] == [
            "24 (49%)", "7 (14%)", "5 (10%)", "4 (8%)", "3 (6%)", "6 (12%)"]
        assert [table[k] for k in ("Weakness", "Sensory symptoms",
                                   "Bowel and/or bladder dysfunction", "Pain", "Asymptomatic")] == [
            "28 (57%)", "8 (16%)", "5 (10%)", "4 (8%)", "4 (8%)"]
        assert table["Duration of symptoms at clinical presentation, median (range) (n = 44)"] == \
            "2 weeks (0.1–32)"
        assert table["Primary tumor diagnosis to ISCM presentation (n = 38)"] == "1.8 years (0–19.3)"
        assert table["Primary tumor diagnosis to ISCM diagnosis (n = 44)"] == "1.6 years (0–19.5)"
        assert table["ISCM diagnosis preceded primary tumor diagnosis"] == "5 (10%)"


class TestTable2:
    @pytest.mark.parametrize(("variable", "n", "counts"), [
        ("location", 70, {"cervical": 16, "cervicothoracic": 2, "thoracic": 40,
                          "thoracic-conus": 1, "conus": 11}),
        ("position", 62, {"central": 23, "eccentric": 35, "exophytic": 4}),
        ("morphology", 66, {"well-circumscribed": 64, "ill-defined": 2}),
        ("cord_expansion", 70, {"present": 44, "absent": 26}),
        ("enhancement", 64, {"present": 63, "absent": 1}),
        ("enhancement_pattern", 63, {"homogeneous": 31, "heterogeneous": 31, "peripheral-ring": 1}),
        ("t2_signal", 70, {"hyperintense": 55, "hypointense": 1, "isointense": 14}),
        ("t1_signal", 63, {"hyperintense": 10, "hypointense": 5, "isointense": 48}),
        ("cystic_change", 70, {"absent": 68, "intratumoral": 2, "peritumoral": 0, "both": 0}),
        ("hemorrhage", 70, {"present": 1, "absent": 69}),
        ("leptomeningeal_origin_suspected", 39, {"present": 3, "absent": 36}),
    ])
    def test_counts(self, cohort, variable, n, counts):
        """Each categorical feature's n and counts, as in Table 2."""
        assert cohort[0]["lesion_variables"][variable] == {"n": n, "counts": counts}

    @pytest.mark.parametrize(("variable", "n", "mean", "low", "high", "printed"), [
        ("ap_mm", 63, 412.5 / 63, 1, 16, "6.5 (1–16)"),
        ("transverse_mm", 53, 387 / 53, 2, 23, "7.3 (2–23)"),
        ("si_mm", 63, 1254 / 63, 2, 114, "19.9 (2–114)"),
        ("enhancement_segments", 63, 87 / 63, 1, 8, "1.4 (1–8)"),
        ("t2_segments", 69, 311 / 69, 1, 15, "4.5 (1–15)"),
        ("t2_enhancement_ratio", 63, 229 / 63, 1, 14, "3.6 (1–14)"),
    ])
    def test_means_and_ranges(self, cohort, variable, n, mean, low, high, printed):
        """Sizes and extents: n, the unrounded mean, the range, and the printed mean (range)."""
        summary, markdown = cohort
        stats = summary["lesion_variables"][variable]
        assert stats["n"] == n and math.isclose(stats["mean"], mean, rel_tol=1e-12)
        assert (stats["min"], stats["max"]) == (low, high)
        assert printed in {value for label, value in lines(markdown).items() if f"(n = {n})" in label}

    def test_printed_lines(self, cohort):
        """The denominators where they differ from 70, and the percentages of Table 2."""
        text = cohort[1]
        for heading in ("Position (n = 62)", "Morphology (n = 66)", "Enhancement (n = 64)",
                        "Enhancement pattern (n = 63)", "T1 signal intensity (n = 63)"):
            assert f"| **{heading}** |" in text
        assert "| **Cord expansion** |" in text and "| **Location** |" in text
        table = lines(text)
        assert (table["Cervical"], table["Thoracic"], table["Thoracic-conus"], table["Conus"]) == (
            "16 (23%)", "40 (57%)", "1 (1%)", "11 (16%)")
        assert (table["Eccentric"], table["Well-circumscribed"], table["Homogeneous"],
                table["Peripheral (ring)"], table["Hyperintense"]) == (
            "35 (56%)", "64 (97%)", "31 (49%)", "1 (2%)", "55 (79%)")
        assert table["Present"] == "44 (63%)"  # cord expansion, the first present/absent

    def test_t2_thresholds(self, cohort):
        """T2 extent >= 2 segments in 43/69 lesions and 36/48 patients, >= 3 in 37/69 and 32/48."""
        assert cohort[0]["thresholds"] == {
            "t2_segments_ge2_lesions": {"n": 69, "count": 43},
            "t2_segments_ge3_lesions": {"n": 69, "count": 37},
            "t2_segments_ge2_patients": {"n": 48, "count": 36},
            "t2_segments_ge3_patients": {"n": 48, "count": 32},
        }
        table = lines(cohort[1])
        assert table["≥ 2 segments (n = 69)"] == "43 (62%)"
        assert table["≥ 3 segments (n = 69)"] == "37 (54%)"
        assert table["≥ 2 segments (n = 48)"] == "36 (75%)"
        assert table["≥ 3 segments (n = 48)"] == "32 (67%)"


class TestTable3:
    def test_reference_mri(self, cohort):
        """Solitary 39 (80%), multiple 10 (20%); other metastases 29, leptomeningeal 18, primary
        visible 29; either 43 (88%), both 15 (31%); new ISCM on follow-up 11 (22%)."""
        summary, markdown = cohort
        variables = summary["patient_variables"]
        assert variables["multiplicity"]["counts"] == {"solitary": 39, "multiple": 10}
        assert variables["other_cns_spinal_mets"]["counts"]["present"] == 29
        assert variables["leptomeningeal_mets"]["counts"]["present"] == 18
        assert variables["primary_or_noncns_mets_visible"]["counts"]["present"] == 29
        assert variables["new_iscm_on_followup"] == {"n": 49, "counts": {"present": 11, "absent": 38}}
        assert summary["derived"]["other_mets_or_primary_visible"] == {"n": 49, "count": 43}
        assert summary["derived"]["other_mets_and_primary_visible"] == {"n": 49, "count": 15}
        assert variables["leptomeningeal_sites"]["combinations"][
            "cord-conus;cauda-equina;cul-de-sac"] == 8
        table = lines(markdown)
        assert (table["Solitary ISCM"], table["Multiple ISCMs"]) == ("39 (80%)", "10 (20%)")
        assert table["Non-cord CNS and/or spinal metastasis"] == "29 (59%)"
        assert table["Leptomeningeal metastasis"] == "18 (37%)"
        assert table["Non-cord CNS/spinal metastasis OR primary tumor/non-CNS metastasis"] == "43 (88%)"
        assert table["Both non-cord CNS/spinal metastasis AND primary tumor/non-CNS metastasis"] == \
            "15 (31%)"


class TestPublishedTests:
    def _test(self, summary, variable, kind="chi-square"):
        return next(t for t in summary["tests"] if t["variable"] == variable and t["test"] == kind)

    def test_primary_tumor_type(self, cohort):
        """Solitary vs multiple ISCM against primary tumour type: P = .1607 (6 x 2, df 5)."""
        test = self._test(cohort[0], "primary_tumor")
        assert round(test["p"], 4) == 0.1607
        assert (test["df"], test["n"]) == (5, 49)
        # smallest expected count: renal 3 patients x 10 multiple / 49
        assert math.isclose(test["min_expected"], 30 / 49) and "below 5" in test["warning"]

    def test_other_metastases(self, cohort):
        """Other CNS or spinal metastases, 20/39 vs 9/10: P = .0263 (chi-square, df 1), with
        Fisher's exact test beside it."""
        summary, markdown = cohort
        test = self._test(summary, "other_cns_spinal_mets")
        assert round(test["p"], 4) == 0.0263
        assert (test["df"], test["n"]) == (1, 49)
        assert test["table"] == {"present": {"solitary": 20, "multiple": 9},
                                 "absent": {"solitary": 19, "multiple": 1}}
        # smallest expected count: 20 without x 10 multiple / 49 = 4.08 < 5
        assert math.isclose(test["min_expected"], 200 / 49) and "below 5" in test["warning"]
        exact = self._test(summary, "other_cns_spinal_mets", "fisher-exact")
        assert math.isclose(exact["p"], _fisher_two_sided(20, 19, 9, 1), rel_tol=1e-9)
        assert "| 20/39 (51%) | 9/10 (90%) | Pearson chi-square | χ² = 4.94, df = 1 | .0263 |" in markdown

    def test_every_test_is_listed(self, cohort):
        """Four chi-square tests and three Fisher tests (the 2 x 2 tables)."""
        kinds = [(t["variable"], t["test"]) for t in cohort[0]["tests"]]
        assert kinds == [("primary_tumor", "chi-square"),
                         ("other_cns_spinal_mets", "chi-square"),
                         ("other_cns_spinal_mets", "fisher-exact"),
                         ("primary_or_noncns_mets_visible", "chi-square"),
                         ("primary_or_noncns_mets_visible", "fisher-exact"),
                         ("leptomeningeal_mets", "chi-square"),
                         ("leptomeningeal_mets", "fisher-exact")]


def _fisher_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Fisher's exact test by hand: the hypergeometric probabilities of every table with the
    margins of [[a, b], [c, d]] that are no more likely than it, summed."""
    row, column, total = a + b, a + c, a + b + c + d

    def probability(x: int) -> float:
        return math.comb(column, x) * math.comb(total - column, row - x) / math.comb(total, row)

    observed = probability(a)
    return sum(probability(x) for x in range(max(0, row + column - total), min(row, column) + 1)
               if probability(x) <= observed * (1 + 1e-7))
