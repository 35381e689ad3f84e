"""Cohort CSV tables: columns, cell formats, units and pseudonymisation."""

import csv
import datetime as dt
from dataclasses import replace

import pytest

from spineviewer.core.annotations import (
    Bidirectional, Caliper, CordPath, Lesion, LesionFindings, PatientFindings, StudyAnnotations,
)
from spineviewer.core.levels import SegmentRule, VertebralLevels
from spineviewer.core.measurement import measured_columns
from spineviewer.core.metrics import LesionMetrics, PatientMetrics, patient_metrics
from spineviewer.export.csv_tables import (
    LESION_COLUMNS, PATIENT_COLUMNS, lesion_rows, patient_row, write_lesions_csv, write_patients_csv,
)

H = 20.0
PATIENT_ID = "PAT-0042"
STUDY_UID = "1.2.826.0.1.3680043.8.498.10101"
SAG = {"series_instance_uid": "1.2.826.0.1.3680043.8.498.20202", "sop_instance_uid": "1.2.826.0.1.3680043.8.498.30303"}
AX = {"series_instance_uid": "1.2.826.0.1.3680043.8.498.40404", "sop_instance_uid": "1.2.826.0.1.3680043.8.498.50505"}


def cord(s):
    """A cord point at level coordinate s on a straight spine with 20 mm levels from C2-C3."""
    return (0.0, 8.0, -H * (s - 2))


def study(patient_id=PATIENT_ID, unit="mm") -> StudyAnnotations:
    levels = VertebralLevels.from_points([(0.0, 0.0, -H * k) for k in range(21)], anchor=0, anchor_name="C2-C3")
    lesion = Lesion(1, (
        Caliper(endpoints=[cord(10.5), cord(11.25)], role="si", **SAG),
        Caliper(endpoints=[(0, 2, -170), (0, 8.5, -170)], role="ap", unit=unit, **SAG),
        Bidirectional(long_axis=[(-4.5, 5, -170), (4.5, 5, -170)], short_axis=[(0, 1.5, -170), (0, 8.5, -170)], **AX),
        CordPath(vertices=[cord(s) for s in (8.5, 10, 12, 13.5)], role="t2", **SAG),
    ), LesionFindings(position="eccentric", morphology="well-circumscribed", cord_expansion="present",
                      t2_signal="hyperintense", enhancement="present", enhancement_pattern="heterogeneous",
                      rim_sign="absent", notes=f'seen on {PATIENT_ID} "prior", 2011-05-17\nsecond line'))
    return StudyAnnotations(
        STUDY_UID, patient_id=patient_id, reader="FED", study_date=dt.date(2011, 5, 17),
        frame_of_reference_uid="1.2.826.0.1.3680043.8.498.60606", levels=levels, lesions=(lesion, Lesion(2)),
        patient=PatientFindings(sex="M", age_years=66, primary_tumor="lung", primary_tumor_detail="small cell",
                                dominant_symptom="weakness", symptom_duration_weeks=0.5,
                                primary_diagnosis_date="2009-05-17", iscm_presentation_date="2011-05-10",
                                iscm_diagnosis_date="2011-05-18", leptomeningeal_mets="present",
                                leptomeningeal_sites=["cauda-equina", "cord-conus"],
                                notes=f"ID {PATIENT_ID}, study {STUDY_UID}"))


def read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


