"""Regenerate the screenshots in ``docs/`` from the real window on the bundled sample studies.

Run: ``QT_QPA_PLATFORM=offscreen python docs/screenshots.py`` (or under Xvfb); with the
argument ``worklist``, only the worklist screenshot; with ``assist``, only the assisted
measurement ones; with ``pacs``, only the PACS screenshots (``docs/screenshots_pacs.py``: a
private Orthanc with the sample studies, made only where Orthanc is installed). The window is
the one ``spineviewer`` opens; it is grabbed once every volume has been decoded. The 3-D cursor
is placed where a reader would Shift+click: on the lesion centre of the study's ground truth.
The annotating screenshot reads a copy of case 1 with its answer key as the reading. The
assisted-measurement screenshots run each proposal of the Assist menu on a copy of case 1
(seeds at the ground truth's lesion, where a reader clicks) and the proposed discs on the real
thoracic spine MRI ``spine-ls.dcm`` of the DICOM corpus, when it is present.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from PyQt6.QtCore import QSettings
from PyQt6.QtWidgets import QApplication

from spineviewer import SAMPLE_DIR
from spineviewer.core.annotation_file import ANSWER_KEY_NAME, load_annotations
from spineviewer.gui.shell.app import application, main_window

DOCS = Path(__file__).resolve().parent


def _settle(app: QApplication, window, seconds: float = 30.0) -> None:
    """Process events until every viewport shows a fully decoded volume."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        stacks = [v.state.stack for v in window.grid.viewports if v.state is not None]
        if stacks and all(stack.is_loaded for stack in stacks):
            break
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)


def _lesion_centre(case: str, lesion: int) -> np.ndarray:
    truth = json.loads((SAMPLE_DIR / case / "ground-truth.json").read_text())
    return np.array(truth["lesions"][lesion - 1]["centre_lps_mm"], dtype=float)


def _show_second_station(window, viewport_index: int) -> None:
    """Put the second stack of the first sagittal series with two stacks in a viewport."""
    from spineviewer.gui.shell.browser import stack_key

    for _, _, series in window.result.iter_series():
        if len(series.stacks) > 1 and series.stacks[1].plane == "sagittal":
            window.show_stack(window.grid.viewports[viewport_index], stack_key(series.stacks[1]))
            return


def _copy_case(case: str) -> Path:
    """A copy of a sample case in a temporary folder: what the reader saves stays beside it."""
    folder = Path(tempfile.mkdtemp(prefix="spineviewer-screenshot-")) / case
    shutil.copytree(SAMPLE_DIR / case, folder)
    return folder


def _open(folder: Path, settings: QSettings, size):
    """The main window on ``folder``, shown at ``size`` and settled."""
    window = main_window([str(folder)], settings=settings)
    window.resize(*size)
    window.show()
    _settle(QApplication.instance(), window)
    return window


def grab(case: str, out: Path, size=(1600, 900), *, layout: str | None = None, lesion: int | None = None,
         all_slices: bool = False, second_station: bool = False, annotated: bool = False) -> None:
    settings = QSettings(str(DOCS / ".screenshot-settings.ini"), QSettings.Format.IniFormat)
    folder = SAMPLE_DIR / case
    if annotated:
        # A copy read with its answer key as the reading: the drawings a reader makes, saved
        # beside the copy, never beside the bundled sample.
        folder = _copy_case(case)
    window = _open(folder, settings, size)
    app = QApplication.instance()
    if annotated:
        key = load_annotations(folder / ANSWER_KEY_NAME).study
        window.annotations.session.apply(lambda _: key, label="the answer key as the reading")
    if second_station:
        _show_second_station(window, 3)
    if layout:
        window.layout_actions[layout].trigger()
    if all_slices:
        window.tools.all_slices.trigger()
    if lesion is not None:
        # As a Shift+click on the lesion in the first sagittal viewport.
        window.crossref.place_cursor(window.grid.viewports[0], _lesion_centre(case, lesion))
    _settle(app, window)
    window.grab().save(str(out))
    window.close()
    print(out)


