"""The Bland-Altman plot of one measure: differences against means, with the limits of agreement.

Drawn with matplotlib's object interface on an Agg canvas (no pyplot, no display, no global
state), so it runs headless and in parallel with anything else.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spineviewer.cohort.agreement_input import MEASURE_UNITS
from spineviewer.core.annotation_file import write_atomically

#: Size of the figure in inches and its resolution: 1400 x 900 pixels.
_SIZE_IN, _DPI = (7.0, 4.5), 200


def unit_of(column: str) -> str:
    """The unit of a ``lesions.csv`` measure column, for a label (``''`` for counts, ratios)."""
    return {"mm3": "mm³"}.get(MEASURE_UNITS.get(column, ""), MEASURE_UNITS.get(column, ""))


def bland_altman_plot(path, pairs, *, column: str, reader: str, reference: str,
                      mean_difference: float, lower_limit: float, upper_limit: float) -> Path:
    """Write the Bland-Altman plot of one measure as a PNG.

    Parameters
    ----------
    path : path-like
        The PNG to write (atomically).
    pairs : array_like, shape (n, 2)
        ``(reference value, reader's value)`` of each matched lesion.
    column : str
        The measure's ``lesions.csv`` column (its unit is read from the suffix).
    reader, reference : str
        Who is compared with whom: the difference is ``reader - reference``.
    mean_difference, lower_limit, upper_limit : float
        The bias and the 95% limits of agreement drawn as horizontal lines.
    """
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    values = np.asarray(pairs, dtype=float).reshape(-1, 2)
    means, differences = values.mean(axis=1), values[:, 1] - values[:, 0]
    unit = unit_of(column)
    suffix = f" ({unit})" if unit else ""
    figure = Figure(figsize=_SIZE_IN, dpi=_DPI)
    # Room on the right for the labels of the lines, outside the axes where no point lies.
    figure.subplots_adjust(left=0.13, right=0.8, bottom=0.12, top=0.9)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.axhline(0.0, color="0.8", linewidth=0.8, zorder=0)
    axes.scatter(means, differences, s=28, color="#1f5fa8", alpha=0.75, edgecolors="none",
                 zorder=3)
    lines = [(mean_difference, "-", "mean")]
    if upper_limit > lower_limit:
        lines += [(upper_limit, "--", "upper limit"), (lower_limit, "--", "lower limit")]
    else:
        lines = [(mean_difference, "-", "mean = limits")]
    for value, style, name in lines:
        axes.axhline(value, color="#b2182b", linestyle=style, linewidth=1.2, zorder=2)
        axes.annotate(f"{name}\n{value:+.2f}", xy=(1.0, value), xycoords=("axes fraction", "data"),
                      xytext=(6, 0), textcoords="offset points", ha="left", va="center",
                      fontsize=8, color="#b2182b", annotation_clip=False)
    low = min(lower_limit, differences.min())
    high = max(upper_limit, differences.max())
    margin = 0.25 * (high - low) if high > low else 1.0
    axes.set_ylim(low - margin, high + margin)
    if np.ptp(means) == 0:
        axes.set_xlim(means[0] - 1.0, means[0] + 1.0)
    axes.set_title(f"{column}: {reader} − {reference} (n = {len(values)} lesions)", fontsize=10)
    axes.set_xlabel(f"mean of {reference} and {reader}{suffix}", fontsize=9)
    axes.set_ylabel(f"{reader} − {reference}{suffix}", fontsize=9)
    axes.tick_params(labelsize=8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, buffer.getvalue())
    return path
