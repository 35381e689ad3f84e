"""Proposed vertebral levels against the phantom's truth, and on a real thoracic spine MRI.

For each of the four phantom cases, the sagittal T2 series is acquired again as variants
(:mod:`spineviewer.phantom.variants`): as the case, two other noise seeds, twice the noise, the
slices tilted +12 and -12 degrees in plane, 1.2 mm pixels, 4 mm slices (4.4 mm apart), the
stations two levels lower (case 1 then shows the sacrum, case 4 the upper thoracic spine), and
three harder ones: a 20 degree tilt, three times the noise, and a -15 degree tilt with 1.2 mm
pixels, 4 mm slices and 1.5 times the noise together; the same twelve acquisitions are made
again as sagittal T1 series (``T1-...``). Each is
written as DICOM (cached in ``benchmarks/_work/assist-levels``), loaded like any study, and
:func:`spineviewer.assist.levels.propose_levels` is scored against the truth:

- discs: a proposal within 7 mm of a true disc finds it (one to one, nearest first); a true disc
  is *in the field* when its point is at least 8 mm inside the top and bottom edges of a
  station; found/true counts the in-field discs, spurious the proposals that find no disc;
- point error: distance from each found disc's proposed point to the true posterior margin;
- names: when the proposal is named, whether every found disc has its true name;
- conus: distance from the proposed to the true tip (``missed`` when the tip is in the field
  and nothing is proposed);
- time: one proposal, volumes already decoded, against its named peer, decoding the series
  (``Stack.volume``) once, in the same run.

Speed is also measured on a 512 x 512 x 15 variant of case 2. Run ``python
benchmarks/assist_levels.py``: prints the table and writes the "Assisted measurement: vertebral
levels" section of ``docs/benchmarks.md``. ``run()`` returns the numbers as a dict.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spineviewer.assist.levels import propose_levels  # noqa: E402
from spineviewer.assist.refusal import AssistRefusal  # noqa: E402
from spineviewer.core.loader import load_study  # noqa: E402
from spineviewer.core.stack_geometry import stack_geometry  # noqa: E402
from spineviewer.phantom.variants import TRUTH_FILE, SagittalVariant, write_sagittal_variant  # noqa: E402

WORK = ROOT / "benchmarks" / "_work" / "assist-levels"
BEGIN, END = "<!-- assist-levels:begin -->", "<!-- assist-levels:end -->"
MATCH_MM = 7.0
EDGE_MM = 8.0

VARIANTS = (
    SagittalVariant("as-case"),
    SagittalVariant("seed-1", seed=1),
    SagittalVariant("seed-2", seed=2),
    SagittalVariant("noise-x2", seed=3, noise=2.0),
    SagittalVariant("tilt+12", seed=4, tilt_deg=12.0),
    SagittalVariant("tilt-12", seed=5, tilt_deg=-12.0),
    SagittalVariant("pixel-1.2", seed=6, pixel_mm=1.2),
    SagittalVariant("slices-4mm", seed=7, thickness_mm=4.0, spacing_mm=4.4),
    SagittalVariant("field-2-levels-lower", seed=9, shift_levels=2.0),
    SagittalVariant("tilt+20", seed=11, tilt_deg=20.0),
    SagittalVariant("noise-x3", seed=12, noise=3.0),
    SagittalVariant("combined", seed=13, tilt_deg=-15.0, pixel_mm=1.2, thickness_mm=4.0,
                    spacing_mm=4.4, noise=1.5),
)
#: The same acquisitions as sagittal T1 series (discs only: T1 discs are not named and no conus
#: tip is proposed on T1).
T1_VARIANTS = tuple(replace(v, name=f"T1-{v.name}", contrast="T1") for v in VARIANTS)
SPEED = SagittalVariant("512x512x15", seed=8, matrix=512, n_slices=15, supersampling=1)
REAL = ROOT.parent / "shared" / "dicom-corpus" / "zzdicom" / "samples" / "spine-ls.dcm"


def variant_folder(case: int, variant: SagittalVariant) -> Path:
    """The variant's folder, generated once (kept while its truth names the same variant)."""
    from dataclasses import asdict

    from spineviewer.phantom import case_slug

    folder = WORK / f"{case_slug(case)}-{variant.name}"
    truth = folder / TRUTH_FILE
    if truth.is_file() and json.loads(truth.read_text())["variant"] == asdict(variant):
        return folder
    return write_sagittal_variant(case, WORK, variant)


