"""A cohort written by hand to match the ISCM case series' published Tables 1-3.

The counts are those printed in ``../shared/reference/iscm-case-series-mri-features.txt``:
49 patients, 70 lesions. Where the paper gives only a rounded mean, a median or a range, the
values below are chosen by hand so that the published figure results (their exact means are
worked out in the tests' comments). The splits by solitary / multiple ISCM that the paper
prints are kept: the primary tumour (multiple ISCMs only with lung, 7, and breast, 3,
carcinoma) and other CNS or spinal metastases (20/39 solitary, 9/10 multiple). Patients 1-10
have multiple ISCMs (patient 1 four lesions, the others three: 31 lesions), patients 11-49 one.
"""

from __future__ import annotations

import csv
from pathlib import Path

from spineviewer.export.csv_tables import LESION_COLUMNS, PATIENT_COLUMNS

N_PATIENTS, N_LESIONS, N_MULTIPLE = 49, 70, 10


def runs(*pairs) -> list:
    """``runs(("a", 2), ("", 1))`` -> ``["a", "a", ""]``: a column written as runs of values."""
    return [value for value, count in pairs for _ in range(count)]


def patient_columns() -> dict[str, list]:
    """Each patients.csv column, patients 1-49 in order (1-10 multiple, 11-49 solitary)."""
    return {
        "sex": runs(("F", 26), ("M", 23)),
        "age_years": runs((7, 1), (50, 23), (57.7, 1), (65, 23), (80, 1)),
        # multiple: lung 7, breast 3; solitary: lung 17, breast 4, melanoma 5, cns 4, renal 3, other 6
        "primary_tumor": runs(("lung", 7), ("breast", 3), ("lung", 17), ("breast", 4),
                              ("melanoma", 5), ("cns", 4), ("renal", 3), ("other", 6)),
        # two of the four asymptomatic patients have multiple ISCMs
        "dominant_symptom": runs(("asymptomatic", 2), ("weakness", 8), ("asymptomatic", 2),
                                 ("weakness", 20), ("sensory", 8), ("bowel-bladder", 5), ("pain", 4)),
        # n = 44: the four asymptomatic patients and one more have none
        "symptom_duration_weeks": runs(("", 2), (0.1, 1), (1, 7), ("", 2), (1, 13), (2, 2),
                                       (3, 20), (32, 1), ("", 1)),
        # presentation before the primary's diagnosis in 10 solitary patients (negative), one
        # unknown; of the 38 others: median 1.8, range 0-19.3
        "primary_to_presentation_years": runs((0, 1), (1, 9), (-0.5, 10), (1, 8), (1.8, 2),
                                              (3, 17), (19.3, 1), ("", 1)),
        # diagnosis before the primary's in 5 of those 10; of the 44 others: median 1.6, 0-19.5
        "primary_to_diagnosis_years": runs((0, 1), (1, 9), (-0.2, 5), (1, 11), (1.6, 2),
                                           (3, 20), (19.5, 1)),
        "n_lesions": runs((4, 1), (3, 9), (1, 39)),
        "multiplicity": runs(("multiple", 10), ("solitary", 39)),
        "other_cns_spinal_mets": runs(("present", 9), ("absent", 1), ("present", 20),
                                      ("absent", 19)),
        # 18 patients, split 4 multiple / 14 solitary (the paper does not print the split)
        "leptomeningeal_mets": runs(("present", 4), ("absent", 6), ("present", 14),
                                    ("absent", 25)),
        "leptomeningeal_sites": runs(("cord-conus;cauda-equina;cul-de-sac", 4), ("", 6),
                                     ("cord-conus;cauda-equina;cul-de-sac", 4),
                                     ("cord-conus", 6), ("cauda-equina", 2),
                                     ("cord-conus;cauda-equina", 2), ("", 25)),
        # 29 patients, split 6 multiple / 23 solitary; with other metastases: both in 15
        "primary_or_noncns_mets_visible": runs(("present", 6), ("absent", 4), ("present", 9),
                                               ("absent", 11), ("present", 14), ("absent", 5)),
        "new_iscm_on_followup": runs(("present", 11), ("absent", 38)),
        # the longest T2 extent of each patient: n = 48, >= 2 in 36, >= 3 in 32
        "max_t2_segments": runs((4, 10), (4, 22), (2, 4), (1, 12), ("", 1)),
    }


