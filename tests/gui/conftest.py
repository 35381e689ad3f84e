"""GUI test fixtures: an offscreen Qt platform, a small three-series spine study, a window.

The study is written with pydicom into ``tmp_path``: a sagittal T2, a sagittal T1 after
contrast and an axial T2, each slice filled with one value (``100 * (k + 1)`` for slice k) so
tests can tell slices apart by the pixel under the mouse.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PyQt6.QtCore import QSettings  # noqa: E402

from tests.conftest import write_series  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "dicom-corpus"
SAGITTAL = (0, 1, 0, 0, 0, -1)
AXIAL = (1, 0, 0, 0, 1, 0)
STUDY_UID = "1.2.826.0.1.3680043.8.498.77"


def write_spine_study(folder: Path) -> Path:
    """Sagittal T2 (9 slices), sagittal T1+C (7) and axial T2 (5), one patient, one study."""
    write_series(folder / "sag_t2", n=9, gap=3.0, start=(-12.0, -60.0, 100.0), orientation=SAGITTAL,
                 shape=(40, 24), spacing=(1.0, 0.5), description="SAG T2 TSE", study_uid=STUDY_UID,
                 extra={"SeriesNumber": 2, "RepetitionTime": 3000.0, "EchoTime": 100.0})
    write_series(folder / "sag_t1c", n=7, gap=3.0, start=(-9.0, -60.0, 100.0), orientation=SAGITTAL,
                 shape=(40, 24), spacing=(1.0, 0.5), description="SAG T1 FS", study_uid=STUDY_UID,
                 extra={"SeriesNumber": 5, "ContrastBolusAgent": "Gadobutrol",
                        "RepetitionTime": 500.0, "EchoTime": 10.0})
    write_series(folder / "ax_t2", n=5, gap=4.0, start=(-40.0, -60.0, 60.0), orientation=AXIAL,
                 shape=(24, 24), spacing=(0.8, 0.8), description="AX T2", study_uid=STUDY_UID,
                 extra={"SeriesNumber": 3})
    return folder


@pytest.fixture(scope="session", autouse=True)
def every_mouse_move_taken():
    """pyqtgraph drops a mouse move that comes less than 1/``mouseRateLimit`` s after the last
    one it took (a throttle for real mice, which send hundreds a second). A test sends a few
    moves and needs every one of them, so the throttle is off rather than paced with pauses."""
    import pyqtgraph as pg

    rate = pg.getConfigOption("mouseRateLimit")
    pg.setConfigOptions(mouseRateLimit=0)
    yield
    pg.setConfigOptions(mouseRateLimit=rate)


@pytest.fixture(scope="module")
def module_qtbot(qapp, request):
    """A qtbot for module-scoped fixtures (pytest-qt's ``qtbot`` is per test); for waiting only."""
    from pytestqt.qtbot import QtBot

    return QtBot(request)


@pytest.fixture
def spine_study(tmp_path) -> Path:
    return write_spine_study(tmp_path / "study")


@pytest.fixture
def settings(tmp_path) -> QSettings:
    """Settings in a private file, so tests never touch the user's recent list."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def wait_until_loaded(qtbot, window) -> None:
    """Wait until the scan ended and every background task (volumes, thumbnails) reported."""
    qtbot.waitUntil(lambda: window.result is not None and not window.work.running(), timeout=20000)


@pytest.fixture
def open_window(qtbot, settings):
    """``open_window(paths)``: a shown main window that finished loading ``paths``."""
    from spineviewer.gui.shell.app import main_window

    def factory(paths, *, wait: bool = True):
        window = main_window([str(p) for p in paths], settings=settings)
        qtbot.addWidget(window)
        window.resize(1200, 700)
        window.show()
        qtbot.waitExposed(window)
        if wait:
            wait_until_loaded(qtbot, window)
        return window

    return factory


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"needs the real-DICOM corpus at {CORPUS} (not present in this checkout)")
    return CORPUS


@pytest.fixture(scope="session")
def gui_orthanc(tmp_path_factory):
    """A real Orthanc (HTTP basic authentication, DICOMweb, DIMSE) holding the sample studies,
    started once for the GUI tests and stopped at the end; a skip when Orthanc is absent."""
    from tests.conftest import SAMPLES
    from tests.pacs.orthanc import OrthancServer, orthanc_binary

    reason = orthanc_binary()
    if reason:
        pytest.skip(reason)
    server = OrthancServer(tmp_path_factory.mktemp("gui-orthanc"))
    try:
        server.start()
        server.upload(sorted(p for p in SAMPLES.glob("*/dicom/*/*") if p.is_file()))
        yield server
    finally:
        server.stop()


@pytest.fixture
def pacs_home(tmp_path, monkeypatch):
    """PACS settings and cache in ``tmp_path``, secrets in memory (never the user's keyring)."""
    import functools

    from spineviewer.gui.pacs import link
    from spineviewer.pacs.nodes import NodeStore

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(link, "NodeStore", functools.partial(NodeStore, use_keyring=False))
    return tmp_path
