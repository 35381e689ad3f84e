"""Discs named by their position along the spine from the one the reader named."""

import json
import random
from pathlib import Path

import pytest

from spineviewer.core import edits
from spineviewer.core.annotation_codec import from_json, migrate, to_json
from spineviewer.core.annotations import StudyAnnotations
from spineviewer.core.disc_naming import name_by_position, name_changes, spacing_warnings
from spineviewer.core.levels import VertebralLevels

TRUTH = Path(__file__).resolve().parents[2] / "sample_dicom" / "case1-breast-t12" / "ground-truth.json"


@pytest.fixture(scope="module")
def true_discs():
    """The sample's true disc points and names, C2-C3 to L5-S1 (a curved spine, real heights)."""
    discs = json.loads(TRUTH.read_text())["discs"]
    return {d["name"]: tuple(d["point_lps_mm"]) for d in discs}


def _click(names, true_discs, anchor):
    """Mark the discs ``names`` in that order, naming ``anchor`` (the first one clicked)."""
    study = edits.add_disc(StudyAnnotations("1.2.3"), true_discs[anchor], name=anchor)
    for name in names:
        if name != anchor:
            study = edits.add_disc(study, true_discs[name])
    return study


def _naming(study, true_discs):
    """Name each marked disc got, keyed by the disc it truly is."""
    truth = {p: n for n, p in true_discs.items()}
    return {truth[d.point]: d.name for d in study.levels.discs}


class TestOrder:
    def test_middle_anchor_then_top_to_bottom(self, true_discs):
        """Naming T12-L1 first, then clicking every disc from the top, names every disc right."""
        order = list(true_discs)
        study = _click(["T12-L1", *order], true_discs, "T12-L1")
        assert _naming(study, true_discs) == {n: n for n in order}

    def test_far_disc_after_the_anchor(self, true_discs):
        """T4-T5 clicked eight levels above the named T12-L1 is not called T11-T12."""
        study = _click(["T12-L1", "T4-T5"], true_discs, "T12-L1")
        assert _naming(study, true_discs)["T4-T5"] == "T4-T5"
        assert _naming(study, true_discs)["T12-L1"] == "T12-L1"

    def test_named_disc_keeps_its_name(self, true_discs):
        """Whatever is clicked after it, the named disc keeps its name."""
        study = _click(["T12-L1", "T4-T5", "T5-T6", "L3-L4", "C3-C4"], true_discs, "T12-L1")
        assert _naming(study, true_discs) == {n: n for n in ("T12-L1", "T4-T5", "T5-T6", "L3-L4", "C3-C4")}

    @pytest.mark.parametrize("seed", range(5))
    def test_any_order(self, true_discs, seed):
        """Every disc clicked in a shuffled order after naming one is named right."""
        order = list(true_discs)
        random.Random(seed).shuffle(order)
        study = _click(order, true_discs, order[0])
        assert _naming(study, true_discs) == {n: n for n in order}


class TestGaps:
    def test_one_disc_skipped(self, true_discs):
        """A disc clicked two spacings below its neighbour skips one name."""
        names = ["T6-T7", "T7-T8", "T8-T9", "T10-T11", "T11-T12"]
        study = _click(names, true_discs, "T6-T7")
        assert [d.name for d in study.levels.discs] == names

    def test_several_discs_skipped(self, true_discs):
        """A gap of three levels between runs of consecutive discs counts three."""
        names = ["T3-T4", "T4-T5", "T5-T6", "T8-T9", "T9-T10", "T10-T11"]
        study = _click(names[::-1], true_discs, "T10-T11")
        assert [d.name for d in study.levels.discs] == names

    def test_removed_disc_leaves_names_alone(self, true_discs):
        """Removing a disc in the middle renames nothing."""
        study = _click(["T6-T7", "T7-T8", "T8-T9", "T9-T10"], true_discs, "T6-T7")
        study = edits.remove_disc(study, "T7-T8")
        assert [d.name for d in study.levels.discs] == ["T6-T7", "T8-T9", "T9-T10"]


