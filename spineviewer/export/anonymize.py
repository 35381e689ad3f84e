"""Anonymized copy of a study: new DICOM files under a pseudonym, and its annotation file.

Every image of the study (or of the chosen series) is read, de-identified with the PS3.15 Basic
Application Level Confidentiality Profile (:mod:`.deid_profile`) and written to a new file;
geometry and pixel data are copied unchanged, in the same transfer syntax. Every UID is
remapped consistently across the study, so series, references and the frame of reference still
line up. The source files are only read, and the copy is never written inside them (nor
are they inside it). The copy is written into a hidden folder beside OUT and renamed to OUT at
the end: a failed export (a full disk, an interruption) leaves no half-made copy.

The study's annotations are carried over (with the lesion masks their segmentations name,
copied beside the new annotation file): the study, series and image UIDs of every drawing
are remapped the same way, the patient ID becomes the pseudonym, the reader's name is left out,
dates are shifted or removed with the images' (the file's created and modified times become
the time of the export, as readers often annotate on the day of the study), and free text is
cleaned of the identifying values of the source. Points are DICOM LPS mm and stay as they are (the geometry is the same),
so every metric is unchanged.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets as random_secrets
import shutil
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

import pydicom
from pydicom.dataset import FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID

from spineviewer.core.annotation_file import annotation_file_name, save_annotations
from spineviewer.core.safe_write import write_atomically
from spineviewer.core.annotations import Segmentation, StudyAnnotations, timestamp
from spineviewer.core.masks import MaskError, mask_folder, read_mask, write_mask
from spineviewer.core.model import LoadResult, Patient, Series, Study
from spineviewer.core.sources import FileSource
from spineviewer.export.deid_profile import Deidentification, UidMap, deidentify, identifying_values

#: Text put in place of an identifying value found in free text.
REMOVED = "[removed]"
_PATIENT_DATES = ("primary_diagnosis_date", "iscm_presentation_date", "iscm_diagnosis_date")


@dataclass(frozen=True)
class AnonymizedStudy:
    """What an anonymized export wrote.

    Attributes
    ----------
    folder : Path
    files : list of Path
        The DICOM files, ``S<series>/I<image>.dcm``.
    study_instance_uid : str
        The new StudyInstanceUID.
    annotation_file : Path or None
        The carried-over annotations, when there were any.
    dates : str
        ``"removed"`` or ``"shifted by N days"``.
    problems : list of str
        Files that could not be exported, with the reason.
    drawings_left_out : int
        Drawings made on series that were not exported (they would point at no image).
    """

    folder: Path
    files: list[Path]
    study_instance_uid: str
    annotation_file: Path | None
    dates: str
    problems: list[str] = field(default_factory=list)
    drawings_left_out: int = 0


def choose_study(result: LoadResult, study_uid: str | None = None) -> tuple[Patient, Study]:
    """The one study of a load result, or the one with ``study_uid``; ValueError otherwise."""
    studies = [(patient, study) for patient in result.patients for study in patient.studies]
    if study_uid is not None:
        studies = [(p, s) for p, s in studies if s.uid == study_uid]
        if not studies:
            raise ValueError(f"no study has StudyInstanceUID {study_uid}")
    if not studies:
        raise ValueError("no images were found")
    if len(studies) > 1:
        raise ValueError(f"{len(studies)} studies were found; choose one with its "
                         "StudyInstanceUID (--study)")
    return studies[0]


def anonymize_study(result: LoadResult, out_dir, *, pseudonym: str,
                    annotations: StudyAnnotations | None = None, series: list[str] | None = None,
                    study_uid: str | None = None, date_shift_days: int | None = None,
                    keep_patient_characteristics: bool = False,
                    key: bytes | None = None, source=None, masks=()) -> AnonymizedStudy:
    """Write an anonymized copy of one study to ``out_dir``.

    Parameters
    ----------
    result : LoadResult
        The loaded study (:func:`spineviewer.core.loader.load_study`).
    out_dir : path-like
        A new or empty folder, outside the source files.
    pseudonym : str
        PatientName and PatientID of the copy (at most 64 characters, no backslash).
    annotations : StudyAnnotations, optional
        Carried over with the new UIDs (its study must be the one exported); drawings made on
        series that are not exported are left out.
    series : list of str, optional
        Series to export, by SeriesInstanceUID, series number or description (default: all).
    study_uid : str, optional
        Which study, when the source holds several.
    date_shift_days : int, optional
        Shift every date by this many days (keeps intervals); by default dates are removed.
    keep_patient_characteristics : bool
        Keep sex, age, size and weight (PS3.15 Retain Patient Characteristics Option).
    key : bytes, optional
        Secret of the UID mapping: the same key maps a UID to the same new UID, which keeps
        separate exports of one patient's studies consistent. Random by default.
    source : path-like or list of path-like, optional
        What the study was loaded from (folders, files, archives): ``out_dir`` must be neither
        inside nor around any of them.
    masks : sequence of path-like, optional
        The mask folders of the annotation file read (:func:`spineviewer.core.masks.mask_folder`):
        the lesion masks its segmentations name are copied from there beside the copy's
        annotation file (a mask holds no patient data: only its bits); one found in none of
        them is a problem of the export.

    Raises
    ------
    ValueError
        A bad pseudonym, series or folder, annotations of another study.
    OSError
        The copy could not be written; nothing is left at ``out_dir`` then.
    """
    pseudonym = _checked_pseudonym(pseudonym)
    patient, study = choose_study(result, study_uid)
    chosen = _chosen_series(study, series)
    if annotations is not None and annotations.study_instance_uid != study.uid:
        raise ValueError("the annotations belong to another study "
                         f"({annotations.study_instance_uid}, not {study.uid})")
    sources = {s.uid: _sources(s) for s in chosen}
    out = _checked_folder(Path(out_dir), [Path(f.path) for files in sources.values() for f in files],
                          [Path(p) for p in _paths(source)])
    secrets = _secrets(sources, annotations)
    if pseudonym.casefold() in {patient.id.casefold(), patient.name.casefold()} or any(
            s.casefold() == pseudonym.casefold() for s in secrets):
        raise ValueError("the pseudonym must not be the patient's own ID, name or another "
                         "identifying value")
    how = Deidentification(pseudonym, UidMap(key or random_secrets.token_bytes(32)),
                           date_shift_days, keep_patient_characteristics, tuple(secrets))
    work = out.with_name(f".{out.name}.partial-{uuid.uuid4().hex[:12]}")
    os.makedirs(work)
    try:
        written, problems = [], []
        for k, one in enumerate(chosen, start=1):
            for n, file in enumerate(sources[one.uid], start=1):
                target = Path(f"S{k:03d}") / f"I{n:04d}.dcm"
                try:
                    data = _anonymized(file, how)
                except (OSError, InvalidDicomError, ValueError, OverflowError) as exc:
                    problems.append(f"{file.display}: {exc}")
                    continue
                # A file that cannot be written (full disk) ends the export: see below.
                (work / target).parent.mkdir(exist_ok=True)
                write_atomically(work / target, data)
                written.append(out / target)
        annotation_file, left_out = None, 0
        if annotations is not None:
            annotations, left_out = _on_series(annotations, {s.uid for s in chosen})
            carried = anonymize_annotations(annotations, how)
            name = annotation_file_name(carried.study_instance_uid)
            save_annotations(carried, work / name)
            problems += _carry_masks(carried, masks, mask_folder(work / name))
            annotation_file = out / name
        if out.exists():
            out.rmdir()  # empty, as checked: the finished copy takes its place
        os.rename(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    dates = "removed" if date_shift_days is None else f"shifted by {date_shift_days} days"
    return AnonymizedStudy(out, written, how.uids(study.uid), annotation_file, dates, problems,
                           left_out)


def _carry_masks(study: StudyAnnotations, sources, target: Path) -> list[str]:
    """Copy the masks of the study's segmentations from the first of ``sources`` holding a
    readable copy into ``target``; a sentence per mask that could not be carried."""
    problems = []
    for drawing in study.all_drawings():
        if not isinstance(drawing, Segmentation):
            continue
        reasons = []
        for folder in sources:
            try:
                write_mask(target, read_mask(folder, drawing.mask_sha256, drawing.shape))
                break
            except MaskError as exc:
                reasons.append(str(exc))
        else:
            problems.append(f"the mask of segmentation {drawing.id} was not carried over ("
                            + ("; ".join(reasons) or "no mask folder was given") + ")")
    return problems


def anonymize_annotations(study: StudyAnnotations, how: Deidentification) -> StudyAnnotations:
    """The annotations of the anonymized copy (see the module notes)."""
    scrub = _scrubber(how.secrets)

    def drawing(d):
        values = {"series_instance_uid": how.uids(d.series_instance_uid),
                  "sop_instance_uid": how.uids(d.sop_instance_uid)}
        if hasattr(d, "text"):
            values["text"] = scrub(d.text)
        return replace(d, **values)

    lesions = tuple(replace(lesion, annotations=tuple(drawing(d) for d in lesion.annotations),
                            findings=replace(lesion.findings, notes=scrub(lesion.findings.notes)))
                    for lesion in study.lesions)
    patient = study.patient
    dates = {name: _shift(getattr(patient, name), how.date_shift_days) for name in _PATIENT_DATES}
    kept = {} if how.keep_patient_characteristics else {"sex": None, "age_years": None}
    patient = replace(patient, primary_tumor_detail=scrub(patient.primary_tumor_detail),
                      notes=scrub(patient.notes), **dates, **kept)
    now = timestamp()
    return replace(study, study_instance_uid=how.uids(study.study_instance_uid),
                   patient_id=how.pseudonym, reader="", created=now, modified=now,
                   frame_of_reference_uid=how.uids(study.frame_of_reference_uid),
                   study_date=_shift(study.study_date, how.date_shift_days), lesions=lesions,
                   annotations=tuple(drawing(d) for d in study.annotations), patient=patient)


def _on_series(study: StudyAnnotations, series_uids: set[str]) -> tuple[StudyAnnotations, int]:
    """The annotations without the drawings made on other series, and how many those were."""
    def keep(drawings):
        return tuple(d for d in drawings if d.series_instance_uid in series_uids)

    lesions = tuple(replace(lesion, annotations=keep(lesion.annotations)) for lesion in study.lesions)
    kept = replace(study, lesions=lesions, annotations=keep(study.annotations))
    return kept, sum(1 for _ in study.all_drawings()) - sum(1 for _ in kept.all_drawings())


def _anonymized(source: FileSource, how: Deidentification) -> bytes:
    """The de-identified file of ``source``, encoded."""
    with source.open() as handle:
        ds = pydicom.dcmread(handle)
    if str(ds.get("BurnedInAnnotation", "")).upper() == "YES":
        raise ValueError("its pixels carry burnt-in text (BurnedInAnnotation YES), which the "
                         "profile does not clean")
    transfer_syntax = ds.file_meta.TransferSyntaxUID
    deidentify(ds, how)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = transfer_syntax
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds.file_meta = meta
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def _sources(series: Series) -> list[FileSource]:
    """The files of a series, stack by stack in slice order, each once."""
    seen: dict[FileSource, None] = {}
    for stack in series.stacks:
        for frame in stack.frames:
            seen.setdefault(frame.file.source, None)
    return list(seen)


def _secrets(sources: dict[str, list[FileSource]], annotations: StudyAnnotations | None) -> list[str]:
    found: set[str] = set()
    for files in sources.values():
        for source in files:
            try:
                with source.open() as handle:
                    found.update(identifying_values(pydicom.dcmread(handle, stop_before_pixels=True)))
            except (OSError, InvalidDicomError):
                continue  # reported when the file itself is exported
    if annotations is not None:
        found.add(annotations.patient_id)
        if annotations.reader.strip():
            found.add(annotations.reader.strip())
        for date in [annotations.study_date] + [getattr(annotations.patient, n) for n in _PATIENT_DATES]:
            if date is not None:
                found.update((date.isoformat(), date.strftime("%Y%m%d")))
    return sorted((s for s in found if len(s.strip()) >= 3), key=len, reverse=True)


def _scrubber(secrets: tuple[str, ...]):
    lowered = [(s.casefold(), len(s)) for s in secrets]

    def scrub(text: str) -> str:
        for secret, length in lowered:
            start = text.casefold().find(secret)
            while start >= 0:
                text = text[:start] + REMOVED + text[start + length:]
                start = text.casefold().find(secret, start + len(REMOVED))
        return text
    return scrub


def _shift(date: dt.date | None, days: int | None) -> dt.date | None:
    if date is None or days is None:
        return None
    return date + dt.timedelta(days=days)


def _chosen_series(study: Study, names: list[str] | None) -> list[Series]:
    every = [s for s in study.series if s.stacks]
    if not names:
        return every
    chosen = []
    for name in names:
        wanted = name.strip()
        match = [s for s in every if wanted in (s.uid, s.description) or
                 (wanted.isdigit() and s.number == int(wanted))]
        if not match:
            raise ValueError(f"no series {name!r} in the study; it has "
                             + ", ".join(f"{s.number}: '{s.description}'" for s in every))
        chosen.extend(s for s in match if s not in chosen)
    return chosen


def _checked_pseudonym(pseudonym: str) -> str:
    text = (pseudonym or "").strip()
    if not text:
        raise ValueError("a pseudonym is needed (--pseudonym ID)")
    if len(text) > 64 or "\\" in text or any(ord(c) < 32 for c in text):
        raise ValueError("a pseudonym is at most 64 characters, without backslashes or control "
                         "characters")
    return text


def _paths(source) -> list:
    if source is None:
        return []
    return [source] if isinstance(source, (str, os.PathLike)) else list(source)


def _checked_folder(out: Path, files: list[Path], given: list[Path]) -> Path:
    """``out`` resolved (symlinks followed), when it is a new or empty folder that is not a
    source file's folder, lies inside no folder given as the source, and holds no source file;
    only its parent folder is created."""
    out = out.resolve()
    for folder in (p.resolve() for p in given):
        if folder.is_dir() and (out == folder or folder in out.parents):
            raise ValueError(f"{out} is inside the source folder {folder}; write the anonymized "
                             "copy outside it")
    for source in files:
        origin = source.resolve()
        if out == origin.parent or out in origin.parents:
            raise ValueError(f"{out} holds source files; write the anonymized copy elsewhere")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"{out} is not an empty folder; choose a new one")
    os.makedirs(out.parent, exist_ok=True)
    return out
