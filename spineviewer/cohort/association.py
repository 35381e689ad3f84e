"""The ISCM series' tests: is solitary or multiple ISCM associated with a patient finding?

The series tests solitary vs multiple ISCM (``multiplicity``) against the primary tumour type,
other CNS or spinal (non-cord) metastases, the primary tumour or non-CNS metastases visible on
the reference MRI, and leptomeningeal metastases, by Pearson's chi-square test without
continuity correction (``scipy.stats.chi2_contingency(..., correction=False)``). For a 2 x 2
table, Fisher's exact test (``scipy.stats.fisher_exact``, two-sided) is given beside it, as
small expected counts make the chi-square approximation doubtful; every test whose smallest
expected count is below 5 carries a warning.

Patients with either variable empty are left out of that test (its ``n``); categories that no
patient of the test has are left out of the table, since an empty row has no expected count.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2_contingency, fisher_exact

from spineviewer.cohort.rows import CATEGORIES, CohortRow

#: The grouping variable and the variables the series tests against it.
BY = "multiplicity"
TESTED = ("primary_tumor", "other_cns_spinal_mets", "primary_or_noncns_mets_visible",
          "leptomeningeal_mets")
#: Below this expected count a chi-square P value is flagged.
MIN_EXPECTED = 5.0


def contingency(patients: tuple[CohortRow, ...], variable: str, by: str = BY):
    """The counts of ``variable`` (rows) by ``by`` (columns), among patients with both.

    Returns
    -------
    table : ndarray of int, shape (categories of variable, categories of by)
        Only the categories that occur.
    rows, columns : list of str
        The category of each row and column, in vocabulary order.
    """
    pairs = [(row.get(variable), row.get(by)) for row in patients]
    pairs = [pair for pair in pairs if None not in pair]
    rows = [word for word in CATEGORIES[variable] if any(p[0] == word for p in pairs)]
    columns = [word for word in CATEGORIES[by] if any(p[1] == word for p in pairs)]
    table = np.zeros((len(rows), len(columns)), dtype=int)
    for value, group in pairs:
        table[rows.index(value), columns.index(group)] += 1
    return table, rows, columns


def association_tests(patients: tuple[CohortRow, ...]) -> list[dict]:
    """The series' tests, one entry per test, as ``summary.json`` lists them.

    Each entry has ``variable``, ``by``, ``test`` (``chi-square`` or ``fisher-exact``),
    ``statistic`` (chi-square, or the odds ratio for Fisher's test), ``df`` (None for Fisher),
    ``p``, ``min_expected``, ``n``, the ``table`` (``{category: {group: count}}``) and a
    ``warning`` ('' when there is nothing to say). A test that cannot be computed (fewer than
    two categories on either side) has ``p`` None and says why.
    """
    results = []
    for variable in TESTED:
        table, rows, columns = contingency(patients, variable)
        counts = {row: {column: int(table[i, j]) for j, column in enumerate(columns)}
                  for i, row in enumerate(rows)}
        base = {"variable": variable, "by": BY, "n": int(table.sum()), "table": counts}
        if len(rows) < 2 or len(columns) < 2:
            results.append({**base, "test": "chi-square", "statistic": None, "df": None, "p": None,
                            "min_expected": None,
                            "warning": f"not computed: {_one_sided(variable, rows, columns)}"})
            continue
        chi2, p, df, expected = chi2_contingency(table, correction=False)
        smallest = float(expected.min())
        warning = (f"an expected count is below {MIN_EXPECTED:g} ({smallest:.2f}); the chi-square "
                   "P value is approximate" if smallest < MIN_EXPECTED else "")
        results.append({**base, "test": "chi-square", "statistic": float(chi2), "df": int(df),
                        "p": float(p), "min_expected": smallest, "warning": warning})
        if table.shape == (2, 2):
            odds, p_exact = fisher_exact(table)
            # A zero cell makes the odds ratio 0 or infinite; JSON has no infinity.
            odds = float(odds) if np.isfinite(odds) else None
            results.append({**base, "test": "fisher-exact", "statistic": odds, "df": None,
                            "p": float(p_exact), "min_expected": smallest, "warning": ""})
    return results


def _one_sided(variable: str, rows: list[str], columns: list[str]) -> str:
    if not rows or not columns:
        return f"no patient has both {variable} and {BY} recorded"
    if len(columns) < 2:
        return f"every patient with {variable} recorded is {columns[0]}"
    return f"{variable} is {rows[0]} in every patient with {BY} recorded"