class TestTwoStations:
    def test_discs_from_both_stations(self, true_discs):
        """Discs clicked alternately on an upper and a lower station (points a little apart in
        x and y, as two acquisitions place them) are named along one spine."""
        names = list(true_discs)
        moved = {n: (p[0] + (1.5 if i % 2 else -1.0), p[1] + (0.8 if i % 2 else 0.0), p[2])
                 for i, (n, p) in enumerate(true_discs.items())}
        upper, lower = names[:14], names[10:]
        order = [n for pair in zip(upper, lower[::-1]) for n in pair]
        order = list(dict.fromkeys(order + names))
        study = _click(order, moved, order[0])
        assert _naming(study, moved) == {n: n for n in names}

    def test_same_disc_on_the_other_station_refused(self, true_discs):
        """Clicking a marked disc again (on the overlapping station) is refused, not a new name."""
        study = _click(["T10-T11", "T11-T12"], true_discs, "T10-T11")
        x, y, z = true_discs["T11-T12"]
        with pytest.raises(ValueError, match="T11-T12, already marked"):
            edits.add_disc(study, (x + 2.0, y + 1.0, z - 1.5))


class TestRename:
    def test_rename_reanchors(self, true_discs):
        """Renaming a disc makes it the anchor; the others follow by position."""
        study = _click(["T6-T7", "T7-T8", "T9-T10"], true_discs, "T6-T7")
        study = edits.rename_disc(study, "T9-T10", "T10-T11")
        assert [d.name for d in study.levels.discs] == ["T7-T8", "T8-T9", "T10-T11"]
        assert study.levels.anchor == VertebralLevels.from_points(
            [true_discs["T9-T10"]], anchor=0, anchor_name="T10-T11").anchor

    def test_after_rename_clicks_count_from_the_renamed_disc(self, true_discs):
        """A disc clicked after a rename is named from the renamed disc."""
        study = _click(["T6-T7", "T7-T8"], true_discs, "T6-T7")
        study = edits.rename_disc(study, "T7-T8", "T8-T9")
        study = edits.add_disc(study, true_discs["T8-T9"])
        assert [d.name for d in study.levels.discs] == ["T7-T8", "T8-T9", "T9-T10"]

    def test_name_changes_reported(self, true_discs):
        """The discs a rename changed are listed old to new."""
        before = _click(["T6-T7", "T7-T8"], true_discs, "T6-T7")
        after = edits.rename_disc(before, "T6-T7", "T5-T6")
        assert name_changes(before.levels, after.levels) == [("T6-T7", "T5-T6"), ("T7-T8", "T6-T7")]


class TestWarnings:
    def test_regular_spacing_is_quiet(self, true_discs):
        """Every disc of a real spine clicked: no warning."""
        study = _click(list(true_discs), true_discs, "C2-C3")
        assert spacing_warnings(study.levels) == ()

    def test_half_spacing_warned(self):
        """A disc clicked in the middle of a vertebra gets a warning naming its neighbours."""
        study = edits.set_levels(StudyAnnotations("1.2.3"), VertebralLevels.from_points(
            [(0, 0, -25.0 * k) for k in range(4)], anchor=0, anchor_name="T9-T10"))
        study = edits.add_disc(study, (0, 0, -12.5))
        warnings = spacing_warnings(study.levels)
        assert warnings == ("the level height changes from 12 mm to 25 mm at T11-T12: check the "
                            "discs around it",)

    def test_two_far_discs_warned(self, true_discs):
        """Two discs far apart are named from typical heights, and the reader is told."""
        study = _click(["T12-L1", "T4-T5"], true_discs, "T12-L1")
        assert "typical level heights" in spacing_warnings(study.levels)[0]

    def test_every_other_disc_counted_from_typical_heights(self):
        """Gaps of 50, 50 then 25 mm in the mid thorax: two levels, two levels, one level."""
        points = [(0, 0, 0.0), (0, 0, -50.0), (0, 0, -100.0), (0, 0, -125.0)]
        discs = name_by_position(points, anchor=0, anchor_name="T5-T6")
        assert [d.name for d in discs] == ["T5-T6", "T7-T8", "T9-T10", "T10-T11"]


class TestFile:
    def test_anchor_round_trips(self, true_discs):
        """The anchor is saved with the discs and read back."""
        study = _click(["T12-L1", "T11-T12"], true_discs, "T12-L1")
        value = to_json(study)
        assert value["levels"]["anchor"] == "T12-L1"
        assert from_json(value).levels.anchor == study.levels.anchor

    def test_version_1_file_has_no_anchor(self, true_discs):
        """A version 1 file reads with a null anchor: every stored name stands."""
        value = to_json(_click(["T12-L1", "T11-T12"], true_discs, "T12-L1"))
        del value["levels"]["anchor"]
        value["schema_version"] = 1
        migrated, version = migrate(value)
        assert version == 1 and from_json(migrated).levels.anchor is None
