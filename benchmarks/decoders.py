"""Decoder benchmark: every installed decoder of each compressed syntax, one frame and all cores.

Writes (once, cached in ``benchmarks/_work/``) 24 axial 512 x 512 12-bit slices of the
benchmark phantom in each syntax of :data:`spineviewer.phantom.compressed.COMPRESSIONS`, then
measures, per syntax:

- pydicom: ``dcmread`` + ``pixel_array`` of one file with the plugin pydicom picks (the path
  spineviewer used before it chose its decoders);
- each candidate of :data:`spineviewer.core.codecs.CANDIDATES`: one frame read from its file
  (Basic Offset Table, fragments) and decoded into an array of the stored type, in one thread;
  then every file decoded by one thread per core; then by a pool of one process per core (warm:
  its start-up is not counted), each frame's pixels returned to the parent as a process pool
  must;
- whether each candidate's pixels equal pydicom's ``pixel_array`` exactly.

Each figure is the median over the frames (one thread) or of ``--repeat`` passes (pools).
Run: ``python benchmarks/decoders.py`` (writes the "Decoders" section of docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from load import _study
from report import write_section

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work" / "decoders"
BEGIN, END = "<!-- decoder-benchmark:begin -->", "<!-- decoder-benchmark:end -->"
FRAMES = 24


def _frames_folder() -> Path:
    """The axial T2 series of the benchmark study (35 slices; the first :data:`FRAMES` are used)."""
    return _study(FRAMES * 3 + 60, 512) / "dicom" / "SE0003"


def _syntax_folder(name: str) -> Path:
    from spineviewer.phantom.compressed import compress_folder

    target = WORK / name
    if not (target / ".complete").exists():
        compress_folder(_frames_folder(), target, name)
        (target / ".complete").write_text("")
    return target


def _images(folder: Path):
    from spineviewer.core.headers import read_header
    from spineviewer.core.sources import FileSource

    return [read_header(FileSource(str(p)))[0][0].file for p in sorted(folder.glob("IM*"))[:FRAMES]]


def _direct(image, decoder_name: str) -> np.ndarray:
    from spineviewer.core import pixels
    from spineviewer.core.codecs import CANDIDATES, FAMILIES

    decoder = next(d for d in CANDIDATES[FAMILIES[image.transfer_syntax_uid]] if d.name == decoder_name)
    out = np.empty((1, image.rows, image.columns), dtype=pixels.stored_dtype(image))
    pixels._read_direct(image, [0], out, decoder)
    return out


def _pydicom(image) -> np.ndarray:
    from spineviewer.core import pixels

    return pixels._read_decoded(image, [0])


def _one_thread(fn, images) -> float:
    fn(images[0])
    times = []
    for image in images:
        start = time.perf_counter()
        fn(image)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _python_alongside(fn, image, seconds: float = 0.5) -> float:
    """How fast a Python loop runs while ``fn`` decodes over and over in another thread, as a
    fraction of its speed alone: near 1 when the decoder releases the GIL (on a machine with a
    free core), near 0.2-0.5 when it holds it."""
    def count() -> int:
        n, end = 0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            n += 1
        return n

    alone = count()
    stop = threading.Event()

    def decode_loop() -> None:
        while not stop.is_set():
            fn(image)

    thread = threading.Thread(target=decode_loop)
    thread.start()
    beside = count()
    stop.set()
    thread.join()
    return beside / alone


def _pool(pool, fn, images, repeat: int) -> float:
    list(pool.map(fn, images))  # warm: threads started, processes forked and imported
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        list(pool.map(fn, images))
        runs.append((time.perf_counter() - start) / len(images))
    return statistics.median(runs)


class _Call:
    """A picklable ``fn(image, name)`` for the process pool."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, image):
        return _direct(image, self.name)


def measure(names: list[str], repeat: int) -> list[dict]:
    from spineviewer.core.codecs import CANDIDATES, FAMILIES, decoder_for
    from spineviewer.core.volume_load import cores

    workers = cores()
    rows = []
    with ThreadPoolExecutor(workers) as threads, ProcessPoolExecutor(workers) as processes:
        for name in names:
            images = _images(_syntax_folder(name))
            syntax = images[0].transfer_syntax_uid
            chosen = decoder_for(syntax)
            try:
                reference = [_pydicom(image) for image in images]
                pydicom_ms = 1e3 * _one_thread(_pydicom, images)
            except Exception as exc:  # noqa: BLE001 - reported in the table
                reference, pydicom_ms = None, f"fails ({type(exc).__name__})"
            for decoder in CANDIDATES[FAMILIES[syntax]]:
                if not decoder.available:
                    continue
                call = _Call(decoder.name)
                identical = (None if reference is None else
                             all(np.array_equal(call(im), ref) for im, ref in zip(images, reference)))
                rows.append({
                    "syntax": name, "uid": syntax, "pydicom_ms": pydicom_ms,
                    "decoder": decoder.name, "chosen": decoder == chosen,
                    "one_ms": 1e3 * _one_thread(call, images),
                    "threads_ms": 1e3 * _pool(threads, call, images, repeat),
                    "processes_ms": 1e3 * _pool(processes, call, images, repeat),
                    "python_alongside": _python_alongside(call, images[0]),
                    "identical": identical,
                })
                print(rows[-1], flush=True)
    return rows


def _markdown(rows: list[dict], workers: int, load: tuple[float, float]) -> str:
    def ms(value):
        return value if isinstance(value, str) else f"{value:.1f}"

    lines = [
        BEGIN,
        "## Decoders (`benchmarks/decoders.py`)",
        "",
        f"{FRAMES} axial 512 x 512 slices of the benchmark phantom (12 bits stored), one file "
        "each, per syntax; warm page cache. Milliseconds per frame: *one thread* is the median "
        "frame read from its file and decoded into the stored type; *threads* and *processes* "
        f"are the wall time of all frames over {workers} workers (one per core) divided by the "
        "frames (processes warm, each frame's pixels sent back to the parent). *pydicom* is "
        "`dcmread` + `pixel_array` with the plugin pydicom picks. *Identical* compares with "
        "pydicom's pixels. *Python alongside* is the speed of a Python loop while the decoder "
        "runs in another thread, as a fraction of its speed alone: near 1 when the decoder "
        "releases the GIL. The decoder marked **bold** is the one spineviewer uses "
        "(`core/codecs.py`, first installed of its list). Machine: "
        f"{platform.processor() or platform.machine()}, {workers} cores, Python "
        f"{platform.python_version()}; load average {load[0]:.1f} before and {load[1]:.1f} after "
        "the run (other jobs were running when it is above the number of cores).",
        "",
        "| syntax | pydicom | decoder | one thread | threads | processes | Python alongside | identical |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        decoder = f"**{row['decoder']}**" if row["chosen"] else row["decoder"]
        same = {True: "yes", False: "no", None: "n/a (pydicom fails)"}[row["identical"]]
        lines.append(f"| {row['syntax']} | {ms(row['pydicom_ms'])} | {decoder} | "
                     f"{ms(row['one_ms'])} | {ms(row['threads_ms'])} | "
                     f"{ms(row['processes_ms'])} | {row['python_alongside']:.2f} | {same} |")
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    from spineviewer.core.volume_load import cores
    from spineviewer.phantom.compressed import COMPRESSIONS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--syntaxes", nargs="*", default=list(COMPRESSIONS), choices=list(COMPRESSIONS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    before = os.getloadavg()[0]
    rows = measure(args.syntaxes, args.repeat)
    section = _markdown(rows, cores(), (before, os.getloadavg()[0]))
    write_section(section, BEGIN, END)
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
