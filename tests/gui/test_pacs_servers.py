"""Settings > Preferences > PACS servers against a real Orthanc: a node added with the mouse and
the keyboard, its password kept out of the settings file, Test answered; a wrong password is
one line naming the server."""

from __future__ import annotations

import json

from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from tests.gui.annotation_helpers import type_field


def _click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def _choose(combo, text: str) -> None:
    """Pick an entry of a drop-down list by typing its first letters, as with the keyboard."""
    combo.setFocus()
    QTest.keyClicks(combo, text)


def _preferences(qtbot, window):
    QTest.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.pacs.preferences is not None and window.pacs.preferences.isVisible())
    return window.pacs.preferences.servers


def _add_web_node(page, url: str, user: str, password: str, name: str = "Reading room Orthanc") -> None:
    _click(page.add_web)
    type_field(page.name, name)
    type_field(page.url, url)
    _choose(page.auth, "HTTP")
    type_field(page.username, user)
    type_field(page.secret, password)


class TestServersPage:
    def test_add_a_dicomweb_node_and_test_it(self, qtbot, open_window, spine_study, pacs_home, gui_orthanc):
        """A node without a URL is refused, saying what is expected; the node is saved without
        its password, which the store keeps; Test answers."""
        window = open_window([spine_study])
        page = _preferences(qtbot, window)
        assert "session only" in page.keyring_note.text()
        _click(page.add_web)
        type_field(page.name, "Nowhere")
        _click(page.save_button)
        assert page.result.kind == "error" and "http://" in page.result.text()
        assert page.list.count() == 0
        user, password = gui_orthanc.auth
        _add_web_node(page, gui_orthanc.dicomweb_url, user, password)
        assert page.auth.currentData() == "basic" and page.verify_tls.isChecked()
        _click(page.save_button)
        assert page.result.kind == "ok", page.result.text()
        saved = (pacs_home / "config" / "spineviewer" / "pacs.json").read_text()
        node = json.loads(saved)["nodes"][0]
        assert node["name"] == "Reading room Orthanc" and node["url"] == gui_orthanc.dicomweb_url
        assert node["auth"] == "basic" and node["username"] == user and node["verify_tls"] is True
        assert password not in saved
        assert window.pacs.store.secret("Reading room Orthanc") == password
        assert page.list.count() == 1 and "Reading room Orthanc" in page.list.item(0).text()
        _click(page.test_button)
        qtbot.waitUntil(lambda: page.result.kind in ("ok", "error"), timeout=30000)
        assert page.result.kind == "ok" and "answered (QIDO-RS" in page.result.text()

        self._dimse_node_echoes(qtbot, page, gui_orthanc)

    @staticmethod
    def _dimse_node_echoes(qtbot, page, gui_orthanc) -> None:
        """A DIMSE node with Orthanc's AE title answers the C-ECHO of Test."""
        from tests.pacs.orthanc import ORTHANC_AET

        _click(page.add_dimse)
        assert page.pages.currentIndex() == 1
        type_field(page.name, "Orthanc DIMSE")
        type_field(page.ae_title, ORTHANC_AET)
        type_field(page.host, "127.0.0.1")
        page.port.setFocus()
        page.port.selectAll()
        QTest.keyClicks(page.port, str(gui_orthanc.dicom_port))
        assert page.port.value() == gui_orthanc.dicom_port
        _click(page.test_button)
        qtbot.waitUntil(lambda: page.result.kind in ("ok", "error"), timeout=30000)
        assert page.result.kind == "ok" and "C-ECHO" in page.result.text(), page.result.text()

    def test_wrong_password_is_one_line_naming_the_server(self, qtbot, open_window, spine_study,
                                                         pacs_home, gui_orthanc):
        """Test, and then a search, with a wrong password say on one line which server refused
        and why, and never the password."""
        window = open_window([spine_study])
        page = _preferences(qtbot, window)
        _add_web_node(page, gui_orthanc.dicomweb_url, gui_orthanc.auth[0], "not-the-password",
                      name="Orthanc")
        _click(page.test_button)
        qtbot.waitUntil(lambda: page.result.kind in ("ok", "error"), timeout=30000)
        text = page.result.text()
        assert page.result.kind == "error" and "\n" not in text
        assert text.startswith("Orthanc: ") and "401" in text and "not-the-password" not in text
        _click(page.save_button)
        window.pacs.preferences.close()
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: window.pacs.query is not None and window.pacs.query.isVisible())
        dialog = window.pacs.query
        type_field(dialog.patient_id, "SVPH0001")
        QTest.keyClick(dialog.patient_id, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.status.kind == "error", timeout=15000)
        said = dialog.status.text()
        assert said.startswith("Orthanc: ") and "401" in said and "\n" not in said
        assert "not-the-password" not in said and dialog.study_table.rowCount() == 0
