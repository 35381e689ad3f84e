"""The annotations of the open study on the Qt side: undo history, autosave, the answer key.

An :class:`AnnotationSession` holds the reader's :class:`~spineviewer.core.annotations.StudyAnnotations`
in a :class:`~spineviewer.core.history.History`. Every edit is a pure function of
:mod:`spineviewer.core.edits` applied through :meth:`AnnotationSession.apply`; the new value is
pushed on the history and written to the study's annotation file at once, atomically
(:func:`~spineviewer.core.annotation_file.save_annotations`), so a crash loses nothing that was
on screen. Undo and redo save too. Views observe ``changed`` and read :attr:`study`; they keep
no annotations of their own.

Coordinates: everything held here is DICOM LPS mm (see :mod:`spineviewer.core.drawings`).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Callable

from PyQt6.QtCore import QObject, pyqtSignal

from spineviewer.core.annotation_file import (
    ANSWER_KEY_NAME,
    AnnotationFileError,
    annotation_path_for,
    load_annotations,
    read_annotations,
    save_annotations,
)
from spineviewer.core.annotations import StudyAnnotations
from spineviewer.core.edits import add_annotation, add_lesion, next_lesion_id, touched
from spineviewer.core.history import History
from spineviewer.core.model import Patient, Study

#: File name of a study's answer key (a teacher's annotations), beside the study's files.


def study_folder(paths: list[str]) -> Path | None:
    """The folder a study was opened from: the one path given, or the paths' common folder."""
    if not paths:
        return None
    if len(paths) == 1:
        return Path(paths[0])
    try:
        return Path(os.path.commonpath([str(Path(p).resolve()) for p in paths]))
    except ValueError:  # paths on different drives have no common folder
        return Path(paths[0]).parent


def _error_text(exc: Exception) -> str:
    """The sentence of a ValueError or KeyError (KeyError's str() adds quotes)."""
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


