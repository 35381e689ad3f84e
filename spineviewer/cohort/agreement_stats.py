"""Statistics of agreement between readers: ICC, Bland-Altman limits, Cohen's and Fleiss' kappa.

The coefficients come from two well-kept libraries, not from formulas of ours:

- intraclass correlation: :func:`pingouin.intraclass_corr` (Shrout & Fleiss 1979, McGraw &
  Wong 1996; validated by its authors against R's ``psych::ICC``). We report ICC(2,1), two-way
  random effects, absolute agreement, single rater (pingouin's ``ICC(A,1)``), and ICC(3,1),
  two-way mixed effects, consistency, single rater (``ICC(C,1)``), each with its 95% CI;
- kappa: :mod:`statsmodels.stats.inter_rater` (``cohens_kappa``, linear weights for ordered
  scales, with its asymptotic 95% CI; ``fleiss_kappa``). pingouin has no kappa, and statsmodels
  is what pingouin itself is built on, so it comes with it.

Bland-Altman (1986) is arithmetic: the mean of the differences (second reader minus the
reference) and the limits of agreement ``mean +- 1.96 SD`` (SD with n - 1).

A coefficient that cannot be estimated (too few lesions, every value the same, every rating in
one category) is None, never NaN, so the JSON stays valid; its n still says how many lesions
there were.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

#: z of a two-sided 95% interval, as Bland and Altman round it.
Z95 = 1.96


@dataclass(frozen=True)
class IccResult:
    """ICC(2,1) and ICC(3,1) of n targets rated by k readers, each with a 95% CI (or None)."""

    n: int
    k: int
    icc_2_1: float | None
    icc_2_1_ci95: tuple[float, float] | None
    icc_3_1: float | None
    icc_3_1_ci95: tuple[float, float] | None


@dataclass(frozen=True)
class BlandAltman:
    """Differences ``other - reference`` of n paired values: their mean, SD and 95% limits."""

    n: int
    mean_difference: float | None
    sd_difference: float | None
    lower_limit: float | None
    upper_limit: float | None


@dataclass(frozen=True)
class KappaResult:
    """Agreement on a categorical finding.

    Attributes
    ----------
    n : int
        Lesions that every reader assessed.
    statistic : str
        ``cohen``, ``cohen-linear`` (linear weights, ordered scale) or ``fleiss``.
    kappa : float or None
    ci95 : tuple of 2 float or None
        Asymptotic 95% CI (Cohen's kappa only).
    percent_agreement : float or None
        Lesions on which every reader gave the same word, in percent.
    """

    n: int
    statistic: str
    kappa: float | None
    ci95: tuple[float, float] | None
    percent_agreement: float | None


def icc(ratings) -> IccResult:
    """ICC(2,1) and ICC(3,1) with 95% CIs, by pingouin.

    Parameters
    ----------
    ratings : array_like, shape (n, k)
        One row per lesion, one column per reader; no missing values.
    """
    import pandas as pd
    import pingouin

    values = np.asarray(ratings, dtype=float)
    n, k = values.shape
    if n < 2 or k < 2 or np.ptp(values) == 0:
        return IccResult(n, k, None, None, None, None)
    long = pd.DataFrame({"target": np.repeat(np.arange(n), k), "reader": np.tile(np.arange(k), n),
                         "value": values.ravel()})
    saved = pingouin.options.get("round.column.CI95")
    # pingouin rounds its CIs to two decimals by default, a display choice; keep full precision
    # and restore the user's setting.
    pingouin.options["round.column.CI95"] = None
    try:
        with warnings.catch_warnings():
            # pandas deprecations inside pingouin and divisions by a zero error term (readers
            # in perfect agreement) are no concern of a reader of the report.
            warnings.simplefilter("ignore")
            table = pingouin.intraclass_corr(long, targets="target", raters="reader",
                                             ratings="value").set_index("Type")
    finally:
        pingouin.options["round.column.CI95"] = saved
    agreement, consistency = table.loc["ICC(A,1)"], table.loc["ICC(C,1)"]
    return IccResult(n, k, _finite(agreement["ICC"]), _interval(agreement["CI95"]),
                     _finite(consistency["ICC"]), _interval(consistency["CI95"]))


def bland_altman(reference, other) -> BlandAltman:
    """Mean difference ``other - reference`` and the 95% limits of agreement.

    Parameters
    ----------
    reference, other : array_like, shape (n,)
        The two readers' values of the same lesions.
    """
    difference = np.asarray(other, dtype=float) - np.asarray(reference, dtype=float)
    n = difference.size
    if n == 0:
        return BlandAltman(0, None, None, None, None)
    mean = float(difference.mean())
    if n < 2:
        return BlandAltman(n, mean, None, None, None)
    sd = float(difference.std(ddof=1))
    return BlandAltman(n, mean, sd, mean - Z95 * sd, mean + Z95 * sd)


def kappa(ratings, categories, *, readers: int, ordered: bool = False) -> KappaResult:
    """Cohen's kappa (two readers; linear-weighted when ``ordered``) or Fleiss' kappa (more).

    Parameters
    ----------
    ratings : sequence of sequences of str, shape (n, k)
        One row per lesion, one word per reader; every reader assessed every lesion.
    categories : sequence of str
        The words of the scale, in its order (the order matters for linear weights).
    readers : int, keyword-only
        k, the number of readers (two: Cohen's kappa; more: Fleiss' kappa).
    ordered : bool, keyword-only
        Whether the scale is ordered; used only with two readers (Fleiss' kappa is unweighted).
    """
    from statsmodels.stats.inter_rater import cohens_kappa, fleiss_kappa

    rows = [tuple(row) for row in ratings]
    n = len(rows)
    if readers > 2:
        statistic = "fleiss"
    else:
        statistic = "cohen-linear" if ordered and len(categories) > 2 else "cohen"
    if n == 0:
        return KappaResult(0, statistic, None, None, None)
    index = {word: i for i, word in enumerate(categories)}
    percent = 100.0 * sum(len(set(row)) == 1 for row in rows) / n
    with warnings.catch_warnings():
        # One category only gives 0/0 inside the library; reported as None below.
        warnings.simplefilter("ignore", RuntimeWarning)
        if readers == 2:
            table = np.zeros((len(categories), len(categories)))
            for first, second in rows:
                table[index[first], index[second]] += 1
            result = cohens_kappa(table, wt="linear" if ordered else None)
            # The asymptotic interval can pass 1 with few lesions; kappa itself cannot.
            ci = _interval((max(result.kappa_low, -1.0), min(result.kappa_upp, 1.0)))
            return KappaResult(n, statistic, _finite(result.kappa), ci, percent)
        counts = np.zeros((n, len(categories)))
        for i, row in enumerate(rows):
            for word in row:
                counts[i, index[word]] += 1
        return KappaResult(n, statistic, _finite(fleiss_kappa(counts, method="fleiss")), None,
                           percent)


def _finite(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _interval(values) -> tuple[float, float] | None:
    low, high = (_finite(v) for v in values)
    return None if low is None or high is None else (low, high)
