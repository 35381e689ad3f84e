"""The annotation document without Qt: edit, undo, redo, autosave, reopen, the copy keyed by
StudyInstanceUID, the answer key."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from spineviewer.core.annotation_codec import to_json
from spineviewer.core.annotation_file import (
    ANSWER_KEY_NAME,
    annotation_file_name,
    keyed_annotation_path,
    save_annotations,
)
from spineviewer.core.annotations import Caliper, StudyAnnotations
from spineviewer.core.document import AnnotationDocument
from spineviewer.core.edits import add_disc, set_patient_findings
from spineviewer.core.findings import PatientFindings
from spineviewer.core.loader import load_study
from tests.conftest import REPO, write_series

STUDY_UID = "1.2.826.0.1.3680043.8.498.91"


@pytest.fixture
def folder(tmp_path):
    """A two-slice study in its own folder."""
    write_series(tmp_path / "study", n=2, study_uid=STUDY_UID)
    return tmp_path / "study"


def _open(folder) -> AnnotationDocument:
    result = load_study(folder)
    patient = result.patients[0]
    return AnnotationDocument.open(folder, patient.studies[0], patient)


def _on_disk(path) -> dict:
    return json.loads(path.read_text())


def _discs(value: dict) -> list[str]:
    return [d["name"] for d in (value["levels"] or {"discs": []})["discs"]]


def _caliper() -> Caliper:
    return Caliper(endpoints=[(0.0, 0.0, 10.0), (0.0, 0.0, 30.0)], role="si",
                   series_instance_uid="1.2.3", sop_instance_uid="1.2.3.1")


class TestOpen:
    def test_new_annotations_from_the_study(self, folder):
        """A study without a file starts empty, with its UID, PatientID and StudyDate."""
        document = _open(folder)
        assert document.study.study_instance_uid == STUDY_UID
        assert document.study.patient_id == "TEST001" and document.study.lesions == ()
        assert document.path == folder / annotation_file_name(STUDY_UID)
        assert document.open_message == "" and document.put_aside is None

    def test_opening_writes_nothing(self, folder, user_data):
        """Neither the study folder nor the user data folder gets a file by opening."""
        before = sorted(p.name for p in folder.iterdir())
        _open(folder)
        assert sorted(p.name for p in folder.iterdir()) == before
        assert not user_data.exists()


class TestAutosave:
    def test_edit_is_saved_beside_the_study_and_keyed(self, folder):
        """After an edit the study's file and the keyed copy both hold it."""
        document = _open(folder)
        assert document.apply(add_disc, (0.0, -50.0, 90.0), name="T9-T10", label="mark disc")
        assert _discs(_on_disk(document.path)) == ["T9-T10"]
        assert document.keyed_path == keyed_annotation_path(STUDY_UID)
        assert _on_disk(document.keyed_path) == _on_disk(document.path)

    def test_undo_and_redo_are_saved(self, folder):
        """Undo takes the edit back on disk, redo puts it there again."""
        document = _open(folder)
        document.apply(add_disc, (0.0, -50.0, 90.0), name="T9-T10", label="mark disc")
        document.apply(add_disc, (0.0, -50.0, 80.0), label="mark disc")
        document.undo()
        assert _discs(_on_disk(document.path)) == ["T9-T10"]
        assert _discs(_on_disk(document.keyed_path)) == ["T9-T10"]
        document.redo()
        assert _discs(_on_disk(document.path)) == ["T9-T10", "T10-T11"]
        assert document.history.undo_label == "mark disc"

    def test_refused_edit_changes_nothing(self, folder):
        """An invalid edit returns False, says why, and writes nothing."""
        document, said = _open(folder), []
        document.message.connect(said.append)
        assert not document.apply(add_disc, (0.0, -50.0, 90.0), name="X9-X10", label="mark disc")
        assert said and said[0].startswith("Cannot mark disc:")
        assert not document.path.exists() and document.history.labels == []

    def test_changed_after_each_save(self, folder):
        """Observers are told after the file is written, once per edit, undo and redo."""
        document, seen = _open(folder), []
        document.changed.connect(lambda: seen.append(_discs(_on_disk(document.path))))
        document.apply(add_disc, (0.0, -50.0, 90.0), name="T9-T10", label="mark disc")
        document.undo()
        document.undo()  # nothing left to undo: no notification
        document.redo()
        assert seen == [["T9-T10"], [], ["T9-T10"]]

    def test_merged_edits_are_one_undo_step(self, folder):
        """Edits with the same merge key (typing into one field) undo together."""
        document = _open(folder)
        for notes in ("a", "ab", "abc"):
            document.apply(set_patient_findings, PatientFindings(notes=notes), label="set notes",
                           merge_key="notes")
        assert document.history.labels == ["set notes"]
        document.undo()
        assert _on_disk(document.path)["patient"]["notes"] == ""

    def test_the_copy_is_kept_when_the_study_file_cannot_be_written(self, folder, tmp_path):
        """A study file that cannot be written is reported; the keyed copy still holds the edit."""
        blocked = tmp_path / "not-a-folder"
        blocked.write_text("")
        document = AnnotationDocument(folder, StudyAnnotations(STUDY_UID),
                                      path=blocked / "a.json", keyed_path=tmp_path / "copy.json")
        said = []
        document.message.connect(said.append)
        document.apply(add_disc, (0.0, -50.0, 90.0), name="T9-T10", label="mark disc")
        assert len(said) == 1 and "could not be saved to" in said[0]
        assert _discs(_on_disk(tmp_path / "copy.json")) == ["T9-T10"]

    def test_a_copy_that_cannot_be_written_is_reported(self, folder, tmp_path):
        """The study's file is saved; the reader is told where the keyed copy failed."""
        blocked = tmp_path / "not-a-folder"
        blocked.write_text("")
        document = AnnotationDocument(folder, StudyAnnotations(STUDY_UID),
                                      path=tmp_path / "own.json", keyed_path=blocked / "copy.json")
        said = []
        document.message.connect(said.append)
        document.apply(add_disc, (0.0, -50.0, 90.0), name="T9-T10", label="mark disc")
        assert len(said) == 1 and "copy could not be written" in said[0]
        assert _discs(_on_disk(tmp_path / "own.json")) == ["T9-T10"]


