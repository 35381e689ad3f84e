"""Render benchmark: slice change to painted frame, spineviewer's Viewport against pyqtgraph's
stock ``ImageView`` on the same data, in one run; plus the window's start-up time.

(a) Slice change to painted frame. A synthetic MR-like volume (``--slices`` slices of 512 x 512
    and of 1024 x 1024, uint16, noise over smooth structures) is written once as DICOM to
    ``benchmarks/_work/`` and decoded into memory, so both viewers draw the very same array.
    Each timed change is: set the slice (spineviewer: ``ViewportState.set_slice``, which renders
    through the viewport's own path; ImageView: ``setCurrentIndex``), then a synchronous paint,
    measured two ways: ``repaint()`` of the QGraphicsView's viewport that shows the slice
    (``repaint()`` of a parent does not repaint its children; the transparent text overlay
    stacked on spineviewer's view is repainted with it, which is checked), and ``grab()`` of the
    whole widget (every child rendered into a pixmap: for ImageView that includes its histogram
    and timeline). The clock stops when the
    call returns. Both widgets are the same size, with a fixed window (no automatic levels);
    the sequence of changes (scrolling both ways and random jumps) is the same for both, and
    the viewers alternate in blocks so that neither profits from a quieter machine.
(b) The same in the real main window on the sample study: a slice change in the first of three
    viewports, with reference lines and linked scrolling on, to the viewer grid painted by
    ``grab()`` (all three viewports rendered).
(c) Start-up: process start to the first painted window, and to the window with every hung
    image painted (each paint forced by ``window.grab()``), on the sample study, each run in a
    fresh process; the clock starts in the parent just before the child is spawned.

Run offscreen: ``QT_QPA_PLATFORM=offscreen python benchmarks/render.py`` (writes the "Rendering"
section of ``docs/benchmarks.md``).
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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work"
BEGIN, END = "<!-- render-benchmark:begin -->", "<!-- render-benchmark:end -->"
SAMPLE = ROOT / "sample_dicom" / "case1-breast-t12"
VIEW_SIZE = (800, 800)
TARGET_P95_MS = 16.0


# --- the synthetic volume ---------------------------------------------------------------------

def _synthetic_volume(slices: int, matrix: int, seed: int = 0) -> np.ndarray:
    """``(slices, matrix, matrix)`` uint16: a body ellipse, a bright canal and noise."""
    rng = np.random.default_rng(seed)
    r, c = np.mgrid[0:matrix, 0:matrix] / matrix - 0.5
    body = (r / 0.42) ** 2 + (c / 0.30) ** 2 < 1
    volume = np.empty((slices, matrix, matrix), dtype=np.uint16)
    for k in range(slices):
        shift = 0.05 * np.sin(k / slices * np.pi)
        canal = ((r - shift) / 0.04) ** 2 + (c / 0.35) ** 2 < 1
        image = 300.0 * body + 700.0 * canal + 150.0 * np.cos(9 * r + k / 7.0) * body
        volume[k] = np.clip(image + rng.normal(0, 25, image.shape), 0, 4000).astype(np.uint16)
    return volume


def _study(slices: int, matrix: int) -> Path:
    """A one-series axial DICOM study of the synthetic volume (written once, cached)."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

    folder = WORK / f"render-{slices}x{matrix}"
    if (folder / ".complete").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    volume = _synthetic_volume(slices, matrix)
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    for k in range(slices):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = MRImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID, ds.SOPInstanceUID = MRImageStorage, meta.MediaStorageSOPInstanceUID
        ds.PatientName, ds.PatientID, ds.Modality = "BENCHMARK^RENDER", "RENDER", "MR"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.SeriesDescription, ds.SeriesNumber, ds.InstanceNumber = "AX T2", 1, k + 1
        ds.ImagePositionPatient = [-matrix * 0.25, -matrix * 0.25, 3.0 * k]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing, ds.SliceThickness = [0.5, 0.5], 3.0
        ds.WindowCenter, ds.WindowWidth = 600, 1200
        ds.Rows = ds.Columns = matrix
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.PixelData = volume[k].astype("<u2").tobytes()
        ds.save_as(folder / f"IM{k + 1:05d}", enforce_file_format=True)
    (folder / ".complete").write_text("ok")
    return folder


