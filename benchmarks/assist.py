"""Assisted measurement benchmark: every proposal against the phantom's truth, in one table.

Runs the two benchmarks of the proposals and gathers what they measured against the targets
of assisted measurement:

- ``benchmarks/assist_levels.py``: proposed discs and conus tip (every disc found, none
  spurious, posterior-margin points within 3 mm, names right when an anchor is in the field;
  speed on a 512 x 512 x 15 sagittal series);
- ``benchmarks/assist_lesion.py``: the proposed T2 extent (top and bottom within half a
  vertebral level, segment counts exact in at least 90%) and the segmented enhancing lesion
  (Dice at least 0.85 against the true mask, sizes within one pixel spacing, volume within
  15%; speed);

each over the sample cases and generated variants (tilted, other seeds, higher noise, 1.2 mm
pixels and 4 mm slices). Each module's ``run()`` returns a dict whose ``targets`` list holds
one ``{"criterion", "target", "measured", "met"}`` entry per target (and writes its own
detailed section of ``docs/benchmarks.md``); this entry point prints and writes the overview
section "Assisted measurement" that lists them all and points to the details.

Run from the repository root: ``python -m benchmarks.assist`` (``--no-write`` only prints).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The benchmark modules import their neighbours as scripts do (``from report import ...``).
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from report import write_section  # noqa: E402

BEGIN, END = "<!-- assist-benchmark:begin -->", "<!-- assist-benchmark:end -->"
#: The benchmarks gathered, with the name of their section in docs/benchmarks.md.
PARTS = (("assist_levels", "vertebral levels"),
         ("assist_lesion", "cord T2 extent and enhancing lesion"))


def gather(parts=PARTS) -> list[tuple[str, str, dict | None, str]]:
    """``(module, title, result, error)`` of each benchmark: its ``run()`` result with its
    ``targets`` (from the module's results, :data:`TARGETS`), or None and the reason it could
    not run. Each module's own section of docs/benchmarks.md is written as well."""
    gathered = []
    for module_name, title in parts:
        try:
            module = importlib.import_module(module_name)
            started = time.perf_counter()
            result = dict(module.run())
            result.setdefault("elapsed_s", time.perf_counter() - started)
            if "targets" not in result and module_name in TARGETS:
                result["targets"] = TARGETS[module_name](result)
            if hasattr(module, "markdown"):
                result["section"] = module.markdown(result)
                result["markers"] = (module.BEGIN, module.END)
            gathered.append((module_name, title, result, ""))
        except Exception as exc:  # noqa: BLE001 - one benchmark failing must not hide the others
            gathered.append((module_name, title, None, f"{type(exc).__name__}: {exc}"))
    return gathered


def _target(criterion: str, target: str, measured: str, met) -> dict:
    return {"criterion": criterion, "target": target, "measured": measured,
            "met": None if met is None else bool(met)}


def levels_targets(result: dict) -> list[dict]:
    """The targets of proposed levels from ``assist_levels.run()``'s rows (one per case and
    variant: ``found``/``true`` in-field discs, ``spurious``, ``max_mm``, ``names_right``,
    ``conus_mm``, ``conus_in_field``, or ``refused``) and its ``speed`` run."""
    rows = result["rows"]
    done = [r for r in rows if "refused" not in r]
    found, true = sum(r["found"] for r in done), sum(r["true"] for r in done)
    spurious = sum(r["spurious"] for r in done)
    errors = [r["max_mm"] for r in done if r["max_mm"] == r["max_mm"]]
    named = [r for r in done if r["names_right"] is not None]
    conus = [r for r in done if r.get("conus_in_field")]
    conus_found = [r["conus_mm"] for r in conus if r.get("conus_mm") is not None]
    speed = result.get("speed", {})
    series = f"{len(rows)} series"
    targets = [
        _target("series proposed on (not refused)", "all", f"{len(done)} of {len(rows)}",
                len(done) == len(rows)),
        _target("discs found", "every disc in the field", f"{found} of {true} ({series})",
                found == true and len(done) == len(rows)),
        _target("spurious discs", "none", str(spurious), spurious == 0),
        _target("posterior-margin point error", "within 3 mm",
                f"largest {max(errors):.1f} mm" if errors else "-",
                bool(errors) and max(errors) <= 3.0),
        _target("disc names, when an anchor is in the field", "all right",
                f"{sum(r['names_right'] for r in named)} of {len(named)} named series right",
                all(r["names_right"] for r in named) if named else None),
        _target("conus tip (in the field)", "proposed",
                f"{len(conus_found)} of {len(conus)} series; error "
                + (f"median {sorted(conus_found)[len(conus_found) // 2]:.1f} mm, largest "
                   f"{max(conus_found):.1f} mm" if conus_found else "-"), None),
    ]
    if "seconds" in speed:
        shape = "x".join(map(str, speed.get("shape", [])))
        targets.append(_target(f"speed, {shape} sagittal series", "under 2 s",
                               f"{speed['seconds']:.2f} s", speed["seconds"] < 2.0))
    return targets


def lesion_targets(result: dict) -> list[dict]:
    """The targets of the proposed T2 extent and lesion from ``assist_lesion.run()``'s rows
    (one per case, variant, lesion and click: ``t2_top``/``t2_bottom`` errors in levels and
    ``t2_segments_ok``, or ``t2_refused``; ``dice``, ``si``/``ap``/``transverse`` errors in mm,
    ``pixel`` and ``gap``, ``volume`` as a fraction, ``peer_dice``, or ``lesion_refused``) and
    its ``speed`` runs."""
    rows = result["rows"]
    n = len(rows)
    t2 = [r for r in rows if "t2_top" in r]
    lesions = [r for r in rows if "dice" in r]
    ends = sum(abs(r["t2_top"]) <= 0.5 and abs(r["t2_bottom"]) <= 0.5 for r in t2)
    segments = sum(bool(r["t2_segments_ok"]) for r in t2)
    # Lesions sharing one continuous hyperintensity (case 3's) have true extents that overlap
    # and cannot be told apart on the image: reported apart as well.
    alone = [r for r in t2 if not r.get("shared_t2")]
    alone_ends = sum(abs(r["t2_top"]) <= 0.5 and abs(r["t2_bottom"]) <= 0.5 for r in alone)
    alone_segments = sum(bool(r["t2_segments_ok"]) for r in alone)
    worst_end = max((max(abs(r["t2_top"]), abs(r["t2_bottom"])) for r in t2), default=float("nan"))
    dice = sorted(r["dice"] for r in lesions)
    peer = sorted(r["peer_dice"] for r in lesions if r.get("peer_dice") is not None)
    sizes = sum(abs(r["si"]) <= r["pixel"] and abs(r["ap"]) <= r["pixel"] for r in lesions)
    transverse = sum(abs(r["transverse"]) <= r["gap"] for r in lesions)
    volume = sum(abs(r["volume"]) <= 0.15 for r in lesions)
    volume_mask = sum(abs(r["volume_mask"]) <= 0.15 for r in lesions)
    targets = [
        _target("T2 extent proposed (not refused)", "every click", f"{len(t2)} of {n}", len(t2) == n),
        _target("T2 top and bottom", "within half a level", f"{ends} of {len(t2)} (largest "
                f"error {worst_end:.2f} levels)", bool(t2) and ends == len(t2)),
        _target("T2 segment count (span rule)", "exact in at least 90%",
                f"{segments} of {len(t2)}", bool(t2) and segments >= 0.9 * len(t2)),
        _target("T2 top and bottom, lesions with a hyperintensity of their own",
                "within half a level", f"{alone_ends} of {len(alone)}",
                bool(alone) and alone_ends == len(alone)),
        _target("T2 segment count, lesions with a hyperintensity of their own",
                "exact in at least 90%", f"{alone_segments} of {len(alone)}",
                bool(alone) and alone_segments >= 0.9 * len(alone)),
        _target("lesion segmented (not refused)", "every click", f"{len(lesions)} of {n}",
                len(lesions) == n),
        _target("lesion Dice against the true mask", "at least 0.85",
                f"lowest {dice[0]:.3f}, median {dice[len(dice) // 2]:.3f} ({len(dice)} masks); "
                f"peer median {peer[len(peer) // 2]:.3f}" if dice and peer else "-",
                bool(dice) and dice[0] >= 0.85),
        _target("lesion SI and AP sizes", "within one pixel spacing",
                f"{sizes} of {len(lesions)}", bool(lesions) and sizes == len(lesions)),
        _target("lesion transverse size (across sagittal slices)", "within one slice spacing",
                f"{transverse} of {len(lesions)}", bool(lesions) and transverse == len(lesions)),
        _target("lesion volume", "within 15% of the true lesion (ellipsoid)",
                f"{volume} of {len(lesions)}", bool(lesions) and volume == len(lesions)),
        _target("lesion volume", "within 15% of the true mask on the same grid",
                f"{volume_mask} of {len(lesions)}", bool(lesions) and volume_mask == len(lesions)),
    ]
    for name, run in result.get("speed", {}).items():
        shape = "x".join(map(str, run["shape"]))
        targets.append(_target(f"speed, {name}, {shape} sagittal series", "under 2 s",
                               f"{run['median_s']:.2f} s", run["median_s"] < 2.0))
    return targets


#: How the targets are read from a benchmark's results when it does not list them itself.
TARGETS = {"assist_levels": levels_targets, "assist_lesion": lesion_targets}


def rows(gathered) -> list[tuple[str, str, str, str, str]]:
    """``(proposal, criterion, target, measured, met)`` rows of the overview table."""
    table = []
    for module_name, title, result, error in gathered:
        if result is None:
            table.append((title, f"`benchmarks/{module_name}.py` did not run", "", error, "no"))
            continue
        targets = result.get("targets") or []
        if not targets:
            table.append((title, "(no targets reported)", "", "", ""))
        for target in targets:
            met = target.get("met")
            table.append((title, str(target.get("criterion", "")), str(target.get("target", "")),
                          str(target.get("measured", "")),
                          "yes" if met is True else "no" if met is False else ""))
    return table


def section(gathered) -> str:
    """The overview section of docs/benchmarks.md."""
    table = rows(gathered)
    met = sum(1 for row in table if row[4] == "yes")
    judged = sum(1 for row in table if row[4] in ("yes", "no"))
    lines = [BEGIN, "## Assisted measurement (`python -m benchmarks.assist`)", "",
             "Every proposal of assisted measurement against the phantom's ground truth (the sample "
             "cases and generated variants: tilted, other seeds, higher noise, 1.2 mm pixels, 4 mm "
             "slices), gathered from the detailed sections that follow: "
             + ", ".join(f'"Assisted measurement: {title}" (`benchmarks/{name}.py`)'
                         for name, title in PARTS)
             + ". Clicks and seconds per lesion by hand and assisted, in the real window, are "
             "in \"Assisted measurement: clicks per lesion\" (`benchmarks/assist_clicks.py`, a "
             "scripted GUI run of its own). A proposal counts in no measurement until the reader "
             "accepts it ([assisted measurement](assisted-measurement.md)).", "",
             "| proposal | criterion | target | measured | met |", "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(cell.replace('|', '/') for cell in row)} |" for row in table]
    lines += ["", f"Targets met: {met} of {judged}. Run time: "
              + ", ".join(f"{title} {result['elapsed_s']:.0f} s" for _, title, result, _ in gathered
                          if result is not None)
              + f". Machine: {platform.machine()}, Python {platform.python_version()}.", END]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.assist", description=__doc__.split("\n")[0])
    parser.add_argument("--no-write", action="store_true", help="print only; docs/benchmarks.md is left as it is")
    args = parser.parse_args(argv)
    gathered = gather()
    text = section(gathered)
    for _, _, result, _ in gathered:
        if result is not None and "section" in result:
            print(result["section"], end="\n\n")
            if not args.no_write:
                write_section(result["section"], *result["markers"])
    print(text)
    if not args.no_write:
        write_section(text, BEGIN, END)
    return 0 if all(result is not None for _, _, result, _ in gathered) else 1


if __name__ == "__main__":
    raise SystemExit(main())