def score(folder: Path) -> dict:
    """Propose levels on a variant folder and score the proposal against its truth."""
    truth = json.loads((folder / TRUTH_FILE).read_text())
    stacks = [stack for stack in load_study(folder).iter_stacks()]
    start = time.perf_counter()
    for stack in stacks:
        stack.volume()
    decode = time.perf_counter() - start
    start = time.perf_counter()
    try:
        proposal = propose_levels(stacks)
    except AssistRefusal as refusal:
        return {"refused": str(refusal), "decode_s": decode}
    elapsed = time.perf_counter() - start
    names = [d["name"] for d in truth["discs"]]
    points = np.array([d["point_lps_mm"] for d in truth["discs"]])
    in_field = _in_field(stacks, points)
    proposed = np.array([d.point for d in proposal.discs]).reshape(-1, 3)
    pairs = _match(proposed, points)
    found = [t for _, t in pairs if in_field[t]]
    errors = [float(np.linalg.norm(proposed[p] - points[t])) for p, t in pairs]
    named = [proposal.discs[p].name for p, _ in pairs]
    names_right = None if proposal.anchor is None else all(
        n == names[t] for n, (_, t) in zip(named, pairs))
    tip = np.array(truth["conus_tip_lps_mm"])
    tip_in_field = bool(_in_field(stacks, tip[None])[0])
    conus = None if proposal.conus is None else float(np.linalg.norm(np.array(proposal.conus) - tip))
    return {
        "true": int(in_field.sum()), "found": len(found),
        "spurious": len(proposed) - len(pairs), "max_mm": max(errors, default=float("nan")),
        "mean_mm": float(np.mean(errors)) if errors else float("nan"),
        "anchor": proposal.anchor, "names_right": names_right,
        "conus_mm": conus, "conus_in_field": tip_in_field, "seconds": elapsed,
        "decode_s": decode, "shape": list(stacks[0].shape), "stations": len(stacks),
    }


