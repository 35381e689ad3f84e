"""``spineviewer cohort``: the tables, statistics and figures of a case series, written to a folder.

Writes into the output folder: ``lesions.csv`` and ``patients.csv`` (the merged rows, in the
export contract, written by :mod:`spineviewer.export.csv_tables`), ``summary.json`` (the
figures, :mod:`spineviewer.cohort.summary`, with the tests and the problems),
``tables.md`` and ``tables.html`` (:mod:`spineviewer.cohort.tables`) and ``figures/``
(:mod:`spineviewer.cohort.figures`). Every file is written atomically. Inputs are only read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from spineviewer.cohort.association import association_tests
from spineviewer.cohort.consistency import CheckedCohort, check_cohort
from spineviewer.cohort.inputs import CohortError, gather, select_reader
from spineviewer.cohort.summary import summarise
from spineviewer.cohort.tables import render_html, render_markdown
from spineviewer.core.annotation_file import write_atomically
from spineviewer.core.metrics import CONUS_ZONE_MM
from spineviewer.export.csv_tables import LESION_COLUMNS, PATIENT_COLUMNS, write_table

SUMMARY_FILE, MARKDOWN_FILE, HTML_FILE = "summary.json", "tables.md", "tables.html"
FIGURES_FOLDER = "figures"


@dataclass(frozen=True)
class CohortResult:
    """What a cohort run counted and wrote.

    Attributes
    ----------
    summary : dict
        The content of ``summary.json``.
    out_dir : Path
    files : tuple of Path
        Every file written, figures included.
    """

    summary: dict
    out_dir: Path
    files: tuple[Path, ...]

    @property
    def problems(self) -> list[dict]:
        return self.summary["problems"]


def cohort_summary(inputs, *, reader: str | None = None, conus_zone_mm: float = CONUS_ZONE_MM,
                   answer_key: bool = False) -> tuple[CheckedCohort, dict]:
    """Gather, check and summarise the inputs without writing anything.

    Returns the rows counted and the content of ``summary.json``. Raises
    :class:`~spineviewer.cohort.inputs.CohortError` when several readers are present and none
    is chosen, or when no input holds a row.
    """
    gathered = select_reader(gather(inputs, conus_zone_mm=conus_zone_mm, answer_key=answer_key),
                             reader)
    if not gathered.lesions and not gathered.patients:
        said = "; ".join(str(problem) for problem in gathered.problems)
        raise CohortError("no lesion or patient rows in the input" + (f" ({said})" if said else ""))
    checked = check_cohort(gathered)
    summary = summarise(checked)
    summary["tests"] = association_tests(checked.patients)
    summary["problems"] = [problem.as_json() for problem in checked.problems]
    return checked, summary


def build_cohort(inputs, out_dir, *, reader: str | None = None,
                 conus_zone_mm: float = CONUS_ZONE_MM, answer_key: bool = False) -> CohortResult:
    """Read the inputs and write the cohort's files into ``out_dir`` (created if needed).

    Parameters
    ----------
    inputs : iterable of path-like
        Study folders, parent folders of studies, annotation files, ``lesions.csv`` and
        ``patients.csv`` files, in any mix.
    out_dir : path-like
    reader : str, optional
        The reader whose readings are tabulated; needed when the input holds several.
    conus_zone_mm : float
        Length of the conus zone above the conus tip, for lesions read from annotation files.
    answer_key : bool
        Count a sample study's answer key where the study has no reading of its own.

    Raises
    ------
    CohortError
        Several readers and none chosen, an unknown reader, or nothing to tabulate.
    """
    # matplotlib is imported when figures are drawn: the summary alone does not need it.
    from spineviewer.cohort.figures import write_figures

    checked, summary = cohort_summary(inputs, reader=reader, conus_zone_mm=conus_zone_mm,
                                      answer_key=answer_key)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = [write_table(out / "lesions.csv", LESION_COLUMNS, [r.cells for r in checked.lesions]),
             write_table(out / "patients.csv", PATIENT_COLUMNS, [r.cells for r in checked.patients])]
    for name, text in ((SUMMARY_FILE, json.dumps(summary, indent=2, allow_nan=False) + "\n"),
                       (MARKDOWN_FILE, render_markdown(summary)),
                       (HTML_FILE, render_html(summary))):
        write_atomically(out / name, text.encode("utf-8"))
        files.append(out / name)
    files += write_figures(checked.lesions, out / FIGURES_FOLDER)
    return CohortResult(summary, out, tuple(files))
