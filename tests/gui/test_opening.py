"""Opening studies: background scan, hanging, browser, problems, drops, recent list."""

from __future__ import annotations

import shutil
import threading

import pytest
from PyQt6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PyQt6.QtGui import QDragEnterEvent, QDropEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from spineviewer.gui.shell import main_window as main_window_module
from spineviewer.gui.shell.browser import stack_key
from spineviewer.gui.reading.viewport import STACK_MIME
from tests.gui.annotation_helpers import copy_case
from tests.gui.conftest import wait_until_loaded


def _descriptions(window) -> list[str]:
    return [v.state.context.series.description for v in window.grid.visible_viewports() if v.state]


def _drop(widget, mime: QMimeData, pos: QPoint | None = None) -> None:
    pos = pos or widget.rect().center()
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(QPointF(pos), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)


@pytest.fixture
def damaged_study(spine_study):
    """The spine study plus a truncated copy of one slice and a PDF report beside it."""
    data = (spine_study / "sag_t2" / "IM0003").read_bytes()
    (spine_study / "sag_t2" / "IM0003-partial").write_bytes(data[: len(data) // 3])
    (spine_study / "report.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    return spine_study


class TestHanging:
    def test_three_viewports_sagittal_t2_t1c_axial(self, open_window, spine_study):
        """A study opens 1x3 with sagittal T2, sagittal T1 post-contrast and axial T2."""
        window = open_window([spine_study])
        assert window.grid.layout_name == "1x3"
        assert _descriptions(window) == ["SAG T2 TSE", "SAG T1 FS", "AX T2"]

    def test_volumes_are_decoded_in_the_background(self, open_window, spine_study):
        """After loading, every hung stack holds its whole volume."""
        window = open_window([spine_study])
        assert all(v.state.stack.is_loaded for v in window.grid.visible_viewports())

    def test_single_series_opens_1x1(self, open_window, spine_study):
        """A folder with one series fills one viewport."""
        window = open_window([spine_study / "ax_t2"])
        assert window.grid.layout_name == "1x1"
        assert _descriptions(window) == ["AX T2"]

    def test_first_viewport_has_the_keyboard(self, qtbot, open_window, spine_study):
        """After opening, arrow keys go to the first viewport without a click."""
        window = open_window([spine_study])
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is window.grid.viewports[0])
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
        assert window.grid.viewports[0].state.slice_index == 5

    def test_click_activates_a_viewport(self, open_window, spine_study):
        """Clicking into the third viewport makes it the active one."""
        window = open_window([spine_study])
        third = window.grid.viewports[2]
        QTest.mouseClick(third.view.viewport(), Qt.MouseButton.LeftButton, pos=third.view.viewport().rect().center())
        assert window.grid.active is third and third.property("active")

    def test_layout_shortcuts(self, open_window, spine_study):
        """Ctrl+1 shows one viewport, Ctrl+2 two; hidden viewports keep their series."""
        window = open_window([spine_study])
        QTest.keyClick(window.grid.viewports[0], Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        assert window.grid.layout_name == "1x1"
        assert [v.isVisible() for v in window.grid.viewports] == [True, False, False, False]
        QTest.keyClick(window.grid.viewports[0], Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        assert window.grid.layout_name == "1x2"
        assert _descriptions(window) == ["SAG T2 TSE", "SAG T1 FS"]

    def test_two_by_two_layout(self, open_window, spine_study):
        """Ctrl+4 shows four viewports in two rows of two, the first three keeping their series."""
        window = open_window([spine_study])
        QTest.keyClick(window.grid.viewports[0], Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
        assert window.grid.layout_name == "2x2"
        viewports = window.grid.viewports
        assert all(v.isVisible() for v in viewports)
        tops = [v.mapTo(window.grid, v.rect().topLeft()) for v in viewports]
        assert tops[0].y() == tops[1].y() < tops[2].y() == tops[3].y()
        assert tops[0].x() == tops[2].x() < tops[1].x() == tops[3].x()
        assert _descriptions(window) == ["SAG T2 TSE", "SAG T1 FS", "AX T2"]


class TestBadFiles:
    def test_problems_name_each_file_and_reason(self, open_window, damaged_study):
        """The truncated slice and the PDF are listed by name, with a reason."""
        window = open_window([damaged_study])
        shown = dict(window.problems.problems_shown())
        assert "truncated" in shown["IM0003-partial"]
        assert "PDF" in shown["report.pdf"]
        assert window.problems_dock.isVisible()

    def test_good_series_still_shown(self, open_window, damaged_study):
        """The three good series are hung despite the bad files."""
        window = open_window([damaged_study])
        assert _descriptions(window) == ["SAG T2 TSE", "SAG T1 FS", "AX T2"]
        assert window.grid.viewports[0].state.stack.shape[0] == 9

    def test_status_bar_counts_problems(self, open_window, damaged_study):
        """The status bar says how many files failed and where to look."""
        window = open_window([damaged_study])
        message = window.statusBar().currentMessage()
        assert "could not be loaded" in message and "see Problems" in message

    def test_sample_folder_has_no_problems(self, open_window, tmp_path):
        """A sample study's folder (its images beside ground-truth.json and the answer key)
        opens with nothing in Problems."""
        window = open_window([copy_case(tmp_path / "case1")])
        assert window.problems.problems_shown() == []
        assert not window.problems_dock.isVisible()

    def test_missing_path_is_a_problem_not_a_crash(self, open_window, tmp_path):
        """Opening a path that does not exist lists it and leaves the window usable."""
        window = open_window([tmp_path / "nowhere"])
        assert dict(window.problems.problems_shown())["nowhere"] == "no such file or folder"
        assert "No images" in window.statusBar().currentMessage()

    def test_missing_sample_says_so(self, qtbot, settings, monkeypatch, tmp_path):
        """Without the bundled sample the window opens empty with a clear message."""
        from spineviewer.gui.shell.app import main_window

        monkeypatch.setattr(main_window_module, "SAMPLE_STUDY", tmp_path / "no-sample")
        window = main_window([], settings=settings)
        qtbot.addWidget(window)
        assert "sample study is not installed" in window.statusBar().currentMessage()
        assert "Open folder" in window.grid.viewports[0].overlay.content.message
        assert window.result is None


class TestBrowser:
    def _series_items(self, window):
        return {item.text(0).split("\n")[0]: item for item in window.browser.key_items()}

    def test_lists_series_with_plane_and_slices(self, open_window, spine_study):
        """Each series shows its number, description, plane and slice count."""
        window = open_window([spine_study])
        items = self._series_items(window)
        assert set(items) == {"2  SAG T2 TSE", "3  AX T2", "5  SAG T1 FS"}
        assert "sagittal · 9 slices" in items["2  SAG T2 TSE"].text(0)

    def test_thumbnails_are_made(self, qtbot, open_window, spine_study):
        """Every series gets a thumbnail icon."""
        window = open_window([spine_study])
        qtbot.waitUntil(lambda: all(not item.icon(0).isNull() for item in window.browser.key_items()))

    def test_double_click_shows_series_in_active_viewport(self, open_window, spine_study):
        """Double-clicking the axial series shows it in the active (first) viewport."""
        window = open_window([spine_study])
        item = self._series_items(window)["3  AX T2"]
        window.browser.scrollToItem(item)
        pos = window.browser.visualItemRect(item).center()
        QTest.mouseClick(window.browser.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        QTest.mouseDClick(window.browser.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        assert window.grid.active is window.grid.viewports[0]
        assert window.grid.viewports[0].state.context.series.description == "AX T2"

    def test_drop_series_on_a_viewport(self, open_window, spine_study):
        """Dropping a dragged series on the third viewport shows it there and activates it."""
        window = open_window([spine_study])
        stack = window.grid.viewports[0].state.stack
        mime = QMimeData()
        mime.setData(STACK_MIME, stack_key(stack).encode())
        target = window.grid.viewports[2]
        _drop(target, mime)
        assert target.state.stack is stack
        assert window.grid.active is target

    def test_drag_payload_names_the_stack(self, open_window, spine_study):
        """Dragging a browser item carries its stack key."""
        window = open_window([spine_study])
        item = self._series_items(window)["3  AX T2"]
        data = window.browser.mimeData([item])
        assert bytes(data.data(STACK_MIME)).decode() == item.data(0, Qt.ItemDataRole.UserRole)


class TestOpeningPaths:
    def test_dropping_a_folder_opens_it(self, qtbot, open_window, spine_study, tmp_path):
        """Dropping a folder on the window opens it."""
        window = open_window([spine_study / "ax_t2"])
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(spine_study))])
        _drop(window, mime)
        qtbot.waitUntil(lambda: window.result is not None and len(window.browser.key_items()) == 3)
        wait_until_loaded(qtbot, window)

    def test_recent_list_remembers_openings(self, open_window, spine_study, settings):
        """Each opening goes to the top of File > Recent."""
        window = open_window([spine_study / "ax_t2"])
        window.open_paths([str(spine_study)])
        entries = window.recent.entries()
        assert entries[0] == [str(spine_study.resolve())]
        assert entries[1] == [str((spine_study / "ax_t2").resolve())]
        window._fill_recent()
        labels = [action.text() for action in window.recent_menu.actions()]
        assert labels[0].startswith("study")

    def test_zip_archive(self, open_window, spine_study, tmp_path):
        """A zip archive of the study opens like the folder."""
        archive = shutil.make_archive(str(tmp_path / "study"), "zip", spine_study)
        window = open_window([archive])
        assert _descriptions(window) == ["SAG T2 TSE", "SAG T1 FS", "AX T2"]


class TestProgressAndCancel:
    def test_cancel_button_stops_the_work(self, qtbot, open_window, spine_study):
        """Background work shows progress with Cancel; clicking Cancel stops it."""
        window = open_window([spine_study])
        started = threading.Event()

        def slow(task):
            task.progress.emit(1, 10)
            started.set()
            task.cancel.wait(20)
            return task.cancelled()

        results = []
        window.work.submit(slow, label="Loading a long series", on_done=results.append)
        qtbot.waitUntil(lambda: window.cancel_button.isVisible() and window.progress.value() == 1)
        assert "Loading a long series" in window.progress.format()
        qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: results == [True])
        assert not window.progress.isVisible() and not window.cancel_button.isVisible()

    def test_a_long_label_fits_the_progress_bar(self, qtbot, open_window, spine_study):
        """Two series loading: the label is cut in the middle to fit the bar, both ends kept,
        and the whole of it is the bar's tooltip."""
        window = open_window([spine_study])
        window.resize(1600, 1000)
        label = "Loading AX T1 TSE +C WITH FAT SUPPRESSION (104 slices) (+1 more)"
        window.work.progressChanged.emit(19, 100, label)
        qtbot.waitUntil(window.progress.isVisible)
        shown = window.progress.text()
        assert shown.startswith("Loading AX") and shown.endswith("(+1 more)  19%") and "…" in shown
        width = window.progress.fontMetrics().horizontalAdvance(shown)
        assert width <= window.progress.contentsRect().width()
        assert window.progress.toolTip() == label

    def test_first_image_shown_while_scanning(self, qtbot, open_window, spine_study, monkeypatch):
        """The scan's first image appears in the first viewport before the study is hung."""
        window = open_window([spine_study])
        viewport = window.grid.viewports[0]
        previews = []
        show_preview = viewport.show_preview

        def record(pixels, spacing, caption):
            previews.append((caption, window.result))
            show_preview(pixels, spacing, caption)

        monkeypatch.setattr(viewport, "show_preview", record)
        window.open_paths([str(spine_study)])
        wait_until_loaded(qtbot, window)
        assert len(previews) == 1
        caption, result_then = previews[0]
        assert caption.endswith("(scanning…)") and result_then is None


class TestRealSpine:
    def test_real_sagittal_spine(self, open_window, corpus):
        """A real 15-frame sagittal spine MRI opens with A/P/S/I letters and its window."""
        window = open_window([corpus / "zzdicom" / "samples" / "spine-ls.dcm"])
        viewport = window.grid.viewports[0]
        assert viewport.state.stack.shape == (15, 448, 448)
        assert viewport.overlay.content.letters == {"left": "A", "right": "P", "top": "S", "bottom": "I"}
        assert viewport.state.window == viewport.state.stack.default_window

    def test_series_split_into_stacks(self, open_window, corpus):
        """A series of several stacks lists each stack under the series."""
        window = open_window([corpus / "dcm_qa_enh" / "In" / "Siemens" / "XA10"])
        labels = [item.text(0).split("\n")[0] for item in window.browser.key_items()]
        assert [label for label in labels if label.startswith("stack")] == [
            "stack 1", "stack 2", "stack 3", "stack 4"]
