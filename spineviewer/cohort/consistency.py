"""The rows of a cohort checked together: every cell, one row per patient, every lesion's
patient, one segment counting rule.

Each check reports a :class:`~spineviewer.cohort.rows.Problem` naming the file, row and
column; a row is left out only when it cannot be counted without counting something twice (a
second row of the same patient, or of the same lesion), and the problem says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from spineviewer.cohort.inputs import Gathered
from spineviewer.cohort.rows import LESION_CHECKS, PATIENT_CHECKS, CohortRow, Problem, check_row


@dataclass(frozen=True)
class CheckedCohort:
    """The rows that the tables count, and every problem met on the way."""

    lesions: tuple[CohortRow, ...]
    patients: tuple[CohortRow, ...]
    problems: tuple[Problem, ...]


def segment_rules(patients) -> dict[str, int]:
    """How many patients each segment counting rule was used for."""
    rules: dict[str, int] = {}
    for row in patients:
        rule = row.get("segment_rule")
        if rule is not None:
            rules[rule] = rules.get(rule, 0) + 1
    return rules


def check_cohort(gathered: Gathered) -> CheckedCohort:
    """Check every cell and the rows against each other (see the module notes)."""
    problems = list(gathered.problems)
    patients = _unique(gathered.patients, PATIENT_CHECKS, ("patient_id",), problems, "patient")
    lesions = _unique(gathered.lesions, LESION_CHECKS, ("patient_id", "lesion_id"), problems, "lesion")
    known = {row.get("patient_id") for row in patients}
    for row in lesions:
        if row.get("patient_id") not in known:
            problems.append(Problem(row.source.file, row.source.row, "patient_id",
                                    f"lesion of patient {row.get('patient_id')!r}, who has no row "
                                    "in patients.csv; counted in the lesion table only"))
    rules = segment_rules(patients)
    if len(rules) > 1:
        said = ", ".join(f"{rule} ({count} patients)" for rule, count in sorted(rules.items()))
        problems.append(Problem("", "", "segment_rule", f"the studies count segments by different "
                                f"rules: {said}; their segment counts are not comparable"))
    return CheckedCohort(tuple(lesions), tuple(patients), tuple(problems))


def _unique(rows, checks, key_columns, problems: list[Problem], what: str) -> list[CohortRow]:
    """Rows with their cells checked; a row without its key, or whose key an earlier row
    already has, is left out with a problem naming both rows."""
    kept: list[CohortRow] = []
    first: dict[tuple, CohortRow] = {}
    for row in rows:
        problems.extend(check_row(row, checks))
        key = tuple(row.get(column) for column in key_columns)
        empty = [column for column, value in zip(key_columns, key) if value in (None, "")]
        if empty:
            problems.append(Problem(row.source.file, row.source.row, empty[0],
                                    f"empty {empty[0]}; the {what} row is left out"))
            continue
        if key in first:
            earlier = first[key].source
            name = " ".join(str(part) for part in key)
            problems.append(Problem(row.source.file, row.source.row, key_columns[-1],
                                    f"duplicate {what} row for {name} (first in {earlier.file}, "
                                    f"{earlier.row}); this row is left out"))
            continue
        first[key] = row
        kept.append(row)
    return kept
