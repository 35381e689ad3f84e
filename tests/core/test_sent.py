"""The record of objects sent to a PACS: the value, its file layout, its migration, and a
document that keeps it through undo and redo."""

import json

import pytest

from spineviewer.core.annotation_codec import FormatError, from_json, migrate, to_json
from spineviewer.core.annotation_file import load_annotations, read_annotations, save_annotations
from spineviewer.core.annotation_schema import validate
from spineviewer.core.annotations import SCHEMA_VERSION, Sent, SentObject, StudyAnnotations
from spineviewer.core.document import AnnotationDocument
from spineviewer.core.edits import add_disc, record_sent
from spineviewer.core.loader import load_study
from spineviewer.core.sent import MAX_SENT
from tests.conftest import write_series

UID = "1.2.826.0.1.3680043.8.498.93"
WHEN = "2026-03-02T10:15:00+00:00"


def _sent(**values) -> Sent:
    fields = dict(what="sr", node="Orthanc", address="http://127.0.0.1:8042/dicom-web", time=WHEN,
                  study_instance_uid=UID, instances=1)
    fields.update(values)
    return Sent(**fields)


class TestSent:
    def test_kind_is_the_vocabulary(self):
        """The kind is read from its word; anything else is refused, naming the words."""
        assert _sent(what="seg").what is SentObject.SEG
        with pytest.raises(ValueError, match="sr.*seg.*anonymized"):
            _sent(what="pdf")

    @pytest.mark.parametrize("change, reason", [
        ({"node": ""}, "node"), ({"address": " "}, "address"), ({"time": "yesterday"}, "ISO 8601"),
        ({"instances": 0}, "instances"), ({"instances": True}, "instances"),
        ({"study_instance_uid": None}, "study_instance_uid")])
    def test_bad_values_refused(self, change, reason):
        """Empty names, a time that is not a timestamp, no object accepted: refused."""
        with pytest.raises(ValueError, match=reason):
            _sent(**change)

    def test_record_appends_and_keeps_the_latest(self):
        """``record_sent`` adds the newest last and drops the oldest beyond the limit."""
        study = StudyAnnotations.new(UID)
        for n in range(MAX_SENT + 3):
            study = record_sent(study, _sent(instances=n + 1))
        assert len(study.sent) == MAX_SENT
        assert study.sent[0].instances == 4 and study.sent[-1].instances == MAX_SENT + 3


class TestLayout:
    def test_round_trip_through_a_file(self, tmp_path):
        """Saved and read again, the records are the same, in the same order."""
        study = StudyAnnotations.new(UID, sent=(_sent(), _sent(what="anonymized", node="Teaching",
                                                               study_instance_uid="2.25.7", instances=21)))
        path = save_annotations(study, tmp_path / "a.json")
        value = json.loads(path.read_text())
        assert value["sent"][1] == {"what": "anonymized", "node": "Teaching",
                                    "address": "http://127.0.0.1:8042/dicom-web", "time": WHEN,
                                    "study_instance_uid": "2.25.7", "instances": 21}
        assert read_annotations(path)[0] == study

    @pytest.mark.parametrize("change, where", [
        ({"what": "pdf"}, "sent[0].what"), ({"instances": "1"}, "sent[0].instances"),
        ({"extra": 1}, "sent[0]")])
    def test_schema_names_the_place(self, change, where):
        """A wrong record is refused by the schema at its place."""
        value = to_json(StudyAnnotations.new(UID, sent=(_sent(),)))
        value["sent"][0].update(change)
        with pytest.raises(FormatError, match=rf"^{where.replace('[', '.').replace(']', '.')}"):
            validate(value)

    def test_missing_key_refused_by_the_codec(self):
        """Decoding without the schema still refuses a record missing a key."""
        value = to_json(StudyAnnotations.new(UID, sent=(_sent(),)))
        del value["sent"][0]["address"]
        with pytest.raises(FormatError, match="sent.0.: missing address"):
            from_json(value)

    def test_version_2_file_reads_with_nothing_sent(self, tmp_path):
        """A version 2 file (before the record existed) opens with an empty record."""
        value = to_json(StudyAnnotations.new(UID, reader="JBR"))
        del value["sent"]
        value["schema_version"] = 2
        migrated, version = migrate(json.loads(json.dumps(value)))
        assert version == 2 and migrated["schema_version"] == SCHEMA_VERSION and migrated["sent"] == []
        path = tmp_path / "old.json"
        path.write_text(json.dumps(value))
        loaded = load_annotations(path)
        assert loaded.migrated_from == 2 and loaded.study.sent == () and loaded.study.reader == "JBR"


class TestDocument:
    @pytest.fixture
    def document(self, tmp_path):
        write_series(tmp_path / "study", n=2, study_uid=UID)
        result = load_study(tmp_path / "study")
        patient = result.patients[0]
        return AnnotationDocument.open(tmp_path / "study", patient.studies[0], patient)

    def test_recorded_saved_and_kept_through_undo(self, document):
        """The record is saved at once, makes no undo step, and survives undo and redo."""
        document.apply(add_disc, (0.0, -50.0, 90.0), name="T9-T10", label="mark disc")
        document.record_sent(_sent())
        assert read_annotations(document.path)[0].sent == (_sent(),)
        assert document.history.labels == ["mark disc"]
        document.undo()
        assert document.study.levels is None and document.study.sent == (_sent(),)
        assert read_annotations(document.path)[0].sent == (_sent(),)
        document.redo()
        assert document.study.levels is not None and document.study.sent == (_sent(),)
