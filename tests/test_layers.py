"""The layering rule: core and export never import Qt or pyqtgraph."""

import subprocess
import sys

_BLOCK_QT = """
import sys, importlib.abc
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'PyQt6', 'PyQt5', 'PySide6', 'PySide2', 'pyqtgraph', 'qtpy'}:
            raise ImportError('Qt is not allowed here: ' + name)
sys.meta_path.insert(0, Block())
import pkgutil, importlib, spineviewer.core, spineviewer.export
for package in (spineviewer.core, spineviewer.export):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):
        importlib.import_module(module.name)
import spineviewer.cli
print('ok')
"""


def test_core_and_export_import_without_qt():
    """Every module of core/ and export/ imports with all Qt bindings blocked."""
    run = subprocess.run([sys.executable, "-c", _BLOCK_QT], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
