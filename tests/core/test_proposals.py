"""Proposals in the annotations: marked, accepted, rejected, saved, and never measured."""

import json

import pytest

from spineviewer.core.annotation_file import read_annotations, save_annotations
from spineviewer.core.annotations import (
    Caliper, CaliperRole, Component, CordPath, Lesion, StudyAnnotations,
)
from spineviewer.core.edits import add_disc, add_lesion, move_disc, rename_disc, set_conus_tip
from spineviewer.core.levels import VertebralLevels, parse_disc_name
from spineviewer.core.metrics import patient_metrics
from spineviewer.core.proposals import (
    accept_all, accept_annotations, accept_conus_tip, accept_disc, accept_levels, accepted,
    has_proposals, propose_drawings, propose_levels, reject_all, reject_annotations,
    reject_conus_tip, reject_disc, reject_levels,
)
from spineviewer.export.csv_tables import lesion_rows, patient_row

UID = "1.2.3"
SERIES, SOP = "1.2.3.1", "1.2.3.1.1"
#: Discs 30 mm apart along z, T8-T9 (z = 0) to T11-T12 (z = -90); posterior margin at y = 10.
DISCS = {"T8-T9": 0.0, "T9-T10": -30.0, "T10-T11": -60.0, "T11-T12": -90.0}


def _levels(names=DISCS, anchor="T8-T9") -> VertebralLevels:
    from spineviewer.core.levels import Disc

    discs = tuple(Disc(parse_disc_name(n), (0.0, 10.0, z)) for n, z in names.items())
    return VertebralLevels(discs, (0.0, 8.0, -200.0), anchor=parse_disc_name(anchor))


def _si(z_top=-20.0, z_bottom=-40.0, **kw) -> Caliper:
    return Caliper(series_instance_uid=SERIES, sop_instance_uid=SOP, role=CaliperRole.SI,
                   endpoints=((0.0, 5.0, z_top), (0.0, 5.0, z_bottom)), **kw)


def _t2_path(z_top=-10.0, z_bottom=-70.0) -> CordPath:
    return CordPath(series_instance_uid=SERIES, sop_instance_uid=SOP, role=Component.T2,
                    vertices=((0.0, 5.0, z_top), (0.0, 5.0, (z_top + z_bottom) / 2),
                              (0.0, 5.0, z_bottom)))


@pytest.fixture
def study():
    """One lesion with an accepted SI caliper, no levels."""
    base = add_lesion(StudyAnnotations.new(UID))
    from spineviewer.core.edits import add_annotation

    return add_annotation(base, _si(), lesion_id=1)


class TestDrawings:
    def test_proposed_drawing_is_marked_and_not_measured(self, study):
        """A proposed T2 path is in the lesion, flagged, and gives no T2 length until accepted."""
        path = _t2_path()
        proposed = propose_drawings(study, [path], lesion_id=1)
        drawing = proposed.lesion(1).annotations[-1]
        assert drawing.proposed and drawing.id == path.id and has_proposals(proposed)
        metrics = patient_metrics(proposed).lesions[0]
        assert metrics.t2_length is None and metrics.si.value == pytest.approx(20.0)
        accepted_study = accept_annotations(proposed, [path.id])
        assert not has_proposals(accepted_study)
        assert patient_metrics(accepted_study).lesions[0].t2_length.value == pytest.approx(60.0)

    def test_reject_removes_only_proposals(self, study):
        """Rejecting removes the proposal; the reader's own drawing cannot be rejected."""
        path = _t2_path()
        proposed = propose_drawings(study, [path], lesion_id=1)
        assert reject_annotations(proposed, [path.id]) == study
        own = study.lesion(1).annotations[0].id
        with pytest.raises(ValueError, match="not a proposal"):
            reject_annotations(proposed, [own])

    def test_proposed_caliper_does_not_replace_the_readers_size(self, study):
        """A longer proposed SI caliper leaves the SI size at the reader's caliper."""
        longer = _si(-10.0, -60.0)
        metrics = patient_metrics(propose_drawings(study, [longer], lesion_id=1)).lesions[0]
        assert metrics.si.value == pytest.approx(20.0) and metrics.si.sources != (longer.id,)

    def test_csv_rows_leave_proposals_out(self, study):
        """lesions.csv has no T2 value from a proposed path; accepting fills it."""
        study = propose_drawings(study, [_t2_path()], lesion_id=1)
        study = propose_levels(study, _levels())
        assert lesion_rows(study)[0]["t2_length_mm"] == ""
        assert lesion_rows(study)[0]["t2_segments"] == ""
        assert patient_row(study)["max_t2_segments"] == ""
        row = lesion_rows(accept_all(study))[0]
        assert float(row["t2_length_mm"]) == pytest.approx(60.0) and row["t2_segments"] == "2"

    def test_accept_and_reject_all(self, study):
        """accept_all clears every flag; reject_all gives back the reader's annotations."""
        proposed = propose_levels(propose_drawings(study, [_t2_path()], lesion_id=1), _levels())
        assert reject_all(proposed) == study
        everything = accept_all(proposed)
        assert not has_proposals(everything) and accepted(everything) == everything
        assert len(everything.levels.discs) == 4


