"""Starting the window where there is no display: one sentence, not Qt's abort."""

import subprocess
import sys
from pathlib import Path

import pytest

from spineviewer.gui.shell.app import display_problem

ROOT = Path(__file__).resolve().parents[2]


class TestDisplayProblem:
    def test_no_display(self):
        """No DISPLAY and no WAYLAND_DISPLAY on Linux: the reason names both and the headless commands."""
        problem = display_problem({}, "linux")
        assert "no display was found" in problem and "spineviewer --help" in problem

    def test_offscreen_needs_none(self):
        """QT_QPA_PLATFORM=offscreen needs no display."""
        assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None

    def test_other_systems_not_checked(self):
        """Windows and macOS have their own display: nothing to check."""
        assert display_problem({}, "win32") is None and display_problem({}, "darwin") is None

    def test_missing_xcb_cursor_named(self, monkeypatch):
        """An X11 display without libxcb-cursor0 names the package to install."""
        monkeypatch.setattr("ctypes.util.find_library", lambda name: None)
        problem = display_problem({"DISPLAY": ":0"}, "linux")
        assert "libxcb-cursor0" in problem

    def test_wayland_does_not_need_xcb(self, monkeypatch):
        """A Wayland session does not need the X11 library."""
        monkeypatch.setattr("ctypes.util.find_library", lambda name: None)
        assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is for Linux")
def test_window_without_display_exits_with_a_sentence():
    """Opening the window with no display prints one line and exits 1 (Qt would abort with 134)."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": "/tmp"}
    done = subprocess.run([sys.executable, "-c",
                           "import sys; from spineviewer.gui.shell.app import run; sys.exit(run([]))"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("spineviewer: no display was found")
    assert "Traceback" not in done.stderr
