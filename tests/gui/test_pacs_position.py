"""A study shown again when the rest of it arrives keeps the reader's place; a retrieve that
fails says so in one line and leaves the window as it was."""

from __future__ import annotations

from spineviewer.core.loader import load_study
from spineviewer.gui.pacs.position import capture, restore
from spineviewer.pacs.nodes import PacsNode
from spineviewer.pacs.query import StudyResult
from tests.gui.conftest import STUDY_UID


class TestReadingPosition:
    def test_layout_series_image_and_window_kept(self, qtbot, open_window, spine_study):
        """After showing a fresh load of the same study, each viewport shows the same series,
        the same image (found by its SOPInstanceUID) with the same window, and the same
        viewport is active."""
        window = open_window([spine_study])
        grid = window.grid
        grid.set_layout("2x2")
        first, second = grid.viewports[0], grid.viewports[1]
        axial_key = next(key for key in _keys(window) if "AX" in _description(window, key))
        window.show_stack(second, axial_key)
        first.state.set_slice(2)
        second.state.set_slice(4)
        second.state.set_window((300.0, 120.0))
        grid.set_active(second)
        position = capture(window)
        before = [(v.state.stack.series_uid, v.state.stack.frames[v.state.slice_index].file.sop_instance_uid)
                  for v in (first, second)]
        window.show_study(load_study(spine_study), [str(spine_study)])
        assert first.state.slice_index != 2 or second.state.stack.series_uid != before[1][0]
        restore(window, position)
        after = [(v.state.stack.series_uid, v.state.stack.frames[v.state.slice_index].file.sop_instance_uid)
                 for v in (first, second)]
        assert after == before
        assert grid.layout_name == "2x2" and grid.active is second
        assert second.state.window == (300.0, 120.0)

    def test_more_viewports_for_series_that_arrived(self, qtbot, open_window, spine_study, tmp_path):
        """A first showing with one series (one viewport) grows to the hanging of the whole
        study when the rest arrives."""
        import shutil

        partial = tmp_path / "partial"
        shutil.copytree(spine_study / "sag_t2", partial / "sag_t2")
        window = open_window([partial])
        assert window.grid.layout_name == "1x1"
        position = capture(window)
        for name in ("sag_t1c", "ax_t2"):
            shutil.copytree(spine_study / name, partial / name)
        window.show_study(load_study(partial), [str(partial)])
        restore(window, position)
        assert window.grid.layout_name == "1x3"
        assert window.grid.viewports[0].state.stack.series_uid == position.viewports[0].key.split("\n")[0]


    def test_undo_history_kept(self, qtbot, open_window, spine_study):
        """What the reader drew before the study was shown again is still undoable after."""
        from spineviewer.core.annotations import Caliper
        from spineviewer.gui.pacs.position import show_again

        window = open_window([spine_study])
        session = window.annotations.session
        stack = window.grid.viewports[0].state.stack
        frame = stack.frames[0]
        caliper = Caliper(endpoints=[tuple(frame.position), tuple(frame.position + (0.0, 0.0, -9.0))],
                          role="si", series_instance_uid=stack.series_uid,
                          sop_instance_uid=frame.file.sop_instance_uid)
        assert session.add_to_lesion(caliper, label="add caliper")
        show_again(window, load_study(spine_study), [str(spine_study)])
        assert session.history.undo_label == "add caliper"
        assert [d.id for d in session.study.all_drawings()] == [caliper.id]
        session.undo()
        assert list(session.study.all_drawings()) == []


class TestFailedRetrieve:
    def test_server_down_is_one_line_and_nothing_changes(self, qtbot, open_window, spine_study, pacs_home):
        """Opening a study of a server that does not answer names the server in one line in
        the status bar; the study on screen stays."""
        from tests.pacs.orthanc import free_port

        window = open_window([spine_study])
        node = PacsNode("Night PACS", "dicomweb", url=f"http://127.0.0.1:{free_port()}/dicom-web")
        window.pacs.open_study(node, StudyResult("1.2.826.0.1.3680043.8.498.5", patient_name="DOE^JANE"))
        qtbot.waitUntil(lambda: not window.pacs.retrieval.busy, timeout=20000)
        message = window.statusBar().currentMessage()
        assert message.startswith("Could not retrieve DOE, JANE: Night PACS: ") and "\n" not in message
        assert not window.pacs.retrieval.progress.isVisible()
        assert window.result.patients[0].studies[0].uid == STUDY_UID


def _keys(window) -> list[str]:
    from spineviewer.gui.shell.browser import stack_key

    return [stack_key(stack) for _, _, series in window.result.iter_series() for stack in series.stacks]


def _description(window, key: str) -> str:
    series = window.result.series_by_uid(key.split("\n")[0])
    return series.description


class TestCachePreferences:
    def test_limit_typed_is_applied_and_kept(self, qtbot, open_window, spine_study, pacs_home, settings):
        """The size limit typed in Preferences > Study cache is the cache's limit at once and
        the next window's."""
        from PyQt6.QtCore import Qt
        from PyQt6.QtTest import QTest

        from spineviewer.gui.pacs.cache_page import GB, limit_from_settings

        window = open_window([spine_study])
        preferences = window.pacs.show_preferences()
        page = preferences.cache
        preferences.tabs.setCurrentWidget(page)
        qtbot.waitUntil(lambda: page.usage.kind == "ok")
        assert page.usage.text() == "0 MB in 0 studies"
        page.limit.setFocus()
        page.limit.selectAll()
        QTest.keyClicks(page.limit, "7")
        QTest.keyClick(page.limit, Qt.Key.Key_Return)
        assert window.pacs.cache.limit_bytes == 7 * GB
        assert limit_from_settings(settings) == 7 * GB  # what the next window's cache takes
