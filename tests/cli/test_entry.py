"""The entry point: the help, the workstation on paths, and mistyped commands."""

import importlib
import subprocess
import sys
import tomllib
import types

import pytest

from spineviewer.cli import main
from spineviewer.cli.entry import main as entry_main
from spineviewer.cli.registry import commands, listing
from tests.conftest import REPO

TYPO = "spineviewer: unknown command 'mesure' (did you mean 'measure'?)"


@pytest.fixture
def workstation(monkeypatch):
    """A stand-in for the GUI's ``run``: records the paths it was asked to open."""
    opened = []
    app = types.ModuleType("spineviewer.gui.shell.app")
    app.run = lambda paths: opened.append(list(paths)) or 0
    monkeypatch.setitem(sys.modules, "spineviewer.gui.shell.app", app)
    return opened


def test_console_script_is_the_entry_point():
    """The ``spineviewer`` script of pyproject.toml resolves to the entry point's ``main``."""
    with open(REPO / "pyproject.toml", "rb") as file:
        target = tomllib.load(file)["project"]["scripts"]["spineviewer"]
    module, _, name = target.partition(":")
    assert getattr(importlib.import_module(module), name) is entry_main


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


class TestUnknownCommand:
    def test_typo_names_the_closest_command(self, workstation, tmp_path, monkeypatch, capsys):
        """A mistyped command is a usage error naming the closest command; no window opens."""
        monkeypatch.chdir(tmp_path)
        assert main(["mesure", str(tmp_path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("usage: spineviewer")
        assert err.splitlines()[-1] == TYPO
        assert workstation == []

    def test_no_close_command_lists_them_all(self, workstation, tmp_path, monkeypatch, capsys):
        """A word close to no command is an error that lists the commands."""
        monkeypatch.chdir(tmp_path)
        assert main(["zzz"]) == 2
        assert capsys.readouterr().err.splitlines()[-1] == (
            "spineviewer: unknown command 'zzz' (not a file or folder either; the commands are "
            "info, sample, measure, figure, anonymize, sr, cohort)")
        assert workstation == []

    @pytest.mark.parametrize("module", ["spineviewer", "spineviewer.cli"])
    def test_python_m_exit_status(self, tmp_path, module):
        """``python -m`` of the package or of its cli exits 2 on a typo, without a traceback."""
        run = subprocess.run([sys.executable, "-m", module, "mesure"], capture_output=True,
                             text=True, cwd=tmp_path)
        assert run.returncode == 2
        assert run.stderr.splitlines()[-1] == TYPO and "Traceback" not in run.stderr

    def test_console_exit_status_without_qt(self, tmp_path):
        """From the command line the typo exits 2 with one line, and Qt is never imported."""
        code = ("import sys; from spineviewer.cli import main; status = main(['mesure']); "
                "print(status, 'PyQt6' in sys.modules)")
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             cwd=tmp_path)
        assert run.stdout.strip() == "2 False"
        assert run.stderr.splitlines()[-1] == TYPO and "Traceback" not in run.stderr
