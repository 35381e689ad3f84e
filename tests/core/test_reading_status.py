"""The reading status of a study and the check before it is marked done."""

import json

import pytest

from spineviewer.core.annotation_codec import from_json, migrate, to_json
from spineviewer.core.annotations import (
    Caliper,
    Component,
    CordPath,
    Lesion,
    PatientFindings,
    StudyAnnotations,
)
from spineviewer.core.levels import Disc, VertebralLevels, parse_disc_name
from spineviewer.core.reading_status import (
    ReadingStatus,
    declare_missing_not_assessable,
    declare_not_assessable,
    mark_done,
    missing_extents,
    missing_for_done,
    reading_status,
)

ON = {"series_instance_uid": "1.2.3.1", "sop_instance_uid": "1.2.3.1.7"}
LEVELS = VertebralLevels((Disc(parse_disc_name("T9-T10"), (0.0, 20.0, 100.0)),
                          Disc(parse_disc_name("T10-T11"), (0.0, 20.0, 75.0))))


def _path(role, id_):
    return CordPath(vertices=[(0, 20, 95), (0, 20, 80)], role=role, id=id_, **ON)


def _si(id_):
    return Caliper(endpoints=[(0, 20, 95), (0, 20, 85)], role="si", id=id_, **ON)


class TestReadingStatus:
    def test_no_file_is_not_started(self):
        """A study without an annotation file has not been started."""
        assert reading_status(None) is ReadingStatus.NOT_STARTED

    def test_empty_file_is_not_started(self):
        """A file that records nothing is not a reading."""
        assert reading_status(StudyAnnotations.new("1.2.3", patient_id="P1")) is ReadingStatus.NOT_STARTED

    @pytest.mark.parametrize("values", [{"levels": LEVELS}, {"lesions": (Lesion(1),)},
                                        {"patient": PatientFindings(sex="F")}])
    def test_anything_recorded_is_in_progress(self, values):
        """Levels, a lesion or a patient finding make the study in progress."""
        assert reading_status(StudyAnnotations("1.2.3", **values)) is ReadingStatus.IN_PROGRESS

    def test_done_is_the_explicit_mark(self):
        """Done only when marked, even with nothing recorded."""
        assert reading_status(mark_done(StudyAnnotations("1.2.3"))) is ReadingStatus.DONE
        assert reading_status(mark_done(mark_done(StudyAnnotations("1.2.3")), False)) is ReadingStatus.NOT_STARTED


class TestMissingForDone:
    def test_unlabelled_levels_flagged(self):
        assert missing_for_done(StudyAnnotations("1.2.3")) == [
            "the vertebral levels are not labelled (mark and name the discs: L)"]

    def test_levels_and_no_lesion_is_complete(self):
        """A study without lesion needs only its levels."""
        assert missing_for_done(StudyAnnotations("1.2.3", levels=LEVELS)) == []

    def test_lesion_without_extents_flagged_by_number(self):
        study = StudyAnnotations("1.2.3", levels=LEVELS, lesions=(Lesion(1, (_path("t2", "a"),)), Lesion(2)))
        assert missing_for_done(study) == [
            "Lesion 1 has no enhancing extent (draw it, or declare it not assessable)",
            "Lesion 2 has no enhancing extent and no T2 extent (draw it, or declare it not assessable)"]

    def test_si_caliper_is_an_enhancing_extent(self):
        """The metrics take the SI caliper when no enhancement path is drawn; so does the check."""
        lesion = Lesion(1, (_si("a"), _path("t2", "b")))
        assert missing_extents(lesion) == ()

    def test_t2_needs_its_own_path(self):
        """An enhancement path is not a T2 extent."""
        assert missing_extents(Lesion(1, (_path("enhancement", "a"),))) == (Component.T2,)

    def test_declared_not_assessable_satisfies_the_check(self):
        study = StudyAnnotations("1.2.3", levels=LEVELS, lesions=(Lesion(1, (_si("a"),)),))
        declared = declare_not_assessable(study, 1, [Component.T2])
        assert missing_for_done(declared) == []
        assert declared.lesion(1).not_assessable == (Component.T2,)

    def test_declare_missing_leaves_drawn_extents_alone(self):
        study = StudyAnnotations("1.2.3", levels=LEVELS,
                                 lesions=(Lesion(1, (_si("a"),)), Lesion(2, (_path("t2", "b"),))))
        declared = declare_missing_not_assessable(study)
        assert [lesion.not_assessable for lesion in declared.lesions] == [
            (Component.T2,), (Component.ENHANCEMENT,)]

    def test_unknown_lesion_refused(self):
        with pytest.raises(KeyError):
            declare_not_assessable(StudyAnnotations("1.2.3"), 4, [Component.T2])


class TestFileFields:
    def test_done_and_not_assessable_round_trip(self):
        """Both fields are written and read back."""
        study = StudyAnnotations("1.2.3", done=True, lesions=(Lesion(1, not_assessable=("t2", "enhancement")),))
        value = to_json(study)
        assert value["done"] is True
        assert value["lesions"][0]["not_assessable"] == ["enhancement", "t2"]
        assert from_json(value) == study

    def test_version_1_file_is_not_done(self):
        """The migration from version 1 fills the reading status: not done, nothing declared."""
        value = to_json(StudyAnnotations("1.2.3", lesions=(Lesion(1),)))
        del value["done"], value["segment_rule"], value["lesions"][0]["not_assessable"]
        value["schema_version"] = 1
        migrated, version = migrate(value)
        study = from_json(migrated)
        assert (version, study.done, study.lesions[0].not_assessable) == (1, False, ())

    def test_unknown_extent_refused(self):
        with pytest.raises(ValueError, match="not_assessable"):
            Lesion(1, not_assessable=("volume",))

    def test_done_must_be_a_boolean(self):
        with pytest.raises(ValueError, match="done"):
            StudyAnnotations("1.2.3", done="yes")


class TestReaderRecorded:
    def _document(self, tmp_path, study):
        from spineviewer.core.document import AnnotationDocument

        return AnnotationDocument(tmp_path, study, path=tmp_path / "a.json", keyed_path=tmp_path / "k.json")

    def test_first_change_records_the_reader(self, tmp_path):
        """A document that knows its reader writes the name into a file that names nobody."""
        document = self._document(tmp_path, StudyAnnotations("1.2.3"))
        document.reader = "Dr Reader"
        document.apply(mark_done, label="mark the study done")
        assert document.study.reader == "Dr Reader"
        assert from_json(json.loads((tmp_path / "a.json").read_text())).reader == "Dr Reader"

    def test_another_readers_name_is_kept(self, tmp_path):
        """Opening another reader's file does not sign it over."""
        document = self._document(tmp_path, StudyAnnotations("1.2.3", reader="Dr First"))
        document.reader = "Dr Second"
        document.apply(mark_done, label="mark the study done")
        assert document.study.reader == "Dr First"