class TestLesionsCsv:
    def test_header_in_order(self, tmp_path):
        """The header is exactly the documented columns, in order."""
        rows = read(write_lesions_csv(tmp_path / "lesions.csv", [study()]))
        assert tuple(rows[0]) == LESION_COLUMNS
        assert LESION_COLUMNS[:4] == ("patient_id", "study_date", "reader", "lesion_id")
        assert LESION_COLUMNS[-3:] == ("notes", "enhancement_levels_touched", "t2_levels_touched")
        assert len(LESION_COLUMNS) == 34

    def test_values_and_formats(self):
        """Words, mm with two decimals, whole segments, ratios; empty when not assessed."""
        row = lesion_rows(study())[0]
        assert (row["patient_id"], row["study_date"], row["lesion_id"]) == (PATIENT_ID, "2011-05-17", "1")
        assert (row["level_top"], row["level_bottom"], row["location"]) == ("T4", "T5", "thoracic")
        assert (row["position"], row["enhancement_pattern"], row["t1_signal"]) == ("eccentric", "heterogeneous", "")
        assert (row["ap_mm"], row["transverse_mm"], row["si_mm"]) == ("7.00", "9.00", "15.00")
        assert (row["enhancement_segments"], row["enhancement_segments_fractional"]) == ("1", "0.75")
        assert (row["t2_length_mm"], row["t2_segments"], row["t2_segments_fractional"]) == ("100.00", "5", "5.00")
        assert (row["t2_enhancement_ratio"], row["t2_enhancement_ratio_mm"]) == ("5.00", "6.67")
        assert (row["enhancement_levels_touched"], row["t2_levels_touched"]) == ("2", "6")

    def test_segments_by_the_touched_rule(self):
        """A study counting levels touched writes them in the segment columns and the ratio."""
        row = lesion_rows(replace(study(), segment_rule=SegmentRule.TOUCHED))[0]
        assert (row["enhancement_segments"], row["t2_segments"], row["t2_enhancement_ratio"]) == ("2", "6", "3.00")
        assert (row["enhancement_levels_touched"], row["t2_levels_touched"]) == ("2", "6")
        assert row["volume_mm3"] == ""

    def test_lesion_with_nothing_drawn(self):
        """A lesion without drawings has empty measured cells, not zeros."""
        row = lesion_rows(study())[1]
        assert row["lesion_id"] == "2" and all(row[c] == "" for c in LESION_COLUMNS[4:])

    def test_pixels_never_in_mm_columns(self):
        """A size measured in pixels leaves the mm column to the axial mm value, or empty."""
        px = study(unit="px")
        assert lesion_rows(px)[0]["ap_mm"] == "7.00"
        only_px = Lesion(1, (Caliper(endpoints=[(0, 0, 0), (0, 9, 0)], role="ap", unit="px", **SAG),))
        bare = StudyAnnotations(STUDY_UID, lesions=(only_px,))
        assert lesion_rows(bare)[0]["ap_mm"] == ""

    def test_notes_with_commas_quotes_and_newlines(self, tmp_path):
        """Free text round trips through the csv quoting."""
        rows = read(write_lesions_csv(tmp_path / "lesions.csv", [study()]))
        assert rows[1][LESION_COLUMNS.index("notes")] == study().lesion(1).findings.notes

    def test_cohort_rows_in_order(self, tmp_path):
        """Studies in the order given, lesions in id order."""
        rows = read(write_lesions_csv(tmp_path / "l.csv", [study("A"), study("B")]))
        assert [(r[0], r[3]) for r in rows[1:]] == [("A", "1"), ("A", "2"), ("B", "1"), ("B", "2")]

    def test_no_temporary_file_left(self, tmp_path):
        """The file is written atomically."""
        write_lesions_csv(tmp_path / "lesions.csv", [study()])
        assert [p.name for p in tmp_path.iterdir()] == ["lesions.csv"]


class TestPatientsCsv:
    def test_header_in_order(self, tmp_path):
        """The header is exactly the documented columns, in order."""
        rows = read(write_patients_csv(tmp_path / "patients.csv", [study()]))
        assert tuple(rows[0]) == PATIENT_COLUMNS and len(PATIENT_COLUMNS) == 23

    def test_values(self):
        """Words, dates, derived intervals and counts."""
        row = patient_row(study())
        assert (row["sex"], row["age_years"], row["symptom_duration_weeks"]) == ("M", "66", "0.5")
        assert (row["primary_tumor"], row["primary_tumor_detail"]) == ("lung", "small cell")
        assert row["primary_diagnosis_date"] == "2009-05-17"
        assert (row["primary_to_presentation_years"], row["primary_to_diagnosis_years"]) == ("1.98", "2.00")
        assert (row["n_lesions"], row["multiplicity"], row["max_t2_segments"]) == ("2", "multiple", "5")
        assert row["segment_rule"] == "span"
        assert row["leptomeningeal_sites"] == "cord-conus;cauda-equina"
        assert (row["other_cns_spinal_mets"], row["new_iscm_on_followup"]) == ("", "")