def _fresh_reading() -> QSettings:
    """Settings and annotations of a reader who has read nothing yet: the screenshots before
    (the answer key saved as a reading, blinded worklist reading) must not show here."""
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="spineviewer-screenshots-")
    return QSettings(str(Path(tempfile.mkdtemp(prefix="spineviewer-screenshot-settings-")) / "settings.ini"),
                     QSettings.Format.IniFormat)


def _wait_for_proposal(app: QApplication, window, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while window.annotations.assist.running is not None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    _settle(app, window)


def _truth_disc_name(case: str, point) -> str:
    """The name of the true disc nearest ``point`` (LPS)."""
    truth = json.loads((SAMPLE_DIR / case / "ground-truth.json").read_text())
    return min(truth["discs"], key=lambda d: np.linalg.norm(np.subtract(d["point_lps_mm"], point)))["name"]


def _seed(window, viewport, point) -> None:
    """As a click at the patient point ``point`` with the active seed tool."""
    from spineviewer.core.stack_geometry import stack_geometry
    from spineviewer.gui.reading import scene

    state = viewport.state
    state.set_slice(stack_geometry(state.stack).nearest(point))
    x, y, _ = scene.patient_to_scene(state.stack, state.slice_index, point)
    layer = window.annotations.layers[window.grid.viewports.index(viewport)]
    window.annotations.assist.seed_given(layer, [(x, y)])


def grab_assist(out: dict[str, Path], size=(1600, 900)) -> None:
    """Each proposal of the Assist menu on a copy of case 1, before the reader answers it."""
    from spineviewer.gui.annotation.tools import Tool

    settings = _fresh_reading()
    case = "case1-breast-t12"
    window = _open(_copy_case(case), settings, size)
    app = QApplication.instance()
    assist, centre = window.annotations.assist, _lesion_centre(case, 1)
    sagittal_t2, sagittal_c = window.grid.viewports[0], window.grid.viewports[1]
    window.grid.set_active(sagittal_t2)
    assist.propose_levels()
    _wait_for_proposal(app, window)
    if assist.naming_point is not None:
        # No anchor in the field: the reader names the circled disc, as the truth names it.
        prompt = window.annotations.layers[0].prompt
        prompt.edit.setText(_truth_disc_name(case, assist.naming_point))
        prompt.submit()
        _settle(app, window)
    window.grab().save(str(out["levels"]))
    assist.accept()
    window.annotations.tools.set_tool(Tool.ASSIST_T2)
    _seed(window, sagittal_t2, centre + (0.0, 0.0, 20.0))
    _wait_for_proposal(app, window)
    window.grab().save(str(out["t2"]))
    assist.accept()
    window.annotations.tools.select("")
    window.annotations.tools.set_tool(Tool.ASSIST_LESION)
    _seed(window, sagittal_c, centre)
    _wait_for_proposal(app, window)
    _settle(app, window)
    for viewport in (sagittal_t2, sagittal_c):
        _zoom(viewport, centre, 60.0)
    _settle(app, window)
    window.grab().save(str(out["lesion"]))
    window.close()
    print(*out.values())


def _zoom(viewport, point, width_mm: float) -> None:
    from spineviewer.gui.reading import scene

    state = viewport.state
    x, y, _ = scene.patient_to_scene(state.stack, state.slice_index, point)
    half = width_mm / 2
    viewport.view_box.setRange(xRange=(x - half, x + half), yRange=(y - half, y + half), padding=0.0)


def grab_assist_corpus(out: Path, size=(1600, 900)) -> None:
    """Propose levels on the real thoracic spine MRI of the corpus (a sagittal T1, 15 frames):
    what the reader sees, proposed discs or the reason there are none."""
    source = DOCS.parent.parent / "shared" / "dicom-corpus" / "zzdicom" / "samples" / "spine-ls.dcm"
    if not source.is_file():
        print(f"skipped {out.name}: {source} is not here")
        return
    folder = Path(tempfile.mkdtemp(prefix="spineviewer-screenshot-")) / "spine-ls"
    folder.mkdir()
    shutil.copy(source, folder / source.name)
    window = _open(folder, _fresh_reading(), size)
    app = QApplication.instance()
    window.grid.set_layout("1x1")
    window.grid.set_active(window.grid.viewports[0])
    window.annotations.assist.propose_levels()
    _wait_for_proposal(app, window)
    # Unnamed discs ask the reader to name one, a refusal says why: the screenshot shows it.
    window.grab().save(str(out))
    window.close()
    print(out)


def grab_worklist(out: Path) -> None:
    """The worklist of a series of four sample studies, read blinded in a shuffled order: one
    done and one in progress (their answer keys saved as the reader's annotations)."""
    import tempfile
    from dataclasses import replace

    from spineviewer.core.annotation_file import annotation_path_for, read_annotations, save_annotations
    from spineviewer.gui.shell.series_reading import BLINDED_KEY, PSEUDONYM_KEY, READER_KEY, SEED_KEY
    from spineviewer.phantom.study import generate_case

    with tempfile.TemporaryDirectory() as folder:
        parent = Path(folder) / "iscm-series"
        for case, done in (("case1-breast-t12", True), ("case3-lung-multiple", False)):
            target = Path(shutil.copytree(SAMPLE_DIR / case, parent / case))
            key, _ = read_annotations(target / "reference-annotations.json")
            save_annotations(replace(key, done=done, reader="Reader A"),
                             annotation_path_for(target, key.study_instance_uid))
        for case in (2, 4):
            generate_case(case, parent)
        settings = QSettings(str(DOCS / ".screenshot-settings.ini"), QSettings.Format.IniFormat)
        # A fixed pseudonym key: the same cases get the same labels in every regeneration.
        for name, value in ((BLINDED_KEY, "true"), (READER_KEY, "Reader A"), (SEED_KEY, "4711"),
                            (PSEUDONYM_KEY, "screenshot")):
            settings.setValue(name, value)
        window = main_window([str(parent)], settings=settings)
        window.show()
        app = QApplication.instance()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (len(window.reading.worklist) < 4 or window.work.running()):
            app.processEvents()
            time.sleep(0.02)
        _settle(app, window)
        window.grab().save(str(out))
        window.close()
    print(out)


def main() -> int:
    # Annotations the reader saved for these studies (the copy keyed by StudyInstanceUID in the
    # user data folder) must not appear in the documentation: a fresh data folder shows what a
    # new user sees.
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="spineviewer-screenshots-")
    application()
    if sys.argv[1:] == ["pacs"]:
        _pacs()
        return 0
    if sys.argv[1:] == ["worklist"]:
        grab_worklist(DOCS / "screenshot-worklist.png")
        Path(DOCS / ".screenshot-settings.ini").unlink(missing_ok=True)
        return 0
    if sys.argv[1:] == ["assist"]:
        grab_assist({name: DOCS / f"screenshot-assist-{name}.png" for name in ("levels", "t2", "lesion")})
        grab_assist_corpus(DOCS / "screenshot-assist-spine-ls.png")
        Path(DOCS / ".screenshot-settings.ini").unlink(missing_ok=True)
        return 0
    grab("case1-breast-t12", DOCS / "screenshot-main.png", lesion=1)
    grab("case1-breast-t12", DOCS / "screenshot-annotating.png", lesion=1, annotated=True)
    grab("case1-breast-t12", DOCS / "screenshot-reference-lines.png", lesion=1, all_slices=True)
    grab("case3-lung-multiple", DOCS / "screenshot-case3.png", layout="2x2", lesion=2,
         second_station=True)
    grab_worklist(DOCS / "screenshot-worklist.png")
    grab_assist({name: DOCS / f"screenshot-assist-{name}.png" for name in ("levels", "t2", "lesion")})
    grab_assist_corpus(DOCS / "screenshot-assist-spine-ls.png")
    Path(DOCS / ".screenshot-settings.ini").unlink(missing_ok=True)
    _pacs()
    return 0


def _pacs() -> None:
    from screenshots_pacs import grab_pacs

    grab_pacs(DOCS / "screenshot-pacs-servers.png", DOCS / "screenshot-pacs-query.png")


if __name__ == "__main__":
    sys.exit(main())
