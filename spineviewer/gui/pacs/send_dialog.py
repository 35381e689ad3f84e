"""File > Send to PACS…: store the reading's objects on a PACS node, and record where and when.

What can be sent is what exists for the open study: the DICOM SR of the measurements
(:func:`spineviewer.export.sr.write_sr`, when a lesion is recorded), the DICOM SEG of the
segmented lesions (when this spineviewer has :mod:`spineviewer.export.seg` and the reader
accepted a lesion mask: one SEG per stack, :func:`write_segs`) and an anonymized copy of the study under a pseudonym
(:func:`spineviewer.export.anonymize.anonymize_study`). They are written to a temporary
folder and stored (STOW-RS or C-STORE) in the background; the dialog then says what the server
accepted, and each sending accepted is recorded in the study's annotation file
(:meth:`~spineviewer.core.document.AnnotationDocument.record_sent`).
"""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path

from PyQt6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QFormLayout, QHBoxLayout, QLayout, QLineEdit, QPushButton, QVBoxLayout,
    QWidget,
)

from spineviewer.core.annotations import Sent, SentObject, timestamp
from spineviewer.gui.pacs.outcome import Outcome, submit
from spineviewer.gui.pacs.secrets import secret_for
from spineviewer.gui.pacs.status_line import REASON_LIMIT, StatusLine
from spineviewer.gui.shell.background import BackgroundWork, Task
from spineviewer.pacs.errors import one_line
from spineviewer.pacs.nodes import NodeStore

#: Seconds the client waits for each answer of the server.
SEND_TIMEOUT_S = 60
WHAT = {SentObject.SR: "the DICOM SR of the measurements", SentObject.SEG: "the DICOM SEG",
        SentObject.ANONYMIZED: "the anonymized copy"}


def can_write_seg() -> bool:
    """True when this spineviewer writes a DICOM SEG (:mod:`spineviewer.export.seg`) of the
    lesion masks (:mod:`spineviewer.core.masks`)."""
    try:
        importlib.import_module("spineviewer.core.masks")
        return hasattr(importlib.import_module("spineviewer.export.seg"), "write_seg")
    except ImportError:
        return False


def _accepted_masks(study):
    """The lesion masks the reader accepted: ``(lesion_id, drawing)`` (proposals are not sent)."""
    return [(lesion.lesion_id, drawing) for lesion in study.lesions for drawing in lesion.annotations
            if drawing.kind == "segmentation" and not getattr(drawing, "proposed", False)]


def has_segmentation(study) -> bool:
    """True when the reading holds an accepted lesion mask (what a SEG is made of)."""
    return study is not None and bool(_accepted_masks(study))


def write_segs(result, study, annotation_path, folder: Path) -> list[Path]:
    """One SEG per stack that carries accepted lesion masks, one segment per lesion (the masks
    of one lesion on one stack joined); ValueError when a mask or its images are missing."""
    import numpy as np

    from spineviewer.core.masks import mask_folder, read_mask, segmentation_stack
    from spineviewer.export.seg import write_seg

    stacks = [stack for _, _, series in result.iter_series() for stack in series.stacks]
    by_stack: dict[int, tuple] = {}
    for lesion_id, drawing in _accepted_masks(study):
        stack = segmentation_stack(stacks, drawing)
        if stack is None:
            raise ValueError(f"the images lesion {lesion_id} was segmented on are not open")
        mask = read_mask(mask_folder(annotation_path), drawing.mask_sha256, drawing.shape)
        masks = by_stack.setdefault(id(stack), (stack, {}))[1]
        masks[lesion_id] = np.logical_or(masks[lesion_id], mask) if lesion_id in masks else mask
    if not by_stack:
        raise ValueError("no lesion is segmented")
    return [write_seg(folder / f"segmentation-{k}.dcm", stack, sorted(masks.items()))
            for k, (stack, masks) in enumerate(by_stack.values(), start=1)]


def write_objects(what: SentObject, result, document, folder: Path, pseudonym: str) -> tuple[list[Path], str]:
    """Write the files of ``what`` into ``folder``; their paths and the study they belong to."""
    study = document.study if document is not None else None
    if what is SentObject.SR:
        from spineviewer.export.sr import write_sr

        return [write_sr(result, study, folder / "report.dcm")], study.study_instance_uid
    if what is SentObject.SEG:
        return write_segs(result, study, document.path, folder), study.study_instance_uid
    from spineviewer.export.anonymize import anonymize_study

    copy = anonymize_study(result, folder / "anonymized", pseudonym=pseudonym, annotations=study)
    return list(copy.files), copy.study_instance_uid


