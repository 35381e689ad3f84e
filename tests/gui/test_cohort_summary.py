"""File > Cohort summary…: folders asked with the file dialog, the work in the background, the
status bar saying where the tables are."""

from __future__ import annotations

import json

import pytest

from spineviewer.gui.shell.main_window import MainWindow
from tests.cohort.published import write_published_cohort
from spineviewer.core.annotation_file import annotation_file_name, read_annotations, save_annotations
from tests.conftest import SAMPLES

DIALOG = "spineviewer.gui.shell.cohort_summary.QFileDialog.getExistingDirectory"


@pytest.fixture
def window(qtbot, settings):
    win = MainWindow(settings)
    qtbot.addWidget(win)
    return win


@pytest.fixture
def studies(tmp_path):
    """The sample studies' answer keys saved as readings, in a parent folder (no images)."""
    folder = tmp_path / "studies"
    for case in sorted(SAMPLES.glob("case*")):
        study, _ = read_annotations(case / "reference-annotations.json")
        save_annotations(study, folder / case.name / annotation_file_name(study.study_instance_uid))
    if not any(folder.glob("*")):
        pytest.skip("no sample studies in sample_dicom/")
    return folder


def answers(monkeypatch, *folders) -> None:
    replies = iter(str(folder) for folder in folders)
    monkeypatch.setattr(DIALOG, lambda *args, **kwargs: next(replies))


def test_menu_entry_writes_the_tables(window, qtbot, monkeypatch, studies, tmp_path):
    """Studies' folder, then tables' folder: the tables are written and the status bar says where."""
    out = tmp_path / "tables"
    answers(monkeypatch, studies, out)
    entry = next(a for a in window.menuBar().actions()[0].menu().actions()
                 if a.text() == "Cohort &summary…")
    entry.trigger()
    qtbot.waitUntil(lambda: not window.work.running(), timeout=60000)
    qtbot.waitUntil(lambda: "written" in window.statusBar().currentMessage(), timeout=10000)
    assert window.statusBar().currentMessage() == (
        f"Cohort tables written to {out / 'tables.html'} (2 patients, 5 lesions)")
    assert json.loads((out / "summary.json").read_text())["n_lesions"] == 5


def test_cancelled_dialog_does_nothing(window, monkeypatch, tmp_path):
    """Cancelling the first dialog starts no work."""
    monkeypatch.setattr(DIALOG, lambda *args, **kwargs: "")
    window.cohort_summary.ask()
    assert not window.work.running() and not any(tmp_path.glob("*/summary.json"))


def test_several_readers_asks_whose(window, qtbot, monkeypatch, tmp_path):
    """Two readers' CSVs: the reader is asked for, and the chosen one's rows are counted."""
    lesions, patients = write_published_cohort(tmp_path / "in")
    other = write_published_cohort(tmp_path / "other", reader="B")
    asked = []

    def choose(parent, title, label, items, *args):
        asked.append(list(items))
        return "B", True

    monkeypatch.setattr("spineviewer.gui.shell.cohort_summary.QInputDialog.getItem", choose)
    out = tmp_path / "out"
    window.cohort_summary.run([str(lesions), str(patients), *map(str, other)], str(out))
    qtbot.waitUntil(lambda: "written" in window.statusBar().currentMessage(), timeout=60000)
    assert asked == [["consensus", "B"]]
    # the consensus reader's two files are left out, each named under the tables
    assert window.statusBar().currentMessage().endswith(
        "(49 patients, 70 lesions, 2 problems listed under the tables)")


def test_failure_is_a_sentence(window, qtbot, tmp_path):
    """A folder without annotations: the status bar says why, no dialog, no traceback."""
    window.cohort_summary.run([str(tmp_path / "empty")], str(tmp_path / "out"))
    qtbot.waitUntil(lambda: "could not be made" in window.statusBar().currentMessage(), timeout=60000)
    assert "no lesion or patient rows" in window.statusBar().currentMessage()
