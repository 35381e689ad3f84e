"""The files of an agreement study: ``agreement.json``, ``agreement.md`` and the plots.

``agreement.json`` is the dictionary of :func:`~spineviewer.cohort.agreement.compare_readers`
with the path of each Bland-Altman plot (relative to the output folder) added beside its limits;
numbers are not rounded there. ``agreement.md`` lays the same figures out as tables, rounded
for reading. Plots are ``bland-altman/<column>.png`` for two readers and
``bland-altman/<column>-<reader>.png`` for more; a measure needs two matched lesions for a plot.
Every file is written atomically.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from spineviewer.cohort.agreement_plot import bland_altman_plot, unit_of
from spineviewer.core.annotation_file import write_atomically

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

_STATISTICS = {"cohen": "Cohen's kappa", "cohen-linear": "Cohen's kappa, linear weights",
               "fleiss": "Fleiss' kappa"}


def write_report(result: dict, out_dir) -> dict[str, Path]:
    """Write the plots, ``agreement.json`` and ``agreement.md`` into ``out_dir``.

    Returns the paths written: ``{"json": ..., "markdown": ..., "plots": [...]}``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = _write_plots(result, out_dir)
    json_path = out_dir / "agreement.json"
    write_atomically(json_path, (json.dumps(result, indent=2, ensure_ascii=False) + "\n").encode())
    md_path = out_dir / "agreement.md"
    write_atomically(md_path, markdown(result).encode("utf-8"))
    return {"json": json_path, "markdown": md_path, "plots": plots}


def markdown(result: dict) -> str:
    """``agreement.md``: readers and lesions, unpaired lesions, then the two tables."""
    readers, reference = result["readers"], result["reference_reader"]
    counts = ", ".join(f"{r} {n}" for r, n in result["lesions_per_reader"].items())
    lines = ["# Agreement between readers", "",
             f"Readers: {', '.join(readers)} (reference: {reference}). Studies read by every "
             f"reader: {result['n_studies']}. Lesions: {counts}; found by every reader: "
             f"{result['n_matched']} (paired by the distance between their enhancing lesions' "
             f"centres, at most {result['max_distance_mm']:g} mm apart).", ""]
    lines += _unpaired(result)
    lines += ["## Continuous measures", "",
              "ICC(2,1): two-way random effects, absolute agreement; ICC(3,1): two-way mixed "
              "effects, consistency; both for a single reader, with 95% CIs (pingouin). "
              "Differences are reader minus reference, limits of agreement mean ± 1.96 SD.", "",
              "| Measure | n | ICC(2,1) [95% CI] | ICC(3,1) [95% CI] | Mean difference "
              "[limits of agreement] | Plot |",
              "|---|---:|---|---|---|---|"]
    for column, values in result["continuous"].items():
        limits = "; ".join(_limits(ba, column, len(readers)) for ba in values["bland_altman"])
        plots = " ".join(f"[{ba['reader']}]({ba['plot']})" if len(readers) > 2 else f"[png]({ba['plot']})"
                         for ba in values["bland_altman"] if ba.get("plot"))
        lines.append(f"| {column} | {values['n']} | {_icc(values['icc_2_1'])} | "
                     f"{_icc(values['icc_3_1'])} | {limits} | {plots or '–'} |")
    lines += ["", "## Categorical findings", "",
              "Lesions that every reader assessed; kappa from statsmodels (Cohen's asymptotic "
              "95% CI). Ordered scales use linear weights: " + "; ".join(
                  f"{name} ({' < '.join(v['categories'])})"
                  for name, v in result["categorical"].items() if v["ordered"]) + ".", "",
              "| Finding | n | Statistic | Kappa [95% CI] | Agreement |",
              "|---|---:|---|---|---:|"]
    for name, values in result["categorical"].items():
        agreement = "–" if values["percent_agreement"] is None else f"{values['percent_agreement']:.0f}%"
        lines.append(f"| {name} | {values['n']} | {_STATISTICS[values['statistic']]} | "
                     f"{_estimate(values['kappa'], values['ci95'])} | {agreement} |")
    lines += ["", "–: not estimable (fewer than two lesions, every value the same, or every "
              "rating in one category); n counts the matched lesions with a value from every "
              "reader."]
    if result["studies_not_read_by_all"]:
        lines += ["", "## Studies not read by every reader", ""]
        lines += [f"- {study}: not read by {', '.join(missing)}"
                  for study, missing in result["studies_not_read_by_all"].items()]
    if result["problems"]:
        lines += ["", "## Problems", ""] + [f"- {problem}" for problem in result["problems"]]
    return "\n".join(lines) + "\n"


def _write_plots(result: dict, out_dir: Path) -> list[Path]:
    written = []
    several = len(result["readers"]) > 2
    for column, values in result["continuous"].items():
        for ba in values["bland_altman"]:
            if ba["n"] < 2 or ba["lower_limit"] is None:
                continue
            name = f"{column}-{_UNSAFE.sub('_', ba['reader'])}" if several else column
            relative = f"bland-altman/{name}.png"
            written.append(bland_altman_plot(
                out_dir / relative, ba["values"], column=column, reader=ba["reader"],
                reference=ba["against"], mean_difference=ba["mean_difference"],
                lower_limit=ba["lower_limit"], upper_limit=ba["upper_limit"]))
            ba["plot"] = relative
    return written


def _unpaired(result: dict) -> list[str]:
    rows = [(reader, u) for reader, entries in result["unpaired"].items() for u in entries]
    lines = ["## Lesions not found by every reader", ""]
    if not rows:
        return lines + ["None: every lesion was found by every reader.", ""]
    lines += ["| Reader | Study | Lesion | Not found by |", "|---|---|---:|---|"]
    lines += [f"| {reader} | {u['study']} | {u['lesion_id']} | {', '.join(u['missing_in'])} |"
              for reader, u in rows]
    return lines + [""]


def _icc(value: dict) -> str:
    return _estimate(value["value"], value["ci95"])


def _estimate(value, ci) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" + ("" if ci is None else f" [{ci[0]:.2f}, {ci[1]:.2f}]")


def _limits(ba: dict, column: str, n_readers: int) -> str:
    if ba["mean_difference"] is None:
        return "–"
    unit = unit_of(column)
    unit = f" {unit}" if unit else ""
    who = f"{ba['reader']}: " if n_readers > 2 else ""
    text = f"{who}{ba['mean_difference']:+.2f}{unit}"
    if ba["lower_limit"] is not None:
        text += f" [{ba['lower_limit']:+.2f}, {ba['upper_limit']:+.2f}]"
    return text
