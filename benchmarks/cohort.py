"""Cohort benchmark: ``spineviewer cohort`` over many studies against pandas on the same CSVs.

Generates (once, cached in ``benchmarks/_work/cohort-<n>/``) ``--studies`` synthetic studies'
annotation files: the sample studies' answer keys under new StudyInstanceUIDs and PatientIDs,
with patient findings (sex, primary tumour, symptoms, metastases) drawn from a seeded random
generator, one folder per study. Then times, in this process, each the median of
``--repeat`` runs:

(a) spineviewer from the annotation files: ``build_cohort`` on the parent folder (finding the
    files, reading them, recomputing every metric from the drawings, checking every cell,
    the tables, the tests, the CSVs, summary.json, tables.md/html and the three figures);
(b) spineviewer from the CSVs that (a) wrote (the same work without the metrics);
(c) the peer, pandas on the same CSVs: ``read_csv``, then the same figures by hand (the counts
    and n of every categorical column, mean, median and range of every numeric one, the T2
    thresholds and the four chi-square tests with scipy), no files written.

The peer's figures are checked against spineviewer's summary before anything is reported.
A cold start of the command (a new interpreter, imports included) is timed once as well.

Run: ``python benchmarks/cohort.py`` (writes the "Cohort" section of ``docs/benchmarks.md``;
needs pandas, which spineviewer itself does not).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from scipy.stats import chi2_contingency

from report import write_section

from spineviewer import SAMPLE_DIR
from spineviewer.cohort.build import build_cohort, cohort_summary
from spineviewer.cohort.figures import write_figures
from spineviewer.cohort.summary import (
    LESION_CATEGORICAL, LESION_NUMERIC, PATIENT_CATEGORICAL, PATIENT_NUMERIC,
)
from spineviewer.core.annotation_file import ANSWER_KEY_NAME, annotation_file_name, read_annotations, save_annotations
from spineviewer.core.vocabulary import Presence, PrimaryTumor, Sex, Symptom

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work"
BEGIN, END = "<!-- cohort-benchmark:begin -->", "<!-- cohort-benchmark:end -->"
TESTED = ("primary_tumor", "other_cns_spinal_mets", "primary_or_noncns_mets_visible",
          "leptomeningeal_mets")


def _studies(n: int) -> Path:
    """``n`` study folders, each with its annotation file (cached)."""
    folder = WORK / f"cohort-{n}"
    if len(list(folder.glob("S*/*.spineviewer.json"))) == n:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    keys = [read_annotations(path)[0] for path in sorted(SAMPLE_DIR.glob(f"*/{ANSWER_KEY_NAME}"))]
    rng = random.Random(0)
    for i in range(n):
        key = keys[i % len(keys)]
        patient = dataclasses.replace(
            key.patient, sex=rng.choice(list(Sex)[:2]), age_years=float(rng.randint(20, 85)),
            primary_tumor=rng.choice(list(PrimaryTumor)), dominant_symptom=rng.choice(list(Symptom)),
            symptom_duration_weeks=rng.choice([None, 0.5, 1.0, 2.0, 6.0]),
            other_cns_spinal_mets=rng.choice(list(Presence)),
            leptomeningeal_mets=rng.choice(list(Presence)),
            primary_or_noncns_mets_visible=rng.choice(list(Presence)))
        uid = f"2.25.{10**20 + i}"
        study = dataclasses.replace(key, study_instance_uid=uid, patient_id=f"B{i:04d}",
                                    patient=patient)
        save_annotations(study, folder / f"S{i:04d}" / annotation_file_name(uid))
    return folder


def _pandas_tables(lesions_csv: Path, patients_csv: Path) -> dict:
    """The peer: the same figures from the CSVs with pandas (and scipy for the tests)."""
    # Words are text even where a column is empty throughout (pandas would make it float).
    lesions = pd.read_csv(lesions_csv, dtype=dict.fromkeys(("patient_id", *LESION_CATEGORICAL), str))
    patients = pd.read_csv(patients_csv, dtype=dict.fromkeys(("patient_id", *PATIENT_CATEGORICAL), str))
    variables: dict[str, dict] = {}
    result = {"n_patients": len(patients), "n_lesions": len(lesions), "variables": variables}
    for frame, categorical, numeric in ((lesions, LESION_CATEGORICAL, LESION_NUMERIC),
                                        (patients, PATIENT_CATEGORICAL, PATIENT_NUMERIC)):
        for name in categorical:
            column = frame[name].dropna()
            if name == "leptomeningeal_sites":
                column = column.str.split(";").explode()
            variables[name] = {"n": int(frame[name].notna().sum()),
                            "counts": {k: int(v) for k, v in column.value_counts().items()}}
        for name in numeric:
            column = frame[name].dropna()
            variables[name] = {"n": int(column.size), "mean": column.mean() if column.size else None,
                            "median": column.median() if column.size else None,
                            "min": column.min() if column.size else None,
                            "max": column.max() if column.size else None}
    t2, longest = lesions["t2_segments"].dropna(), patients["max_t2_segments"].dropna()
    for k in (2, 3):
        result[f"t2_segments_ge{k}_lesions"] = {"n": int(t2.size), "count": int((t2 >= k).sum())}
        result[f"t2_segments_ge{k}_patients"] = {"n": int(longest.size),
                                                 "count": int((longest >= k).sum())}
    for name in TESTED:
        table = pd.crosstab(patients[name], patients["multiplicity"])
        result[f"p_{name}"] = float(chi2_contingency(table.to_numpy(), correction=False)[1])
    return result


def _agree(summary: dict, peer: dict) -> None:
    """Stop unless the peer's figures are spineviewer's."""
    assert (summary["n_patients"], summary["n_lesions"]) == (peer["n_patients"], peer["n_lesions"])
    for group in ("lesion_variables", "patient_variables"):
        for name, stats in summary[group].items():
            theirs = peer["variables"][name]
            if "counts" in stats:
                assert stats["n"] == theirs["n"], name
                assert {k: v for k, v in stats["counts"].items() if v} == theirs["counts"], name
            else:
                assert stats["n"] == theirs["n"], name
                if stats["n"]:
                    for key in ("mean", "median", "min", "max"):
                        assert abs(stats[key] - theirs[key]) < 1e-6, (name, key)
    for name, value in summary["thresholds"].items():
        assert value == peer[name], name
    for test in summary["tests"]:
        if test["test"] == "chi-square" and test["p"] is not None:
            assert abs(test["p"] - peer[f"p_{test['variable']}"]) < 1e-9, test["variable"]


def _median_time(job, repeat: int) -> tuple[float, float]:
    """Median wall-clock and processor time of ``repeat`` runs, s. The processor time is the
    work done; on a shared machine the wall clock also counts waiting for a core."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        job()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-report", action="store_true", help="print only, leave docs/ alone")
    args = parser.parse_args()
    studies = _studies(args.studies)
    out, again = WORK / "cohort-out", WORK / "cohort-out-csv"
    summary = build_cohort([studies], out).summary  # warm: imports, page cache, matplotlib fonts
    csvs = [out / "lesions.csv", out / "patients.csv"]
    peer = _pandas_tables(*csvs)
    _agree(summary, peer)
    from_files = _median_time(lambda: build_cohort([studies], out), args.repeat)
    from_csv = _median_time(lambda: build_cohort(csvs, again), args.repeat)
    with_pandas = _median_time(lambda: _pandas_tables(*csvs), args.repeat)
    checked = cohort_summary(csvs)[0]
    figures = _median_time(lambda: write_figures(checked.lesions, WORK / "cohort-figures"),
                           args.repeat)[1]
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "spineviewer", "cohort", str(studies), "--out",
                    str(WORK / "cohort-out-cold")], check=True, capture_output=True, timeout=600)
    cold = time.perf_counter() - start
    n = args.studies
    load = os.getloadavg()[0]

    def row(label: str, source: str, times: tuple[float, float]) -> str:
        wall, cpu = times
        return (f"| {label} | {source} | {wall:.2f} s | {cpu:.2f} s | {100 * wall / n:.3f} s "
                f"| {100 * cpu / n:.3f} s |")

    per_100 = 100 * from_files[1] / n
    section = "\n".join([
        BEGIN,
        "## Cohort tables (`benchmarks/cohort.py`)",
        "",
        f"{n} synthetic studies' annotation files (the sample studies' answer keys with seeded "
        f"random patient findings): {summary['n_patients']} patients, {summary['n_lesions']} "
        f"lesions. In one process, warm, median of {args.repeat} runs; *work* is the processor "
        f"time of the process, *wall* the clock (the machine's load average was {load:.1f} on "
        f"{os.cpu_count()} cores, so the wall clock includes waiting for a core). The peer is "
        f"pandas {pd.__version__} reading the CSV files the command wrote and computing the same "
        "figures by hand (counts, n, mean, median, range, T2 thresholds, the four chi-square "
        "tests with scipy); its figures were checked equal to spineviewer's before timing. "
        f"Machine: {platform.machine()}, Python {platform.python_version()}.",
        "",
        "| run | input | wall | work | wall per 100 studies | work per 100 studies |",
        "|---|---|---|---|---|---|",
        row("spineviewer `build_cohort` (every file written, figures included)",
            "annotation files", from_files),
        row("spineviewer `build_cohort` (every file written, figures included)", "the CSVs",
            from_csv),
        row("pandas + scipy (figures only, nothing written)", "the CSVs", with_pandas),
        "",
        f"Ratios of the work, spineviewer / pandas: from the same CSVs "
        f"{from_csv[1] / with_pandas[1]:.1f}; from the annotation files (every drawing read and "
        f"validated, every metric recomputed) {from_files[1] / with_pandas[1]:.1f}. Of "
        f"spineviewer's time from the CSVs, the three figures take about {figures:.2f} s "
        "(matplotlib), whatever the number of studies. `spineviewer cohort` from a cold start "
        f"(a new interpreter, imports included), wall: {cold:.2f} s.",
        "",
        f"Target: well under 1 s of work per 100 studies "
        f"({'met' if per_100 < 0.5 else 'not met'}: {per_100:.3f} s).",
        END,
    ])
    print(section)
    if not args.no_report:
        write_section(section, BEGIN, END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
