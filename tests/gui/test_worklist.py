"""Reading a case series: the worklist of a parent folder, blinded reading, the done mark."""

from __future__ import annotations

import json

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTextEdit,
    QTreeWidget,
    QWidget,
)

from spineviewer.gui.shell.series_reading import BLINDED_KEY, READER_KEY
from tests.conftest import write_series
from tests.gui.conftest import AXIAL, SAGITTAL

#: Three patients: (folder, StudyInstanceUID, PatientName, PatientID, StudyDate, BirthDate).
PATIENTS = [
    ("DOE_JOHN", "1.2.826.0.1.3680043.8.498.901", "DOE^JOHN", "PID-4711", "20190312", "19580704"),
    ("ROE_JANE", "1.2.826.0.1.3680043.8.498.902", "ROE^JANE", "PID-5822", "20200921", "19640115"),
    ("POE_EDGAR", "1.2.826.0.1.3680043.8.498.903", "POE^EDGAR", "PID-6933", "20211105", "19711230"),
]
INSTITUTION = "Saint Elsewhere Hospital"


def _forbidden() -> list[str]:
    """Every way a patient's name, ID, birth date or study date could be written on screen."""
    words = [INSTITUTION]
    for _, _, name, patient_id, *dates in PATIENTS:
        family, given = name.split("^")
        words += [family, given, patient_id]
        for date in dates:
            words += [date, f"{date[:4]}-{date[4:6]}-{date[6:]}", f"{date[6:]}.{date[4:6]}.{date[:4]}"]
    return words


def write_series_of_studies(parent) -> None:
    """Three small studies (sagittal and axial series each), one folder per patient."""
    for folder, uid, name, patient_id, date, birth in PATIENTS:
        extra = {"PatientName": name, "PatientID": patient_id, "StudyDate": date,
                 "PatientBirthDate": birth, "InstitutionName": INSTITUTION}
        write_series(parent / folder / "sag", n=7, gap=3.0, start=(-9.0, -60.0, 100.0),
                     orientation=SAGITTAL, shape=(40, 24), spacing=(1.0, 0.5),
                     description="SAG T2 TSE", study_uid=uid, frame_of_reference=uid + ".1",
                     extra={**extra, "SeriesNumber": 2})
        write_series(parent / folder / "ax", n=5, gap=4.0, start=(-40.0, -60.0, 60.0),
                     orientation=AXIAL, shape=(24, 24), spacing=(0.8, 0.8), description="AX T2",
                     study_uid=uid, frame_of_reference=uid + ".1", extra={**extra, "SeriesNumber": 3})


def screen_texts(window) -> list[str]:
    """Every text the window shows: titles, labels, buttons, fields, items, tooltips, the
    status bar and the viewports' corner overlays, and any dialog it opened."""
    widgets = [window] + window.findChildren(QWidget)
    widgets += [w for w in QApplication.topLevelWidgets() if w.isVisible() and w not in widgets]
    texts = [window.statusBar().currentMessage()]
    for widget in widgets:
        texts += [widget.windowTitle(), widget.toolTip(), widget.statusTip()]
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        if isinstance(widget, (QTextEdit, QPlainTextEdit)):
            texts.append(widget.toPlainText())
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(k) for k in range(widget.count())]
        if isinstance(widget, QTableWidget):
            items = [widget.item(r, c) for r in range(widget.rowCount()) for c in range(widget.columnCount())]
            texts += [t for item in items if item is not None for t in (item.text(), item.toolTip())]
        if isinstance(widget, QTreeWidget):
            stack = [widget.topLevelItem(k) for k in range(widget.topLevelItemCount())]
            while stack:
                item = stack.pop()
                texts += [item.text(0), item.toolTip(0)]
                stack += [item.child(k) for k in range(item.childCount())]
    for viewport in window.grid.viewports:
        for lines in viewport.overlay.content.corners.values():
            texts += lines
    return [text for text in texts if text]


def leaks(window) -> list[tuple[str, str]]:
    return [(word, text) for text in screen_texts(window) for word in _forbidden() if word in text]


@pytest.fixture
def series_folder(tmp_path):
    parent = tmp_path / "iscm-series"
    write_series_of_studies(parent)
    return parent


def _study_shown(window, qtbot) -> None:
    """Wait until the worklist's current study is the one in the viewers."""
    def shown():
        current = window.reading.worklist.current
        session = window.annotations.session
        return (current is not None and window.result is not None and session.study is not None
                and session.study.study_instance_uid == current
                and all(v.state is not None for v in window.grid.visible_viewports()))
    qtbot.waitUntil(shown, timeout=20000)


