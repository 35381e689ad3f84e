"""The findings form, File > Export CSV…, File > Open answer key… and File > Compare with
another reader…."""

from __future__ import annotations

import csv
import json

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QDialog, QFileDialog

from spineviewer.core.annotation_file import save_annotations
from spineviewer.core.annotations import Caliper, Lesion, StudyAnnotations
from spineviewer.core.vocabulary import Location, Presence, Signal
from spineviewer.gui.shell import csv_export
from spineviewer.gui.annotation.findings_form import LESION_FIELDS, NOT_ASSESSED
from tests.gui.annotation_helpers import CASE1, copy_case, type_field
from tests.gui.conftest import STUDY_UID
from tests.gui.test_annotation_session import draw_si, label_levels


@pytest.fixture
def window(open_window, spine_study):
    return open_window([spine_study])


def _choose(combo, word: str) -> None:
    """Pick ``word`` with the keyboard, as a reader tabbing through the form does."""
    combo.setFocus()
    target = combo.findData(word)
    step = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(abs(target - combo.currentIndex())):
        QTest.keyClick(combo, step)
    assert combo.currentIndex() == target, combo.currentText()


class TestLesionForm:
    def test_exactly_the_vocabulary(self, window):
        """Each combo box offers 'not assessed' and then exactly the vocabulary's words."""
        form = window.annotations.findings
        for name, _, vocabulary in LESION_FIELDS:
            combo = form.lesion_fields[name]
            assert [combo.itemText(i) for i in range(combo.count())] == [NOT_ASSESSED] + [m.value for m in vocabulary]

    def test_choice_is_recorded_and_undoable(self, window):
        """Choosing 'hypointense' for T2 signal records it; Ctrl+Z takes it back."""
        draw_si(window)
        form = window.annotations.findings
        _choose(form.lesion_fields["t2_signal"], "hypointense")
        findings = window.annotations.session.study.lesion(1).findings
        assert findings.t2_signal is Signal.HYPOINTENSE
        assert window.annotations.session.history.undo_label == "set t2 signal of lesion 1"
        window.annotations.session.undo()
        assert window.annotations.session.study.lesion(1).findings.t2_signal is None
        assert form.lesion_fields["t2_signal"].currentText() == NOT_ASSESSED

    def test_location_suggested_and_overridable(self, window):
        """With levels and an SI caliper the form suggests a location; choosing one overrides it."""
        label_levels(window)
        draw_si(window)
        location = window.annotations.findings.lesion_fields["location_override"]
        assert location.itemText(0) == "suggested: thoracic"
        _choose(location, "conus")
        assert window.annotations.session.study.lesion(1).findings.location_override is Location.CONUS
        assert window.annotations.measurements.value(1, "location") == "conus (reader)"

    def test_disabled_without_a_lesion(self, window):
        """Before any lesion, the lesion tab says how to make one."""
        form = window.annotations.findings
        assert not form.lesion_fields["t2_signal"].isEnabled()
        assert "press N" in form.lesion_title.text()


class TestPatientForm:
    def test_invalid_date_is_refused_with_a_message(self, window):
        """'31/03/2012' is not recorded: the field turns red and the form says how to write it."""
        form = window.annotations.findings
        field = form.patient_fields["primary_diagnosis_date"]
        type_field(field, "31/03/2012")
        assert window.annotations.session.study.patient.primary_diagnosis_date is None
        assert "YYYY-MM-DD" in form.error.text() and form.error.isVisible()
        assert "YYYY-MM-DD" in window.statusBar().currentMessage()
        type_field(field, "2012-03-31")
        assert window.annotations.session.study.patient.primary_diagnosis_date.isoformat() == "2012-03-31"
        assert not form.error.isVisible()

    def test_age_out_of_range_is_refused(self, window):
        """An age of 200 is refused; 61 is recorded."""
        form = window.annotations.findings
        type_field(form.patient_fields["age_years"], "200")
        assert window.annotations.session.study.patient.age_years is None
        type_field(form.patient_fields["age_years"], "61")
        assert window.annotations.session.study.patient.age_years == 61.0

    def test_sites_are_a_multiple_choice(self, window):
        """Ticking two leptomeningeal sites records both."""
        form = window.annotations.findings
        bar = form.tabs.tabBar()
        QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
        assert form.tabs.currentIndex() == 1
        _choose(form.patient_fields["leptomeningeal_mets"], "present")
        for box in list(form.site_boxes.values())[1:]:
            QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
        patient = window.annotations.session.study.patient
        assert patient.leptomeningeal_mets is Presence.PRESENT
        assert [s.value for s in patient.leptomeningeal_sites] == ["cauda-equina", "cul-de-sac"]

    def test_intervals_derived_from_the_dates(self, window):
        """Diagnosis and presentation dates give the interval in years."""
        form = window.annotations.findings
        type_field(form.patient_fields["primary_diagnosis_date"], "2020-01-01")
        type_field(form.patient_fields["iscm_presentation_date"], "2022-01-01")
        assert "primary → presentation 2.00 years" in form.intervals.text()


