"""Pure edits of study annotations: each returns a new object and leaves the old one alone."""

import datetime as dt

import pytest

from spineviewer.core import edits
from spineviewer.core.annotations import Arrow, Caliper, LesionFindings, PatientFindings, StudyAnnotations
from spineviewer.core.levels import VertebralLevels

ON = {"series_instance_uid": "1.2.3.1", "sop_instance_uid": "1.2.3.1.7"}


def _study():
    return StudyAnnotations("1.2.3")


def _caliper(id_, z=10.0):
    return Caliper(endpoints=[(0, 0, 0), (0, 0, z)], role="si", id=id_, **ON)


def _levels(first="T9-T10", n=4):
    return VertebralLevels.from_points([(0, 0, -25.0 * k) for k in range(n)], anchor=0, anchor_name=first)


def _names(study):
    return [d.name for d in study.levels.discs]


class TestTouched:
    def test_sets_modified_only(self):
        """Touching stamps ``modified`` and keeps ``created``."""
        study = StudyAnnotations("1.2.3", created="2024-01-01T00:00:00+00:00")
        later = edits.touched(study, dt.datetime(2024, 2, 1, tzinfo=dt.timezone.utc))
        assert later.modified == "2024-02-01T00:00:00+00:00" and later.created == study.created


class TestLesionEdits:
    def test_add_numbers_from_one(self):
        """Lesions are numbered 1, 2, ..."""
        study = edits.add_lesion(edits.add_lesion(_study()))
        assert [lesion.lesion_id for lesion in study.lesions] == [1, 2]

    def test_ids_not_reused_below_the_largest(self):
        """After removing lesion 1, the next lesion is 3, so lesion 2 keeps its number."""
        study = edits.remove_lesion(edits.add_lesion(edits.add_lesion(_study())), 1)
        assert edits.next_lesion_id(study) == 3

    def test_original_unchanged(self):
        """An edit returns a new object."""
        before = _study()
        after = edits.add_lesion(before)
        assert before.lesions == () and len(after.lesions) == 1

    def test_set_findings(self):
        """The findings of one lesion are replaced."""
        study = edits.set_lesion_findings(edits.add_lesion(_study()), 1, LesionFindings(position="central"))
        assert study.lesion(1).findings.position == "central"

    def test_set_patient(self):
        """The patient form is replaced."""
        study = edits.set_patient_findings(_study(), PatientFindings(age_years=57))
        assert study.patient.age_years == 57

    def test_missing_lesion_is_key_error(self):
        """Editing a lesion that is not there raises KeyError."""
        with pytest.raises(KeyError):
            edits.remove_lesion(_study(), 4)


class TestAnnotationEdits:
    def test_add_to_lesion_and_free(self):
        """A drawing goes to a lesion or to the free drawings."""
        study = edits.add_lesion(_study())
        study = edits.add_annotation(study, _caliper("a"), lesion_id=1)
        study = edits.add_annotation(study, Arrow(tail=(0, 0, 0), head=(0, 0, 1), id="b", **ON))
        assert edits.find_annotation(study, "a")[1] == 1 and edits.find_annotation(study, "b")[1] is None

    def test_replace_keeps_place(self):
        """Replacing by id swaps the drawing where it is."""
        study = edits.add_annotation(edits.add_lesion(_study()), _caliper("a"), lesion_id=1)
        study = edits.replace_annotation(study, _caliper("a", z=20.0))
        assert study.lesion(1).annotations[0].length == pytest.approx(20.0)

    def test_remove(self):
        """Removing by id."""
        study = edits.add_annotation(edits.add_lesion(_study()), _caliper("a"), lesion_id=1)
        assert edits.remove_annotation(study, "a").lesion(1).annotations == ()

    def test_assign_moves_between_lesions(self):
        """A drawing can be moved to another lesion."""
        study = edits.add_lesion(edits.add_lesion(_study()))
        study = edits.assign_annotation(edits.add_annotation(study, _caliper("a"), lesion_id=1), "a", 2)
        assert edits.find_annotation(study, "a")[1] == 2

    def test_duplicate_id_refused(self):
        """Adding a drawing whose id is taken fails."""
        study = edits.add_annotation(_study(), _caliper("a"))
        with pytest.raises(ValueError):
            edits.add_annotation(study, _caliper("a"))

    def test_unknown_id_is_key_error(self):
        """Replacing or removing an unknown id raises KeyError."""
        with pytest.raises(KeyError):
            edits.remove_annotation(_study(), "nope")
        with pytest.raises(KeyError):
            edits.replace_annotation(_study(), _caliper("nope"))