def _back_to_the_images(window, qtbot) -> None:
    """After a dialog closes, the window is active again and the image has the focus, as
    when the reader clicks back into it (the offscreen platform does not reactivate it)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.grid.viewports[0].setFocus()


class TestBlindedSeries:
    def test_three_studies_read_in_a_row_show_no_patient_data(self, qtbot, open_window, settings,
                                                               series_folder):
        """Blinded, three studies read from the worklist with Ctrl+Right: no name, ID or date on screen."""
        settings.setValue(READER_KEY, "Dr Reader")
        window = open_window([series_folder], wait=False)
        qtbot.waitUntil(lambda: len(window.reading.worklist) == 3, timeout=20000)
        _study_shown(window, qtbot)
        assert leaks(window), "the walk must see the patient data before blinding, or it proves nothing"
        qtbot.keyClick(window.grid.viewports[0], Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
        assert settings.value(BLINDED_KEY) == "true"
        read = []
        for number in range(3):
            _study_shown(window, qtbot)
            qtbot.waitUntil(lambda: not window.work.running(), timeout=20000)
            uid = window.reading.worklist.current
            read.append(uid)
            viewport = window.grid.viewports[0]
            qtbot.keyClick(viewport, Qt.Key.Key_N)
            qtbot.waitUntil(lambda uid=uid: window.reading.worklist.entry(uid).status.value == "in progress")
            qtbot.keyClick(viewport, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
            qtbot.waitUntil(lambda: window.reading.done_box.isVisible())
            box = window.reading.done_box
            assert "vertebral levels are not labelled" in box.text()
            assert leaks(window) == []
            anyway = next(b for b in box.buttons() if b.text() == "Mark done anyway")
            qtbot.mouseClick(anyway, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda uid=uid: window.reading.worklist.entry(uid).status.value == "done")
            _back_to_the_images(window, qtbot)
            assert window.reading.view.progress_label.text().startswith(f"{number + 1} of 3 done")
            assert window.windowTitle().startswith("Case ")
            assert leaks(window) == []
            qtbot.keyClick(viewport, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
        assert sorted(read) == sorted(uid for _, uid, *_ in PATIENTS)
        for folder, uid, _, patient_id, *_ in PATIENTS:
            saved = json.loads((series_folder / folder / f"spineviewer-{uid}.spineviewer.json").read_text())
            # The file keeps what the screen hides: the cohort tables group by PatientID.
            assert (saved["done"], saved["reader"], saved["patient_id"]) == (True, "Dr Reader", patient_id)

    def test_blinded_order_is_shuffled_reproducibly(self, qtbot, open_window, settings, series_folder):
        """The shuffled order is the seed's: a second window with the same settings reads alike."""
        settings.setValue(READER_KEY, "Dr Reader")
        window = open_window([series_folder], wait=False)
        qtbot.waitUntil(lambda: len(window.reading.worklist) == 3, timeout=20000)
        window.reading.shuffle_action.trigger()
        seed = window.reading.worklist.seed
        order = [e.uid for e in window.reading.worklist.entries()]
        assert f"seed {seed}" in window.reading.view.order_label.text()
        qtbot.waitUntil(lambda: not window.work.running(), timeout=20000)
        again = open_window([series_folder], wait=False)
        qtbot.waitUntil(lambda: len(again.reading.worklist) == 3, timeout=20000)
        assert again.reading.worklist.seed == seed
        assert [e.uid for e in again.reading.worklist.entries()] == order


class TestDoneCheck:
    def test_keep_reading_leaves_the_study_open(self, qtbot, open_window, settings, series_folder):
        """Ctrl+D on a study without levels lists what is missing; Keep reading marks nothing."""
        settings.setValue(READER_KEY, "Dr Reader")
        window = open_window([series_folder], wait=False)
        qtbot.waitUntil(lambda: len(window.reading.worklist) == 3, timeout=20000)
        _study_shown(window, qtbot)
        uid = window.reading.worklist.current
        qtbot.keyClick(window.grid.viewports[0], Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        box = window.reading.done_box
        qtbot.waitUntil(box.isVisible)
        assert "vertebral levels are not labelled" in box.text()
        qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "Keep reading"),
                         Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not box.isVisible())
        assert window.reading.worklist.entry(uid).status.value == "not started"
        assert window.annotations.session.study.done is False


class TestReaderName:
    def test_asked_once_and_written_to_the_files(self, qtbot, open_window, settings, series_folder):
        """The first series asks the reader's name; the next window knows it; edits carry it."""
        window = open_window([series_folder], wait=False)
        qtbot.waitUntil(lambda: getattr(window.reading, "reader_dialog", None) is not None
                        and window.reading.reader_dialog.isVisible(), timeout=20000)
        field = window.reading.reader_dialog.findChild(QLineEdit)
        qtbot.keyClicks(field, "Dr Reader")
        qtbot.keyClick(field, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: settings.value(READER_KEY) == "Dr Reader")
        _study_shown(window, qtbot)
        _back_to_the_images(window, qtbot)
        qtbot.keyClick(window.grid.viewports[0], Qt.Key.Key_N)
        qtbot.waitUntil(lambda: window.annotations.session.study.lesions != ())
        saved = json.loads(window.annotations.session.path.read_text())
        assert saved["reader"] == "Dr Reader"
        qtbot.waitUntil(lambda: not window.work.running(), timeout=20000)
        again = open_window([series_folder], wait=False)
        qtbot.waitUntil(lambda: len(again.reading.worklist) == 3, timeout=20000)
        assert getattr(again.reading, "reader_dialog", None) is None
