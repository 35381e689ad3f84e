"""The annotation session: autosave after every edit, undo and redo from the keyboard and the
Edit menu, everything restored when the study is opened again, unreadable files put aside,
and nothing on screen lost when the process is killed."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading

import pytest
from PyQt6.QtCore import Qt

from spineviewer.core.annotation_codec import to_json
from spineviewer.core.annotation_file import annotation_path_for
from spineviewer.core.edits import add_disc
from spineviewer.gui.annotation.session import AnnotationSession
from spineviewer.gui.annotation.tools import Tool
from tests.gui.annotation_helpers import REPO, click, drag, key, screen_of, type_into
from tests.gui.conftest import STUDY_UID

#: Disc points on the middle slice of the synthetic SAG T2 (x = -24), cranial to caudal, LPS mm.
DISCS = [(-24.0, -54.0, 95.0), (-24.0, -54.0, 85.0), (-24.0, -54.0, 75.0), (-24.0, -54.0, 65.0)]


@pytest.fixture
def window(open_window, spine_study):
    return open_window([spine_study])


def _saved(spine_study) -> dict:
    return json.loads(annotation_path_for(spine_study, STUDY_UID).read_text())


def _sagittal(window):
    viewport = window.grid.viewports[0]
    assert viewport.state.stack.plane == "sagittal" and viewport.state.slice_index == 4
    viewport.setFocus()
    return viewport


def label_levels(window, name: str = "T9-T10") -> None:
    """Click the four discs on the SAG T2 and name the first."""
    sagittal = _sagittal(window)
    key(sagittal, Qt.Key.Key_L)
    click(sagittal, screen_of(sagittal, DISCS[0]))
    layer = window.annotations.layers[0]
    type_into(layer.prompt.edit, name)
    for point in DISCS[1:]:
        click(sagittal, screen_of(sagittal, point))
    key(sagittal, Qt.Key.Key_Escape)


def draw_si(window, top=(-24.0, -52.0, 90.0), bottom=(-24.0, -52.0, 70.0)) -> None:
    sagittal = _sagittal(window)
    key(sagittal, Qt.Key.Key_S)
    drag(sagittal, screen_of(sagittal, top), screen_of(sagittal, bottom))
    key(sagittal, Qt.Key.Key_Escape)


class TestAutosave:
    def test_no_file_before_the_first_edit(self, window, spine_study):
        """Opening a study writes nothing."""
        assert not annotation_path_for(spine_study, STUDY_UID).exists()

    def test_every_edit_is_on_disk(self, window, spine_study):
        """After each click of the level labelling and after the caliper, the file holds it."""
        sagittal = _sagittal(window)
        key(sagittal, Qt.Key.Key_L)
        click(sagittal, screen_of(sagittal, DISCS[0]))
        type_into(window.annotations.layers[0].prompt.edit, "T9-T10")
        assert [d["name"] for d in _saved(spine_study)["levels"]["discs"]] == ["T9-T10"]
        click(sagittal, screen_of(sagittal, DISCS[1]))
        assert [d["name"] for d in _saved(spine_study)["levels"]["discs"]] == ["T9-T10", "T10-T11"]
        key(sagittal, Qt.Key.Key_Escape)
        draw_si(window)
        drawing = _saved(spine_study)["lesions"][0]["annotations"][0]
        assert (drawing["kind"], drawing["role"]) == ("caliper", "si")

    def test_undo_is_saved_too(self, window, spine_study):
        """Ctrl+Z takes the caliper back on disk as well as on screen."""
        draw_si(window)
        key(window.grid.viewports[0], Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert _saved(spine_study)["lesions"] == []  # lesion 1 came with its first caliper


class TestUndoRedo:
    def test_keys_walk_the_history(self, window):
        """Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y step through levels and a caliper."""
        session, sagittal = window.annotations.session, _sagittal(window)
        label_levels(window)
        draw_si(window)
        assert len(session.study.levels.discs) == 4 and len(session.study.lesions[0].annotations) == 1
        ctrl = Qt.KeyboardModifier.ControlModifier
        key(sagittal, Qt.Key.Key_Z, ctrl)
        assert session.study.lesions == ()
        key(sagittal, Qt.Key.Key_Z, ctrl)
        assert len(session.study.levels.discs) == 3
        key(sagittal, Qt.Key.Key_Z, ctrl | Qt.KeyboardModifier.ShiftModifier)
        assert len(session.study.levels.discs) == 4
        key(sagittal, Qt.Key.Key_Y, ctrl)
        assert len(session.study.lesions[0].annotations) == 1

    def test_edit_menu_names_the_action(self, window):
        """The Edit menu says what undo and redo would do."""
        controls = window.annotations
        assert not controls.undo_action.isEnabled()
        draw_si(window)
        assert controls.undo_action.text().replace("&", "") == "Undo add SI caliper"
        controls.undo_action.trigger()
        assert controls.redo_action.text().replace("&", "") == "Redo add SI caliper"
        assert controls.undo_action.shortcuts()[0].toString() == "Ctrl+Z"
        assert {s.toString() for s in controls.redo_action.shortcuts()} == {"Ctrl+Shift+Z", "Ctrl+Y"}

    def test_new_edit_drops_redo(self, window):
        """After undo, a new drawing leaves nothing to redo."""
        controls = window.annotations
        draw_si(window)
        controls.undo_action.trigger()
        draw_si(window, top=(-24.0, -50.0, 92.0))
        assert not controls.redo_action.isEnabled()


class TestReopening:
    def test_a_new_window_restores_everything(self, window, open_window, spine_study):
        """Levels, conus tip, lesions, drawings and findings come back in a new window, and the
        caliper is drawn again on its slice."""
        label_levels(window)
        sagittal = _sagittal(window)
        key(sagittal, Qt.Key.Key_K)
        click(sagittal, screen_of(sagittal, (-24.0, -55.0, 62.0)))
        draw_si(window)
        session = window.annotations.session
        findings = window.annotations.findings.lesion_fields["t2_signal"]
        findings.setCurrentIndex(findings.findData("hyperintense"))
        findings.activated.emit(findings.currentIndex())
        before = to_json(session.study)
        window.close()

        again = open_window([spine_study])
        restored = again.annotations.session.study
        assert to_json(restored) == before
        assert restored.lesions[0].findings.t2_signal.value == "hyperintense"
        layer = again.annotations.layers[0]
        assert len(layer.items) == 1 and set(layer.levels.markers) >= {"T9-T10", "conus tip"}

    def test_unreadable_file_is_put_aside_with_a_message(self, qtbot, open_window, spine_study):
        """A damaged annotation file is renamed, the study opens empty, and a box says so."""
        path = annotation_path_for(spine_study, STUDY_UID)
        path.write_text("{ this is not JSON")
        window = open_window([spine_study])
        assert window.annotations.session.study.levels is None
        aside = list(path.parent.glob(path.name + ".unreadable-*"))
        assert len(aside) == 1 and aside[0].read_text() == "{ this is not JSON"
        box = window.annotations.put_aside_box
        assert box.isVisible() and not box.isModal()
        assert aside[0].name in box.text() and "not valid JSON" in box.text()


class TestQtAdapter:
    def test_document_notifications_become_signals(self, qtbot, window):
        """An edit and a refusal made on the Qt-free document reach the views as signals."""
        session = window.annotations.session
        with qtbot.waitSignal(session.changed, timeout=1000):
            session.document.apply(add_disc, DISCS[0], name="T9-T10", label="mark disc")
        assert "T9-T10" in window.annotations.layers[0].levels.markers
        with qtbot.waitSignal(session.message, timeout=1000) as said:
            session.document.apply(add_disc, DISCS[1], name="X1-X2", label="mark disc")
        assert said.args[0].startswith("Cannot mark disc:")

    def test_no_study_open(self, qtbot):
        """Without a study, edits are refused with a message and the state reads as empty."""
        session = AnnotationSession()
        with qtbot.waitSignal(session.message, timeout=1000) as said:
            assert not session.apply(add_disc, DISCS[0], label="mark disc")
        assert said.args == ["Open a study first"]
        assert session.study is None and session.history is None and session.path is None
        assert session.new_lesion() is None and session.load_answer_key() == "Open a study first"


_CRASHING_READER = textwrap.dedent("""
    import json, sys
    from PyQt6.QtCore import QSettings, QTimer
    from spineviewer.core.annotation_codec import to_json
    from spineviewer.core.annotations import Caliper
    from spineviewer.core.edits import add_disc, set_conus_tip
    from spineviewer.gui.shell.app import application, main_window

    folder, settings = sys.argv[1], sys.argv[2]
    app = application()
    window = main_window([folder], settings=QSettings(settings, QSettings.Format.IniFormat))
    window.show()

    def edit_once_loaded():
        if window.result is None or window.work.running():
            return
        poll.stop()
        session = window.annotations.session
        stack = window.grid.viewports[0].state.stack
        on = dict(series_instance_uid=stack.series_uid,
                  sop_instance_uid=stack.frames[4].file.sop_instance_uid)
        session.apply(add_disc, (-24.0, -54.0, 95.0), name="T9-T10", label="mark disc")
        session.apply(add_disc, (-24.0, -54.0, 85.0), label="mark disc")
        session.add_to_lesion(Caliper(endpoints=[(-24, -52, 90), (-24, -52, 70)], role="si", **on),
                              label="add")
        session.apply(set_conus_tip, (-24.0, -55.0, 62.0), label="conus")
        print(json.dumps(to_json(session.study)), flush=True)

    poll = QTimer(interval=20)
    poll.timeout.connect(edit_once_loaded)
    poll.start()
    QTimer.singleShot(120_000, app.quit)  # the test kills it long before; never outlive a lost test
    app.exec()