class AnnotationSession(QObject):
    """The reader's annotations of one study, with undo, redo and autosave.

    Signals
    -------
    changed()
        The annotations, the current lesion or the answer key changed.
    message(text)
        Something the reader should read in the status bar (a refused edit, a file problem).
    """

    changed = pyqtSignal()
    message = pyqtSignal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._history: History[StudyAnnotations] | None = None
        self.path: Path | None = None
        self.folder: Path | None = None
        self.reference: StudyAnnotations | None = None
        self._current_lesion: int | None = None
        #: The message of the last open (an unreadable file put aside, a migration), or ''.
        self.open_message = ""
        #: Where the last open put an unreadable annotation file, or None.
        self.put_aside: Path | None = None

    # -- state -----------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._history is not None

    @property
    def study(self) -> StudyAnnotations | None:
        """The current annotations (None when no study is open)."""
        return self._history.state if self._history is not None else None

    @property
    def history(self) -> History[StudyAnnotations] | None:
        return self._history

    @property
    def current_lesion_id(self) -> int | None:
        """The lesion new drawings go to; None when the study has no lesion yet."""
        study = self.study
        if study is None or not study.lesions:
            return None
        ids = [lesion.lesion_id for lesion in study.lesions]
        return self._current_lesion if self._current_lesion in ids else ids[-1]

    def set_current_lesion(self, lesion_id: int | None) -> None:
        if lesion_id != self._current_lesion:
            self._current_lesion = lesion_id
            self.changed.emit()

    # -- opening and closing ---------------------------------------------------------------

    def open(self, folder: Path, study: Study, patient: Patient | None = None) -> str:
        """Start reading ``study``: load its annotation file, or begin empty ones.

        Returns the message for the reader ('' when all went well); an unreadable file has
        been put aside by then (see :func:`~spineviewer.core.annotation_file.load_annotations`).
        """
        self.folder = Path(folder)
        self.path = annotation_path_for(folder, study.uid)
        self.reference = None
        loaded = load_annotations(self.path)
        value = loaded.study
        if value is None or value.study_instance_uid != study.uid:
            value = StudyAnnotations.new(
                study.uid, patient_id=patient.id if patient is not None else "",
                frame_of_reference_uid=next((s.frame_of_reference_uid for s in study.series
                                             if s.frame_of_reference_uid), ""),
                study_date=_study_date(study.date))
        self._history = History(value)
        self._current_lesion = value.lesions[-1].lesion_id if value.lesions else None
        self.open_message, self.put_aside = loaded.message, loaded.moved_to
        self.changed.emit()
        if loaded.message:
            self.message.emit(loaded.message)
        return loaded.message

    def close(self) -> None:
        """No study is open any more (annotations were saved at every change)."""
        self._history, self.path, self.folder, self.reference = None, None, None, None
        self._current_lesion = None
        self.open_message, self.put_aside = "", None
        self.changed.emit()

    # -- editing ---------------------------------------------------------------------------

    def apply(self, edit: Callable[..., StudyAnnotations], *args, label: str,
              merge_key: object = None, **kwargs) -> bool:
        """Apply ``edit(study, *args, **kwargs)``, record it as ``label`` and save.

        A refused edit (ValueError or KeyError from the edit function) changes nothing: its
        reason goes to ``message`` and the result is False.
        """
        if self._history is None:
            self.message.emit("Open a study first")
            return False
        try:
            value = edit(self.study, *args, **kwargs)
        except (ValueError, KeyError) as exc:
            self.message.emit(f"Cannot {label}: {_error_text(exc)}")
            return False
        if value == self.study:
            return True
        self._history.push(touched(value), label, merge_key=merge_key)
        self._saved()
        return True

    def add_to_lesion(self, drawing, *, label: str) -> bool:
        """Add a drawing to the current lesion, creating Lesion 1 when there is none."""
        lesion_id = self.current_lesion_id

        def edit(study: StudyAnnotations) -> StudyAnnotations:
            if lesion_id is None:
                study = add_lesion(study)
            return add_annotation(study, drawing, lesion_id=lesion_id or next_lesion_id(study) - 1)

        return self.apply(edit, label=label)

    def new_lesion(self) -> int | None:
        """Add an empty lesion and make it current; its id (None when refused)."""
        if self.study is None:
            self.message.emit("Open a study first")
            return None
        lesion_id = next_lesion_id(self.study)
        self._current_lesion = lesion_id
        if not self.apply(add_lesion, label=f"add lesion {lesion_id}"):
            return None
        return lesion_id

    def undo(self) -> None:
        if self._history is not None and self._history.can_undo:
            self._history.undo()
            self._saved()

    def redo(self) -> None:
        if self._history is not None and self._history.can_redo:
            self._history.redo()
            self._saved()

    def _saved(self) -> None:
        try:
            save_annotations(self.study, self.path)
        except OSError as exc:
            self.message.emit(f"The annotations could not be saved to {self.path}: "
                              f"{exc.strerror or exc}. They stay on screen; free space or "
                              "permissions must be fixed before closing.")
        self.changed.emit()

    # -- answer key ------------------------------------------------------------------------

    @property
    def answer_key_path(self) -> Path | None:
        if self.folder is None:
            return None
        folder = self.folder if self.folder.is_dir() else self.folder.parent
        return folder / ANSWER_KEY_NAME

    def load_answer_key(self) -> str:
        """Show the study's answer key beside the reader's annotations (read-only).

        The file is only read, never moved or written. Returns the message for the reader.
        """
        path = self.answer_key_path
        if path is None:
            return "Open a study first"
        if not path.is_file():
            return f"This study has no answer key ({ANSWER_KEY_NAME} is not in {path.parent})"
        try:
            reference, _ = read_annotations(path)
        except AnnotationFileError as exc:
            return f"Answer key: {exc}"
        if self.study is not None and reference.study_instance_uid != self.study.study_instance_uid:
            return f"The answer key {path.name} belongs to another study"
        self.reference = reference
        self.changed.emit()
        return f"Answer key shown (read-only, in green): {path.name}"

    def hide_answer_key(self) -> None:
        if self.reference is not None:
            self.reference = None
            self.changed.emit()


def _study_date(value: str) -> dt.date | None:
    value = (value or "").strip()
    if len(value) == 8 and value.isdigit():
        try:
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            return None
    return None