class SendDialog(QDialog):
    """Choose a node and the objects, send them, see what the server accepted.

    Parameters
    ----------
    window : MainWindow
        Its open study and annotation session are what is sent.
    store : NodeStore
    work : BackgroundWork
    """

    def __init__(self, window, store: NodeStore, work: BackgroundWork, parent: QWidget | None = None):
        super().__init__(parent or window)
        self.setWindowTitle("Send to PACS")
        self.setObjectName("pacsSend")
        self.window_, self.store, self.work = window, store, work
        self.task: Task | None = None
        self.node_box = QComboBox()
        try:
            for node in store.nodes():
                self.node_box.addItem(f"{node.name}  ({node.address})", node)
        except ValueError:
            pass
        study = window.annotations.session.study
        lesions = len(study.lesions) if study is not None else 0
        self.choices: dict[SentObject, QCheckBox] = {}
        self.sr = self._choice(SentObject.SR, f"DICOM SR of the measurements ({lesions} lesion"
                                              f"{'' if lesions == 1 else 's'})", lesions > 0,
                               "Measure a lesion first: the SR reports the lesions")
        if can_write_seg():
            self._choice(SentObject.SEG, "DICOM SEG of the segmented lesions", has_segmentation(study),
                         "No lesion is segmented in this study")
        self.anonymized = self._choice(SentObject.ANONYMIZED, "Anonymized copy of the study",
                                       window.result is not None, "Open a study first")
        self.anonymized.setChecked(False)
        self.pseudonym = QLineEdit()
        self.pseudonym.setPlaceholderText("PatientName and PatientID of the copy, e.g. TEACH-017")
        self.pseudonym.setEnabled(False)
        self.anonymized.toggled.connect(self.pseudonym.setEnabled)
        self.status = StatusLine("pacsSendStatus")
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("pacsSendButton")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        form = QFormLayout()
        form.addRow("Server", self.node_box)
        for box in self.choices.values():
            form.addRow("", box)
        form.addRow("Pseudonym", self.pseudonym)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        # The dialog grows with the report, which can take a few lines.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        if self.node_box.count() == 0:
            self.status.show_text("note", "No PACS server yet: add one in Settings > Preferences > PACS servers.")
            self.send_button.setEnabled(False)
        self.resize(620, 0)

    def _choice(self, what: SentObject, text: str, possible: bool, why_not: str) -> QCheckBox:
        box = QCheckBox(text)
        box.setObjectName(f"send-{what.value}")
        box.setEnabled(possible)
        box.setChecked(possible)
        if not possible:
            box.setToolTip(why_not)
        self.choices[what] = box
        return box

    def chosen(self) -> list[SentObject]:
        return [what for what, box in self.choices.items() if box.isChecked() and box.isEnabled()]

    def send(self) -> None:
        """Write the chosen objects and store them on the chosen node, in the background."""
        from spineviewer.pacs.client import connect

        node = self.node_box.currentData()
        chosen = self.chosen()
        pseudonym = self.pseudonym.text().strip()
        if node is None or not chosen:
            self.status.show_text("error", "Choose a server and at least one object to send")
            return
        if SentObject.ANONYMIZED in chosen and not pseudonym:
            self.status.show_text("error", "Write the pseudonym of the anonymized copy")
            return
        secret = secret_for(self.store, node, self)
        if secret is False:
            return
        result = self.window_.result
        document = self.window_.annotations.session.document

        def work(task: Task):
            sent = []
            with tempfile.TemporaryDirectory(prefix="spineviewer-send-") as folder, \
                    connect(node, secret, timeout=SEND_TIMEOUT_S) as client:
                for what in chosen:
                    if task.cancelled():
                        break
                    try:
                        paths, study_uid = write_objects(what, result, document, Path(folder), pseudonym)
                    except (ValueError, OSError) as exc:
                        sent.append((what, None, "", f"not written ({one_line(exc, REASON_LIMIT)})"))
                        continue
                    report = client.send(paths)
                    reason = one_line(report.failed[0][1], REASON_LIMIT) if report.failed else ""
                    sent.append((what, report, study_uid, reason))
            return sent

        self.send_button.setEnabled(False)
        self.status.show_text("busy", f"Sending to {node.name}…")
        self.task = submit(self.work, node.name, work, label=f"Sending to {node.name}",
                           on_outcome=lambda outcome: self._sent(node, document, outcome))

    def _sent(self, node, document, outcome: Outcome) -> None:
        self.task = None
        self.send_button.setEnabled(True)
        if not outcome.ok:
            self.status.show_text("error", outcome.error)
            return
        parts, failed = [], False
        for what, report, study_uid, reason in outcome.value:
            if report is None:
                parts.append(f"{WHAT[what]} {reason}")
                failed = True
                continue
            stored = len(report.stored)
            if stored and document is not None:
                document.record_sent(Sent(what, node.name, node.address, timestamp(), study_uid, stored))
            total = stored + len(report.failed)
            text = f"{WHAT[what]}: {stored} of {total} object{'s' if total != 1 else ''} stored"
            if reason:
                text += f" ({reason})"
                failed = True
            parts.append(text)
        message = f"Sent to {node.name}: " + "; ".join(parts)
        self.status.show_text("error" if failed else "ok", message)
        self.window_.statusBar().showMessage(message, 15000)
