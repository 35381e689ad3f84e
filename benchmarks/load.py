"""Loading benchmark: spineviewer against SimpleITK and a naive pydicom loop, in one run.

Generates (once, cached in ``benchmarks/_work/``) a synthetic study of at least 1,500 files at
512 x 512 in several series, then times, each in a fresh subprocess so that memory is measured
cleanly and no reader profits from another's caches inside the interpreter:

(a) the header scan: spineviewer's ``load_study`` (the model with every stack's geometry), against
    SimpleITK's ``GetGDCMSeriesIDs`` + ``GetGDCMSeriesFileNames`` (GDCM's scan and sort) and a
    pydicom loop (``dcmread(stop_before_pixels=True)`` of every file);
(b) the full load: the above plus every volume decoded, against SimpleITK's
    ``ImageSeriesReader`` per series and a pydicom loop (``dcmread`` + ``pixel_array`` + sort by
    position + ``np.stack``);
(c) the time to the first displayable slice: spineviewer offers the first image during the scan
    (``on_first_image``) and decodes it alone; the peers can show nothing before a series is read.

Peak resident memory of each full load is compared with the raw voxel bytes. The files are read
once before timing, so every reader sees a warm page cache (the common case when a radiologist
reopens a study); each timing is the median of ``--repeat`` runs.

Compressed studies: a smaller benchmark study (``--compressed-files``) is written in each syntax of :data:`spineviewer.phantom.compressed.COMPRESSIONS` (cached beside the study),
and (b) and (c) are timed for spineviewer and SimpleITK on each, with the decoder spineviewer
used and its number of threads.

Run: ``python benchmarks/load.py`` (writes the "Loading" and "Loading compressed studies"
sections of ``docs/benchmarks.md``); ``--syntaxes`` limits the compressed runs, ``--skip-native``
skips the uncompressed one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from report import write_section

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work"
BEGIN, END = "<!-- load-benchmark:begin -->", "<!-- load-benchmark:end -->"
BEGIN_COMPRESSED = "<!-- compressed-load-benchmark:begin -->"
END_COMPRESSED = "<!-- compressed-load-benchmark:end -->"


def _status_bytes(field: str) -> int:
    """A memory field of /proc/self/status in bytes (Linux).

    ``VmHWM`` (peak resident) belongs to this process image only; ``getrusage``'s ru_maxrss
    would carry over the parent's peak across fork and exec.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _peak_rss() -> int:
    return _status_bytes("VmHWM")


def _rss() -> int:
    return _status_bytes("VmRSS")