class TestPseudonyms:
    def test_no_identifier_in_the_bytes(self, tmp_path):
        """With a pseudonym, neither file holds the PatientID, a UID or a date."""
        pseudonyms = {PATIENT_ID: "ISCM-01"}
        data = (write_lesions_csv(tmp_path / "l.csv", [study()], pseudonyms=pseudonyms).read_bytes()
                + write_patients_csv(tmp_path / "p.csv", [study()], pseudonyms=pseudonyms).read_bytes())
        forbidden = [PATIENT_ID, STUDY_UID, SAG["series_instance_uid"], SAG["sop_instance_uid"],
                     AX["sop_instance_uid"], "1.2.826.0.1.3680043.8.498.60606", "2011-05-17",
                     "2009-05-17", "2011-05-10", "2011-05-18", "20110517"]
        for secret in forbidden:
            assert secret.encode() not in data, secret
        assert b"ISCM-01" in data

    def test_intervals_and_measurements_kept(self):
        """Pseudonymised rows keep the intervals and every measurement."""
        row = patient_row(study(), pseudonym="ISCM-01")
        assert row["primary_to_diagnosis_years"] == "2.00" and row["iscm_diagnosis_date"] == ""
        lesion = lesion_rows(study(), pseudonym="ISCM-01")[0]
        assert lesion["study_date"] == "" and lesion["t2_segments"] == "5"
        assert lesion["notes"].startswith("seen on [removed]")

    def test_every_patient_needs_a_pseudonym(self, tmp_path):
        """A study whose patient has no pseudonym stops the export, writing nothing."""
        with pytest.raises(ValueError, match="no pseudonym"):
            write_patients_csv(tmp_path / "p.csv", [study(), study("OTHER")], pseudonyms={PATIENT_ID: "S1"})
        assert not (tmp_path / "p.csv").exists()


class TestColumnsFromTheMetrics:
    def test_lesion_columns_are_the_contract(self):
        """The derived lesion header is, word for word, the published one."""
        assert LESION_COLUMNS == (
            "patient_id", "study_date", "reader", "lesion_id", "level_top", "level_bottom",
            "location", "position", "morphology", "cord_expansion", "t2_signal", "t1_signal",
            "cystic_change", "hemorrhage", "enhancement", "enhancement_pattern", "rim_sign",
            "flame_sign", "leptomeningeal_origin_suspected", "ap_mm", "transverse_mm", "si_mm",
            "enhancement_length_mm", "enhancement_segments", "enhancement_segments_fractional",
            "t2_length_mm", "t2_segments", "t2_segments_fractional", "t2_enhancement_ratio",
            "t2_enhancement_ratio_mm", "volume_mm3", "notes", "enhancement_levels_touched",
            "t2_levels_touched")

    def test_patient_columns_are_the_contract(self):
        """The derived patient header is, word for word, the published one."""
        assert PATIENT_COLUMNS == (
            "patient_id", "reader", "sex", "age_years", "primary_tumor", "primary_tumor_detail",
            "dominant_symptom", "symptom_duration_weeks", "primary_diagnosis_date",
            "iscm_presentation_date", "iscm_diagnosis_date", "primary_to_presentation_years",
            "primary_to_diagnosis_years", "n_lesions", "multiplicity", "other_cns_spinal_mets",
            "leptomeningeal_mets", "leptomeningeal_sites", "primary_or_noncns_mets_visible",
            "new_iscm_on_followup", "max_t2_segments", "notes", "segment_rule")

    def test_every_measured_value_has_its_column(self):
        """Every metric of an mm study is written under its own key, none is left out."""
        values = patient_metrics(study())
        keys = {m.key for m in values.measurements()}
        keys |= {m.key for lesion in values.lesions for m in lesion.measurements()}
        assert keys <= set(LESION_COLUMNS) | set(PATIENT_COLUMNS)
        assert set(measured_columns(LesionMetrics).values()) <= set(LESION_COLUMNS)
        assert set(measured_columns(PatientMetrics).values()) <= set(PATIENT_COLUMNS)

    def test_cell_is_the_value_under_its_key(self):
        """A lesion's cells are its metrics' values keyed by Measurement.key, two decimals."""
        metrics = patient_metrics(study()).lesions[0]
        row = lesion_rows(study())[0]
        for m in metrics.measurements():
            assert row[m.key] == (str(m.value) if isinstance(m.value, int) else f"{m.value:.2f}")
