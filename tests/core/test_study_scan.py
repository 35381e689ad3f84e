"""Scanning a folder of many studies unit by unit, and the worklist built from it."""

from pathlib import Path

from spineviewer.core.annotation_file import annotation_path_for, save_annotations
from spineviewer.core.annotations import Lesion, StudyAnnotations
from spineviewer.core.loader import load_study
from spineviewer.core.reading_status import ReadingStatus
from spineviewer.core.study_scan import reading_units, scan_studies
from spineviewer.core.worklist import Worklist, entry_for
from tests.conftest import write_series

UIDS = ["1.2.826.0.1.3680043.8.498.61", "1.2.826.0.1.3680043.8.498.62", "1.2.826.0.1.3680043.8.498.63"]


def _series_folder(parent):
    for k, uid in enumerate(UIDS):
        write_series(parent / f"study{k}" / "ax", n=3, study_uid=uid,
                     extra={"PatientName": f"P^{k}", "PatientID": f"ID{k}", "StudyDate": f"2020010{k + 1}"})
    return parent


class TestReadingUnits:
    def test_subfolders_and_loose_files(self, tmp_path):
        (tmp_path / "b").mkdir()
        (tmp_path / "a").mkdir()
        (tmp_path / "x.dcm").write_bytes(b"")
        (tmp_path / "c.zip").write_bytes(b"")
        (tmp_path / ".hidden").mkdir()
        assert reading_units([tmp_path]) == [[str(tmp_path / "x.dcm")], [str(tmp_path / "a")],
                                             [str(tmp_path / "b")], [str(tmp_path / "c.zip")]]

    def test_own_companion_files_are_neither_images_nor_problems(self, tmp_path):
        """The ground truth, the answer key and annotation files beside the images are left
        out of the units, so opening a sample study reports no problem."""
        write_series(tmp_path, n=2, study_uid=UIDS[0])
        for name in ("ground-truth.json", "reference-annotations.json", "a.spineviewer.json",
                     "Thumbs.db"):
            (tmp_path / name).write_text("{}")
        units = reading_units([tmp_path])
        assert [Path(p).name for p in units[0]] == ["IM0000", "IM0001"]
        whole, _ = scan_studies([tmp_path])
        assert whole.all_problems() == []

    def test_dicomdir_folder_is_one_unit(self, tmp_path):
        (tmp_path / "DICOMDIR").write_bytes(b"")
        (tmp_path / "a").mkdir()
        assert reading_units([tmp_path]) == [[str(tmp_path)]]


class TestScanStudies:
    def test_each_study_reported_after_its_folder(self, tmp_path):
        """Studies arrive one folder at a time, the first two together once there are two."""
        parent = _series_folder(tmp_path / "series")
        reports = []
        _, studies = scan_studies([parent], on_studies=lambda found: reports.append([s.uid for s in found]))
        assert reports == [UIDS[:2], UIDS[2:]]
        assert [s.uid for s in studies] == UIDS
        assert [s.folder for s in studies] == [parent / f"study{k}" for k in range(3)]
        assert [len(s.result.patients) for s in studies] == [1, 1, 1]

    def test_whole_result_as_load_study(self, tmp_path):
        parent = _series_folder(tmp_path / "series")
        whole, _ = scan_studies([parent])
        expected = load_study([parent])
        assert [(p.id, [s.uid for s in p.studies]) for p in whole.patients] == \
               [(p.id, [s.uid for s in p.studies]) for p in expected.patients]

    def test_one_study_in_series_folders_is_not_a_series(self, tmp_path):
        """The series folders of one study give no report: it opens as one study."""
        for name in ("sag", "ax"):
            write_series(tmp_path / "study" / name, n=3, study_uid=UIDS[0])
        reports = []
        _, studies = scan_studies([tmp_path / "study"], on_studies=reports.append)
        assert reports == []
        assert [s.folder for s in studies] == [(tmp_path / "study").resolve()]
        assert len(studies[0].study.series) == 2


class TestWorklist:
    def test_status_read_from_the_annotation_files(self, tmp_path, user_data):
        """The worklist's state is the annotation files' state: a copied folder keeps it."""
        parent = _series_folder(tmp_path / "series")
        save_annotations(StudyAnnotations(UIDS[1], lesions=(Lesion(1), Lesion(2)), done=True),
                         annotation_path_for(parent / "study1", UIDS[1]))
        save_annotations(StudyAnnotations(UIDS[2], lesions=(Lesion(1),)),
                         annotation_path_for(parent / "study2", UIDS[2]))
        _, studies = scan_studies([parent])
        worklist = Worklist()
        worklist.add([(s, entry_for(s)) for s in studies])
        entries = worklist.entries()
        assert [e.status for e in entries] == [ReadingStatus.NOT_STARTED, ReadingStatus.DONE,
                                               ReadingStatus.IN_PROGRESS]
        assert [e.n_lesions for e in entries] == [0, 2, 1]
        assert [e.patient_id for e in entries] == ["ID0", "ID1", "ID2"]
        assert worklist.progress() == "1 of 3 done, 1 in progress"

    def test_next_and_previous(self, tmp_path):
        _, studies = scan_studies([_series_folder(tmp_path / "series")])
        worklist = Worklist()
        worklist.add([(s, entry_for(s)) for s in studies])
        assert worklist.neighbour(1) == UIDS[0]
        worklist.set_current(UIDS[1])
        assert (worklist.neighbour(-1), worklist.neighbour(1)) == (UIDS[0], UIDS[2])
        worklist.set_current(UIDS[2])
        assert worklist.neighbour(1) is None

    def test_follows_the_open_study(self, tmp_path):
        _, studies = scan_studies([_series_folder(tmp_path / "series")])
        worklist = Worklist()
        worklist.add([(s, entry_for(s)) for s in studies])
        changes = []
        worklist.changed.connect(lambda: changes.append(1))
        worklist.follow(StudyAnnotations(UIDS[0], done=True))
        assert worklist.entry(UIDS[0]).status is ReadingStatus.DONE and changes == [1]

    def test_resumes_at_the_first_study_not_done(self, tmp_path, user_data):
        """Reopening a series half read starts where the reader stopped."""
        parent = _series_folder(tmp_path / "series")
        save_annotations(StudyAnnotations(UIDS[0], done=True), annotation_path_for(parent / "study0", UIDS[0]))
        _, studies = scan_studies([parent])
        worklist = Worklist()
        assert worklist.first_unfinished() is None
        worklist.add([(s, entry_for(s)) for s in studies])
        assert worklist.first_unfinished() == UIDS[1]
