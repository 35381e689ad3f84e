"""The findings forms of a lesion and a patient."""

import datetime as dt
from dataclasses import fields

import pytest

from spineviewer.core.findings import LesionFindings, PatientFindings
from spineviewer.core.vocabulary import (
    CysticChange, EnhancementPattern, LeptomeningealSite, Location, Position, Presence, Sex,
)


class TestLesionFindings:
    def test_words_become_members(self):
        """Text from a form or a CSV is parsed into vocabulary members."""
        findings = LesionFindings(position="Eccentric", enhancement_pattern="peripheral ring",
                                  location_override="conus")
        assert findings.position is Position.ECCENTRIC
        assert findings.enhancement_pattern is EnhancementPattern.PERIPHERAL_RING
        assert findings.location_override is Location.CONUS

    def test_default_is_not_assessed(self):
        """A new form has every finding None (not assessed) and empty notes."""
        findings = LesionFindings()
        assert all(getattr(findings, f.name) is None for f in fields(findings) if f.name != "notes")
        assert findings.notes == ""

    def test_bad_word_names_the_field(self):
        """A word outside the vocabulary raises ValueError naming the field."""
        with pytest.raises(ValueError, match="cystic_change"):
            LesionFindings(cystic_change="large")

    def test_consistent_form_has_no_remarks(self):
        """A typical enhancing eccentric lesion raises no remark."""
        findings = LesionFindings(position="eccentric", enhancement="present",
                                  enhancement_pattern="homogeneous",
                                  leptomeningeal_origin_suspected="absent")
        assert findings.inconsistencies() == []

    def test_pattern_without_enhancement_is_remarked(self):
        """A pattern on a non-enhancing lesion is reported, not refused."""
        findings = LesionFindings(enhancement="absent", enhancement_pattern="homogeneous",
                                  rim_sign="present")
        remarks = findings.inconsistencies()
        assert len(remarks) == 2 and "pattern" in remarks[0]

    def test_leptomeningeal_origin_on_central_lesion_is_remarked(self):
        """Leptomeningeal origin is assessed for eccentric or exophytic lesions only."""
        remarks = LesionFindings(position="central", leptomeningeal_origin_suspected="present").inconsistencies()
        assert remarks and "central" in remarks[0]

    def test_rim_sign_with_cyst_is_remarked(self):
        """The rim sign is defined around a non-cystic lesion."""
        remarks = LesionFindings(rim_sign="present", cystic_change=CysticChange.BOTH).inconsistencies()
        assert remarks and "non-cystic" in remarks[0]


class TestPatientFindings:
    def test_dates_from_iso_text(self):
        """Dates are accepted as ISO text or date objects."""
        findings = PatientFindings(primary_diagnosis_date="2010-03-31",
                                   iscm_presentation_date=dt.date(2012, 1, 2))
        assert findings.primary_diagnosis_date == dt.date(2010, 3, 31)

    def test_bad_date_refused(self):
        """A date that is not YYYY-MM-DD is refused with the expected form."""
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            PatientFindings(iscm_diagnosis_date="31/03/2010")

    @pytest.mark.parametrize("age", [-1, 131, float("nan"), "old"])
    def test_impossible_age_refused(self, age):
        """Negative, absurd or non-numeric ages are refused."""
        with pytest.raises(ValueError, match="age_years"):
            PatientFindings(age_years=age)

    def test_negative_duration_refused(self):
        """A symptom duration cannot be negative."""
        with pytest.raises(ValueError, match="symptom_duration_weeks"):
            PatientFindings(symptom_duration_weeks=-0.5)

    def test_sites_are_parsed_deduplicated_and_ordered(self):
        """Leptomeningeal sites are parsed, deduplicated and put in vocabulary order."""
        findings = PatientFindings(leptomeningeal_sites=["cul-de-sac", "Cord/Conus", "cul-de-sac"])
        assert findings.leptomeningeal_sites == (LeptomeningealSite.CORD_CONUS, LeptomeningealSite.CUL_DE_SAC)

    def test_single_site_must_be_a_list(self):
        """A single string is not mistaken for a list of characters."""
        with pytest.raises(ValueError, match="list"):
            PatientFindings(leptomeningeal_sites="cul-de-sac")

    def test_presentation_before_primary_is_fine(self):
        """An ISCM presenting before the primary tumour's diagnosis is a valid history."""
        findings = PatientFindings(sex="f", primary_diagnosis_date="2012-06-01",
                                   iscm_presentation_date="2012-05-01", iscm_diagnosis_date="2012-05-10")
        assert findings.sex is Sex.F and findings.inconsistencies() == []

    def test_diagnosis_before_presentation_is_remarked(self):
        """An ISCM diagnosed before it presented is reported for a second look."""
        findings = PatientFindings(iscm_presentation_date="2012-05-10", iscm_diagnosis_date="2012-05-01")
        assert "before" in findings.inconsistencies()[0]

    def test_sites_with_absent_mets_are_remarked(self):
        """Sites given while leptomeningeal metastases are absent are reported."""
        findings = PatientFindings(leptomeningeal_mets=Presence.ABSENT, leptomeningeal_sites=["cauda-equina"])
        assert findings.inconsistencies()