def _changes(slices: int, count: int, seed: int = 1) -> list[int]:
    """Slice indices: scroll down and up one by one, then random jumps; no index twice in a row."""
    sweep = list(range(slices)) + list(range(slices - 2, 0, -1))
    rng = np.random.default_rng(seed)
    jumps = [int(v) for v in rng.integers(0, slices, count)]
    sequence = (sweep * (1 + count // len(sweep)))[: count // 2] + jumps[: count - count // 2]
    return [v if v != sequence[i - 1] or i == 0 else (v + 1) % slices for i, v in enumerate(sequence)]


# --- timing in one process ---------------------------------------------------------------------

def _percentiles(samples: list[float]) -> dict:
    values = np.array(samples) * 1000.0
    return {"median_ms": float(np.median(values)), "p95_ms": float(np.percentile(values, 95)),
            "max_ms": float(values.max()), "n": len(values)}


def _render_run(slices: int, matrix: int, count: int, block: int) -> dict:
    from PyQt6.QtCore import QEvent, QObject
    from PyQt6.QtWidgets import QApplication
    import pyqtgraph as pg

    from spineviewer.core.loader import load_study
    from spineviewer.gui.shell.app import application
    from spineviewer.gui.shell.background import BackgroundWork
    from spineviewer.gui.reading.overlay_text import find_context
    from spineviewer.gui.reading.pixel_store import PixelStore
    from spineviewer.gui.reading.viewport import Viewport
    from spineviewer.gui.reading.viewport_state import ViewportState
    from spineviewer.gui.reading.windowing import window_levels

    app = application()
    result = load_study(_study(slices, matrix))
    stack = next(result.iter_stacks())
    volume = stack.volume()
    work = BackgroundWork()
    viewport = Viewport(PixelStore(work))
    viewport.resize(*VIEW_SIZE)
    viewport.show_state(ViewportState(stack, find_context(result, stack)))
    viewport.show()
    image_view = pg.ImageView()
    image_view.resize(*VIEW_SIZE)
    image_view.setImage(volume, autoLevels=False, levels=window_levels(stack.default_window),
                        autoHistogramRange=False)
    image_view.show()
    for _ in range(20):
        app.processEvents()

    class PaintCounter(QObject):
        count = 0

        def eventFilter(self, obj, event):  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint:
                PaintCounter.count += 1
            return False

    ours_view, peer_view = viewport.view.viewport(), image_view.ui.graphicsView.viewport()

    def ours_repaint(index: int) -> None:
        viewport.state.set_slice(index)
        ours_view.repaint()

    def peer_repaint(index: int) -> None:
        image_view.setCurrentIndex(index)
        peer_view.repaint()

    def ours_grab(index: int) -> None:
        viewport.state.set_slice(index)
        viewport.grab()

    def peer_grab(index: int) -> None:
        image_view.setCurrentIndex(index)
        image_view.grab()

    # Check once that each method really paints the image view (and the overlay over ours).
    counter = PaintCounter()
    for view, method in ((ours_view, ours_repaint), (viewport.overlay, ours_repaint),
                         (peer_view, peer_repaint), (ours_view, ours_grab),
                         (viewport.overlay, ours_grab), (peer_view, peer_grab)):
        view.installEventFilter(counter)
        before = PaintCounter.count
        method(1 + PaintCounter.count % 2)
        assert PaintCounter.count > before, f"{method.__name__} did not paint {view}"
        view.removeEventFilter(counter)

    runs = {("spineviewer", "repaint"): ours_repaint, ("pyqtgraph ImageView", "repaint"): peer_repaint,
            ("spineviewer", "grab"): ours_grab, ("pyqtgraph ImageView", "grab"): peer_grab}
    samples: dict[tuple[str, str], list[float]] = {key: [] for key in runs}
    changes = _changes(slices, count)
    for warm in changes[:20]:
        for change in runs.values():
            change(warm)
    for start in range(0, len(changes), block):
        for key, change in runs.items():
            for index in changes[start:start + block]:
                begin = time.perf_counter()
                change(index)
                samples[key].append(time.perf_counter() - begin)
            app.processEvents()
    assert viewport.state.slice_index == changes[-1]
    assert int(viewport.image.image[matrix // 2, matrix // 2]) == int(volume[changes[-1], matrix // 2, matrix // 2])
    viewport.close()
    image_view.close()
    work.shutdown()
    QApplication.processEvents()
    return {f"{name} ({method})": _percentiles(values) for (name, method), values in samples.items()}


def _window_run(count: int) -> dict:
    """Slice changes in the main window's first viewport (1x3, reference lines, linking on)."""
    from PyQt6.QtCore import QSettings
    from PyQt6.QtWidgets import QApplication

    from spineviewer.gui.shell.app import main_window

    settings = QSettings(str(WORK / "render-settings.ini"), QSettings.Format.IniFormat)
    window = main_window([str(SAMPLE)], settings=settings)
    window.resize(1600, 900)
    window.show()
    app = QApplication.instance()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (window.result is None or window.work.running()):
        app.processEvents()
        time.sleep(0.01)
    viewport = window.grid.viewports[0]
    changes = _changes(viewport.state.slice_count, count)
    samples = []
    for k, index in enumerate(changes):
        begin = time.perf_counter()
        viewport.state.set_slice(index)
        window.grid.grab()
        if k >= 20:
            samples.append(time.perf_counter() - begin)
    lines = sum(len(v.references.shown) for v in window.grid.viewports)
    window.close()
    (WORK / "render-settings.ini").unlink(missing_ok=True)
    return {"grid": _percentiles(samples), "reference_lines": lines,
            "shape": list(viewport.state.stack.shape)}


# --- start-up in a fresh process ---------------------------------------------------------------

def _startup_worker() -> dict:
    from PyQt6.QtCore import QSettings
    from PyQt6.QtWidgets import QApplication

    from spineviewer.gui.shell.app import main_window

    settings = QSettings(str(WORK / "startup-settings.ini"), QSettings.Format.IniFormat)
    window = main_window([str(SAMPLE)], settings=settings)
    window.resize(1600, 900)
    window.show()
    app = QApplication.instance()
    app.processEvents()
    window.grab()
    shown = time.time()
    while True:
        app.processEvents()
        visible = [v for v in window.grid.visible_viewports() if v.state is not None]
        if visible and all(v.image.image is not None and v._shown_slice == v.state.slice_index
                           for v in visible):
            break
        time.sleep(0.001)
    window.grab()
    images = time.time()
    window.work.shutdown()
    return {"window": shown, "images": images}


def _startup(runs: int) -> dict:
    results = {"window": [], "images": []}
    for _ in range(runs):
        start = time.time()
        done = subprocess.run([sys.executable, __file__, "--startup-worker"], capture_output=True,
                              text=True, check=True, cwd=ROOT,
                              env={**os.environ, "QT_QPA_PLATFORM": os.environ["QT_QPA_PLATFORM"]})
        stamps = json.loads(done.stdout.strip().splitlines()[-1])
        for key in results:
            results[key].append(stamps[key] - start)
    (WORK / "startup-settings.ini").unlink(missing_ok=True)
    return {key: {"median_s": statistics.median(values), "min_s": min(values), "max_s": max(values)}
            for key, values in results.items()} | {"runs": runs}


# --- report -------------------------------------------------------------------------------------

def _markdown(render: dict, window: dict, startup: dict, args) -> str:
    lines = [
        BEGIN,
        "## Rendering (`benchmarks/render.py`)",
        "",
        f"Slice change to painted frame: {args.changes} changes per size (scrolling both ways and "
        f"random jumps, after 20 warm-up changes) through a synthetic {args.slices}-slice uint16 "
        f"volume held in memory, in an {VIEW_SIZE[0]} x {VIEW_SIZE[1]} widget, fixed window. "
        "The clock runs from setting the slice to the return of a synchronous paint, two ways: "
        "*repaint* is `repaint()` of the QGraphicsView viewport that shows the slice (the "
        "transparent text overlay over spineviewer's image is repainted with it; a parent's "
        "`repaint()` would not paint its children), *grab* is `widget.grab()`, every child "
        "rendered into a pixmap (for ImageView that includes its histogram and timeline). "
        f"Offscreen platform (`QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM')}`): no vsync, "
        "no compositor, no upload to a screen. "
        "The peer is pyqtgraph's stock `ImageView` (`setCurrentIndex`) on the same array, in the "
        f"same process, alternating in blocks of {args.block}. Machine: "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}.",
        "",
        "| matrix | viewer | median | 95th percentile | max |",
        "|---|---|---|---|---|",
    ]
    for matrix, peers in render.items():
        for name, stats in peers.items():
            lines.append(f"| {matrix} x {matrix} | {name} | {stats['median_ms']:.2f} ms | "
                         f"{stats['p95_ms']:.2f} ms | {stats['max_ms']:.1f} ms |")
    ratios = "; ".join(
        f"{m} x {m}: " + ", ".join(
            f"{method} {p[f'spineviewer ({method})']['p95_ms'] / p[f'pyqtgraph ImageView ({method})']['p95_ms']:.2f}"
            for method in ("repaint", "grab"))
        for m, p in render.items())
    ours_512 = render.get(512, {}).get("spineviewer (repaint)", {}).get("p95_ms")
    grid = window["grid"]
    shape = window["shape"]
    lines += [
        "",
        f"Ratios of the 95th percentiles (spineviewer / ImageView, below 1 is faster): {ratios}.",
        "",
        f"In the main window on the sample study (three viewports of {shape[1]} x {shape[2]} slices, "
        f"reference lines and linked scrolling on, {window['reference_lines']} lines drawn at the "
        "end): a slice change in the first viewport, which also moves the linked sagittal and "
        "redraws the lines on the others, to the viewer grid painted by `grab()`: median "
        f"{grid['median_ms']:.2f} ms, 95th percentile {grid['p95_ms']:.2f} ms.",
        "",
        f"Start-up on the sample study ({startup['runs']} runs, each a fresh process, from process "
        f"start): window painted {startup['window']['median_s']:.2f} s (median; "
        f"{startup['window']['min_s']:.2f}-{startup['window']['max_s']:.2f} s), every hung image "
        f"painted {startup['images']['median_s']:.2f} s "
        f"({startup['images']['min_s']:.2f}-{startup['images']['max_s']:.2f} s).",
        "",
    ]
    if ours_512 is not None:
        met = "met" if ours_512 < TARGET_P95_MS else "NOT met"
        lines.append(f"Target: under {TARGET_P95_MS:.0f} ms at the 95th percentile for 512 x 512 "
                     f"({met}: {ours_512:.2f} ms).")
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slices", type=int, default=100)
    parser.add_argument("--matrix", type=int, nargs="+", default=[512, 1024])
    parser.add_argument("--changes", type=int, default=400)
    parser.add_argument("--block", type=int, default=50)
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--no-report", action="store_true", help="print only, leave docs/ alone")
    parser.add_argument("--startup-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.startup_worker:
        print(json.dumps(_startup_worker()))
        return 0
    WORK.mkdir(parents=True, exist_ok=True)
    render = {}
    for matrix in args.matrix:
        render[matrix] = _render_run(args.slices, matrix, args.changes, args.block)
        print(matrix, json.dumps(render[matrix]), flush=True)
    window = _window_run(args.changes)
    print("window", json.dumps(window), flush=True)
    startup = _startup(args.startup_runs)
    print("startup", json.dumps(startup), flush=True)
    section = _markdown(render, window, startup, args)
    if not args.no_report:
        write_section(section, BEGIN, END)
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
