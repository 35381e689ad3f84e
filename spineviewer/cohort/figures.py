"""The cohort's figures as PNG: T2 extent, T2 against enhancement extent, lesion locations.

Drawn with matplotlib's Agg backend through its object API (a ``Figure`` with its own canvas,
never ``pyplot``), so they are made headless, in any thread, without touching a GUI's state.
Extents are whole vertebral segments by the study's rule, so many lesions share a point of the
scatter: a point's area grows with the number of lesions it stands for, and the number is
written beside it.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from spineviewer.cohort.rows import CATEGORIES, CohortRow

FIGURE_NAMES = ("t2_extent_histogram.png", "t2_vs_enhancement.png", "locations.png")
_COLOUR = "#2f6f9f"
#: Area of one lesion's disc in the scatter, points squared.
_AREA = 30


def write_figures(lesions: tuple[CohortRow, ...], folder) -> list[Path]:
    """Write the three figures into ``folder`` (created if needed); their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    makers = (_t2_histogram, _t2_against_enhancement, _locations)
    paths = []
    for name, make in zip(FIGURE_NAMES, makers):
        figure = Figure(figsize=(6.4, 4.4), dpi=120, layout="constrained")
        FigureCanvasAgg(figure)
        make(figure.add_subplot(), lesions)
        path = folder / name
        figure.savefig(path, metadata={"Software": None})
        paths.append(path)
    return paths


def _t2_histogram(axes, lesions) -> None:
    values = [row.get("t2_segments") for row in lesions if row.get("t2_segments") is not None]
    top = max(values, default=1)
    counts = Counter(values)
    segments = list(range(1, top + 1))
    axes.bar(segments, [counts.get(k, 0) for k in segments], width=0.85, color=_COLOUR)
    axes.set_xticks(segments)
    axes.set_xlabel("Cord T2 signal hyperintensity, vertebral segments")
    axes.set_ylabel("Lesions")
    axes.set_title(f"Extent of cord T2 hyperintensity (n = {len(values)} lesions)")
    axes.yaxis.get_major_locator().set_params(integer=True)


def _t2_against_enhancement(axes, lesions) -> None:
    pairs = [(row.get("enhancement_segments"), row.get("t2_segments")) for row in lesions]
    pairs = [pair for pair in pairs if None not in pair]
    counts = Counter(pairs)
    ratios = [row.get("t2_enhancement_ratio") for row in lesions
              if row.get("t2_enhancement_ratio") is not None]
    # Enhancing lesions are short and T2 extents long: each axis gets its own range, so the
    # points are not crowded against the left edge.
    right = max([x for x, _ in pairs] + [2]) + 1
    top = max([y for _, y in pairs] + [2]) + 1
    axes.plot([0, min(right, top)], [0, min(right, top)], color="#999999", linewidth=1,
              linestyle="--", label="ratio 1 (T2 extent = enhancement)")
    if ratios:
        mean = sum(ratios) / len(ratios)
        axes.plot([0, min(right, top / mean)], [0, min(right * mean, top)], color="#c0504d",
                  linewidth=1.2, label=f"mean T2/enhancement ratio {mean:.1f} (n = {len(ratios)})")
    if counts:
        xs, ys = zip(*counts)
        sizes = [_AREA * counts[pair] for pair in counts]
        axes.scatter(xs, ys, s=sizes, color=_COLOUR, alpha=0.75, zorder=3)
        for (x, y), count in counts.items():
            if count > 1:
                # beside the disc, clear of its edge: its radius in points is sqrt(area) / 2
                radius = math.sqrt(_AREA * count) / 2
                axes.annotate(str(count), (x, y), textcoords="offset points",
                              xytext=(radius + 2, radius / 2), fontsize=8)
    # A marker of one lesion's area stands for the points in the legend.
    axes.scatter([], [], s=_AREA, color=_COLOUR, alpha=0.75,
                 label=f"lesions (n = {len(pairs)}); area ∝ number of lesions")
    axes.set_xlim(0, right)
    axes.set_ylim(0, top)
    axes.set_xticks(range(0, right + 1))
    axes.set_xlabel("Enhancing lesion, vertebral segments")
    axes.set_ylabel("Cord T2 signal hyperintensity, vertebral segments")
    axes.set_title("Cord T2 hyperintensity against the enhancing lesion")
    # Below the axes, where it can hide no point.
    axes.figure.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)


def _locations(axes, lesions) -> None:
    words = CATEGORIES["location"]
    counts = Counter(row.get("location") for row in lesions if row.get("location") is not None)
    heights = [counts.get(word, 0) for word in words]
    bars = axes.bar(range(len(words)), heights, color=_COLOUR)
    axes.bar_label(bars, labels=[str(h) for h in heights], padding=2)
    axes.set_xticks(range(len(words)), [word.capitalize() for word in words])
    axes.set_ylabel("Lesions")
    axes.set_ylim(0, max(heights + [1]) * 1.15)
    axes.set_title(f"Location of the lesions (n = {sum(heights)})")
    axes.yaxis.get_major_locator().set_params(integer=True)