class TestLesions:
    def test_first_drawing_creates_lesion_1(self, folder):
        """A drawing with no lesion yet goes to a new Lesion 1, which becomes current."""
        document = _open(folder)
        assert document.current_lesion_id is None
        document.add_to_lesion(_caliper(), label="add SI caliper")
        assert [lesion.lesion_id for lesion in document.study.lesions] == [1]
        assert document.current_lesion_id == 1

    def test_new_lesion_takes_the_next_drawing(self, folder):
        """After New lesion, drawings go to lesion 2; choosing lesion 1 sends them back."""
        document = _open(folder)
        document.add_to_lesion(_caliper(), label="add")
        assert document.new_lesion() == 2
        document.add_to_lesion(_caliper(), label="add")
        document.set_current_lesion(1)
        document.add_to_lesion(_caliper(), label="add")
        assert [len(lesion.annotations) for lesion in document.study.lesions] == [2, 1]


class TestReopen:
    def test_reopening_restores_everything(self, folder):
        """A second document on the same study holds exactly what the first saved."""
        document = _open(folder)
        document.apply(add_disc, (0.0, -50.0, 90.0), name="T9-T10", label="mark disc")
        document.add_to_lesion(_caliper(), label="add SI caliper")
        again = _open(folder)
        assert to_json(again.study) == to_json(document.study)
        assert again.current_lesion_id == 1 and not again.history.can_undo

    def test_a_copy_of_the_folder_finds_the_annotations(self, folder, tmp_path):
        """The DICOM files copied elsewhere (without the annotation file) open with the
        annotations, through the copy keyed by StudyInstanceUID; edits then go beside the copy."""
        document = _open(folder)
        document.apply(add_disc, (0.0, -50.0, 90.0), name="T9-T10", label="mark disc")
        elsewhere = tmp_path / "from-pacs"
        shutil.copytree(folder, elsewhere, ignore=shutil.ignore_patterns("spineviewer-*"))
        copy = _open(elsewhere)
        assert to_json(copy.study) == to_json(document.study)
        assert copy.path == elsewhere / annotation_file_name(STUDY_UID)
        copy.apply(add_disc, (0.0, -50.0, 80.0), label="mark disc")
        assert _discs(_on_disk(copy.path)) == ["T9-T10", "T10-T11"]
        assert _discs(_on_disk(document.path)) == ["T9-T10"]

    def test_the_later_of_the_study_file_and_the_keyed_copy_opens(self, folder):
        """The study's own file opens when it is the later one; a keyed copy saved after it
        (another copy of the study, or a save beside the study that failed) opens instead,
        with a message, and is not written over by older work."""
        beside, keyed = folder / annotation_file_name(STUDY_UID), keyed_annotation_path(STUDY_UID)
        save_annotations(StudyAnnotations(STUDY_UID, reader="elsewhere", modified="2026-01-01T10:00:00Z"), keyed)
        save_annotations(StudyAnnotations(STUDY_UID, reader="beside", modified="2026-01-02T10:00:00Z"), beside)
        assert _open(folder).study.reader == "beside"
        save_annotations(StudyAnnotations(STUDY_UID, reader="elsewhere", modified="2026-01-03T10:00:00Z"), keyed)
        document = _open(folder)
        assert document.study.reader == "elsewhere" and str(keyed) in document.open_message
        document.apply(add_disc, (0.0, -50.0, 90.0), name="T9-T10", label="mark disc")
        assert _on_disk(beside)["reader"] == _on_disk(keyed)["reader"] == "elsewhere"

    def test_work_saved_only_to_the_keyed_copy_survives_reopening(self, folder, monkeypatch):
        """When saving beside the study fails, the keyed copy holds the work, and reopening
        opens it rather than the older file beside the study."""
        document = _open(folder)
        document.apply(add_disc, (0.0, -50.0, 90.0), name="T9-T10", label="mark disc")
        beside = folder / annotation_file_name(STUDY_UID)
        real_save = save_annotations

        def full_disk(study, path):
            if Path(path) == beside:
                raise OSError(28, "No space left on device")
            return real_save(study, path)

        with monkeypatch.context() as patch:
            patch.setattr("spineviewer.core.document.save_annotations", full_disk)
            document.apply(add_disc, (0.0, -50.0, 65.0), label="mark disc")
        assert _discs(_on_disk(beside)) == ["T9-T10"]
        assert [d.name for d in _open(folder).study.levels.discs] == ["T9-T10", "T10-T11"]

    def test_unreadable_keyed_copy_is_put_aside_not_overwritten(self, folder):
        """A damaged keyed copy is renamed when the study opens; the next save writes a new one."""
        keyed = keyed_annotation_path(STUDY_UID)
        keyed.parent.mkdir(parents=True)
        keyed.write_text("{ not JSON")
        save_annotations(StudyAnnotations(STUDY_UID), folder / annotation_file_name(STUDY_UID))
        document = _open(folder)
        aside = list(keyed.parent.glob(keyed.name + ".unreadable-*"))
        assert len(aside) == 1 and aside[0].read_text() == "{ not JSON"
        assert document.put_aside == aside[0] and aside[0].name in document.open_message
        document.apply(add_disc, (0.0, -50.0, 90.0), name="T9-T10", label="mark disc")
        assert _discs(_on_disk(keyed)) == ["T9-T10"]

    def test_unreadable_study_file_starts_empty(self, folder):
        """A damaged file beside the study is put aside and the document starts empty."""
        path = folder / annotation_file_name(STUDY_UID)
        path.write_text("[]")
        document = _open(folder)
        assert document.study.levels is None and document.put_aside is not None
        assert "starts without annotations" in document.open_message


    def test_another_studys_file_is_put_aside_not_overwritten(self, folder):
        """A file at the study's name holding another study's annotations is kept aside at
        opening; the first change writes the study's own file, the other is untouched."""
        path = folder / annotation_file_name(STUDY_UID)
        save_annotations(StudyAnnotations("9.9", reader="other"), path)
        before = path.read_bytes()
        document = _open(folder)
        assert document.study.study_instance_uid == STUDY_UID and document.study.reader == ""
        assert document.put_aside.read_bytes() == before and "annotates study 9.9" in document.open_message
        document.apply(add_disc, (0.0, -50.0, 90.0), name="T9-T10", label="mark disc")
        assert _on_disk(path)["study_instance_uid"] == STUDY_UID
        assert document.put_aside.read_bytes() == before

    @pytest.mark.filterwarnings("ignore:Invalid value for VR UI")
    def test_uids_differing_in_replaced_characters_do_not_share_a_file(self, tmp_path):
        """Studies 1.2.3.4+5 and 1.2.3.4*5 keep their own annotations, beside them and keyed."""
        documents = []
        for k, uid in enumerate(("1.2.3.4+5", "1.2.3.4*5")):
            write_series(tmp_path / "both", n=2, study_uid=uid, prefix=f"S{k}")
        result = load_study(tmp_path / "both")
        studies = {s.uid: (p, s) for p in result.patients for s in p.studies}
        for uid, name in (("1.2.3.4+5", "T9-T10"), ("1.2.3.4*5", "T11-T12")):
            patient, study = studies[uid]
            document = AnnotationDocument.open(tmp_path / "both", study, patient)
            document.apply(add_disc, (0.0, -50.0, 90.0), name=name, label="mark disc")
            documents.append(document)
        assert len({d.path for d in documents} | {d.keyed_path for d in documents}) == 4
        for uid, name in (("1.2.3.4+5", "T9-T10"), ("1.2.3.4*5", "T11-T12")):
            patient, study = studies[uid]
            reopened = AnnotationDocument.open(tmp_path / "both", study, patient)
            assert reopened.study.study_instance_uid == uid and _discs(to_json(reopened.study)) == [name]

    @pytest.mark.filterwarnings("ignore:Invalid value for VR UI")
    def test_a_file_of_the_old_name_is_read_only_for_its_own_study(self, tmp_path):
        """A file saved under the name older versions gave 1.2.3.4+5 is opened for that study,
        and not for 1.2.3.4*5, whose old name was the same."""
        for k, uid in enumerate(("1.2.3.4+5", "1.2.3.4*5")):
            write_series(tmp_path / "both", n=2, study_uid=uid, prefix=f"S{k}")
        old = tmp_path / "both" / "spineviewer-1.2.3.4_5.spineviewer.json"
        save_annotations(StudyAnnotations("1.2.3.4+5", reader="plus"), old)
        result = load_study(tmp_path / "both")
        readers = {s.uid: AnnotationDocument.open(tmp_path / "both", s, p).study.reader
                   for p in result.patients for s in p.studies}
        assert readers == {"1.2.3.4+5": "plus", "1.2.3.4*5": ""} and old.is_file()