""")

#: How long the reader process may take to load the study and make its edits, seconds.
READER_TIMEOUT = 60


def first_line(process: subprocess.Popen, timeout: float) -> str:
    """The first line ``process`` writes to its stdout, waiting at most ``timeout`` seconds
    (a thread reads, so a child that hangs fails the test instead of hanging it)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        pytest.fail(f"the child process wrote no line within {timeout} s")


def killed(process: subprocess.Popen) -> int:
    """Kill ``process`` with SIGKILL and reap it (bounded); its return code."""
    process.send_signal(signal.SIGKILL)
    return process.wait(timeout=10)


def test_a_hanging_child_fails_in_bounded_time():
    """first_line gives up on a child that writes nothing, and killed ends it."""
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        with pytest.raises(pytest.fail.Exception, match="no line within 0.5 s"):
            first_line(process, timeout=0.5)
    finally:
        assert killed(process) == -signal.SIGKILL


def test_killed_reader_loses_nothing(open_window, spine_study, tmp_path):
    """A reader process killed with SIGKILL right after its edits: reopening the study shows
    exactly what that process had."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    errors = tmp_path / "reader-stderr.txt"
    with errors.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-c", _CRASHING_READER, str(spine_study),
                                    str(tmp_path / "crash-settings.ini")],
                                   stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
    try:
        line = first_line(process, READER_TIMEOUT)
    finally:
        returncode = killed(process)
    assert line, f"the reader process ended without its edits: {errors.read_text()}"
    on_screen = json.loads(line)
    assert returncode == -signal.SIGKILL
    window = open_window([spine_study])
    assert to_json(window.annotations.session.study) == on_screen
    assert window.annotations.tools.tool is Tool.READ
