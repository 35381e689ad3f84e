"""Opening a study in the real window: when the first image is on screen, and the rest.

For the 402-file benchmark study, uncompressed and in each syntax of
:data:`spineviewer.phantom.compressed.COMPRESSIONS` (the copies ``benchmarks/load.py`` writes,
cached in ``benchmarks/_work/``), each run in a fresh process with the offscreen platform:

- **first image on screen**: from ``MainWindow.open_paths`` to the return of a synchronous
  repaint of the first viewport after it received the image the scan shows while it goes on
  (``show_preview``);
- **study shown**: the scan is over and the hanging protocol has put its series in the
  viewports (painted the same way);
- **shown series decoded**: every volume in a viewport is decoded (scrolling never waits).

The peer is SimpleITK's ``ImageSeriesReader`` reading the series of the study's first file, in
the same run on the same files: the earliest a reader that reads series whole could show an
image. Warm page cache; median of ``--repeat`` runs, the two alternating.

Run: ``python benchmarks/open_window.py`` (writes the "Opening a study in the window" section
of ``docs/benchmarks.md``); ``--syntaxes`` limits the syntaxes (``native`` is the
uncompressed study).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load import _compressed_study, _files, _fmt, _study, _warm
from report import write_section

BEGIN, END = "<!-- window-open-benchmark:begin -->", "<!-- window-open-benchmark:end -->"
ROOT = Path(__file__).resolve().parents[1]
N_FILES, MATRIX = 402, 512
#: The longest a run may take before it is reported as failed, s.
DEADLINE = 300.0


def work_window(folder: Path) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import QSettings, QTimer  # noqa: PLC0415

    from spineviewer.gui.shell.app import application  # noqa: PLC0415
    from spineviewer.gui.shell.main_window import MainWindow  # noqa: PLC0415

    app = application()
    with tempfile.TemporaryDirectory() as home:
        window = MainWindow(QSettings(str(Path(home) / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1600, 1000)
        window.show()
        app.processEvents()
        marks: dict[str, float] = {}
        first = window.grid.viewports[0]
        show_preview, show_result = first.show_preview, window._show_result

        def shown() -> list:
            return [v for v in window.grid.viewports if v.state is not None]

        def painted(name: str, viewports) -> None:
            for viewport in viewports:
                viewport.view.viewport().repaint()
                viewport.overlay.repaint()
            marks.setdefault(name, time.perf_counter() - start)

        def preview(*args, **kwargs):
            show_preview(*args, **kwargs)
            painted("first_image", [first])

        def study(result, *args):
            show_result(result, *args)
            if result is not None:
                painted("study", shown())
                decoded()

        def decoded(*_):
            if "study" in marks and shown() and all(v.state.stack.is_loaded for v in shown()):
                painted("decoded", shown())
                app.quit()

        # Event-driven, in the application's own event loop: a polling loop would wake the GUI
        # thread and take the interpreter lock from the scan far more often than the app does.
        first.show_preview, window._show_result = preview, study
        window.store.volumeReady.connect(decoded)
        window.store.volumeFailed.connect(lambda *_: app.quit())
        QTimer.singleShot(int(DEADLINE * 1000), app.quit)
        start = time.perf_counter()
        window.open_paths([str(folder)])
        app.exec()
        viewports = len(shown())
        window.close()
        return {"first_image": marks.get("first_image"), "study": marks.get("study"),
                "decoded": marks.get("decoded"), "viewports": viewports}


def work_simpleitk(folder: Path) -> dict:
    import SimpleITK as sitk  # noqa: PLC0415

    start = time.perf_counter()
    sub = str(Path(_files(folder)[0]).parent)
    uid = sitk.ImageSeriesReader.GetGDCMSeriesIDs(sub)[0]
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(sitk.ImageSeriesReader.GetGDCMSeriesFileNames(sub, uid))
    reader.Execute()
    return {"first_series": time.perf_counter() - start}


WORKERS = {"window": work_window, "SimpleITK": work_simpleitk}


def _run(name: str, folder: Path) -> dict | None:
    command = [sys.executable, __file__, "--worker", name, "--folder", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=DEADLINE + 60,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if done.returncode != 0:
        print(name, "failed:", done.stderr.strip().splitlines()[-1:], flush=True)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(runs: list[dict | None], key: str) -> float | None:
    values = [run[key] for run in runs if run is not None and run.get(key) is not None]
    return statistics.median(values) if len(values) == len(runs) else None


def main() -> int:
    from spineviewer.phantom.compressed import COMPRESSIONS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--syntaxes", nargs="*", default=None,
                        help="'native' and compressed syntaxes to time (default: all)")
    parser.add_argument("--no-report", action="store_true", help="print, do not write docs")
    parser.add_argument("--worker", choices=WORKERS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.folder)))
        return 0
    syntaxes = ["native", *COMPRESSIONS] if args.syntaxes is None else args.syntaxes
    unknown = set(syntaxes) - {"native", *COMPRESSIONS}
    if unknown:
        parser.error(f"unknown syntaxes {sorted(unknown)}")
    load_before = os.getloadavg()[0]
    rows = []
    for syntax in syntaxes:
        folder = (_study(N_FILES, MATRIX) if syntax == "native"
                  else _compressed_study(N_FILES, MATRIX, syntax))
        _warm(folder)
        runs = [(_run("window", folder), _run("SimpleITK", folder)) for _ in range(args.repeat)]
        ours, itk = [r[0] for r in runs], [r[1] for r in runs]
        row = {key: _median(ours, key) for key in ("first_image", "study", "decoded")}
        row["itk"] = _median(itk, "first_series")
        row["viewports"] = ours[0]["viewports"] if ours[0] else None
        rows.append((syntax, row))
        print(syntax, json.dumps(row), flush=True)
    lines = [
        BEGIN,
        "## Opening a study in the window (`benchmarks/open_window.py`)",
        "",
        f"The {N_FILES}-file benchmark study (512 x 512), uncompressed (*native*) and in each "
        "compressed syntax of `benchmarks/load.py`, opened with `MainWindow.open_paths` in a "
        "1600 x 1000 window (offscreen platform), each run in a fresh process. *First image on "
        "screen*: until a synchronous repaint of the first viewport after it received the image "
        "the scan shows while it goes on; *study shown*: the scan is over and the hanging "
        "protocol's series are painted; *shown series decoded*: every volume in a viewport is "
        "decoded. Peer: SimpleITK's `ImageSeriesReader` reading the series of the study's first "
        "file (the earliest a series reader could show an image), same files, same run. Warm "
        f"page cache, median of {args.repeat} runs alternating the two. Machine: "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after the run.",
        "",
        "| syntax | first image on screen | study shown | shown series decoded | viewports | "
        "SimpleITK first series | first image / SimpleITK |",
        "|---|---|---|---|---|---|---|",
    ]
    for syntax, row in rows:
        ratio = (f"{row['first_image'] / row['itk']:.2f}"
                 if row["first_image"] is not None and row["itk"] else "n/a")
        lines.append(f"| {syntax} | {_fmt(row['first_image'])} | {_fmt(row['study'])} | "
                     f"{_fmt(row['decoded'])} | {row['viewports']} | {_fmt(row['itk'])} | {ratio} |")
    lines += ["", "Target (compressed studies): first image on screen under 0.2 s.", END]
    section = "\n".join(lines)
    if not args.no_report:
        write_section(section, BEGIN, END)
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
