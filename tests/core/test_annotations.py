"""Lesions and study annotations: construction and their checks."""

import datetime as dt

import pytest

from spineviewer.core.annotations import (
    SCHEMA_VERSION, Caliper, Lesion, LesionFindings, StudyAnnotations, timestamp,
)

ON = {"series_instance_uid": "1.2.3.1", "sop_instance_uid": "1.2.3.1.7"}


def _caliper(id_):
    return Caliper(endpoints=[(0, 0, 0), (0, 0, 10)], role="si", id=id_, **ON)


class TestLesion:
    @pytest.mark.parametrize("bad", [0, -1, 1.5, True, "1"])
    def test_id_is_a_positive_whole_number(self, bad):
        """Lesion ids are 1, 2, 3 ..."""
        with pytest.raises(ValueError, match="lesion id"):
            Lesion(bad)

    def test_only_drawings_accepted(self):
        """Annotations of a lesion are drawings."""
        with pytest.raises(ValueError, match="not a drawing"):
            Lesion(1, annotations=("caliper",))

    def test_of_kind(self):
        """Drawings of one kind, in order."""
        lesion = Lesion(1, annotations=(_caliper("a"), _caliper("b")))
        assert [c.id for c in lesion.of_kind(Caliper)] == ["a", "b"]


class TestStudyAnnotations:
    def test_new_stamps_created_and_modified(self):
        """New annotations carry the creation time in UTC."""
        now = dt.datetime(2024, 5, 1, 9, 30, tzinfo=dt.timezone.utc)
        study = StudyAnnotations.new("1.2.3", patient_id="P1", now=now)
        assert study.created == study.modified == "2024-05-01T09:30:00+00:00"
        assert study.schema_version == SCHEMA_VERSION and study.lesions == ()

    def test_naive_time_is_taken_as_utc(self):
        """A naive datetime is UTC."""
        assert timestamp(dt.datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05+00:00"

    def test_study_uid_required(self):
        """Annotations belong to a study."""
        with pytest.raises(ValueError, match="StudyInstanceUID"):
            StudyAnnotations("")

    def test_lesions_sorted_by_id(self):
        """Lesions are kept in id order."""
        study = StudyAnnotations("1.2.3", lesions=(Lesion(2), Lesion(1)))
        assert [lesion.lesion_id for lesion in study.lesions] == [1, 2]

    def test_duplicate_lesion_ids_refused(self):
        """Two lesions cannot share an id."""
        with pytest.raises(ValueError, match="unique"):
            StudyAnnotations("1.2.3", lesions=(Lesion(1), Lesion(1)))

    def test_duplicate_annotation_ids_refused(self):
        """An annotation id is unique across lesions and free drawings."""
        with pytest.raises(ValueError, match="annotation ids"):
            StudyAnnotations("1.2.3", lesions=(Lesion(1, (_caliper("x"),)),), annotations=(_caliper("x"),))

    def test_other_schema_version_refused(self):
        """In memory, annotations are always at the current schema version."""
        with pytest.raises(ValueError, match="migrated"):
            StudyAnnotations("1.2.3", schema_version=0)

    def test_lesion_lookup(self):
        """A lesion is found by id; a missing one is a KeyError."""
        study = StudyAnnotations("1.2.3", lesions=(Lesion(3, findings=LesionFindings(notes="x")),))
        assert study.lesion(3).findings.notes == "x"
        with pytest.raises(KeyError):
            study.lesion(1)

    def test_all_drawings(self):
        """Lesion drawings come first, then the free ones."""
        study = StudyAnnotations("1.2.3", lesions=(Lesion(1, (_caliper("a"),)),), annotations=(_caliper("b"),))
        assert [d.id for d in study.all_drawings()] == ["a", "b"]
