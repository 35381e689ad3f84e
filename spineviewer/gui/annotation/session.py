"""The annotations of the open study as Qt signals.

The document itself (undo history, current lesion, autosave, answer key) is
:class:`~spineviewer.core.document.AnnotationDocument`, which knows nothing of Qt. An
:class:`AnnotationSession` opens one per study, re-emits its notifications as Qt signals and
stands in for "no study open" so views need not check. Views observe ``changed`` and read
:attr:`AnnotationSession.study`; they keep no annotations of their own.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QObject, pyqtSignal

from spineviewer.core.document import AnnotationDocument
from spineviewer.core.model import Patient, Study


def _forwarded(name: str) -> property:
    """A read-only property that reads the open document's ``name`` (None when none is open)."""
    return property(lambda self: getattr(self.document, name) if self.document else None,
                    doc=f"The open document's ``{name}`` (None when no study is open).")


class AnnotationSession(QObject):
    """The reader's annotations of the study the window shows, for Qt views.

    Signals
    -------
    changed()
        The annotations, the current lesion or the answer key changed, or a study was opened
        or closed.
    message(text)
        Something the reader should read in the status bar (a refused edit, a file problem).

    Attributes
    ----------
    document : AnnotationDocument or None
        The open study's document; None when no study is open.
    """

    changed = pyqtSignal()
    message = pyqtSignal(str)

    study = _forwarded("study")
    history = _forwarded("history")
    path = _forwarded("path")
    reference = _forwarded("reference")
    reference_title = _forwarded("reference_title")
    current_lesion_id = _forwarded("current_lesion_id")
    put_aside = _forwarded("put_aside")

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.document: AnnotationDocument | None = None

    @property
    def is_open(self) -> bool:
        return self.document is not None

    def open(self, folder: Path, study: Study, patient: Patient | None = None) -> str:
        """Start reading ``study`` (:meth:`AnnotationDocument.open`); returns the message for
        the reader, '' when all went well."""
        self.document = AnnotationDocument.open(folder, study, patient)
        self.document.changed.connect(self.changed.emit)
        self.document.message.connect(self.message.emit)
        self.changed.emit()
        if self.document.open_message:
            self.message.emit(self.document.open_message)
        return self.document.open_message

    def resume(self, document: AnnotationDocument | None) -> None:
        """Go on with ``document``, the one open before the same study was shown again (its
        undo history and current lesion kept), when the document now open reads the same file."""
        current = self.document
        if (document is None or current is None or document is current
                or document.path != current.path
                or document.study.study_instance_uid != current.study.study_instance_uid):
            return
        self.document = document
        self.changed.emit()

    def close(self) -> None:
        """No study is open any more (annotations were saved at every change)."""
        self.document = None
        self.changed.emit()

    # -- forwarded to the document, harmless when no study is open ---------------------------

    def set_current_lesion(self, lesion_id: int | None) -> None:
        if self.document is not None:
            self.document.set_current_lesion(lesion_id)

    def apply(self, edit, *args, label: str, merge_key: object = None, **kwargs) -> bool:
        """:meth:`AnnotationDocument.apply`; False with a message when no study is open."""
        if self.document is None:
            self.message.emit("Open a study first")
            return False
        return self.document.apply(edit, *args, label=label, merge_key=merge_key, **kwargs)

    def add_to_lesion(self, drawing, *, label: str) -> bool:
        if self.document is None:
            self.message.emit("Open a study first")
            return False
        return self.document.add_to_lesion(drawing, label=label)

    def new_lesion(self) -> int | None:
        if self.document is None:
            self.message.emit("Open a study first")
            return None
        return self.document.new_lesion()

    def undo(self) -> None:
        if self.document is not None:
            self.document.undo()

    def redo(self) -> None:
        if self.document is not None:
            self.document.redo()

    def load_answer_key(self) -> str:
        return self.document.load_answer_key() if self.document else "Open a study first"

    def load_other_reader(self, path) -> str:
        return self.document.load_other_reader(path) if self.document else "Open a study first"

    def hide_answer_key(self) -> None:
        if self.document is not None:
            self.document.hide_answer_key()