class TestLevels:
    def test_proposed_levels_are_flagged_and_not_measured(self, study):
        """Proposed discs and conus tip are kept and named, but no segment count uses them."""
        study = propose_drawings(study, [_t2_path()], lesion_id=1)
        study = accept_annotations(study, [study.lesion(1).annotations[-1].id])
        proposed = propose_levels(study, _levels())
        assert all(d.proposed for d in proposed.levels.discs) and proposed.levels.conus_tip_proposed
        assert [d.name for d in proposed.levels.discs] == list(DISCS)
        assert patient_metrics(proposed).lesions[0].t2_segments is None
        assert accepted(proposed).levels == VertebralLevels()
        assert patient_metrics(accept_levels(proposed)).lesions[0].t2_segments.value == 2

    def test_accept_and_reject_one_disc(self):
        """Accepting one disc counts it; rejecting one removes it and keeps the others."""
        study = propose_levels(StudyAnnotations.new(UID), _levels())
        one = accept_disc(study, "T9-T10")
        assert [d.name for d in accepted(one).levels.discs] == ["T9-T10"]
        rest = reject_disc(one, "T11-T12")
        assert [d.name for d in rest.levels.discs] == ["T8-T9", "T9-T10", "T10-T11"]
        with pytest.raises(ValueError, match="not a proposal"):
            reject_disc(one, "T9-T10")

    def test_conus_tip(self):
        """The proposed conus tip is accepted or rejected on its own."""
        study = propose_levels(StudyAnnotations.new(UID), _levels())
        assert accepted(study).levels.conus_tip is None
        assert accepted(accept_conus_tip(study)).levels.conus_tip == (0.0, 8.0, -200.0)
        assert reject_conus_tip(study).levels.conus_tip is None
        own = set_conus_tip(study, (0.0, 8.0, -190.0))
        assert not own.levels.conus_tip_proposed
        with pytest.raises(ValueError, match="not a proposal"):
            reject_conus_tip(own)

    def test_readers_discs_win(self):
        """With discs the reader marked, proposals are named by counting from the reader's
        anchor, a proposal on a marked disc is dropped, and the reader's conus tip stays."""
        study = set_conus_tip(add_disc(StudyAnnotations.new(UID), (0.0, 10.0, -30.4),
                                       name="T10-T11"), (1.0, 1.0, -150.0))
        # The proposal misnames every disc by one level: the reader's naming decides.
        proposal = _levels({"T9-T10": 0.0, "T10-T11": -30.0, "T11-T12": -60.0, "T12-L1": -90.0})
        merged = propose_levels(study, proposal)
        names = {d.name: (d.point[2], d.proposed) for d in merged.levels.discs}
        assert names == {"T9-T10": (0.0, True), "T10-T11": (-30.4, False),
                         "T11-T12": (-60.0, True), "T12-L1": (-90.0, True)}
        assert merged.levels.conus_tip == (1.0, 1.0, -150.0) and not merged.levels.conus_tip_proposed
        assert merged.levels.anchor == parse_disc_name("T10-T11")

    def test_new_proposal_replaces_the_old(self):
        """Proposing again replaces the earlier proposals; rejecting all leaves no levels."""
        first = propose_levels(StudyAnnotations.new(UID), _levels())
        again = propose_levels(first, _levels({"T1-T2": 0.0, "T2-T3": -25.0}, anchor="T1-T2"))
        assert [d.name for d in again.levels.discs] == ["T1-T2", "T2-T3"]
        assert reject_levels(again).levels is None

    def test_unnamed_points_need_a_named_disc(self):
        """Disc points without names are refused until one disc is named."""
        with pytest.raises(ValueError, match="name one disc"):
            propose_levels(StudyAnnotations.new(UID), [(0.0, 10.0, 0.0), (0.0, 10.0, -30.0)])
        named = add_disc(StudyAnnotations.new(UID), (0.0, 10.0, 0.0), name="T8-T9")
        merged = propose_levels(named, [(0.0, 10.0, -30.0)], conus_tip=(0.0, 8.0, -200.0))
        assert [(d.name, d.proposed) for d in merged.levels.discs] == [("T8-T9", False),
                                                                      ("T9-T10", True)]
        assert merged.levels.conus_tip_proposed

    def test_editing_keeps_the_flag(self):
        """Moving or renaming a proposed disc keeps it proposed; a disc the reader adds is not."""
        study = propose_levels(StudyAnnotations.new(UID), _levels())
        moved = move_disc(study, "T9-T10", (0.0, 11.0, -31.0))
        assert all(d.proposed for d in moved.levels.discs) and moved.levels.conus_tip_proposed
        renamed = rename_disc(study, "T8-T9", "T7-T8")
        assert [d.name for d in renamed.levels.discs][0] == "T7-T8"
        assert all(d.proposed for d in renamed.levels.discs)
        added = add_disc(study, (0.0, 10.0, -120.0))
        assert [(d.name, d.proposed) for d in added.levels.discs][-1] == ("T12-L1", False)


