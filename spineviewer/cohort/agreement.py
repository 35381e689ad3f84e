"""Agreement between readers: who found which lesion, and how alike their numbers and words are.

``spineviewer agreement`` reads several readers' annotations of the same studies
(:mod:`~spineviewer.cohort.agreement_input`), pairs their lesions by position
(:mod:`~spineviewer.cohort.agreement_pairing`) and compares the matched lesions
(:mod:`~spineviewer.cohort.agreement_stats`):

- every continuous measure of ``lesions.csv`` (sizes and lengths in mm, segments, ratios,
  volume): ICC(2,1) and ICC(3,1) over every reader, with 95% CIs, and for each reader after the
  reference the Bland-Altman mean difference (reader minus reference) and 95% limits of
  agreement, with a plot;
- every categorical finding (the location and the lesion findings): Cohen's kappa for two
  readers, linear-weighted on the ordered scales of :data:`ORDERED_SCALES`, Fleiss' kappa for
  more, with the percent agreement.

A value counts for a measure or a finding only on the matched lesions where every reader gave it
(an empty cell is *not measured* or *not assessed*, not a disagreement); its n says how many.
The result is one JSON-ready dictionary (:func:`compare_readers`), written by
:mod:`~spineviewer.cohort.agreement_report`.
"""

from __future__ import annotations

import numpy as np

from spineviewer.cohort.agreement_input import (
    FINDING_VOCABULARIES, MEASURE_COLUMNS, ReadingSet,
)
from spineviewer.cohort.agreement_pairing import MAX_DISTANCE_MM, Matching, match_readers
from spineviewer.cohort.agreement_stats import bland_altman, icc, kappa

#: The scales whose words are ordered, in their order, so that a near miss counts as half a
#: disagreement (linear weights): the location from cranial to caudal, the position from the
#: cord's centre outwards, signal from darker to brighter. Every other finding is nominal
#: (cystic change, enhancement pattern) or has two words (present/absent and the like), where
#: weights change nothing.
ORDERED_SCALES: dict[str, tuple[str, ...]] = {
    "location": ("cervical", "cervicothoracic", "thoracic", "thoracic-conus", "conus"),
    "position": ("central", "eccentric", "exophytic"),
    "t2_signal": ("hypointense", "isointense", "hyperintense"),
    "t1_signal": ("hypointense", "isointense", "hyperintense"),
}


class AgreementError(ValueError):
    """The readers cannot be compared; the message is one line for the user."""


def compare_readers(readings: ReadingSet, readers, *,
                    max_distance_mm: float = MAX_DISTANCE_MM) -> dict:
    """The agreement between ``readers`` (the first is the reference), as a JSON-ready dict.

    Parameters
    ----------
    readings : ReadingSet
        Everything read from the inputs (:func:`~.agreement_input.read_inputs`).
    readers : sequence of str
        Two or more readers found in ``readings``, the reference first.
    max_distance_mm : float, keyword-only
        Lesions whose enhancing centres are farther apart stay unpaired.

    Raises
    ------
    AgreementError
        Fewer than two readers, a reader named twice or not found, no study read by all.
    """
    readers = _checked(readings, readers)
    matching = match_readers(readings, readers, max_distance_mm=max_distance_mm)
    if not matching.studies:
        raise AgreementError(f"no study was read by every one of {', '.join(readers)}")
    return {
        "readers": list(readers),
        "reference_reader": readers[0],
        "max_distance_mm": max_distance_mm,
        "n_studies": len(matching.studies),
        "studies": matching.studies,
        "studies_not_read_by_all": matching.studies_not_read,
        "lesions_per_reader": {r: sum(len(readings.lesions[(r, s)]) for s in matching.studies)
                               for r in readers},
        "n_matched": len(matching.matched),
        "matched": [_matched_entry(m, readers) for m in matching.matched],
        "unpaired": {r: [{"study": u.lesion.study, "lesion_id": u.lesion.lesion_id,
                          "missing_in": list(u.missing_in), "source": u.lesion.source}
                         for u in matching.unpaired if u.lesion.reader == r] for r in readers},
        "continuous": {column: _continuous(matching, column) for column in MEASURE_COLUMNS},
        "categorical": {name: _categorical(matching, name) for name in FINDING_VOCABULARIES},
        "problems": list(readings.problems),
    }


def _checked(readings: ReadingSet, readers) -> tuple[str, ...]:
    readers = tuple(r.strip() for r in readers if r.strip())
    found = readings.readers
    listed = ", ".join(repr(r) for r in found) or "none"
    if len(readers) < 2:
        raise AgreementError(f"name at least two readers to compare (readers found: {listed})")
    if len(set(readers)) != len(readers):
        raise AgreementError(f"a reader is named twice in {', '.join(readers)}")
    unknown = [r for r in readers if r not in found]
    if unknown:
        raise AgreementError(f"no annotations of {', '.join(repr(r) for r in unknown)} in the "
                             f"input (readers found: {listed})")
    return readers


def _matched_entry(match, readers) -> dict:
    return {"study": match.study,
            "lesion_ids": {r: lesion.lesion_id for r, lesion in zip(readers, match.lesions)},
            "distance_to_reference": {r: {"value": d, "unit": unit}
                                      for r, (d, unit) in zip(readers[1:], match.distances)}}


def _continuous(matching: Matching, column: str) -> dict:
    rows = [[lesion.measures[column] for lesion in m.lesions] for m in matching.matched
            if all(column in lesion.measures for lesion in m.lesions)]
    result = icc(np.reshape(np.asarray(rows, dtype=float), (len(rows), len(matching.readers))))
    reference = [row[0] for row in rows]
    limits = []
    for k, reader in enumerate(matching.readers[1:], start=1):
        ba = bland_altman(reference, [row[k] for row in rows])
        limits.append({"reader": reader, "against": matching.readers[0], "n": ba.n,
                       "mean_difference": ba.mean_difference, "sd_difference": ba.sd_difference,
                       "lower_limit": ba.lower_limit, "upper_limit": ba.upper_limit,
                       "values": [[row[0], row[k]] for row in rows]})
    return {"n": len(rows),
            "icc_2_1": {"value": result.icc_2_1, "ci95": _list(result.icc_2_1_ci95)},
            "icc_3_1": {"value": result.icc_3_1, "ci95": _list(result.icc_3_1_ci95)},
            "bland_altman": limits}


def _categorical(matching: Matching, name: str) -> dict:
    ordered = name in ORDERED_SCALES
    categories = ORDERED_SCALES.get(name) or tuple(m.value for m in FINDING_VOCABULARIES[name])
    rows = [[lesion.findings[name] for lesion in m.lesions] for m in matching.matched
            if all(name in lesion.findings for lesion in m.lesions)]
    result = kappa(rows, categories, readers=len(matching.readers), ordered=ordered)
    return {"n": result.n, "ordered": ordered, "categories": list(categories),
            "statistic": result.statistic, "kappa": result.kappa, "ci95": _list(result.ci95),
            "percent_agreement": result.percent_agreement}


def _list(pair) -> list[float] | None:
    return None if pair is None else [pair[0], pair[1]]
