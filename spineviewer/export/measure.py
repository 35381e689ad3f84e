"""``spineviewer measure``: the ISCM metrics of one annotated study, as CSV files and a table.

The study's headers are read (not its pixels) to know which study it is: its PatientID and
StudyDate go into the tables, replacing what the annotation file says, so the cohort tables
follow the images. The annotation file is the one named, else, when asked for, the answer key
``reference-annotations.json`` that the sample studies carry in their folder, else the study's
own (beside it, or its copy keyed by StudyInstanceUID in the per-user folder): the rule of
every command (:mod:`spineviewer.export.study_input`). It is only read: a file that cannot be
used is reported and left as it is (the workstation, not this command, puts such files aside).

Metrics are computed in patient space (DICOM LPS mm) by :mod:`spineviewer.core.metrics`;
``lesions.csv`` and ``patients.csv`` are written atomically by
:mod:`spineviewer.export.csv_tables`, pseudonymised on request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from spineviewer.core.annotation_file import annotation_file_name
from spineviewer.core.annotations import StudyAnnotations
from spineviewer.core.loader import load_study
from spineviewer.core.measurement import Measurement
from spineviewer.core.metrics import CONUS_ZONE_MM, PatientMetrics, patient_metrics
from spineviewer.core.safe_write import check_output_file, check_output_folder
from spineviewer.core.units import Unit
from spineviewer.core.tags import date as dicom_date
from spineviewer.export.csv_tables import write_lesions_csv, write_patients_csv
from spineviewer.export.study_input import find_annotation_file, read_study_annotations

#: Measured columns of the printed summary: the heading and the LesionMetrics field shown.
SUMMARY_COLUMNS = (("AP mm", "ap"), ("TR mm", "transverse"), ("SI mm", "si"),
                   ("enh seg", "enhancement_segments"), ("T2 seg", "t2_segments"),
                   ("T2/enh", "t2_enhancement_ratio"))


class MeasureError(ValueError):
    """The study or its annotations cannot be measured; the message is one line for the user."""


@dataclasses.dataclass(frozen=True)
class MeasureResult:
    """What a measurement run read and wrote.

    Attributes
    ----------
    annotations : StudyAnnotations
        As read, with the PatientID and StudyDate of the images.
    annotation_path : Path
        The annotation file that was read.
    metrics : PatientMetrics
        The patient's and the lesions' metrics.
    lesions_csv, patients_csv : Path
        The files written.
    """

    annotations: StudyAnnotations
    annotation_path: Path
    metrics: PatientMetrics
    lesions_csv: Path
    patients_csv: Path


def measure_study(study_path, out_dir, *, annotation_path=None, answer_key: bool = False,
                  pseudonym: str | None = None,
                  conus_zone_mm: float = CONUS_ZONE_MM) -> MeasureResult:
    """Measure one annotated study and write ``lesions.csv`` and ``patients.csv``.

    Parameters
    ----------
    study_path : path-like
        The study: a folder, a file, a zip archive or a DICOMDIR.
    out_dir : path-like
        Folder of the CSV files (created if needed).
    annotation_path : path-like, optional
        The annotation file; by default the study's own.
    answer_key : bool
        Without ``annotation_path``, read the study's ``reference-annotations.json`` instead.
    pseudonym : str, optional
        Written instead of the PatientID, with every date left out.
    conus_zone_mm : float
        Length of the conus zone above the conus tip marker, mm.

    Raises
    ------
    MeasureError
        No images, several studies, no or an unusable annotation file, a bad option.
    OSError
        An output path that is not a folder, or holds something else than a regular file.
    """
    if pseudonym is not None and not pseudonym.strip():
        raise MeasureError("the pseudonym is empty")
    study_path, out_dir = Path(study_path), Path(out_dir)
    # Checked before anything is read, so a wrong --out costs no time and leaves nothing.
    for name in ("lesions.csv", "patients.csv"):
        check_output_file(check_output_folder(out_dir) / name)
    patient_id, study_date, annotations, path = _read(study_path, annotation_path, answer_key)
    annotations = dataclasses.replace(annotations, patient_id=patient_id or annotations.patient_id,
                                      study_date=study_date or annotations.study_date)
    pseudonyms = None if pseudonym is None else {annotations.patient_id: pseudonym}
    out_dir.mkdir(parents=True, exist_ok=True)
    lesions = write_lesions_csv(out_dir / "lesions.csv", [annotations], pseudonyms=pseudonyms,
                                conus_zone_mm=conus_zone_mm)
    patients = write_patients_csv(out_dir / "patients.csv", [annotations], pseudonyms=pseudonyms,
                                  conus_zone_mm=conus_zone_mm)
    return MeasureResult(annotations, path, patient_metrics(annotations, conus_zone_mm=conus_zone_mm),
                         lesions, patients)


def summary_table(metrics: PatientMetrics, *, patient: str) -> str:
    """A short plain-text table: one line per lesion with levels, location, sizes, segments."""
    header = ("lesion", "levels", "location", *(heading for heading, _ in SUMMARY_COLUMNS))
    rows = [header]
    for m in metrics.lesions:
        levels = "" if m.level_top is None else (
            m.level_top if m.level_top == m.level_bottom else f"{m.level_top}-{m.level_bottom}")
        rows.append((str(m.lesion_id), levels or "-", m.location.value if m.location else "-",
                     *(_cell(getattr(m, name)) for _, name in SUMMARY_COLUMNS)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i < 3 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths))).rstrip() for row in rows]
    count = f"{metrics.n_lesions} lesion" + ("" if metrics.n_lesions == 1 else "s")
    return "\n".join([f"{patient}: {count}", *lines])


def _cell(measurement: Measurement | None) -> str:
    if measurement is None:
        return "-"
    if isinstance(measurement.value, int):
        return str(measurement.value)
    text = f"{measurement.value:.1f}" if measurement.unit is not Unit.RATIO else f"{measurement.value:.2f}"
    return f"{text} px" if measurement.unit is Unit.PX else text


def _read(study_path: Path, annotation_path,
          answer_key: bool) -> tuple[str, dt.date | None, StudyAnnotations, Path]:
    """PatientID and StudyDate of the annotated study, its annotations and their file.

    A named annotation file picks its study among those the images hold; without one, the
    images must hold exactly one study.
    """
    result = load_study(study_path)
    studies = [(patient, study) for patient in result.patients for study in patient.studies]
    if not studies:
        reason = f" ({result.problems[0].reason})" if result.problems else ""
        raise MeasureError(f"{study_path}: no DICOM images{reason}")
    if annotation_path is None and len(studies) > 1:
        raise MeasureError(f"{study_path} holds {len(studies)} studies; measure one at a time "
                           "or name the annotation file with --annotations")
    uids = [study.uid for _, study in studies]
    try:
        path = find_annotation_file(annotation_path, study_path, uids, answer_key=answer_key)
        if path is None:
            raise MeasureError(f"no annotation file for the study in {study_path} (looked for "
                               f"{annotation_file_name(uids[0])}); name one with --annotations "
                               "FILE, or use --answer-key for a sample study's answer key")
        annotations = read_study_annotations(path, uids, where=str(study_path))
    except MeasureError:
        raise
    except ValueError as exc:
        raise MeasureError(str(exc)) from None
    patient, study = next(pair for pair in studies if pair[1].uid == annotations.study_instance_uid)
    return patient.id, dicom_date(study.date), annotations, path