class TestFile:
    def test_round_trip(self, tmp_path, study):
        """Flags survive saving and reading, in the keys the format documents."""
        study = propose_levels(propose_drawings(study, [_t2_path()], lesion_id=1), _levels())
        path = save_annotations(study, tmp_path / "a.json")
        value = json.loads(path.read_text())
        assert value["schema_version"] == 3
        assert [d["proposed"] for d in value["lesions"][0]["annotations"]] == [False, True]
        assert value["levels"]["conus_tip_proposed"] is True
        assert all(d["proposed"] for d in value["levels"]["discs"])
        assert read_annotations(path)[0] == study

    def test_version_2_file_reads_with_nothing_proposed(self, tmp_path, study):
        """A version 2 file (no proposed keys) opens with every item the reader's."""
        study = propose_levels(study, _levels())
        value = json.loads(save_annotations(accept_all(study), tmp_path / "a.json").read_text())
        value["schema_version"] = 2
        for disc in value["levels"]["discs"]:
            del disc["proposed"]
        del value["levels"]["conus_tip_proposed"]
        for drawing in value["lesions"][0]["annotations"]:
            del drawing["proposed"]
        (tmp_path / "b.json").write_text(json.dumps(value))
        read, version = read_annotations(tmp_path / "b.json")
        assert version == 2 and read == accept_all(study)

    def test_flag_must_be_boolean(self, tmp_path, study):
        """A proposed flag that is not true or false is refused with its place."""
        from spineviewer.core.annotation_file import AnnotationFileError

        value = json.loads(save_annotations(study, tmp_path / "a.json").read_text())
        value["lesions"][0]["annotations"][0]["proposed"] = "yes"
        (tmp_path / "b.json").write_text(json.dumps(value))
        with pytest.raises(AnnotationFileError, match=r"lesions\[0\]\.annotations\[0\]"):
            read_annotations(tmp_path / "b.json")


def test_lesion_of_proposals_is_listed():
    """A lesion holding only proposals is the reader's lesion with empty values."""
    study = StudyAnnotations.new(UID, lesions=(Lesion(1, (_si(proposed=True),)),))
    metrics = patient_metrics(study)
    assert metrics.n_lesions == 1 and metrics.lesions[0].si is None