class TestDiscEdits:
    def test_first_disc_needs_a_name(self):
        """With no discs yet, the reader names the first one."""
        with pytest.raises(ValueError, match="name the first"):
            edits.add_disc(_study(), (0, 0, 0))
        assert _names(edits.add_disc(_study(), (0, 0, 0), name="T9-T10")) == ["T9-T10"]

    def test_added_below_counts_on(self):
        """A disc clicked below the others takes the next name."""
        study = edits.add_disc(edits.set_levels(_study(), _levels()), (0, 0, -100))
        assert _names(study)[-1] == "L1-L2"

    def test_added_above_counts_up(self):
        """A disc clicked above the others takes the previous name."""
        study = edits.add_disc(edits.set_levels(_study(), _levels()), (0, 0, 25))
        assert _names(study)[0] == "T8-T9"

    def test_inserted_disc_shifts_the_ones_below(self):
        """A missed disc inserted in the middle pushes the names below it down by one."""
        study = edits.set_levels(_study(), _levels())
        study = edits.add_disc(study, (0, 0, -12.5))
        assert _names(study) == ["T9-T10", "T10-T11", "T11-T12", "T12-L1", "L1-L2"]

    def test_removed_disc_can_be_marked_again(self):
        """Removing a disc leaves a gap that adding the disc again fills without renaming."""
        study = edits.remove_disc(edits.set_levels(_study(), _levels()), "T11-T12")
        study = edits.add_disc(study, (0, 0, -50))
        assert _names(study) == ["T9-T10", "T10-T11", "T11-T12", "T12-L1"]

    def test_rename_renames_all_by_counting(self):
        """Renaming one disc shifts every name."""
        study = edits.rename_disc(edits.set_levels(_study(), _levels()), "T10-T11", "T11-T12")
        assert _names(study) == ["T10-T11", "T11-T12", "T12-L1", "L1-L2"]

    def test_rename_past_the_end_refused(self):
        """Names cannot run past C1-C2."""
        with pytest.raises(ValueError, match="ends of the spine"):
            edits.rename_disc(edits.set_levels(_study(), _levels()), "T10-T11", "C1-C2")

    def test_move_keeps_the_name(self):
        """Moving a disc changes its point only."""
        study = edits.move_disc(edits.set_levels(_study(), _levels()), "T10-T11", (1, 2, -20))
        assert study.levels.discs[1].point == (1.0, 2.0, -20.0) and _names(study)[1] == "T10-T11"

    def test_named_disc_already_marked_refused(self):
        """Adding a named disc that exists is refused."""
        with pytest.raises(ValueError, match="already marked"):
            edits.add_disc(edits.set_levels(_study(), _levels()), (0, 0, 0), name="T9/10")

    def test_unknown_disc_is_key_error(self):
        """Moving an unmarked disc raises KeyError."""
        with pytest.raises(KeyError):
            edits.move_disc(edits.set_levels(_study(), _levels()), "C3-C4", (0, 0, 0))


class TestConusTip:
    def test_set_and_clear(self):
        """The conus tip is set, kept with the discs, and cleared with None."""
        study = edits.set_conus_tip(edits.set_levels(_study(), _levels()), (0, 5, -90))
        assert study.levels.conus_tip == (0.0, 5.0, -90.0) and len(study.levels.discs) == 4
        assert edits.set_conus_tip(study, None).levels.conus_tip is None

    def test_without_discs(self):
        """The tip can be marked before any disc."""
        assert edits.set_conus_tip(_study(), (0, 0, 0)).levels.discs == ()

    def test_bad_point_refused(self):
        """A point has three finite coordinates."""
        with pytest.raises(ValueError):
            edits.set_conus_tip(_study(), (0, 0))
