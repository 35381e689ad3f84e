"""The layering rules: core and export never import Qt or pyqtgraph, and each package imports
only the layers below it (the import-linter contracts in pyproject.toml)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from spineviewer import PROJECT_ROOT

_BLOCK_QT = """
import sys, importlib.abc
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'PyQt6', 'PyQt5', 'PySide6', 'PySide2', 'pyqtgraph', 'qtpy'}:
            raise ImportError('Qt is not allowed here: ' + name)
sys.meta_path.insert(0, Block())
import pkgutil, importlib, spineviewer.core, spineviewer.export, spineviewer.cohort, spineviewer.assist, spineviewer.pacs
for package in (spineviewer.core, spineviewer.export, spineviewer.cohort, spineviewer.assist, spineviewer.pacs):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):
        importlib.import_module(module.name)
import spineviewer.cli
print('ok')
"""

LAYERS = "Layers: cli > gui > cohort > export | phantom | assist | pacs > core (so core never imports export)"
QT_FREE = "Qt-free: core, export, phantom, cohort, assist and pacs never import Qt or pyqtgraph"

# lint-imports reads the contracts from pyproject.toml in its working directory and analyses the
# `spineviewer` found there first (it puts the working directory at the front of sys.path).
_LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    """Run import-linter's `lint-imports` on the project folder `project`, bounded in time."""
    env = dict(os.environ, PYTHONPATH=str(project), COLUMNS="200", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-c", _LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=project, env=env, capture_output=True, text=True, timeout=60,
    )


def test_core_and_export_import_without_qt():
    """Every module of core/, export/ and cohort/ imports with all Qt bindings blocked."""
    run = subprocess.run([sys.executable, "-c", _BLOCK_QT], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


def test_import_contracts_are_kept():
    """The import-linter contracts of pyproject.toml hold for the package as it is."""
    run = lint_imports(PROJECT_ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{LAYERS} KEPT" in run.stdout
    assert f"{QT_FREE} KEPT" in run.stdout
    assert "Contracts: 2 kept, 0 broken." in run.stdout


@pytest.fixture
def package_copy(tmp_path):
    """A copy of the spineviewer package and its pyproject.toml in `tmp_path`."""
    shutil.copytree(PROJECT_ROOT / "spineviewer", tmp_path / "spineviewer",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(module: Path, statement: str) -> int:
    """Append `statement` to `module`; return its line number."""
    text = module.read_text()
    module.write_text(text + ("" if text.endswith("\n") else "\n") + statement + "\n")
    return len(module.read_text().splitlines())


@pytest.mark.parametrize(
    ("module", "statement", "broken", "kept", "chain"),
    [
        ("core/model.py", "import spineviewer.export.csv_tables", LAYERS, QT_FREE,
         "spineviewer.core is not allowed to import spineviewer.export:\n\n"
         "- spineviewer.core.model -> spineviewer.export.csv_tables (l.{line})"),
        ("export/csv_tables.py", "import PyQt6", QT_FREE, LAYERS,
         "spineviewer.export is not allowed to import PyQt6:\n\n"
         "-   spineviewer.export.csv_tables -> PyQt6 (l.{line})"),
        ("phantom/study.py", "import spineviewer.gui.shell.app", LAYERS, None,
         "spineviewer.phantom is not allowed to import spineviewer.gui:\n\n"
         "- spineviewer.phantom.study -> spineviewer.gui.shell.app (l.{line})"),
        ("cohort/summary.py", "import spineviewer.gui.shell.app", LAYERS, None,
         "spineviewer.cohort is not allowed to import spineviewer.gui:\n\n"
         "- spineviewer.cohort.summary -> spineviewer.gui.shell.app (l.{line})"),
    ],
    ids=["core-imports-export", "export-imports-qt", "phantom-imports-gui", "cohort-imports-gui"],
)
def test_import_contracts_fail_on_a_forbidden_import(package_copy, module, statement, broken,
                                                     kept, chain):
    """A forbidden import added to a copy of the package breaks the contract that forbids it."""
    line = add_import(package_copy / "spineviewer" / module, statement)
    run = lint_imports(package_copy)
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"{broken} BROKEN" in run.stdout
    if kept is not None:
        assert f"{kept} KEPT" in run.stdout
    assert chain.format(line=line) in run.stdout
