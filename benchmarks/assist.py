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
PARTS = (("assist_levels", "Proposed levels"), ("assist_lesion", "Proposed T2 extent and lesion"))


def gather(parts=PARTS) -> list[tuple[str, str, dict | None, str]]:
    """``(module, title, result, error)`` of each benchmark: its ``run()`` result, or None and
    the reason it could not run."""
    gathered = []
    for module_name, title in parts:
        try:
            module = importlib.import_module(module_name)
            started = time.perf_counter()
            result = dict(module.run())
            result.setdefault("elapsed_s", time.perf_counter() - started)
            gathered.append((module_name, title, result, ""))
        except Exception as exc:  # noqa: BLE001 - one benchmark failing must not hide the others
            gathered.append((module_name, title, None, f"{type(exc).__name__}: {exc}"))
    return gathered


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
             "slices), gathered from the detailed sections below ("
             + ", ".join(f'"{title}", `benchmarks/{name}.py`' for name, title in PARTS)
             + "). A proposal counts in no measurement until the reader accepts it "
             "([assisted measurement](assisted-measurement.md)).", "",
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
    print(text)
    if not args.no_write:
        write_section(text, BEGIN, END)
    return 0 if all(result is not None for _, _, result, _ in gathered) else 1


if __name__ == "__main__":
    raise SystemExit(main())