class TestExport:
    def test_file_menu_export_with_pseudonym(self, window, monkeypatch, tmp_path):
        """File > Export CSV… with a pseudonym writes both tables without the patient ID."""
        draw_si(window)

        def fill_in(dialog):
            dialog.folder.setText(str(tmp_path / "tables"))
            QTest.mouseClick(dialog.pseudonymise, Qt.MouseButton.LeftButton, pos=dialog.pseudonymise.rect().center())
            QTest.keyClicks(dialog.pseudonym, "P007")
            dialog._accept()
            return dialog.result()

        monkeypatch.setattr(csv_export.CsvExportDialog, "exec", fill_in)
        window.annotations.export_action.trigger()
        rows = list(csv.DictReader((tmp_path / "tables" / "lesions.csv").open(newline="")))
        assert [(r["patient_id"], r["lesion_id"]) for r in rows] == [("P007", "1")]
        assert float(rows[0]["si_mm"]) == pytest.approx(20.0, abs=1.0)
        text = (tmp_path / "tables" / "patients.csv").read_text()
        assert "TEST001" not in text and "P007" in text

    def test_dialog_refuses_an_empty_pseudonym(self, window):
        """Ticking the pseudonym box and leaving it empty is refused with a message."""
        dialog = csv_export.CsvExportDialog(window.annotations.session.path.parent, window)
        dialog.pseudonymise.setChecked(True)
        dialog._accept()
        assert dialog.result() != QDialog.DialogCode.Accepted and "pseudonym" in dialog.error.text()


class TestAnswerKey:
    def test_missing_key_says_so(self, window):
        """A study without reference-annotations.json says there is none."""
        window.annotations.answer_key_action.trigger()
        assert "no answer key" in window.statusBar().currentMessage()
        assert window.annotations.session.reference is None

    @pytest.mark.skipif(not (CASE1 / "reference-annotations.json").is_file(),
                        reason="sample case 1 has no answer key")
    def test_key_shown_beside_the_readers_own_read_only(self, open_window, tmp_path):
        """Case 1's answer key appears in green, without handles, beside the reader's drawings
        and in the panel's answer-key column; the key file is left untouched."""
        folder = copy_case(tmp_path / "case1")
        key_text = (folder / "reference-annotations.json").read_text()
        window = open_window([folder])
        controls = window.annotations
        controls.answer_key_action.trigger()
        reference = controls.session.reference
        assert reference is not None and reference.lesions
        assert controls.answer_key_action.text().replace("&", "") == "Hide the answer key"
        shown = [item for layer in controls.layers for item in layer._other_items
                 if not item.style.editable and item.style.colour == "#5cf08a"]
        assert shown and all(not item._rois for item in shown)
        assert controls.measurements.value(1, "ap") == ""
        assert controls.measurements.row(1, "ap").text(2).endswith("mm")
        assert not controls.measurements.tree.isColumnHidden(2)
        assert (folder / "reference-annotations.json").read_text() == key_text
        assert json.loads(key_text)["study_instance_uid"] == controls.session.study.study_instance_uid
        controls.answer_key_action.trigger()
        assert controls.session.reference is None


class TestOtherReader:
    def _other_file(self, tmp_path, study_uid, reader="Dr B"):
        caliper = Caliper(endpoints=[(-24.0, -52.0, 95.0), (-24.0, -52.0, 75.0)], role="si",
                          series_instance_uid="1.2.3", sop_instance_uid="1.2.3.4")
        return save_annotations(StudyAnnotations(study_uid, reader=reader,
                                                 lesions=(Lesion(1, (caliper,)),)),
                                tmp_path / "reader-b.spineviewer.json")

    def test_other_readers_file_shown_beside_ones_own(self, window, tmp_path, monkeypatch):
        """Another reader's file of the study fills the comparison column, titled with their
        name; it is read only, and hiding it clears the column."""
        path = self._other_file(tmp_path, STUDY_UID)
        before = path.read_text()
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
        controls = window.annotations
        controls.other_reader_action.trigger()
        panel = controls.measurements
        assert panel.tree.headerItem().text(2) == "Reader Dr B"
        assert panel.row(1, "si").text(2) == "20.0 mm" and panel.value(1, "si") == ""
        assert "Reader Dr B shown" in window.statusBar().currentMessage()
        assert controls.answer_key_action.text() == "Hide Reader Dr B"
        controls.answer_key_action.trigger()
        assert controls.session.reference is None and panel.tree.isColumnHidden(2)
        assert path.read_text() == before

    def test_file_of_another_study_refused(self, window, tmp_path, monkeypatch):
        """A file that belongs to another study is refused with the reason."""
        path = self._other_file(tmp_path, "1.2.826.0.1.3680043.8.498.999")
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
        window.annotations.other_reader_action.trigger()
        assert window.annotations.session.reference is None
        assert "belongs to another study" in window.statusBar().currentMessage()