def _in_field(stacks, points: np.ndarray) -> np.ndarray:
    inside = np.zeros(len(points), dtype=bool)
    for stack in stacks:
        geometry = stack_geometry(stack)
        plane = geometry.planes[len(geometry.planes) // 2]
        rows = plane.to_index(points)[:, 0] * plane.spacing[0]
        inside |= (rows >= EDGE_MM) & (rows <= plane.rows * plane.spacing[0] - EDGE_MM)
    return inside


def _match(proposed: np.ndarray, truth: np.ndarray) -> list[tuple[int, int]]:
    """One-to-one pairs (proposal, truth) within MATCH_MM, nearest first."""
    if len(proposed) == 0:
        return []
    distance = np.linalg.norm(proposed[:, None] - truth[None], axis=2)
    pairs, used_p, used_t = [], set(), set()
    for flat in np.argsort(distance, axis=None):
        p, t = np.unravel_index(flat, distance.shape)
        if distance[p, t] > MATCH_MM:
            break
        if p not in used_p and t not in used_t:
            pairs.append((int(p), int(t)))
            used_p.add(p)
            used_t.add(t)
    return sorted(pairs)


def real_image(png: Path | None = None) -> dict:
    """Propose levels on the real ``spine-ls.dcm`` and describe the answer (no truth there)."""
    if not REAL.is_file():
        return {"absent": str(REAL)}
    stacks = list(load_study(REAL).iter_stacks())
    try:
        proposal = propose_levels(stacks)
    except AssistRefusal as refusal:
        return {"refused": str(refusal)}
    return {"discs": len(proposal.discs), "anchor": proposal.anchor,
            "conus": proposal.conus is not None, "message": proposal.message}


def run() -> dict:
    """Every case and variant scored, the 512 x 512 x 15 speed run and the real image."""
    rows = []
    for case in (1, 2, 3, 4):
        for variant in VARIANTS + T1_VARIANTS:
            result = score(variant_folder(case, variant))
            rows.append({"case": case, "variant": variant.name, "contrast": variant.contrast,
                         **result})
    speed = score(variant_folder(2, SPEED))
    return {"rows": rows, "speed": speed, "real": real_image(),
            "machine": f"{platform.machine()}, Python {platform.python_version()}"}


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return "-" if np.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def _conus_cell(row: dict) -> str:
    if row.get("contrast") == "T1":
        return "not on T1"
    if row.get("conus_mm") is not None:
        return f"{row['conus_mm']:.1f}"
    return "missed" if row.get("conus_in_field") else "not in field"


def _summary(rows: list[dict], contrast: str) -> str:
    """One sentence over the series of one contrast."""
    mine = [r for r in rows if r.get("contrast", "T2") == contrast]
    ok = [r for r in mine if "refused" not in r]
    found = sum(r["found"] for r in ok)
    true = sum(r["true"] for r in ok)
    spurious = sum(r["spurious"] for r in ok)
    worst = max((r["max_mm"] for r in ok if not np.isnan(r["max_mm"])), default=float("nan"))
    named = [r for r in ok if r["names_right"] is not None]
    conus = [r["conus_mm"] for r in ok if r["conus_mm"] is not None]
    missed = sum(1 for r in ok if r["conus_mm"] is None and r["conus_in_field"])
    refused = len(mine) - len(ok)
    text = (f"Over the {len(mine)} {contrast} series ({refused} refused): {found}/{true} discs "
            f"found, {spurious} spurious, largest point error {worst:.1f} mm")
    if contrast == "T1":
        return text + f"; {len(named)} named (T1 discs are not named), no conus tip on T1."
    return (text + f"; names right in {sum(r['names_right'] for r in named)} of the "
            f"{len(named)} series an anchor named; conus tip proposed in {len(conus)} series, "
            f"largest error {max(conus, default=float('nan')):.1f} mm, missed in {missed}.")


def markdown(results: dict) -> str:
    """The benchmark's section of ``docs/benchmarks.md``."""
    lines = [BEGIN, "## Assisted measurement: vertebral levels (`benchmarks/assist_levels.py`)", "",
             "Sagittal T2 series of the four phantom cases, acquired again as variants, and the "
             "same acquisitions as T1 series (variants named `T1-...`; on T1 discs are not "
             "named and no conus tip is proposed), against "
             "the phantom's true disc points (posterior margin at mid-height) and conus tip. "
             f"Found/true: in-field discs found within {MATCH_MM:.0f} mm; spurious: proposals "
             "that match no disc; names: whether every disc has its true name when an anchor "
             "named the column (`-`: unnamed, the reader names one disc); conus error, or whether "
             "the tip is in the field. Time: one proposal on decoded volumes (2 cores shared "
             "with other jobs), against decoding the series from the page cache once (the peer) "
             "in the same run. "
             f"Machine: {results['machine']}.", "",
             "| case | variant | found/true | spurious | max error mm | mean error mm | anchor "
             "| names | conus error mm | proposal s | decode s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in results["rows"]:
        if "refused" in row:
            lines.append(f"| {row['case']} | {row['variant']} | refused: {row['refused']} "
                         "| | | | | | | | |")
            continue
        lines.append(
            f"| {row['case']} | {row['variant']} | {row['found']}/{row['true']} | "
            f"{row['spurious']} | {_fmt(row['max_mm'])} | {_fmt(row['mean_mm'])} | "
            f"{row['anchor'] or '-'} | {_fmt(row['names_right'])} | {_conus_cell(row)} | "
            f"{row['seconds']:.2f} | {row['decode_s']:.2f} |")
    lines.append("")
    for contrast in ("T2", "T1"):
        lines += [_summary(results["rows"], contrast), ""]
    speed = results["speed"]
    if "seconds" in speed:
        lines.append(f"Speed: a {speed['stations']}-station {'x'.join(map(str, speed['shape']))} "
                     f"(slices x rows x columns) T2 series: {speed['seconds']:.2f} s per "
                     f"proposal, decoding it {speed['decode_s']:.2f} s "
                     f"(ratio {speed['seconds'] / max(speed['decode_s'], 1e-9):.1f}).")
    real = results["real"]
    if "absent" in real:
        said = f"not run ({real['absent']} is absent)"
    elif "refused" in real:
        said = f"refused: \"{real['refused']}\""
    else:
        said = (f"{real['discs']} discs proposed, anchor {real['anchor'] or 'none'}, conus tip "
                f"{'proposed' if real['conus'] else 'not proposed'}: \"{real['message']}\"")
    lines += ["", f"Real image (`spine-ls.dcm`, an enhanced MR file of 15 sagittal frames, "
              f"described as `t1_tse_sag`): {said}", END]
    return "\n".join(lines)


def main() -> int:
    results = run()
    text = markdown(results)
    print(text)
    from report import write_section

    write_section(text, BEGIN, END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
