"""Clicks, keys and seconds per lesion, with and without assistance: a scripted GUI run.

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/assist_clicks.py`` (writes the section
"Assisted measurement: clicks per lesion" of ``docs/benchmarks.md``; ``--no-report`` only
prints it).

The real main window opens a copy of sample case 1 (a 16 mm enhancing lesion at T12 with a
long cord T2 hyperintensity) twice, each time with empty annotations, and the lesion's ISCM
row is measured with Qt mouse and key events sent to the viewports, as the GUI tests send them:

- **by hand**, where the answer key puts each point: L, a click on every disc of the sagittal
  T2 field (the first one named by typing it), K and the conus tip; S and a drag, A and a drag
  on the sagittal post-contrast image; B, a drag of the long axis and two drags of the short
  axis's ends on the axial post-contrast image; T and a click on each vertex of the T2 path,
  the last one double-clicked (those of the key's path that keep it within 1 mm);
- **assisted**: Shift+L (and the name of the circled disc, typed, when no anchor names the
  discs) then Enter; Shift+P, a click in the cord hyperintensity, Enter; Shift+G, a click on
  the lesion, Enter; the bidirectional caliper on the axial image as by hand (the sagittal
  segmentation proposes SI and AP, not the axial transverse axis).

Scrolling to the lesion's slice and zooming on it are done for both alike and not counted.
Counted: clicks (press and release in place), drags, keys (each typed character is one). The
seconds are of two kinds: the script's wall-clock time (what the program takes: events,
redraws, proposals computed), and an estimate of a reader's own time by the keystroke-level
model (Card, Moran and Newell 1980): pointing 1.1 s, a button press or release 0.1 s, a key
0.28 s, moving a hand between mouse and keyboard 0.4 s and 1.35 s of mental preparation before
each gesture or command, plus the time the reader waits for each proposal. The values each
way are compared with the phantom's ground truth.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt6.QtCore import QEvent, QPointF, QSettings, Qt  # noqa: E402
from PyQt6.QtGui import QMouseEvent  # noqa: E402
from PyQt6.QtTest import QTest  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from report import write_section  # noqa: E402

from spineviewer import SAMPLE_DIR  # noqa: E402
from spineviewer.core.annotation_file import ANSWER_KEY_NAME, load_annotations  # noqa: E402
from spineviewer.core.annotations import Bidirectional, Caliper, CaliperRole, CordPath  # noqa: E402
from spineviewer.core.metrics import patient_metrics  # noqa: E402
from spineviewer.core.stack_geometry import stack_geometry  # noqa: E402
from spineviewer.gui.annotation.assist_results import thinned_path  # noqa: E402
from spineviewer.gui.reading import scene  # noqa: E402

BEGIN, END = "<!-- assist-clicks:begin -->", "<!-- assist-clicks:end -->"
CASE = "case1-breast-t12"
#: How closely a reader's T2 path follows the cord's centre, mm.
READER_TOLERANCE_MM = 1.0
#: Keystroke-level model operators, seconds (Card, Moran and Newell 1980).
POINT, BUTTON, KEY, HOME, MENTAL = 1.1, 0.1, 0.28, 0.4, 1.35


class Reader:
    """Sends mouse and key events and counts them with their keystroke-level time."""

    def __init__(self, app: QApplication):
        self.app = app
        self.clicks = self.drags = self.keys = 0
        self.model_seconds = self.waited = 0.0
        self._hand = "mouse"

    def _use(self, device: str) -> None:
        if device != self._hand:
            self.model_seconds += HOME
            self._hand = device

    def _send(self, viewport, kind, pos, button, buttons) -> None:
        target = viewport.view.viewport()
        local = QPointF(pos)
        QApplication.sendEvent(target, QMouseEvent(kind, local, QPointF(target.mapToGlobal(local)),
                                                   button, buttons, Qt.KeyboardModifier.NoModifier))

    def at(self, viewport, point):
        state = viewport.state
        x, y, _ = scene.patient_to_scene(state.stack, state.slice_index, point)
        return viewport.view.mapFromScene(viewport.view_box.mapViewToScene(QPointF(x, y)))

    def click(self, viewport, point, *, double: bool = False) -> None:
        self._use("mouse")
        pos, left, none = self.at(viewport, point), Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
        self._send(viewport, QEvent.Type.MouseMove, pos, none, none)
        self._send(viewport, QEvent.Type.MouseButtonPress, pos, left, left)
        self._send(viewport, QEvent.Type.MouseButtonRelease, pos, left, none)
        if double:
            self._send(viewport, QEvent.Type.MouseButtonDblClick, pos, left, left)
            self._send(viewport, QEvent.Type.MouseButtonRelease, pos, left, none)
        self.clicks += 1
        self.model_seconds += MENTAL + POINT + (4 if double else 2) * BUTTON
        self.settle()

    def drag(self, viewport, start, end) -> None:
        self._use("mouse")
        a, b = self.at(viewport, start), self.at(viewport, end)
        left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
        self._send(viewport, QEvent.Type.MouseMove, a, none, none)
        self._send(viewport, QEvent.Type.MouseButtonPress, a, left, left)
        for k in range(1, 5):
            self._send(viewport, QEvent.Type.MouseMove, a + (b - a) * (k / 4), none, left)
        self._send(viewport, QEvent.Type.MouseButtonRelease, b, left, none)
        self.drags += 1
        self.model_seconds += MENTAL + 2 * POINT + 2 * BUTTON
        self.settle()

    def key(self, widget, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        self._use("keyboard")
        QTest.keyClick(widget, key, modifiers)
        self.keys += 1
        self.model_seconds += MENTAL + KEY
        self.settle()

    def type(self, widget, text: str) -> None:
        self._use("keyboard")
        QTest.keyClicks(widget, text)
        QTest.keyClick(widget, Qt.Key.Key_Return)
        self.keys += len(text) + 1
        self.model_seconds += MENTAL + KEY * (len(text) + 1)
        self.settle()

    def wait(self, window, seconds: float = 60.0) -> None:
        """Wait for a proposal; the reader waits as long."""
        began = time.perf_counter()
        while window.annotations.assist.running is not None and time.perf_counter() - began < seconds:
            self.app.processEvents()
            time.sleep(0.005)
        self.waited += time.perf_counter() - began
        self.settle()

    def settle(self) -> None:
        for _ in range(3):
            self.app.processEvents()


def _window(app, folder: Path):
    from spineviewer.gui.shell.app import main_window

    settings = QSettings(str(folder.parent / "settings.ini"), QSettings.Format.IniFormat)
    window = main_window([str(folder)], settings=settings)
    window.resize(1500, 900)
    window.show()
    deadline = time.monotonic() + 60
    while (window.result is None or window.work.running()) and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    return window


def _viewport(window, description: str):
    return next(v for v in window.grid.viewports
                if v.state is not None and v.state.context.series.description == description)


def _show(viewport, point, width_mm: float | None = 80.0) -> None:
    """Scroll to the slice through ``point`` and zoom on it (the same in both protocols)."""
    state = viewport.state
    state.set_slice(stack_geometry(state.stack).nearest(point))
    if width_mm is not None:
        x, y, _ = scene.patient_to_scene(state.stack, state.slice_index, point)
        half = width_mm / 2
        viewport.view_box.setRange(xRange=(x - half, x + half), yRange=(y - half, y + half), padding=0.0)
    else:
        viewport.fit()
    viewport.setFocus()


def _in_field(viewport, point) -> bool:
    state = viewport.state
    x, y, _ = scene.patient_to_scene(state.stack, state.slice_index, point)
    return scene.scene_to_pixel(state.stack, x, y) is not None


def by_hand(reader: Reader, window, key_study, truth) -> None:
    t2, t1c = _viewport(window, "SAG T2 TSE"), _viewport(window, "SAG T1 TSE +C")
    axial = _viewport(window, "AX T1 TSE +C")
    lesion = truth["lesions"][0]
    centre = np.array(lesion["centre_lps_mm"])
    _show(t2, centre, None)
    discs = [d for d in key_study.levels.discs if _in_field(t2, d.point)]
    reader.key(t2, Qt.Key.Key_L)
    for k, disc in enumerate(discs):
        reader.click(t2, disc.point)
        if k == 0:
            reader.type(window.annotations.layers[0].prompt.edit, disc.name)
    reader.key(t2, Qt.Key.Key_K)
    reader.click(t2, truth["conus_tip_lps_mm"])
    drawings = key_study.lesions[0].annotations
    _show(t1c, centre)
    for role, key in ((CaliperRole.SI, Qt.Key.Key_S), (CaliperRole.AP, Qt.Key.Key_A)):
        caliper = next(d for d in drawings if isinstance(d, Caliper) and d.role is role)
        reader.key(t1c, key)
        reader.drag(t1c, *caliper.endpoints)
    bidirectional = next(d for d in drawings if isinstance(d, Bidirectional))
    _axial_caliper(reader, window, axial, bidirectional)
    path = next(d for d in drawings if isinstance(d, CordPath))
    _show(t2, np.mean(path.vertices, axis=0), None)
    # The answer key's path has a vertex every few mm; a reader clicks those that keep the
    # polyline within a millimetre of the cord's centre.
    vertices = thinned_path(t2.state.stack, path.vertices, tolerance_mm=READER_TOLERANCE_MM)
    reader.key(t2, Qt.Key.Key_T)
    for k, vertex in enumerate(vertices):
        reader.click(t2, vertex, double=k == len(vertices) - 1)


def _axial_caliper(reader: Reader, window, axial, bidirectional) -> None:
    """B, the long axis dragged, then each end of the short axis dragged to its place."""
    _show(axial, np.mean(bidirectional.long_axis, axis=0), 60.0)
    reader.key(axial, Qt.Key.Key_B)
    reader.drag(axial, *bidirectional.long_axis)
    drawn = next(d for d in window.annotations.session.study.all_drawings() if isinstance(d, Bidirectional))
    for now, wanted in zip(drawn.short_axis, bidirectional.short_axis):
        reader.drag(axial, now, wanted)
        drawn = next(d for d in window.annotations.session.study.all_drawings()
                     if isinstance(d, Bidirectional))
    reader.key(axial, Qt.Key.Key_Escape)


def assisted(reader: Reader, window, key_study, truth) -> None:
    t2, t1c = _viewport(window, "SAG T2 TSE"), _viewport(window, "SAG T1 TSE +C")
    axial = _viewport(window, "AX T1 TSE +C")
    lesion = truth["lesions"][0]
    centre = np.array(lesion["centre_lps_mm"])
    assist = window.annotations.assist
    _show(t2, centre, None)
    window.grid.set_active(t2)
    reader.key(t2, Qt.Key.Key_L, Qt.KeyboardModifier.ShiftModifier)
    reader.wait(window)
    if assist.naming_point is not None:
        name = min(truth["discs"], key=lambda d: np.linalg.norm(
            np.subtract(d["point_lps_mm"], assist.naming_point)))["name"]
        reader.type(window.annotations.layers[0].prompt.edit, name)
    t2.setFocus()
    reader.key(t2, Qt.Key.Key_Return)
    edema = centre + (0.0, 0.0, 25.0)
    _show(t2, edema)
    reader.key(t2, Qt.Key.Key_P, Qt.KeyboardModifier.ShiftModifier)
    reader.click(t2, edema)
    reader.wait(window)
    window.annotations.tools.select("")
    t2.setFocus()
    reader.key(t2, Qt.Key.Key_Return)
    _show(t1c, centre)
    reader.key(t1c, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    reader.click(t1c, centre)
    reader.wait(window)
    reader.key(t1c, Qt.Key.Key_Return)
    bidirectional = next(d for d in key_study.lesions[0].annotations if isinstance(d, Bidirectional))
    _axial_caliper(reader, window, axial, bidirectional)


def _values(window) -> dict:
    lesion = patient_metrics(window.annotations.session.study).lesions[0]
    value = lambda m: None if m is None else m.value  # noqa: E731
    return {"si": value(lesion.si), "ap": value(lesion.ap), "transverse": value(lesion.transverse),
            "t2_length": value(lesion.t2_length), "t2_segments": value(lesion.t2_segments),
            "level": lesion.level_top, "volume": value(lesion.volume)}


def run(protocol, app, key_study, truth) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="spineviewer-clicks-")) / CASE
    shutil.copytree(SAMPLE_DIR / CASE, folder, ignore=shutil.ignore_patterns(ANSWER_KEY_NAME))
    # Each run starts from empty annotations: no copy keyed by the study's UID either.
    os.environ["XDG_DATA_HOME"] = str(folder.parent / "data")
    window = _window(app, folder)
    reader = Reader(app)
    began = time.perf_counter()
    protocol(reader, window, key_study, truth)
    seconds = time.perf_counter() - began
    values = _values(window)
    window.close()
    shutil.rmtree(folder.parent, ignore_errors=True)
    return {"clicks": reader.clicks, "drags": reader.drags, "keys": reader.keys,
            "script_s": seconds, "model_s": reader.model_seconds + reader.waited,
            "waited_s": reader.waited, "values": values}


def _markdown(hand: dict, helped: dict, truth: dict) -> str:
    lesion = truth["lesions"][0]
    volume = np.pi / 6 * lesion["ap_mm"] * lesion["transverse_mm"] * lesion["si_mm"]
    true = {"si": lesion["si_mm"], "ap": lesion["ap_mm"], "transverse": lesion["transverse_mm"],
            "t2_length": lesion["t2"]["length_mm"], "t2_segments": lesion["t2"]["segments"],
            "level": lesion["level_top"], "volume": volume}

    def shown(value, unit: str = "") -> str:
        if value is None:
            return "—"
        return f"{value:.1f}{unit}" if isinstance(value, float) else f"{value}{unit}"

    def actions(r: dict) -> int:
        return r["clicks"] + r["drags"] + r["keys"]

    lines = [
        BEGIN,
        "## Assisted measurement: clicks per lesion (`benchmarks/assist_clicks.py`)",
        "",
        f"One lesion (sample case 1: {lesion['si_mm']:.0f} mm enhancing lesion at "
        f"{lesion['level_top']}, T2 hyperintensity over {lesion['t2']['segments']} segments) "
        "measured in the real window, offscreen, with Qt mouse and key events: by hand at the "
        "answer key's points (every disc of the sagittal field, the conus tip, SI and AP "
        "calipers, the axial bidirectional caliper with its short axis adjusted, the T2 path's "
        "vertices), and assisted (Propose levels, Propose T2 extent, Segment lesion, each "
        "accepted with Enter; the axial bidirectional caliper as by hand). Scrolling and zooming "
        "to the lesion are the same for both and not counted. The reader's time is the "
        "keystroke-level model's estimate (pointing 1.1 s, button 0.1 s, key 0.28 s, hand "
        "between mouse and keyboard 0.4 s, 1.35 s of preparation per gesture or command) plus "
        "the time spent waiting for each proposal; the script's time is what the program took "
        f"to play the events, redraw and compute. Machine: {platform.machine()}, Python "
        f"{platform.python_version()}.",
        "",
        "| | clicks | drags | keys | actions | reader's time (model) | waiting for proposals | script time |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in (("by hand", hand), ("assisted", helped)):
        lines.append(f"| {name} | {r['clicks']} | {r['drags']} | {r['keys']} | {actions(r)} | "
                     f"{r['model_s']:.0f} s | {r['waited_s']:.1f} s | {r['script_s']:.1f} s |")
    lines += [
        "",
        f"Assisted / by hand: {actions(helped) / actions(hand):.2f} of the actions, "
        f"{helped['model_s'] / hand['model_s']:.2f} of the reader's time.",
        "",
        "What each way measured, against the phantom's truth (by hand, a volume would need an "
        "outline on every slice through the lesion, which the protocol does not draw; assisted, "
        "it comes from the accepted mask):",
        "",
        "| value | truth | by hand | assisted |",
        "|---|---|---|---|",
    ]
    units = {"si": " mm", "ap": " mm", "transverse": " mm", "t2_length": " mm", "volume": " mm3"}
    labels = {"si": "SI", "ap": "AP", "transverse": "transverse", "t2_length": "T2 length",
              "t2_segments": "T2 segments", "level": "level", "volume": "volume"}
    for key, label in labels.items():
        unit = units.get(key, "")
        lines.append(f"| {label} | {shown(true[key], unit)} | {shown(hand['values'][key], unit)} | "
                     f"{shown(helped['values'][key], unit)} |")
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-report", action="store_true", help="print only, leave docs/ alone")
    args = parser.parse_args()
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="spineviewer-clicks-config-")
    import pyqtgraph as pg

    from spineviewer.gui.shell.app import application

    app = application()
    pg.setConfigOptions(mouseRateLimit=0)  # every scripted move is taken, none waits
    truth = json.loads((SAMPLE_DIR / CASE / "ground-truth.json").read_text())
    key_study = load_annotations(SAMPLE_DIR / CASE / ANSWER_KEY_NAME).study
    hand = run(by_hand, app, key_study, truth)
    print("by hand", json.dumps(hand), flush=True)
    helped = run(assisted, app, key_study, truth)
    print("assisted", json.dumps(helped), flush=True)
    section = _markdown(hand, helped, truth)
    if not args.no_report:
        write_section(section, BEGIN, END)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
