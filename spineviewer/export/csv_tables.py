"""Cohort tables for research: ``lesions.csv`` (one row per lesion) and ``patients.csv`` (one
row per annotated study), with the metrics recomputed from the drawings.

Columns: the measured columns are the metrics' own column names
(:func:`~spineviewer.core.measurement.measured_columns` of
:class:`~spineviewer.core.metrics.LesionMetrics` and
:class:`~spineviewer.core.metrics.PatientMetrics`), and each cell is the value whose
:attr:`~spineviewer.core.measurement.Measurement.key` names the column; the findings columns
are the findings' field names.

Segments: ``*_segments``, ``t2_enhancement_ratio`` and ``max_t2_segments`` follow the study's
segment rule (``segment_rule`` in ``patients.csv``: ``span`` or ``touched``);
``enhancement_levels_touched`` and ``t2_levels_touched``, the last two lesion columns, always
count the levels touched.

Proposals are not measured: the metrics leave out every drawing, disc and conus tip still
marked proposed (:func:`~spineviewer.core.proposals.accepted`), so a cell holds the reader's
value or nothing; ``volume_mm3`` comes from the lesion's accepted segmentation mask when it has
one, else from its outlines.

Cells: categorical values are the lowercase vocabulary words; an empty cell means not
assessed or not measurable; lengths are mm with two decimals, as are fractional segments,
ratios, volumes (mm3) and intervals (years); segment counts are whole numbers. A value
measured in pixels (a series without PixelSpacing) is never written to an ``_mm`` column: its
key is ``_px``, so the cell stays empty. Leptomeningeal sites are joined with ``;``.

Pseudonymisation: with ``pseudonyms`` (PatientID -> pseudonym) the pseudonym replaces the
PatientID, every date is left out (study date, diagnosis and presentation dates; the
intervals between them stay), and the PatientID, the study's UIDs and its dates are removed
from the free-text cells, so no DICOM identifier appears anywhere in the files.

Files are written with the csv module (RFC 4180 quoting, CRLF line ends, UTF-8) and atomically.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable, Mapping

from spineviewer.core.safe_write import write_atomically
from spineviewer.core.annotations import StudyAnnotations
from spineviewer.core.measurement import measured_columns
from spineviewer.core.metrics import CONUS_ZONE_MM, LesionMetrics, PatientMetrics, patient_metrics

#: Lesion findings written as their vocabulary words (LesionFindings fields).
_FINDINGS = ("position", "morphology", "cord_expansion", "t2_signal", "t1_signal",
             "cystic_change", "hemorrhage", "enhancement", "enhancement_pattern", "rim_sign",
             "flame_sign", "leptomeningeal_origin_suspected")
#: Measured lesion columns added after the first column contract, so they come last and the
#: earlier columns keep their positions.
_LESION_APPENDED = ("enhancement_levels_touched", "t2_levels_touched")
_LESION_MEASURED = tuple(column for column in measured_columns(LesionMetrics).values()
                         if column not in _LESION_APPENDED)
_PATIENT_MEASURED = measured_columns(PatientMetrics)

LESION_COLUMNS = (
    "patient_id", "study_date", "reader", "lesion_id", "level_top", "level_bottom", "location",
    *_FINDINGS, *_LESION_MEASURED, "notes", *_LESION_APPENDED,
)

PATIENT_COLUMNS = (
    "patient_id", "reader", "sex", "age_years", "primary_tumor", "primary_tumor_detail",
    "dominant_symptom", "symptom_duration_weeks", "primary_diagnosis_date",
    "iscm_presentation_date", "iscm_diagnosis_date",
    _PATIENT_MEASURED["primary_to_presentation"], _PATIENT_MEASURED["primary_to_diagnosis"],
    "n_lesions", "multiplicity", "other_cns_spinal_mets", "leptomeningeal_mets",
    "leptomeningeal_sites", "primary_or_noncns_mets_visible", "new_iscm_on_followup",
    _PATIENT_MEASURED["max_t2_segments"], "notes", "segment_rule",
)

_PATIENT_WORDS = ("sex", "primary_tumor", "dominant_symptom", "other_cns_spinal_mets",
                  "leptomeningeal_mets", "primary_or_noncns_mets_visible", "new_iscm_on_followup")
_PATIENT_DATES = ("primary_diagnosis_date", "iscm_presentation_date", "iscm_diagnosis_date")
_REMOVED = "[removed]"


def lesion_rows(study: StudyAnnotations, *, pseudonym: str | None = None,
                conus_zone_mm: float = CONUS_ZONE_MM,
                metrics: PatientMetrics | None = None) -> list[dict[str, str]]:
    """The ``lesions.csv`` rows of one study, as text cells keyed by :data:`LESION_COLUMNS`.

    ``metrics``, when the caller has them already (``patient_metrics(study, conus_zone_mm=...)``),
    are used instead of being computed again.
    """
    metrics = metrics or patient_metrics(study, conus_zone_mm=conus_zone_mm)
    scrub = _scrubber(study, pseudonym)
    rows = []
    for lesion, values in zip(study.lesions, metrics.lesions):
        cells = values.as_row()
        row = {
            "patient_id": pseudonym if pseudonym is not None else study.patient_id,
            "study_date": "" if pseudonym is not None or not study.study_date else study.study_date.isoformat(),
            "reader": study.reader,
            "notes": scrub(lesion.findings.notes),
        }
        row.update({name: _cell(cells.get(name)) for name in
                    ("lesion_id", "level_top", "level_bottom", "location", *_LESION_MEASURED,
                     *_LESION_APPENDED)})
        row.update({name: _word(getattr(lesion.findings, name)) for name in _FINDINGS})
        rows.append(row)
    return rows


def patient_row(study: StudyAnnotations, *, pseudonym: str | None = None,
                conus_zone_mm: float = CONUS_ZONE_MM,
                metrics: PatientMetrics | None = None) -> dict[str, str]:
    """The ``patients.csv`` row of one study, as text cells keyed by :data:`PATIENT_COLUMNS`
    (``metrics`` as for :func:`lesion_rows`)."""
    metrics = metrics or patient_metrics(study, conus_zone_mm=conus_zone_mm)
    patient = study.patient
    scrub = _scrubber(study, pseudonym)
    cells = metrics.as_row()
    row = {
        "patient_id": pseudonym if pseudonym is not None else study.patient_id,
        "reader": study.reader,
        "age_years": _number(patient.age_years),
        "primary_tumor_detail": scrub(patient.primary_tumor_detail),
        "symptom_duration_weeks": _number(patient.symptom_duration_weeks),
        "leptomeningeal_sites": ";".join(site.value for site in patient.leptomeningeal_sites),
        "notes": scrub(patient.notes),
        "segment_rule": study.segment_rule.value,
    }
    row.update({name: _cell(cells.get(name)) for name in
                ("n_lesions", "multiplicity", *_PATIENT_MEASURED.values())})
    row.update({name: _word(getattr(patient, name)) for name in _PATIENT_WORDS})
    for name in _PATIENT_DATES:
        date = getattr(patient, name)
        row[name] = "" if pseudonym is not None or date is None else date.isoformat()
    return row


def write_lesions_csv(path, studies: Iterable[StudyAnnotations], *,
                      pseudonyms: Mapping[str, str] | None = None,
                      conus_zone_mm: float = CONUS_ZONE_MM) -> Path:
    """Write ``lesions.csv`` for a cohort: the lesions of each study, in lesion-id order.

    Parameters
    ----------
    path : path-like
    studies : iterable of StudyAnnotations
    pseudonyms : mapping of PatientID to pseudonym, optional
        When given, every study's PatientID must have one (see the module notes).
    conus_zone_mm : float, keyword-only
        Length of the conus zone above the conus tip marker, for the location.
    """
    rows = [row for study in studies
            for row in lesion_rows(study, pseudonym=_pseudonym(study, pseudonyms),
                                   conus_zone_mm=conus_zone_mm)]
    return write_table(path, LESION_COLUMNS, rows)


def write_patients_csv(path, studies: Iterable[StudyAnnotations], *,
                       pseudonyms: Mapping[str, str] | None = None,
                       conus_zone_mm: float = CONUS_ZONE_MM) -> Path:
    """Write ``patients.csv`` for a cohort: one row per study (see :func:`write_lesions_csv`)."""
    rows = [patient_row(study, pseudonym=_pseudonym(study, pseudonyms), conus_zone_mm=conus_zone_mm)
            for study in studies]
    return write_table(path, PATIENT_COLUMNS, rows)


def write_table(path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> Path:
    """Write text rows keyed by ``columns`` (:data:`LESION_COLUMNS` or :data:`PATIENT_COLUMNS`)
    as a CSV file, atomically; rows already made, such as a cohort's merged rows."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    path = Path(path)
    write_atomically(path, buffer.getvalue().encode("utf-8"))
    return path


