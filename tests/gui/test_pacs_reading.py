"""Reading from a real Orthanc: query by patient ID, retrieve and open a study, send the SR
back and find it by query, a study in the cache opened without the server, a worklist of
accession numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from spineviewer.core.annotation_file import read_annotations
from spineviewer.core.annotations import Caliper, SentObject
from spineviewer.pacs.nodes import PacsNode
from tests.conftest import SAMPLES
from tests.gui.annotation_helpers import type_field

CASE1 = SAMPLES / "case1-breast-t12" / "dicom"
CASE1_UID = "2.25.59224056368226120657348956158356884745"
CASE1_ACCESSION = "SVA24000101"
CASE3_ACCESSION = "SVA24000103"


def _click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def _double_click_row(table, row: int) -> None:
    rect = table.visualItemRect(table.item(row, 0))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _shown_study_uid(window) -> str | None:
    result = window.result
    if result is None or not result.patients:
        return None
    return result.patients[0].studies[-1].uid


def _series_uids_shown(window) -> set[str]:
    return {v.state.stack.series_uid for v in window.grid.visible_viewports() if v.state is not None}


@pytest.fixture
def pacs_window(qtbot, open_window, spine_study, pacs_home, gui_orthanc):
    """A window opened on a small study, with the test Orthanc saved as node ``Orthanc``."""
    window = open_window([spine_study])
    node = PacsNode("Orthanc", "dicomweb", url=gui_orthanc.dicomweb_url, auth="basic",
                    username=gui_orthanc.auth[0])
    window.pacs.store.save(node)
    window.pacs.store.set_secret(node.name, gui_orthanc.auth[1])
    yield window
    window.pacs.shutdown()


def _query_and_open(qtbot, window, patient_id: str):
    QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.pacs.query is not None and window.pacs.query.isVisible())
    dialog = window.pacs.query
    type_field(dialog.patient_id, patient_id)
    _click(dialog.search_button)
    qtbot.waitUntil(lambda: dialog.status.kind in ("ok", "error", "note") and dialog.search_button.isEnabled(),
                    timeout=15000)
    return dialog


class TestQueryRetrieveOpen:
    def test_query_by_patient_id_then_open(self, qtbot, pacs_window):
        """The patient's one study is listed with its series; a double-click retrieves it into
        the cache and the viewer shows its series, the same files as on the server."""
        window = pacs_window
        dialog = _query_and_open(qtbot, window, "SVPH0001")
        assert dialog.status.kind == "ok", dialog.status.text()
        assert dialog.study_table.rowCount() == 1
        cells = [dialog.study_table.item(0, c).text() for c in range(dialog.study_table.columnCount())]
        assert cells[:3] == ["PHANTOM, BREAST", "SVPH0001", "2024-03-15"]
        assert cells[5:8] == ["5", "73", CASE1_ACCESSION]
        qtbot.waitUntil(lambda: dialog.series_table.rowCount() == 5, timeout=10000)
        assert [dialog.series_table.item(r, 2).text() for r in range(5)][0] == "SAG T2 TSE"
        _double_click_row(dialog.study_table, 0)
        qtbot.waitUntil(lambda: _shown_study_uid(window) == CASE1_UID and not window.pacs.retrieval.busy
                        and not window.work.running(), timeout=30000)
        cache = window.pacs.cache
        assert cache.is_complete(CASE1_UID)
        assert sorted(p.name for p in cache.files(CASE1_UID)) == sorted(
            f"{__import__('pydicom').dcmread(p, stop_before_pixels=True).SOPInstanceUID}.dcm"
            for p in CASE1.glob("*/*"))
        series = {s.uid: s for _, _, s in window.result.iter_series()}
        assert len(series) == 5 and sum(s.n_images for s in series.values()) == 73
        assert _series_uids_shown(window) <= set(series) and _series_uids_shown(window)
        assert dialog.study_table.item(0, 8).text() == "yes"
        assert "PHANTOM, BREAST" in window.windowTitle()

    def test_send_the_sr_and_find_it_by_query(self, qtbot, pacs_window, gui_orthanc):
        """The SR of a measured lesion is stored on the server, the series list of the study
        shows it, and the annotation file records where and when it went."""
        window = pacs_window
        dialog = _query_and_open(qtbot, window, "SVPH0001")
        _double_click_row(dialog.study_table, 0)
        qtbot.waitUntil(lambda: _shown_study_uid(window) == CASE1_UID and not window.pacs.retrieval.busy
                        and not window.work.running() and window.annotations.session.is_open, timeout=30000)
        stack = window.grid.viewports[0].state.stack
        frame = stack.frames[stack.shape[0] // 2]
        start = frame.position
        end = start + 12.0 * frame.orientation[3:]
        caliper = Caliper(endpoints=[tuple(start), tuple(end)], role="si",
                          series_instance_uid=stack.series_uid, sop_instance_uid=frame.file.sop_instance_uid)
        assert window.annotations.session.add_to_lesion(caliper, label="add caliper")
        sending = window.pacs.ask_send()
        assert sending.choices[SentObject.SR].isChecked()
        assert not sending.choices[SentObject.ANONYMIZED].isChecked()
        _click(sending.send_button)
        qtbot.waitUntil(lambda: sending.status.kind in ("ok", "error"), timeout=30000)
        assert sending.status.kind == "ok", sending.status.text()
        assert "1 of 1 object stored" in sending.status.text()
        recorded = read_annotations(window.annotations.session.path)[0].sent
        assert [(s.what, s.node, s.study_instance_uid, s.instances) for s in recorded] == [
            (SentObject.SR, "Orthanc", CASE1_UID, 1)]
        assert recorded[0].address == window.pacs.store.node("Orthanc").url
        dialog.series = []
        dialog.study_table.clearSelection()
        dialog.study_table.selectRow(0)
        qtbot.waitUntil(lambda: dialog.series_table.rowCount() == 6, timeout=10000)
        modalities = [dialog.series_table.item(r, 1).text() for r in range(6)]
        assert modalities.count("SR") == 1 and modalities.count("MR") == 5
        _remove_from_server(gui_orthanc, sending_uid(dialog))

    def test_a_complete_study_opens_from_the_cache_without_the_server(self, qtbot, open_window, spine_study,
                                                                       pacs_home, tmp_path):
        """A study the cache holds complete is shown at once, though its server is not running."""
        from spineviewer.pacs.cache import StudyCache
        from spineviewer.pacs.query import StudyResult
        from tests.pacs.orthanc import free_port

        cache = StudyCache()
        for path in CASE1.glob("*/*"):
            ds = __import__("pydicom").dcmread(path, stop_before_pixels=True)
            cache.write_instance(CASE1_UID, ds.SeriesInstanceUID, ds.SOPInstanceUID, path.read_bytes())
        counts = {}
        for path in CASE1.glob("*/*"):
            series = __import__("pydicom").dcmread(path, stop_before_pixels=True).SeriesInstanceUID
            counts[series] = counts.get(series, 0) + 1
        cache.mark_complete(CASE1_UID, counts)
        window = open_window([spine_study])
        nowhere = PacsNode("Offline", "dicomweb", url=f"http://127.0.0.1:{free_port()}/dicom-web")
        window.pacs.open_study(nowhere, StudyResult(CASE1_UID, patient_name="PHANTOM^BREAST"))
        assert not window.pacs.retrieval.busy
        qtbot.waitUntil(lambda: _shown_study_uid(window) == CASE1_UID, timeout=20000)
        assert window.opened_paths == [str(cache.folder(CASE1_UID))]


    def test_stop_then_open_again(self, qtbot, pacs_window):
        """Stop retrieving ends the retrieve at once and says so; opening the study again
        brings the whole study."""
        from spineviewer.pacs.query import StudyResult

        window = pacs_window
        node = window.pacs.store.node("Orthanc")
        study = StudyResult(CASE1_UID, patient_name="PHANTOM^BREAST", n_series=5)
        window.pacs.open_study(node, study)
        assert window.pacs.retrieval.stop_button.isVisible()
        _click(window.pacs.retrieval.stop_button)
        assert not window.pacs.retrieval.busy and not window.pacs.retrieval.stop_button.isVisible()
        assert window.statusBar().currentMessage().startswith("Retrieve of PHANTOM, BREAST stopped: ")
        window.pacs.work.wait(20000)
        assert not window.pacs.cache.is_complete(CASE1_UID)
        window.pacs.open_study(node, study)
        qtbot.waitUntil(lambda: _shown_study_uid(window) == CASE1_UID and not window.pacs.retrieval.busy
                        and not window.work.running(), timeout=30000)
        assert window.pacs.cache.is_complete(CASE1_UID) and len(window.pacs.cache.files(CASE1_UID)) == 73


class TestPacsWorklist:
    def test_accession_numbers_become_a_worklist_retrieved_on_demand(self, qtbot, pacs_window, tmp_path):
        """Two accession numbers make a worklist of two studies; the first is retrieved and
        shown, the second is fetched only when the reader moves to it."""
        window = pacs_window
        listing = tmp_path / "reading-list.csv"
        listing.write_text(f"AccessionNumber\n{CASE1_ACCESSION}\n{CASE3_ACCESSION}\n")
        window.pacs.open_worklist(window.pacs.store.node("Orthanc"), listing)
        worklist = window.reading.worklist
        qtbot.waitUntil(lambda: len(worklist) == 2, timeout=15000)
        assert window.reading.dock.isVisible()
        labels = [window.reading.label(entry) for entry in worklist.entries()]
        assert labels == ["PHANTOM, BREAST   SVPH0001", "PHANTOM, LUNG   SVPH0003"]
        qtbot.waitUntil(lambda: _shown_study_uid(window) == CASE1_UID and not window.pacs.retrieval.busy
                        and not window.work.running(), timeout=30000)
        second = worklist.entries()[1].uid
        assert not Path(window.pacs.cache.folder(second)).exists()
        _click(window.reading.view.next_button)
        qtbot.waitUntil(lambda: _shown_study_uid(window) == second and not window.pacs.retrieval.busy
                        and not window.work.running(), timeout=30000)
        assert window.pacs.cache.is_complete(second) and worklist.current == second
        assert sum(s.n_images for _, _, s in window.result.iter_series()) == 112


def sending_uid(dialog) -> str:
    return next(one.series_uid for one in dialog.series if one.modality == "SR")


def _remove_from_server(server, series_uid: str) -> None:
    """Take the sent series off the session's Orthanc, so other tests find the study as loaded."""
    import requests

    found = requests.post(f"{server.rest}/tools/lookup", data=series_uid, auth=server.auth, timeout=10).json()
    for item in found:
        requests.delete(f"{server.rest}/series/{item['ID']}", auth=server.auth, timeout=10).raise_for_status()
