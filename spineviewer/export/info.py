"""The study report behind ``spineviewer info``: patients, studies, series, stacks, problems.

The JSON form describes each stack's grid the way SimpleITK does (``size`` [columns, rows,
slices], ``spacing`` [column, row, slice] mm, ``origin`` LPS mm of the first voxel, ``direction``
the 3 x 3 matrix whose columns are the row, column and slice directions, flattened row-major),
so a script can compare the two readers directly. The report is strict JSON: a number the
files leave unknown or that is not finite (a NaN slice thickness) is ``null``, never ``NaN``.
"""

from __future__ import annotations

import math

from spineviewer.core.model import LoadResult, Stack
from spineviewer.core.units import Unit


def _strict(value):
    """``value`` with every non-finite float replaced by None, so JSON needs no ``NaN``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(item) for item in value]
    return value


def _stack_dict(stack: Stack) -> dict:
    entry = {
        "series_uid": stack.series_uid,
        "stack": stack.number,
        "plane": stack.plane,
        "files": stack.files,
        "spacing_known": stack.spacing_known,
    }
    entry.update(stack.geometry.as_dict())
    if stack.notes:
        entry["notes"] = list(stack.notes)
    return entry


def report_dict(result: LoadResult) -> dict:
    """The whole load result as plain data for strict JSON (unknown numbers are None)."""
    patients = []
    for patient in result.patients:
        studies = []
        for study in patient.studies:
            series_list = []
            for series in study.series:
                series_list.append({
                    "series_uid": series.uid,
                    "number": series.number,
                    "description": series.description,
                    "modality": series.modality,
                    "frame_of_reference_uid": series.frame_of_reference_uid,
                    "images": series.n_images,
                    "stacks": [_stack_dict(stack) for stack in series.stacks],
                })
            studies.append({
                "study_uid": study.uid, "date": study.date, "description": study.description,
                "series": series_list,
            })
        patients.append({"patient_id": patient.id, "name": patient.name, "studies": studies})
    return _strict({
        "patients": patients,
        "stacks": [_stack_dict(stack) for stack in result.iter_stacks()],
        "problems": [problem.as_dict() for problem in result.all_problems()],
    })


def _stack_line(stack: Stack, of: int) -> str:
    columns, rows, slices = stack.geometry.size
    spacing = stack.geometry.spacing
    unit = Unit.of_image(stack.spacing_known).value
    label = f"stack {stack.number}/{of}: " if of > 1 else ""
    return (f"      {label}{stack.plane:<8} {slices:>4} slices  {columns}x{rows}  "
            f"{spacing[0]:.3g} x {spacing[1]:.3g} x {spacing[2]:.3g} {unit}")


def report_text(result: LoadResult) -> str:
    """A readable outline for the terminal."""
    lines = []
    for patient in result.patients:
        lines.append(f"Patient {patient.name or '(no name)'}  ID {patient.id or '(none)'}")
        for study in patient.studies:
            lines.append(f"  Study {study.date or '(no date)'}  {study.description}".rstrip())
            for series in study.series:
                number = "" if series.number is None else f"#{series.number} "
                lines.append(f"    Series {number}{series.description or '(no description)'}  "
                             f"[{series.modality}, {series.n_images} images]")
                for stack in series.stacks:
                    lines.append(_stack_line(stack, len(series.stacks)))
                    lines.extend(f"        note: {note}" for note in stack.notes)
    problems = result.all_problems()
    if problems:
        lines.append(f"{len(problems)} file(s) not loaded:")
        lines.extend(f"  {p.kind.value}: {p.path}: {p.reason}" for p in problems)
    if not result.patients:
        lines.append("No images found.")
    return "\n".join(lines)