def _pseudonym(study: StudyAnnotations, pseudonyms: Mapping[str, str] | None) -> str | None:
    if pseudonyms is None:
        return None
    if study.patient_id not in pseudonyms:
        raise ValueError(f"no pseudonym is given for PatientID {study.patient_id!r}; "
                         "every patient needs one when exporting with pseudonyms")
    return pseudonyms[study.patient_id]


def _scrubber(study: StudyAnnotations, pseudonym: str | None):
    """A function that removes the study's identifiers and dates from free text."""
    if pseudonym is None:
        return lambda text: text
    secrets = {study.patient_id, study.study_instance_uid, study.frame_of_reference_uid}
    for drawing in study.all_drawings():
        secrets.update((drawing.series_instance_uid, drawing.sop_instance_uid))
    dates = [study.study_date] + [getattr(study.patient, name) for name in _PATIENT_DATES]
    for date in filter(None, dates):
        secrets.update((date.isoformat(), date.strftime("%Y%m%d")))
    ordered = sorted((s for s in secrets if s), key=len, reverse=True)

    def scrub(text: str) -> str:
        for secret in ordered:
            text = text.replace(secret, _REMOVED)
        return text
    return scrub


def _cell(value: str | int | float | None) -> str:
    """A cell of a metrics row: words as they are, counts whole, measured values with two
    decimals, '' for a value that is missing (or measured in another unit than the column's)."""
    if value is None:
        return ""
    if isinstance(value, (str, int)):
        return str(value)
    return f"{value:.2f}"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _word(member) -> str:
    return "" if member is None else member.value
