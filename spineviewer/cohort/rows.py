"""The cells of ``lesions.csv`` and ``patients.csv`` checked against the export contract.

A cohort row is the text row of the contract (:data:`~spineviewer.export.csv_tables.LESION_COLUMNS`,
:data:`~spineviewer.export.csv_tables.PATIENT_COLUMNS`) turned into values: vocabulary words
(:mod:`spineviewer.core.vocabulary`) in their canonical spelling, numbers as floats or ints,
``None`` for an empty cell (not assessed). A cell that breaks the contract becomes ``None`` and a
:class:`Problem` naming the file, the row and the column, so nothing is dropped silently.

Rows are numbered as a spreadsheet numbers them: the header is row 1, the first data row is
row 2. Rows that come from an annotation file are numbered by lesion (``lesion 2``) or
``patient``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Callable

from spineviewer.core.levels import SegmentRule
from spineviewer.core.vocabulary import (
    CysticChange, EnhancementPattern, LeptomeningealSite, Location, Morphology, Multiplicity,
    Position, Presence, PrimaryTumor, Sex, Signal, Symptom, parse,
)


@dataclass(frozen=True)
class Problem:
    """Something in the input that the reader of the tables must know about.

    Attributes
    ----------
    file : str
        The file it was found in ('' for the cohort as a whole).
    row : str
        Its row (``"row 5"``, ``"lesion 2"``) or ''.
    column : str
        The CSV column, or ''.
    message : str
        What is wrong and what was done about it.
    """

    file: str
    row: str
    column: str
    message: str

    def __str__(self) -> str:
        where = ", ".join(part for part in (self.file, self.row,
                                            f"column {self.column}" if self.column else "") if part)
        return f"{where}: {self.message}" if where else self.message

    def as_json(self) -> dict[str, str]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class Source:
    """Where a row came from: a file and its row label."""

    file: str
    row: str


@dataclass
class CohortRow:
    """One lesion or patient: its text cells (the contract) and their checked values."""

    source: Source
    cells: dict[str, str]
    values: dict[str, object] = field(default_factory=dict)

    def get(self, column: str):
        return self.values.get(column)


def _vocabulary(enum) -> Callable[[str], str]:
    def check(text: str) -> str:
        return parse(enum, text).value
    return check


def _number(*, integer: bool = False, signed: bool = False) -> Callable[[str], float | int]:
    def check(text: str):
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        if not signed and value < 0:
            raise ValueError(f"{text!r} is negative")
        if integer:
            if value != int(value):
                raise ValueError(f"{text!r} is not a whole number")
            return int(value)
        return value
    return check


def _date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _sites(text: str) -> str:
    return ";".join(parse(LeptomeningealSite, part).value for part in text.split(";") if part.strip())


def _rule(text: str) -> str:
    try:
        return SegmentRule(text.strip().lower()).value
    except ValueError:
        allowed = ", ".join(rule.value for rule in SegmentRule)
        raise ValueError(f"{text!r} is not one of {allowed}") from None


def _text(text: str) -> str:
    return text


_SIZE = _number()
_COUNT = _number(integer=True)

#: How each lesions.csv column is read; the order is the contract's.
LESION_CHECKS: dict[str, Callable[[str], object]] = {
    "patient_id": _text, "study_date": _date, "reader": _text, "lesion_id": _COUNT,
    "level_top": _text, "level_bottom": _text, "location": _vocabulary(Location),
    "position": _vocabulary(Position), "morphology": _vocabulary(Morphology),
    "cord_expansion": _vocabulary(Presence), "t2_signal": _vocabulary(Signal),
    "t1_signal": _vocabulary(Signal), "cystic_change": _vocabulary(CysticChange),
    "hemorrhage": _vocabulary(Presence), "enhancement": _vocabulary(Presence),
    "enhancement_pattern": _vocabulary(EnhancementPattern), "rim_sign": _vocabulary(Presence),
    "flame_sign": _vocabulary(Presence), "leptomeningeal_origin_suspected": _vocabulary(Presence),
    "ap_mm": _SIZE, "transverse_mm": _SIZE, "si_mm": _SIZE, "enhancement_length_mm": _SIZE,
    "enhancement_segments": _COUNT, "enhancement_segments_fractional": _SIZE,
    "t2_length_mm": _SIZE, "t2_segments": _COUNT, "t2_segments_fractional": _SIZE,
    "t2_enhancement_ratio": _SIZE, "t2_enhancement_ratio_mm": _SIZE, "volume_mm3": _SIZE,
    "notes": _text, "enhancement_levels_touched": _COUNT, "t2_levels_touched": _COUNT,
}

#: How each patients.csv column is read; the order is the contract's.
PATIENT_CHECKS: dict[str, Callable[[str], object]] = {
    "patient_id": _text, "reader": _text, "sex": _vocabulary(Sex), "age_years": _SIZE,
    "primary_tumor": _vocabulary(PrimaryTumor), "primary_tumor_detail": _text,
    "dominant_symptom": _vocabulary(Symptom), "symptom_duration_weeks": _SIZE,
    "primary_diagnosis_date": _date, "iscm_presentation_date": _date,
    "iscm_diagnosis_date": _date,
    # An ISCM may present before its primary tumour is diagnosed: the interval is negative.
    "primary_to_presentation_years": _number(signed=True),
    "primary_to_diagnosis_years": _number(signed=True),
    "n_lesions": _COUNT, "multiplicity": _vocabulary(Multiplicity),
    "other_cns_spinal_mets": _vocabulary(Presence), "leptomeningeal_mets": _vocabulary(Presence),
    "leptomeningeal_sites": _sites, "primary_or_noncns_mets_visible": _vocabulary(Presence),
    "new_iscm_on_followup": _vocabulary(Presence), "max_t2_segments": _COUNT, "notes": _text,
    "segment_rule": _rule,
}

#: The vocabulary of each categorical column, in the order the tables list the categories.
CATEGORIES: dict[str, tuple[str, ...]] = {
    name: tuple(member.value for member in enum) for name, enum in {
        "location": Location, "position": Position, "morphology": Morphology,
        "cord_expansion": Presence, "t2_signal": Signal, "t1_signal": Signal,
        "cystic_change": CysticChange, "hemorrhage": Presence, "enhancement": Presence,
        "enhancement_pattern": EnhancementPattern, "rim_sign": Presence, "flame_sign": Presence,
        "leptomeningeal_origin_suspected": Presence, "sex": Sex, "primary_tumor": PrimaryTumor,
        "dominant_symptom": Symptom, "multiplicity": Multiplicity,
        "other_cns_spinal_mets": Presence, "leptomeningeal_mets": Presence,
        "leptomeningeal_sites": LeptomeningealSite,
        "primary_or_noncns_mets_visible": Presence, "new_iscm_on_followup": Presence,
        "segment_rule": SegmentRule,
    }.items()
}


def check_row(row: CohortRow, checks: dict[str, Callable[[str], object]]) -> list[Problem]:
    """Fill ``row.values`` from its cells; a cell that breaks the contract is left empty.

    Returns the problems found, one per bad cell, each naming the file, row and column.
    """
    problems = []
    for column, check in checks.items():
        text = row.cells.get(column, "") or ""
        if not text.strip():
            row.values[column] = None
            continue
        try:
            row.values[column] = check(text if check is _text else text.strip())
        except ValueError as exc:
            row.values[column] = None
            # The merged CSV keeps the contract: the bad cell is written empty, as counted.
            row.cells[column] = ""
            problems.append(Problem(row.source.file, row.source.row, column,
                                    f"{exc}; counted as not assessed"))
    return problems
