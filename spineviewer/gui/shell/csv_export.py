"""File > Export CSV…: ``lesions.csv`` and ``patients.csv`` of the open study, for research.

The tables come from :mod:`spineviewer.export.csv_tables` (metrics recomputed from the
drawings). With a pseudonym, the PatientID is replaced, dates are left out and identifiers are
removed from free text, as that module describes.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
    QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from spineviewer.core.annotations import StudyAnnotations
from spineviewer.export.csv_tables import write_lesions_csv, write_patients_csv

LESIONS_FILE, PATIENTS_FILE = "lesions.csv", "patients.csv"


def export_study_csv(study: StudyAnnotations, folder, *, pseudonym: str | None = None) -> tuple[Path, Path]:
    """Write ``lesions.csv`` and ``patients.csv`` of one study into ``folder``; their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pseudonyms = {study.patient_id: pseudonym} if pseudonym else None
    return (write_lesions_csv(folder / LESIONS_FILE, [study], pseudonyms=pseudonyms),
            write_patients_csv(folder / PATIENTS_FILE, [study], pseudonyms=pseudonyms))


class CsvExportDialog(QDialog):
    """Where to write the tables, and whether to pseudonymise them."""

    def __init__(self, folder: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export CSV")
        self.folder = QLineEdit(str(folder))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.pseudonymise = QCheckBox("Replace the patient ID with a pseudonym (and leave out all dates)")
        self.pseudonym = QLineEdit()
        self.pseudonym.setPlaceholderText("for example P001")
        self.pseudonym.setEnabled(False)
        self.pseudonymise.toggled.connect(self.pseudonym.setEnabled)
        self.error = QLabel()
        self.error.setStyleSheet("color: #ff8a80;")
        self.error.hide()
        form = QFormLayout()
        form.addRow("Folder", row)
        form.addRow(self.pseudonymise)
        form.addRow("Pseudonym", self.pseudonym)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Writes {LESIONS_FILE} (one row per lesion) and {PATIENTS_FILE}."))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 0)

    @property
    def chosen_pseudonym(self) -> str | None:
        return self.pseudonym.text().strip() if self.pseudonymise.isChecked() else None

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export CSV into", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _accept(self) -> None:
        if not self.folder.text().strip():
            self._refuse("Choose a folder")
        elif self.pseudonymise.isChecked() and not self.pseudonym.text().strip():
            self._refuse("Write the pseudonym, or untick the box")
        else:
            self.accept()

    def _refuse(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
