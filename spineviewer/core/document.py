"""The annotation document of one study: edits, undo and redo, autosave, the answer key.

An :class:`AnnotationDocument` holds the reader's
:class:`~spineviewer.core.annotations.StudyAnnotations` in a
:class:`~spineviewer.core.history.History`. Every edit is a pure function of
:mod:`spineviewer.core.edits` applied through :meth:`AnnotationDocument.apply`; the history
announces the new value and the document writes it at once, atomically, to the study's
annotation file and to the copy keyed by StudyInstanceUID
(:mod:`spineviewer.core.annotation_file`), so a crash loses nothing that was on screen. Undo
and redo save too. Observers connect to :attr:`~AnnotationDocument.changed` and
:attr:`~AnnotationDocument.message`; the GUI turns them into Qt signals, a batch job needs no
Qt at all.

Lesion masks (:class:`~spineviewer.core.drawings.Segmentation`) live in files beside the
annotation file and beside its keyed copy (:mod:`spineviewer.core.masks`):
:meth:`AnnotationDocument.add_segmentation` and :meth:`~AnnotationDocument.replace_mask` store
a mask and apply the edit, :meth:`~AnnotationDocument.load_mask` reads one back. Mask files
are immutable, so undo and redo only change which file a drawing names; every save makes sure
both folders hold every mask the annotations name. Proposals are accepted and rejected with
the pure edits of :mod:`spineviewer.core.proposals` through :meth:`~AnnotationDocument.apply`.

Coordinates: everything held here is DICOM LPS mm (see :mod:`spineviewer.core.drawings`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from spineviewer.core.annotation_file import (
    ANSWER_KEY_NAME,
    AnnotationFileError,
    AnnotationLoad,
    annotation_file_name,
    annotation_files,
    annotation_path_for,
    answer_key_path,
    keyed_annotation_path,
    load_annotations,
    put_aside_if_unreadable,
    read_annotations,
    save_annotations,
)
from spineviewer.core.annotations import Component, Drawing, Segmentation, StudyAnnotations
from spineviewer.core.edits import (
    add_annotation, add_lesion, find_annotation, next_lesion_id, replace_annotation, touched,
)
from spineviewer.core.history import History, Signal
from spineviewer.core.masks import MaskError, MaskStore, mask_folder, segmentation
from spineviewer.core.model import Patient, Stack, Study
from spineviewer.core.tags import date as dicom_date


class AnnotationDocument:
    """The reader's annotations of one study, with undo, redo and autosave.

    Open one with :meth:`open`; the constructor takes annotations already read.

    Parameters
    ----------
    folder : path-like
        The folder the study was opened from (for a zip archive or a DICOMDIR: the archive).
    study : StudyAnnotations
        The annotations as opened (not undoable).
    path, keyed_path : path-like, keyword-only
        The study's annotation file and its copy keyed by StudyInstanceUID; both are written
        after every change.
    open_message : str, keyword-only
        What the reader should know about the opening ('' when all went well).
    put_aside : Path, keyword-only, optional
        Where opening put an unreadable annotation file.

    Attributes
    ----------
    history : History of StudyAnnotations
    reference : StudyAnnotations or None
        The annotations shown beside the reader's for comparison (read-only), if any: the
        study's answer key or another reader's file.
    reference_title : str
        What :attr:`reference` is, for the reader ("Answer key", "Reader B").
    reader : str
        Who is reading; the first change saved records it in annotations that name no reader.
    changed : Signal
        Emitted, with no argument, after every edit, undo and redo (once saved) and when the
        current lesion or the answer key changes.
    message : Signal
        Emitted with a sentence for the reader: a refused edit, a file that could not be saved.
    """

    def __init__(self, folder, study: StudyAnnotations, *, path, keyed_path,
                 open_message: str = "", put_aside: Path | None = None):
        self.folder, self.path, self.keyed_path = Path(folder), Path(path), Path(keyed_path)
        self.history: History[StudyAnnotations] = History(study)
        self.reference: StudyAnnotations | None = None
        self.reference_title = ""
        self.reader = ""
        self.open_message, self.put_aside = open_message, put_aside
        self._current_lesion = study.lesions[-1].lesion_id if study.lesions else None
        self.masks = MaskStore((mask_folder(self.path), mask_folder(self.keyed_path)))
        self.changed, self.message = Signal(), Signal()
        self.history.changed.connect(self._save)

    @classmethod
    def open(cls, folder, study: Study, patient: Patient | None = None, *,
             user_folder: Path | None = None) -> "AnnotationDocument":
        """Open the annotations of ``study``, or begin empty ones.

        The file is the first that :func:`~spineviewer.core.annotation_file.annotation_files`
        finds (beside the study, in the per-user folder, the keyed copy); changes are saved to
        :func:`~spineviewer.core.annotation_file.annotation_path_for` and the keyed copy.
        Opening writes nothing, except that an unreadable file, or one holding another
        study's annotations, is put aside, never written over (:attr:`open_message` says
        where it went).

        Parameters
        ----------
        folder : path-like
            The folder the study was opened from (:func:`~spineviewer.core.annotation_file.study_folder`).
        study : Study
            The study as loaded: its UID, date and frame of reference start new annotations.
        patient : Patient, optional
            Its PatientID starts new annotations.
        user_folder : Path, optional
            The per-user folder (default
            :func:`~spineviewer.core.annotation_file.user_annotation_folder`).
        """
        path = annotation_path_for(folder, study.uid, user_folder=user_folder)
        keyed = keyed_annotation_path(study.uid, user_folder=user_folder)
        loaded = AnnotationLoad(path)
        for candidate in annotation_files(folder, [study.uid], user_folder=user_folder):
            if candidate.name != annotation_file_name(study.uid) and not _holds(candidate, study.uid):
                continue  # a name older versions gave: it may be another study's file
            loaded = load_annotations(candidate, study.uid)
            break
        # The keyed copy saved later than the file found (a save beside the study that failed,
        # or work on another copy of the study) is the work to open.
        copy = AnnotationLoad(keyed)
        if loaded.path != keyed:
            copy = load_annotations(keyed, study.uid)
            if _later(copy, loaded, study.uid):
                note = (f"{keyed} was saved after {loaded.path.name} ({copy.study.modified}): it "
                        "is the one opened, and the next change is saved to both")
                loaded, copy = AnnotationLoad(keyed, copy.study, message=note), AnnotationLoad(keyed)
        # Both files are written over at the first change: one that cannot be read or that
        # holds another study goes aside now, like the file opened would.
        copies = [AnnotationLoad(target) if loaded.path == target
                  else put_aside_if_unreadable(target, study.uid) for target in (path, keyed)]
        value = loaded.study
        if value is None:
            value = StudyAnnotations.new(
                study.uid, patient_id=patient.id if patient is not None else "",
                frame_of_reference_uid=next((s.frame_of_reference_uid for s in study.series
                                             if s.frame_of_reference_uid), ""),
                study_date=dicom_date(study.date))
        checked = (loaded, copy, *copies)
        message = " ".join(m for m in (c.message for c in checked) if m)
        return cls(folder, value, path=path, keyed_path=keyed, open_message=message,
                   put_aside=next((c.moved_to for c in checked if c.moved_to), None))

    # -- state -----------------------------------------------------------------------------

    @property
    def study(self) -> StudyAnnotations:
        """The current annotations."""
        return self.history.state

    @property
    def current_lesion_id(self) -> int | None:
        """The lesion new drawings go to; None when the study has no lesion yet."""
        ids = [lesion.lesion_id for lesion in self.study.lesions]
        if not ids:
            return None
        return self._current_lesion if self._current_lesion in ids else ids[-1]

    def set_current_lesion(self, lesion_id: int | None) -> None:
        if lesion_id != self._current_lesion:
            self._current_lesion = lesion_id
            self.changed.emit()

    # -- editing ---------------------------------------------------------------------------

    def apply(self, edit: Callable[..., StudyAnnotations], *args, label: str,
              merge_key: object = None, **kwargs) -> bool:
        """Apply ``edit(study, *args, **kwargs)``, record it as ``label`` and save.

        A refused edit (ValueError or KeyError from the edit function) changes nothing: its
        reason goes to :attr:`message` and the result is False. With a ``merge_key`` equal to
        the previous edit's, the two are one undo step (:meth:`History.push`).
        """
        try:
            value = edit(self.study, *args, **kwargs)
        except (ValueError, KeyError) as exc:
            self.message.emit(f"Cannot {label}: {_error_text(exc)}")
            return False
        if value != self.study:
            if not value.reader and self.reader:
                value = replace(value, reader=self.reader)
            self.history.push(touched(value), label, merge_key=merge_key)
        return True

    def add_to_lesion(self, drawing: Drawing, *, label: str, lesion_id: int | None = None) -> bool:
        """Add a drawing to lesion ``lesion_id`` (by default the current lesion), creating
        Lesion 1 when the study has none."""
        lesion_id = lesion_id or self.current_lesion_id

        def edit(study: StudyAnnotations) -> StudyAnnotations:
            if lesion_id is None:
                study = add_lesion(study)
            return add_annotation(study, drawing, lesion_id=lesion_id or next_lesion_id(study) - 1)

        return self.apply(edit, label=label)

    # -- masks -----------------------------------------------------------------------------

    @property
    def mask_folders(self) -> tuple[Path, Path]:
        """Where masks are stored: beside the study's annotation file and beside its copy."""
        return self.masks.folders

    def store_mask(self, mask) -> str:
        """Write a mask to both mask folders (once: files are immutable); its SHA-256.

        Raises MaskError for a mask that is not a 3-D non-empty array, OSError when neither
        folder can be written (a copy that fails alone is told through :attr:`message`).
        """
        sha, failures = self.masks.store(mask)
        for folder, exc in failures:
            self.message.emit(f"The mask could not be copied to {folder}: {exc.strerror or exc}")
        return sha

    def add_segmentation(self, stack: Stack, mask, *, lesion_id: int | None = None,
                         proposed: bool = False, role: Component = Component.ENHANCEMENT,
                         label: str = "add segmentation") -> Segmentation | None:
        """Store ``mask`` (``(slice, row, col)`` on ``stack``'s grid) and add its
        :class:`Segmentation` to a lesion (the current one by default; Lesion 1 is created when
        there is none), as a proposal with ``proposed=True``. One undo step; None when refused
        (the reason goes to :attr:`message`)."""
        try:
            drawing = segmentation(stack, mask, self.store_mask(mask), role=role, proposed=proposed)
        except (MaskError, OSError) as exc:
            self.message.emit(f"Cannot {label}: {exc}")
            return None
        return drawing if self.add_to_lesion(drawing, label=label, lesion_id=lesion_id) else None

    def replace_mask(self, drawing_id: str, stack: Stack, mask, *, label: str = "edit mask",
                     merge_key: object = None) -> bool:
        """Give the segmentation ``drawing_id`` a new mask (a brush or eraser stroke): the new
        mask is stored and the drawing names it, keeping its id, role and proposed flag. Undo
        names the previous mask again. False when refused (the reason goes to :attr:`message`)."""
        try:
            old, _ = find_annotation(self.study, drawing_id)
            if not isinstance(old, Segmentation):
                raise ValueError(f"the {old.kind} {drawing_id} has no mask")
            drawing = segmentation(stack, mask, self.store_mask(mask), role=old.role,
                                   proposed=old.proposed, drawing_id=old.id)
        except (MaskError, OSError, ValueError, KeyError) as exc:
            self.message.emit(f"Cannot {label}: {_error_text(exc)}")
            return False
        return self.apply(replace_annotation, drawing, label=label, merge_key=merge_key)

    def load_mask(self, drawing: Segmentation):
        """The boolean mask ``(slice, row, col)`` of a segmentation (read-only), from whichever
        mask folder holds it (the last few are kept in memory). Raises MaskError naming the
        file and the reason when no folder holds a readable copy."""
        return self.masks.load(drawing.mask_sha256, drawing.shape)

    def new_lesion(self) -> int | None:
        """Add an empty lesion and make it current; its id (None when refused)."""
        lesion_id = next_lesion_id(self.study)
        self._current_lesion = lesion_id
        return lesion_id if self.apply(add_lesion, label=f"add lesion {lesion_id}") else None

    def undo(self) -> None:
        """Take the last edit back (and save); nothing happens when there is none."""
        self.history.undo()

    def redo(self) -> None:
        """Do the last undone edit again (and save)."""
        self.history.redo()

    def _save(self, study: StudyAnnotations) -> None:
        # The keyed copy is written even when the study's own file cannot be: a full or
        # unplugged disk then still leaves the work where the next opening finds it (the
        # later of the two is opened).
        failures = {}
        hashes = [d.mask_sha256 for d in study.all_drawings() if isinstance(d, Segmentation)]
        if hashes:
            try:
                missing = self.masks.copy_all(hashes)
            except OSError as exc:
                missing = []
                self.message.emit(f"The masks could not be copied beside both annotation files: "
                                  f"{exc.strerror or exc}")
            if missing:
                self.message.emit(f"{len(missing)} mask file(s) named by these annotations are in "
                                  f"neither {self.mask_folders[0]} nor {self.mask_folders[1]}")
        for path in (self.path, self.keyed_path):
            try:
                save_annotations(study, path)
            except OSError as exc:
                failures[path] = exc.strerror or str(exc)
        if self.path in failures:
            self.message.emit(f"The annotations could not be saved to {self.path}: "
                              f"{failures[self.path]}. They stay on screen; free space or "
                              "permissions must be fixed before closing.")
        elif failures:
            self.message.emit(f"The annotations were saved to {self.path}, but their copy "
                              f"could not be written to {self.keyed_path}: "
                              f"{failures[self.keyed_path]}")
        self.changed.emit()

    # -- answer key ------------------------------------------------------------------------

    @property
    def answer_key_path(self) -> Path:
        return answer_key_path(self.folder)

    def load_answer_key(self) -> str:
        """Show the study's answer key beside the reader's annotations (read-only).

        The file is only read, never moved or written. Returns the message for the reader.
        """
        path = self.answer_key_path
        if not path.is_file():
            return f"This study has no answer key ({ANSWER_KEY_NAME} is not in {path.parent})"
        return self._show_reference(path, "Answer key")

    def load_other_reader(self, path) -> str:
        """Show another reader's annotation file of this study beside the reader's own
        (read-only, as the answer key is shown), for a reader study's consensus or training.
        Returns the message for the reader."""
        return self._show_reference(Path(path), None)

    def _show_reference(self, path: Path, title: str | None) -> str:
        try:
            reference, _ = read_annotations(path)
        except AnnotationFileError as exc:
            return f"{title or path.name}: {exc}"
        if reference.study_instance_uid != self.study.study_instance_uid:
            return f"{path.name} belongs to another study, not the one open"
        self.reference = reference
        self.reference_title = title or f"Reader {reference.reader or path.stem}"
        self.changed.emit()
        return f"{self.reference_title} shown (read-only, in green): {path.name}"

    def hide_answer_key(self) -> None:
        """Stop showing the answer key or the other reader's annotations."""
        if self.reference is not None:
            self.reference, self.reference_title = None, ""
            self.changed.emit()


def _later(copy: AnnotationLoad, own: AnnotationLoad, uid: str) -> bool:
    """True when the keyed copy holds this study's annotations saved after its own file's:
    by their ``modified`` stamps, and (stamps being to the second) by the files' times when
    two different states carry the same stamp."""
    if copy.study is None or copy.study.study_instance_uid != uid:
        return False
    if own.study is None or own.study.study_instance_uid != uid:
        return True
    if copy.study.modified != own.study.modified:
        return copy.study.modified > own.study.modified
    return (copy.study != own.study
            and copy.path.stat().st_mtime_ns > own.path.stat().st_mtime_ns)


def _holds(path: Path, study_uid: str) -> bool:
    """Whether the annotation file at ``path`` can be read and annotates ``study_uid``."""
    try:
        return read_annotations(path)[0].study_instance_uid == study_uid
    except AnnotationFileError:
        return False


def _error_text(exc: Exception) -> str:
    """The sentence of a ValueError or KeyError (KeyError's str() adds quotes)."""
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)

