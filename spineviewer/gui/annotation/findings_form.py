"""The findings form: the current lesion's and the patient's findings in the ISCM vocabulary.

Every categorical field is a combo box holding exactly the words of
:mod:`spineviewer.core.vocabulary`, after an empty *not assessed* entry. Numbers and dates are
typed and checked by :mod:`spineviewer.core.findings` when the field is left: a value it refuses
is not recorded, the field turns red and keeps the typed text until it is corrected, and the
reason is shown under the form, naming the field as its label does. The lesion's location
offers the category suggested from the levels first; choosing another one overrides it.

The form observes the session and refills itself from the stored findings after every change
(including undo); every edit goes through the session, one undo step per field.

Nothing is cut at the dock's edge: each combo box is as wide as its longest choice, a row too
narrow for its label and field puts the field under the label, longer texts wrap, and each
tab's scroll area is never narrower than its form, so a narrowed dock stops at the width
the form needs.
"""

from __future__ import annotations

from dataclasses import replace

from PyQt6.QtCore import QEvent, QSize, Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QScrollArea, QTabWidget,
    QVBoxLayout, QWidget,
)

from spineviewer.core.edits import set_lesion_findings, set_patient_findings
from spineviewer.core.findings import LesionFindings, PatientFindings
from spineviewer.core.metrics import lesion_metrics, patient_metrics
from spineviewer.core.vocabulary import (
    CysticChange, EnhancementPattern, LeptomeningealSite, Location, Morphology, Position, Presence,
    PrimaryTumor, Sex, Signal, Symptom,
)

NOT_ASSESSED = "not assessed"
_ERROR_STYLE = "QLineEdit { border: 1px solid #e05a5a; }"
_FREE_TEXT = ("primary_tumor_detail", "notes")

#: Lesion fields after the location: (field, label, vocabulary).
LESION_FIELDS = (
    ("position", "Position (axial)", Position), ("morphology", "Morphology", Morphology),
    ("cord_expansion", "Cord expansion", Presence), ("t2_signal", "T2 signal", Signal),
    ("t1_signal", "T1 signal", Signal), ("cystic_change", "Cystic change", CysticChange),
    ("hemorrhage", "Intratumoral hemorrhage", Presence), ("enhancement", "Enhancement", Presence),
    ("enhancement_pattern", "Enhancement pattern", EnhancementPattern),
    ("rim_sign", "Rim sign", Presence), ("flame_sign", "Flame sign", Presence),
    ("leptomeningeal_origin_suspected", "Leptomeningeal origin suspected", Presence),
)

#: Patient fields: (field, label, vocabulary, or "number", "date", "text", "sites").
PATIENT_FIELDS = (
    ("sex", "Sex", Sex), ("age_years", "Age (years)", "number"),
    ("primary_tumor", "Primary tumour", PrimaryTumor),
    ("primary_tumor_detail", "Primary tumour, detail", "text"),
    ("dominant_symptom", "Dominant presenting symptom", Symptom),
    ("symptom_duration_weeks", "Symptom duration (weeks)", "number"),
    ("primary_diagnosis_date", "Primary tumour diagnosed", "date"),
    ("iscm_presentation_date", "ISCM presentation", "date"),
    ("iscm_diagnosis_date", "ISCM diagnosis", "date"),
    ("other_cns_spinal_mets", "Other CNS or spinal metastases", Presence),
    ("leptomeningeal_mets", "Leptomeningeal metastases", Presence),
    ("leptomeningeal_sites", "Leptomeningeal sites", "sites"),
    ("primary_or_noncns_mets_visible", "Primary or non-CNS metastases on MRI", Presence),
    ("new_iscm_on_followup", "New ISCM on follow-up", Presence),
    ("notes", "Notes", "text"),
)

#: The form's label of each field, for messages.
_LABELS = {name: label for name, label, _ in LESION_FIELDS + PATIENT_FIELDS}
_LABELS["location_override"] = "Location"


class WholeChoiceCombo(QComboBox):
    """A combo box never narrower than its longest choice, so the chosen word shows whole.

    Its minimum is its size hint: a form too narrow for label and box side by side puts the
    box under its label rather than squeezing it.
    """

    def __init__(self):
        super().__init__()
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.sizeHint()


def _form(page: QWidget) -> QFormLayout:
    form = QFormLayout(page)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return form


def vocabulary_combo(vocabulary) -> QComboBox:
    """A combo box: *not assessed* (None), then every word of ``vocabulary``."""
    combo = WholeChoiceCombo()
    combo.addItem(NOT_ASSESSED, None)
    for member in vocabulary:
        combo.addItem(member.value, member.value)
    return combo


