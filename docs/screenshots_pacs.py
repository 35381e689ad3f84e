"""The PACS screenshots of ``docs/``: Preferences > PACS servers, and File > Open from PACS…
with the answer of a real Orthanc holding the sample studies.

Called by ``docs/screenshots.py`` (``python docs/screenshots.py pacs`` for these alone). It
starts a private Orthanc on loopback ports with the tests' harness (``tests/pacs/orthanc.py``),
loads the sample studies, and stops it at the end; without Orthanc it says so and makes none.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from PyQt6.QtCore import QSettings
from PyQt6.QtWidgets import QApplication

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


def _wait(app: QApplication, done, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not done():
        app.processEvents()
        time.sleep(0.02)
    for _ in range(10):
        app.processEvents()
        time.sleep(0.01)


def grab_pacs(preferences_png: Path, query_png: Path) -> None:
    """Start Orthanc with the sample studies, add it as a node, search it, open a study."""
    sys.path.insert(0, str(REPO))
    from tests.pacs.orthanc import OrthancServer, orthanc_binary

    reason = orthanc_binary()
    if reason:
        print(f"PACS screenshots not made: {reason}")
        return
    from spineviewer import SAMPLE_DIR
    from spineviewer.gui.shell.app import main_window

    home = Path(tempfile.mkdtemp(prefix="spineviewer-pacs-screenshots-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_CACHE_HOME"] = str(home / "cache")
    server = OrthancServer(home / "orthanc")
    server.start()
    try:
        server.upload(sorted(p for p in SAMPLE_DIR.glob("*/dicom/*/*") if p.is_file()))
        app = QApplication.instance()
        settings = QSettings(str(home / "settings.ini"), QSettings.Format.IniFormat)
        window = main_window([str(SAMPLE_DIR / "case1-breast-t12")], settings=settings)
        window.resize(1600, 900)
        window.show()
        preferences = window.pacs.show_preferences()
        page = preferences.servers
        page.new_node("dicomweb")
        page.name.setText("Reading room Orthanc")
        page.url.setText(server.dicomweb_url)
        page.auth.setCurrentIndex(page.auth.findData("basic"))
        page.username.setText(server.auth[0])
        page.secret.setText(server.auth[1])
        page.save()
        page.new_node("dimse")
        page.name.setText("Hospital PACS (DIMSE)")
        page.ae_title.setText("ORTHANCTEST")
        page.host.setText("127.0.0.1")
        page.port.setValue(server.dicom_port)
        page.save()
        page.refresh(select="Reading room Orthanc")
        page.test()
        _wait(app, page.test_button.isEnabled)
        preferences.grab().save(str(preferences_png))
        print(preferences_png)
        preferences.close()

        dialog = window.pacs.ask_query()
        dialog.node_box.setCurrentIndex(dialog.node_box.findText("Reading room Orthanc"))
        dialog.modality.setCurrentText("MR")
        dialog.search()
        _wait(app, lambda: dialog.search_button.isEnabled() and dialog.series_table.rowCount() > 0)
        dialog.study_table.selectRow(0)
        _wait(app, lambda: dialog.series_table.rowCount() > 0)
        dialog.open_selected()
        _wait(app, lambda: not window.pacs.retrieval.busy and not window.work.running(), 60)
        dialog.refresh_here()
        dialog.grab().save(str(query_png))
        print(query_png)
        window.pacs.shutdown()
        window.close()
    finally:
        server.stop()