class TestAnswerKey:
    def test_shown_read_only(self, folder):
        """The answer key is read into ``reference``, never moved; hiding it forgets it."""
        save_annotations(StudyAnnotations(STUDY_UID, reader="teacher"), folder / ANSWER_KEY_NAME)
        before = (folder / ANSWER_KEY_NAME).read_bytes()
        document = _open(folder)
        assert "Answer key shown" in document.load_answer_key()
        assert document.reference.reader == "teacher" and document.study.reader == ""
        document.hide_answer_key()
        assert document.reference is None
        assert (folder / ANSWER_KEY_NAME).read_bytes() == before

    def test_missing_or_of_another_study(self, folder):
        """No key, or a key of another study, is said and nothing is shown."""
        document = _open(folder)
        assert "has no answer key" in document.load_answer_key()
        save_annotations(StudyAnnotations("9.9.9"), folder / ANSWER_KEY_NAME)
        assert "belongs to another study" in document.load_answer_key()
        assert document.reference is None


_WITHOUT_QT = """
import sys, importlib.abc
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'PyQt6', 'PyQt5', 'PySide6', 'PySide2', 'pyqtgraph', 'qtpy'}:
            raise ImportError('Qt is not allowed here: ' + name)
sys.meta_path.insert(0, Block())
from spineviewer.core.document import AnnotationDocument
from spineviewer.core.edits import add_disc
from spineviewer.core.loader import load_study
folder = sys.argv[1]
patient = load_study(folder).patients[0]
document = AnnotationDocument.open(folder, patient.studies[0], patient)
document.apply(add_disc, (0.0, -50.0, 90.0), name='T9-T10', label='mark disc')
print(document.path)
"""


def test_a_batch_job_edits_and_saves_without_qt(folder):
    """With every Qt binding blocked, a script opens the study, edits, and the file is saved."""
    run = subprocess.run([sys.executable, "-c", _WITHOUT_QT, str(folder)], capture_output=True,
                         text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert _discs(_on_disk(folder / annotation_file_name(STUDY_UID))) == ["T9-T10"]