def _set_combo(combo: QComboBox, value) -> None:
    word = value.value if value is not None else None
    index = combo.findData(word)
    combo.setCurrentIndex(max(index, 0))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class _FormArea(QScrollArea):
    """A vertically scrolling area that is never narrower than the form it holds."""

    def __init__(self, page: QWidget):
        super().__init__()
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(page)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().minimumSizeHint()
        needed = (self.widget().minimumSizeHint().width() + 2 * self.frameWidth()
                  + self.verticalScrollBar().sizeHint().width())
        return QSize(max(hint.width(), needed), hint.height())

    def viewportEvent(self, event) -> bool:  # noqa: N802 - Qt override
        # The form asks for a new layout when a text widens it (a longer suggested location):
        # the dock must then ask this area again for its minimum width.
        if event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().viewportEvent(event)


class FindingsForm(QWidget):
    """Two tabs: the current lesion and the patient.

    Signals
    -------
    refused(message)
        A value was not recorded; the message names the field and the reason.
    """

    refused = pyqtSignal(str)

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        #: Field -> the reason its typed text was refused, while the text waits to be corrected.
        self._refusals: dict[str, str] = {}
        self._study_uid = None
        self.tabs = QTabWidget()
        self.lesion_fields: dict[str, QWidget] = {}
        self.patient_fields: dict[str, QWidget] = {}
        self.site_boxes: dict[LeptomeningealSite, QCheckBox] = {}
        self.tabs.addTab(_FormArea(self._lesion_page()), "Lesion")
        self.tabs.addTab(_FormArea(self._patient_page()), "Patient")
        self.error = QLabel()
        self.error.setObjectName("findingsError")
        self.error.setStyleSheet("color: #ff8a80;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        session.changed.connect(self.refresh)
        self.refresh()

    # -- construction ----------------------------------------------------------------------

    def _lesion_page(self) -> QWidget:
        page = QWidget()
        form = _form(page)
        self.lesion_title = QLabel()
        self.lesion_title.setStyleSheet("font-weight: bold;")
        self.lesion_title.setWordWrap(True)
        form.addRow(self.lesion_title)
        location = WholeChoiceCombo()
        location.addItem("suggested", None)
        for member in Location:
            location.addItem(member.value, member.value)
        location.activated.connect(lambda i: self._lesion_edit("location_override", location.itemData(i)))
        self.lesion_fields["location_override"] = location
        form.addRow("Location", location)
        for name, label, vocabulary in LESION_FIELDS:
            combo = vocabulary_combo(vocabulary)
            combo.activated.connect(lambda i, n=name, c=combo: self._lesion_edit(n, c.itemData(i)))
            self.lesion_fields[name] = combo
            form.addRow(label, combo)
        notes = QLineEdit()
        notes.editingFinished.connect(lambda: self._lesion_edit("notes", notes.text()))
        self.lesion_fields["notes"] = notes
        form.addRow("Notes", notes)
        self.lesion_warnings = QLabel()
        self.lesion_warnings.setStyleSheet("color: #ffcf66;")
        self.lesion_warnings.setWordWrap(True)
        form.addRow(self.lesion_warnings)
        return page

    def _patient_page(self) -> QWidget:
        page = QWidget()
        form = _form(page)
        for name, label, kind in PATIENT_FIELDS:
            if kind == "sites":
                row = QWidget()
                boxes = QHBoxLayout(row)
                boxes.setContentsMargins(0, 0, 0, 0)
                for site in LeptomeningealSite:
                    box = QCheckBox(site.value)
                    box.clicked.connect(lambda _: self._patient_edit(
                        "leptomeningeal_sites", tuple(s for s, b in self.site_boxes.items() if b.isChecked())))
                    self.site_boxes[site] = box
                    boxes.addWidget(box)
                widget = row
            elif isinstance(kind, str):
                widget = QLineEdit()
                if kind == "date":
                    widget.setPlaceholderText("YYYY-MM-DD")
                widget.editingFinished.connect(lambda n=name, w=widget: self._patient_edit(n, w.text().strip(), w))
            else:
                widget = vocabulary_combo(kind)
                widget.activated.connect(lambda i, n=name, c=widget: self._patient_edit(n, c.itemData(i)))
            self.patient_fields[name] = widget
            form.addRow(label, widget)
        self.intervals = QLabel()
        self.intervals.setStyleSheet("color: #aeb6c2;")
        self.intervals.setWordWrap(True)
        # Under its title, across the form: beside it, an interval would wrap word by word.
        form.addRow(QLabel("Intervals"))
        form.addRow(self.intervals)
        self.patient_warnings = QLabel()
        self.patient_warnings.setStyleSheet("color: #ffcf66;")
        self.patient_warnings.setWordWrap(True)
        form.addRow(self.patient_warnings)
        return page

    # -- editing ---------------------------------------------------------------------------

    def _lesion_edit(self, name: str, value) -> None:
        study, lesion_id = self.session.study, self.session.current_lesion_id
        if study is None or lesion_id is None:
            return
        findings = study.lesion(lesion_id).findings
        try:
            changed = replace(findings, **{name: value})
        except ValueError as exc:
            self._refuse(name, exc)
            return
        self._accept(name)
        if changed != findings:
            self.session.apply(set_lesion_findings, lesion_id, changed,
                               label=f"set {name.replace('_', ' ')} of lesion {lesion_id}",
                               merge_key=("lesion", lesion_id, name))

    def _patient_edit(self, name: str, value, widget: QLineEdit | None = None) -> None:
        study = self.session.study
        if study is None:
            return
        findings = study.patient
        if value == "" and name not in _FREE_TEXT:
            value = None  # an emptied number or date is not assessed
        try:
            changed = replace(findings, **{name: value})
        except ValueError as exc:
            if widget is not None:
                widget.setStyleSheet(_ERROR_STYLE)
            self._refuse(name, exc)
            return
        if widget is not None:
            widget.setStyleSheet("")
        self._accept(name)
        if changed != findings:
            self.session.apply(set_patient_findings, changed, label=f"set {name.replace('_', ' ')}",
                               merge_key=("patient", name))

    def _refuse(self, name: str, error: ValueError) -> None:
        # The core names the field by its machine name; the reader knows it by its label.
        reason = str(error).removeprefix(f"{name}: ")
        message = f"{_LABELS.get(name, name)}: {reason}. Not recorded."
        self._refusals[name] = message
        self._show_refusals()
        self.refused.emit(message)

    def _accept(self, name: str) -> None:
        if self._refusals.pop(name, None) is not None:
            self._show_refusals()

    def _show_refusals(self) -> None:
        self.error.setText("\n".join(self._refusals.values()))
        self.error.setVisible(bool(self._refusals))

    # -- showing the model -----------------------------------------------------------------

    def refresh(self) -> None:
        study = self.session.study
        self.setEnabled(study is not None)
        uid = study.study_instance_uid if study is not None else None
        if uid != self._study_uid:
            # Text refused in another study's form is not this study's to correct.
            self._study_uid = uid
            self._refusals.clear()
            self._show_refusals()
        if study is None:
            return
        lesion_id = self.session.current_lesion_id
        lesion = study.lesion(lesion_id) if lesion_id is not None else None
        self._fill_lesion(lesion, study)
        self._fill_patient(study)

    def _fill_lesion(self, lesion, study) -> None:
        page_enabled = lesion is not None
        for widget in self.lesion_fields.values():
            widget.setEnabled(page_enabled)
        if lesion is None:
            self.lesion_title.setText("No lesion yet: press N, or draw a measurement")
            self.lesion_warnings.clear()
            return
        self.lesion_title.setText(f"Lesion {lesion.lesion_id}")
        findings: LesionFindings = lesion.findings
        suggested = lesion_metrics(lesion, study.levels).location_suggested
        location = self.lesion_fields["location_override"]
        location.setItemText(0, f"suggested: {suggested.value}" if suggested else "suggested: none yet")
        location.setItemData(0, "Suggested from the levels and the lesion's enhancing extent; "
                                "choose another to override it", Qt.ItemDataRole.ToolTipRole)
        for name, widget in self.lesion_fields.items():
            widget.blockSignals(True)
            if isinstance(widget, QComboBox):
                _set_combo(widget, getattr(findings, name))
            elif not widget.hasFocus():
                widget.setText(findings.notes)
            widget.blockSignals(False)
        self.lesion_warnings.setText("\n".join(findings.inconsistencies()))

    def _fill_patient(self, study) -> None:
        findings: PatientFindings = study.patient
        for name, widget in self.patient_fields.items():
            widget.blockSignals(True)
            if isinstance(widget, QComboBox):
                _set_combo(widget, getattr(findings, name))
            elif isinstance(widget, QLineEdit) and name in self._refusals:
                widget.setStyleSheet(_ERROR_STYLE)
            elif isinstance(widget, QLineEdit) and not widget.hasFocus():
                widget.setText(_text(getattr(findings, name)))
                widget.setStyleSheet("")
            widget.blockSignals(False)
        for site, box in self.site_boxes.items():
            box.setChecked(site in findings.leptomeningeal_sites)
        metrics = patient_metrics(study)
        parts = [f"{label} {m.value:.2f} years" for label, m in (
            ("primary → presentation", metrics.primary_to_presentation),
            ("primary → diagnosis", metrics.primary_to_diagnosis)) if m is not None]
        self.intervals.setText("\n".join(parts) or "from the dates above")
        self.patient_warnings.setText("\n".join(findings.inconsistencies()))