def lesion_columns() -> dict[str, list]:
    """Each lesions.csv column, lesions in patient order (Table 2's counts)."""
    return {
        "location": runs(("cervical", 16), ("cervicothoracic", 2), ("thoracic", 40),
                         ("thoracic-conus", 1), ("conus", 11)),
        "position": runs(("central", 23), ("eccentric", 35), ("exophytic", 4), ("", 8)),
        "morphology": runs(("well-circumscribed", 64), ("ill-defined", 2), ("", 4)),
        "cord_expansion": runs(("present", 44), ("absent", 26)),
        "t2_signal": runs(("hyperintense", 55), ("hypointense", 1), ("isointense", 14)),
        "t1_signal": runs(("hyperintense", 10), ("hypointense", 5), ("isointense", 48), ("", 7)),
        "cystic_change": runs(("absent", 68), ("intratumoral", 2)),
        "hemorrhage": runs(("absent", 69), ("present", 1)),
        "enhancement": runs(("present", 63), ("absent", 1), ("", 6)),
        "enhancement_pattern": runs(("homogeneous", 31), ("heterogeneous", 31),
                                    ("peripheral-ring", 1), ("", 7)),
        # the 35 eccentric and 4 exophytic lesions; 3 of possible leptomeningeal origin
        "leptomeningeal_origin_suspected": runs(("", 23), ("present", 3), ("absent", 36), ("", 8)),
        "rim_sign": runs(("", 58), ("present", 2), ("absent", 2), ("", 8)),
        "flame_sign": runs(("", 58), ("present", 1), ("absent", 3), ("", 8)),
        # sum 412.5 over 63: mean 6.548
        "ap_mm": runs((1, 1), (16, 1), (6, 30), (7, 30), (5.5, 1), ("", 7)),
        # sum 387 over 53: mean 7.302
        "transverse_mm": runs((2, 1), (23, 1), (7, 46), (8, 5), ("", 17)),
        # sum 1254 over 63: mean 19.905
        "si_mm": runs((2, 1), (114, 1), (18, 21), (19, 40), ("", 7)),
        # sum 87 over 63: mean 1.381
        "enhancement_segments": runs((8, 1), (1, 45), (2, 17), ("", 7)),
        # sum 311 over 69: mean 4.507; >= 2 in 43, >= 3 in 37
        "t2_segments": runs((1, 26), (2, 6), (15, 1), (7, 30), (8, 6), ("", 1)),
        # sum 229 over 63: mean 3.635
        "t2_enhancement_ratio": runs((1, 1), (14, 1), (3, 30), (4, 31), ("", 7)),
    }


def lesion_patients() -> list[tuple[str, int]]:
    """(patient_id, lesion_id) of the 70 lesions: patient 1 has four, 2-10 three, 11-49 one."""
    counts = [4] + [3] * 9 + [1] * 39
    return [(f"P{p + 1:02d}", k + 1) for p, n in enumerate(counts) for k in range(n)]


def write_published_cohort(folder: Path, *, reader: str = "consensus") -> tuple[Path, Path]:
    """Write lesions.csv and patients.csv of the published series into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    patients = [{"patient_id": f"P{i + 1:02d}", "reader": reader, "segment_rule": "span"}
                for i in range(N_PATIENTS)]
    for name, values in patient_columns().items():
        assert len(values) == N_PATIENTS, name
        for row, value in zip(patients, values):
            row[name] = str(value)
    lesions = [{"patient_id": pid, "lesion_id": str(lid), "reader": reader}
               for pid, lid in lesion_patients()]
    for name, values in lesion_columns().items():
        assert len(values) == N_LESIONS, name
        for row, value in zip(lesions, values):
            row[name] = str(value)
    return (_write(folder / "lesions.csv", LESION_COLUMNS, lesions),
            _write(folder / "patients.csv", PATIENT_COLUMNS, patients))


def _write(path: Path, columns, rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path
