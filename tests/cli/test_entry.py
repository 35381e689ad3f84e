"""The entry point: the help and the workstation on paths."""

import subprocess
import sys
import types

import pytest

from spineviewer.cli import main
from spineviewer.cli.registry import commands, listing

@pytest.fixture
def workstation(monkeypatch):
    """A stand-in for the GUI's ``run``: records the paths it was asked to open."""
    opened = []
    app = types.ModuleType("spineviewer.gui.shell.app")
    app.run = lambda paths: opened.append(list(paths)) or 0
    monkeypatch.setitem(sys.modules, "spineviewer.gui.shell.app", app)
    return opened


def test_help_lists_subcommands():
    """``--help`` names the GUI use and every subcommand."""
    run = subprocess.run([sys.executable, "-m", "spineviewer", "--help"], capture_output=True, text=True)
    assert run.returncode == 0
    assert "PATH" in run.stdout
    assert all(f"  {command} " in run.stdout for command in ("info", "sample", "measure"))


def test_help_is_the_registry_listing(capsys):
    """The help lists every registered command with its synopsis and summary, in order."""
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    expected = "\n".join(listing(commands().values(), prefix="  "))
    assert out.rstrip().endswith(expected)


class TestOpensTheWorkstation:
    def test_no_argument_opens_the_sample(self, workstation):
        """No argument opens the workstation with no path (it shows the sample study)."""
        assert main([]) == 0
        assert workstation == [[]]

    def test_existing_folder_named_like_a_word(self, workstation, tmp_path, monkeypatch):
        """An existing folder without a dot or separator is opened, not taken for a command."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "scans").mkdir()
        assert main(["scans", "more"]) == 0
        assert workstation == [["scans", "more"]]

    @pytest.mark.parametrize("path", ["missing/case1", "case1.zip", "."])
    def test_missing_path_that_looks_like_one(self, workstation, tmp_path, monkeypatch, path):
        """A path that does not exist but has a separator or a dot goes to the workstation."""
        monkeypatch.chdir(tmp_path)
        assert main([path]) == 0
        assert workstation == [[path]]