def _files(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*") if p.is_file() and p.name.startswith("IM"))


# --- workers: each runs in its own process and prints one JSON line --------------------------

def work_spineviewer(folder: Path, full: bool) -> dict:
    import imagecodecs  # noqa: F401 - the decoders' libraries count in the baseline, as SimpleITK's do

    from spineviewer.core.loader import load_study
    from spineviewer.core.pixels import frame_pixels
    from spineviewer.core.volume_load import cores

    baseline = _rss()
    first = {}
    start = time.perf_counter()

    def show(frame):
        frame_pixels(frame)
        first["seconds"] = time.perf_counter() - start

    result = load_study(folder, on_first_image=show)
    scanned = time.perf_counter() - start
    voxels, decoders = 0, {}
    if full:
        for stack in result.iter_stacks():
            voxels += stack.volume().nbytes
            for name, count in stack.decoded_by.items():
                decoders[name] = decoders.get(name, 0) + count
    total = time.perf_counter() - start
    return {"scan": scanned, "total": total, "first_slice": first.get("seconds"),
            "voxel_bytes": voxels, "peak_rss": _peak_rss(), "baseline_rss": baseline,
            "stacks": sum(1 for _ in result.iter_stacks()), "decoders": decoders,
            "cores": cores(), "problems": len(result.all_problems())}


def work_simpleitk(folder: Path, full: bool) -> dict:
    import SimpleITK as sitk

    baseline = _rss()
    start = time.perf_counter()
    names = {}
    for sub in sorted({str(Path(f).parent) for f in _files(folder)}):
        for uid in sitk.ImageSeriesReader.GetGDCMSeriesIDs(sub):
            names[uid] = sitk.ImageSeriesReader.GetGDCMSeriesFileNames(sub, uid)
    scanned = time.perf_counter() - start
    images, first = [], None
    if full:
        for files in names.values():
            reader = sitk.ImageSeriesReader()
            reader.SetFileNames(files)
            images.append(reader.Execute())
            first = first or time.perf_counter() - start
    total = time.perf_counter() - start
    voxels = sum(sitk.GetArrayViewFromImage(im).nbytes for im in images)
    return {"scan": scanned, "total": total, "first_slice": first, "voxel_bytes": voxels,
            "peak_rss": _peak_rss(), "baseline_rss": baseline, "stacks": len(names)}


def work_pydicom(folder: Path, full: bool) -> dict:
    import numpy as np
    import pydicom

    baseline = _rss()
    start = time.perf_counter()
    by_series: dict[str, list] = {}
    first = None
    for path in _files(folder):
        ds = pydicom.dcmread(path, stop_before_pixels=not full)
        if full:
            pixels = ds.pixel_array
            first = first or time.perf_counter() - start
        else:
            pixels = None
        normal = np.cross(np.array(ds.ImageOrientationPatient[:3], float),
                          np.array(ds.ImageOrientationPatient[3:], float))
        depth = float(np.dot(np.array(ds.ImagePositionPatient, float), normal))
        by_series.setdefault(ds.SeriesInstanceUID, []).append((depth, pixels))
    scanned = time.perf_counter() - start
    voxels = 0
    if full:
        for slices in by_series.values():
            slices.sort(key=lambda item: item[0])
            voxels += np.stack([pixels for _, pixels in slices]).nbytes
    total = time.perf_counter() - start
    return {"scan": scanned, "total": total, "first_slice": first, "voxel_bytes": voxels,
            "peak_rss": _peak_rss(), "baseline_rss": baseline, "stacks": len(by_series)}


WORKERS = {"spineviewer": work_spineviewer, "SimpleITK": work_simpleitk, "pydicom loop": work_pydicom}


# --- orchestration ---------------------------------------------------------------------------

def _run_worker(name: str, folder: Path, full: bool) -> dict | None:
    """One reader's run in a fresh process; None when the reader fails on these files."""
    command = [sys.executable, __file__, "--worker", name, "--folder", str(folder)]
    if full:
        command.append("--full")
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        print(name, "failed:", done.stderr.strip().splitlines()[-1:], flush=True)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median_runs(name: str, folder: Path, full: bool, repeat: int) -> dict | None:
    return _median([_run_worker(name, folder, full) for _ in range(repeat)])


def _median(runs: list[dict | None]) -> dict | None:
    if any(run is None for run in runs):
        return None
    merged = dict(runs[0])
    for key in ("scan", "total", "first_slice", "peak_rss"):
        values = [r[key] for r in runs if r[key] is not None]
        merged[key] = statistics.median(values) if values else None
    return merged


def _study(n_files: int, matrix: int) -> Path:
    from spineviewer.phantom import generate_benchmark_study

    target = WORK / f"study-{n_files}-{matrix}"
    marker = target / ".complete"
    # The marker names the study folder relative to ``target`` (older markers hold a full path,
    # which a moved checkout no longer has).
    recorded = target / Path(marker.read_text()).name if marker.exists() else None
    if recorded is None or not recorded.is_dir():
        WORK.mkdir(parents=True, exist_ok=True)
        folder = generate_benchmark_study(target, n_files=n_files, matrix=matrix)
        marker.write_text(Path(folder).relative_to(target).as_posix())
        recorded = target / Path(marker.read_text()).name
    return recorded


def _compressed_study(n_files: int, matrix: int, syntax: str) -> Path:
    from spineviewer.phantom.compressed import compress_folder

    target = WORK / f"study-{n_files}-{matrix}-{syntax}"
    if not (target / ".complete").exists():
        compress_folder(_study(n_files, matrix), target / "study", syntax)
        (target / ".complete").write_text("")
    return target / "study"


def _warm(folder: Path) -> int:
    total = 0
    for path in _files(folder):
        total += len(Path(path).read_bytes())
    return total


def _fmt(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.2f} s"


def _markdown(results: dict, folder: Path, n_files: int, file_bytes: int, repeat: int) -> str:
    ours_scan, ours_full = results[("spineviewer", False)], results[("spineviewer", True)]
    lines = [
        BEGIN,
        "## Loading (`benchmarks/load.py`)",
        "",
        f"Study: {n_files} files, {file_bytes / 1e6:.0f} MB, {ours_full['stacks']} stacks of "
        f"512 x 512 slices (synthetic, `generate_benchmark_study`). Warm page cache, median of "
        f"{repeat} runs, each reader in a fresh process. Machine: {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}.",
        "",
        "| reader | header scan | full load | first slice shown | peak memory above baseline |",
        "|---|---|---|---|---|",
    ]
    for name in WORKERS:
        scan, full = results[(name, False)], results[(name, True)]
        extra = (full["peak_rss"] - full["baseline_rss"]) / max(full["voxel_bytes"], 1)
        lines.append(f"| {name} | {_fmt(scan['scan'])} | {_fmt(full['total'])} | "
                     f"{_fmt(full['first_slice'])} | {extra:.2f} x voxel bytes |")
    itk_scan, itk_full = results[("SimpleITK", False)], results[("SimpleITK", True)]
    memory = (ours_full["peak_rss"] - ours_full["baseline_rss"]) / ours_full["voxel_bytes"]
    lines += [
        "",
        "Ratios (spineviewer / SimpleITK, below 1 is faster): "
        f"header scan {ours_scan['scan'] / itk_scan['scan']:.2f}, "
        f"full load {ours_full['total'] / itk_full['total']:.2f}.",
        "",
        "Targets: full load no slower than SimpleITK "
        f"({'met' if ours_full['total'] <= itk_full['total'] else 'NOT met'}); first slice under 1 s "
        f"({'met' if (ours_full['first_slice'] or 99) < 1.0 else 'NOT met'}: "
        f"{_fmt(ours_full['first_slice'])}); resident memory at most 1.3 x voxel bytes plus the "
        f"baseline ({'met' if memory <= 1.3 else 'NOT met'}: {memory:.2f} x, "
        f"baseline {ours_full['baseline_rss'] / 1e6:.0f} MB).",
        END,
    ]
    return "\n".join(lines)


def _compressed_markdown(rows: dict, n_files: int, repeat: int, load: tuple[float, float]) -> str:
    lines = [
        BEGIN_COMPRESSED,
        "## Loading compressed studies (`benchmarks/load.py`)",
        "",
        f"A {n_files}-file benchmark study (`generate_benchmark_study(n_files={n_files})`, "
        "512 x 512, 12 bits stored) written in each syntax by "
        "`spineviewer.phantom.compressed` (pydicom's encoders for RLE, JPEG-LS and JPEG 2000; "
        "imagecodecs for the JPEG processes and HTJ2K, which pydicom cannot encode; JPEG "
        "baseline holds the image scaled to 8 bits). Full load = `load_study` + every "
        "`Stack.volume()`, against SimpleITK's `ImageSeriesReader` per series on the same "
        f"files, in the same run; warm page cache, median of {repeat} runs alternating the two "
        "readers, each in a fresh process. *First slice* is the time to the pixels of the first image the viewer shows. "
        f"Memory: peak resident above baseline / voxel bytes. Load average {load[0]:.1f} before "
        f"and {load[1]:.1f} after the run on {os.cpu_count()} cores"
        + (" (above the core count: other jobs were running)." if max(load) > (os.cpu_count() or 1)
           else " (below the core count: a quiet machine)."),
        "",
        "| syntax | spineviewer full load | SimpleITK full load | ratio | first slice | memory | "
        "decoder (slices) | threads |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for syntax, (ours, itk) in rows.items():
        if ours is None:
            lines.append(f"| {syntax} | failed | | | | | | |")
            continue
        memory = (ours["peak_rss"] - ours["baseline_rss"]) / max(ours["voxel_bytes"], 1)
        ratio = f"{ours['total'] / itk['total']:.2f}" if itk else "n/a"
        decoders = ", ".join(f"{name} ({count})" for name, count in ours["decoders"].items())
        lines.append(f"| {syntax} | {_fmt(ours['total'])} | "
                     f"{_fmt(itk['total']) if itk else 'cannot read'} | {ratio} | "
                     f"{_fmt(ours['first_slice'])} | {memory:.2f} x | {decoders} | {ours['cores']} |")
    lines += [
        "",
        "Targets: full load at most 0.5 x SimpleITK's; first slice under 0.2 s; memory at most "
        "1.3 x voxel bytes.",
        END_COMPRESSED,
    ]
    return "\n".join(lines)


def run_compressed(syntaxes: list[str], n_files: int, matrix: int, repeat: int) -> None:
    load_before = os.getloadavg()[0]
    rows = {}
    for syntax in syntaxes:
        folder = _compressed_study(n_files, matrix, syntax)
        _warm(folder)
        # Alternated, so that both readers meet the same load from other jobs on the machine.
        runs = [(_run_worker("spineviewer", folder, True), _run_worker("SimpleITK", folder, True))
                for _ in range(repeat)]
        ours, itk = _median([run[0] for run in runs]), _median([run[1] for run in runs])
        rows[syntax] = (ours, itk)
        print(syntax, json.dumps(ours), json.dumps(itk), flush=True)
    section = _compressed_markdown(rows, n_files, repeat, (load_before, os.getloadavg()[0]))
    write_section(section, BEGIN_COMPRESSED, END_COMPRESSED)
    print(section)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1500)
    parser.add_argument("--matrix", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compressed-files", type=int, default=402)
    parser.add_argument("--syntaxes", nargs="*", default=None,
                        help="compressed syntaxes to time (default: all)")
    parser.add_argument("--skip-native", action="store_true")
    parser.add_argument("--worker", choices=WORKERS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--full", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.folder, args.full)))
        return 0
    from spineviewer.phantom.compressed import COMPRESSIONS

    syntaxes = list(COMPRESSIONS) if args.syntaxes is None else args.syntaxes
    unknown = set(syntaxes) - set(COMPRESSIONS)
    if unknown:
        parser.error(f"unknown syntaxes {sorted(unknown)}; expected some of {list(COMPRESSIONS)}")
    if syntaxes:
        run_compressed(syntaxes, args.compressed_files, args.matrix, args.repeat)
    if args.skip_native:
        return 0
    folder = _study(args.files, args.matrix)
    file_bytes = _warm(folder)
    n_files = len(_files(folder))
    results = {}
    for name in WORKERS:
        for full in (False, True):
            results[(name, full)] = _median_runs(name, folder, full, args.repeat)
            print(name, "full" if full else "scan", json.dumps(results[(name, full)]), flush=True)
    section = _markdown(results, folder, n_files, file_bytes, args.repeat)
    write_section(section, BEGIN, END)
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
