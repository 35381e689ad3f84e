"""Vertebral levels: disc names, the level coordinate, segments."""

import math

import numpy as np
import pytest

from spineviewer.core.levels import (
    Extent, SegmentRule,
    Disc, VertebralLevels, disc_name, level_index, level_name, parse_disc_name,
)


def _straight(n=5, first="T9-T10", top=100.0, height=25.0):
    """Discs every ``height`` mm down the z axis, the first one named ``first``."""
    points = [(0.0, 10.0, top - k * height) for k in range(n)]
    return VertebralLevels.from_points(points, anchor=0, anchor_name=first)


class TestNames:
    def test_indices(self):
        """C1 = 0, T1 = 7, T12 = 18, L1 = 19, S1 = 24."""
        assert [level_index(n) for n in ("C1", "T1", "T12", "L1", "S1")] == [0, 7, 18, 19, 24]
        assert level_name(18) == "T12" and disc_name(19) == "T12-L1"

    @pytest.mark.parametrize("text", ["T9-T10", "t9/t10", "T9-10", "T9 T10", " t9/10 "])
    def test_disc_name_forms(self, text):
        """Common spellings of a disc name parse to the level below it."""
        assert parse_disc_name(text) == level_index("T10")

    @pytest.mark.parametrize("text", ["T9", "T9-T11", "X1-X2", "", "T13-L1"])
    def test_bad_disc_names_refused(self, text):
        """Non-discs are refused with a message."""
        with pytest.raises(ValueError):
            parse_disc_name(text)


class TestNamingByCounting:
    def test_others_named_by_counting(self):
        """Naming one disc names the rest, clicked in any order."""
        points = [(0, 0, 0.0), (0, 0, 50.0), (0, 0, 25.0)]
        levels = VertebralLevels.from_points(points, anchor=2, anchor_name="T11-T12")
        assert [d.name for d in levels.discs] == ["T10-T11", "T11-T12", "T12-L1"]

    def test_counting_past_the_end_refused(self):
        """Counting up past C1 is an error, not a wrap-around."""
        with pytest.raises(ValueError):
            VertebralLevels.from_points([(0, 0, 10.0), (0, 0, 0.0)], anchor=1, anchor_name="C1-C2")


class TestCoordinate:
    def test_disc_points_sit_on_level_boundaries(self):
        """Each disc's own point has s equal to the index of the level below it."""
        levels = _straight()
        for disc in levels.discs:
            assert levels.coordinate(disc.point) == pytest.approx(disc.lower_index)

    def test_fraction_grows_caudally(self):
        """Halfway between T10-T11 and T11-T12 is T11 + 0.5."""
        levels = _straight()
        assert levels.coordinate((0, 10, 100 - 25 - 12.5)) == pytest.approx(level_index("T11") + 0.5)
        assert levels.level_at((0, 10, 100 - 25 - 12.5)) == "T11"

    def test_off_axis_points_project(self):
        """A point in front of or beside the disc points has the same s (the cord is anterior)."""
        levels = _straight()
        assert levels.coordinate((15, -20, 60)) == pytest.approx(levels.coordinate((0, 10, 60)))

    def test_extrapolates_with_neighbour_height(self):
        """Above the first disc, s continues with the first level's height."""
        levels = _straight()
        assert levels.coordinate((0, 10, 100 + 12.5)) == pytest.approx(level_index("T10") - 0.5)
        assert levels.coordinate((0, 10, 0 - 25)) == pytest.approx(level_index("L3"))

    def test_continuous_on_a_curved_spine(self):
        """On a kyphotic curve, s is continuous and increasing along the cord."""
        angles = np.radians(np.linspace(-40, 40, 7))
        discs = np.column_stack([np.zeros(7), 150 * np.cos(angles) - 150, -150 * np.sin(angles)])
        levels = VertebralLevels.from_points(discs, anchor=0, anchor_name="T3-T4")
        theta = np.radians(np.linspace(-45, 45, 400))
        cord = np.column_stack([np.zeros(400), 140 * np.cos(theta) - 150, -140 * np.sin(theta)])
        s = np.array([levels.coordinate(p) for p in cord])
        assert np.all(np.diff(s) > 0)
        assert np.max(np.diff(s)) < 0.05


class TestExtent:
    def test_segments_touched(self):
        """From mid T10 to just inside T12: three segments, fractional about 2.x."""
        levels = _straight()
        top, bottom = (0, 10, 100 - 12.5), (0, 10, 100 - 50 - 1)
        extent = levels.extent(bottom, top)
        assert (extent.level_top, extent.level_bottom) == ("T10", "T12")
        assert extent.levels_touched == 3 and extent.span == 2
        assert extent.segments_fractional == pytest.approx(0.5 + 1 + 1 / 25)

    def test_within_one_level(self):
        """A finding inside one level touches one segment."""
        levels = _straight()
        extent = levels.extent((0, 10, 95), (0, 10, 80))
        assert extent.levels_touched == extent.span == 1
        assert math.isclose(extent.segments_fractional, 15 / 25)


class TestSegmentRules:
    def test_lesion_straddling_a_disc(self):
        """A 15 mm lesion centred on the T10-T11 disc: one segment by span, two levels touched."""
        levels = _straight()
        z = levels.discs[1].point[2]
        extent = levels.extent((0, 10, z + 7.5), (0, 10, z - 7.5))
        assert (extent.segments(SegmentRule.SPAN), extent.segments(SegmentRule.TOUCHED)) == (1, 2)

    def test_span_rounds_half_up(self):
        """2.5 segments long counts 3; 2.49 counts 2."""
        assert Extent(10.0, 12.5).span == 3 and Extent(10.0, 12.49).span == 2

    def test_span_is_at_least_one(self):
        """A tiny extent is still one segment."""
        assert Extent(10.4, 10.5).span == 1

    def test_default_rule_is_span(self):
        """Without a rule, segments counts the span."""
        assert Extent(16.5, 18.04).segments() == 2

    def test_rule_by_name(self):
        """The rule can be given as its stored word."""
        assert Extent(16.5, 18.04).segments("touched") == 3


class TestBoundaries:
    def test_bottom_exactly_on_a_disc_does_not_touch_the_level_below(self):
        """An extent from mid-T10 to the T10-T11 disc point touches T10 only."""
        levels = _straight()
        extent = levels.extent((0, 10, 87.5), levels.discs[1].point)
        assert extent.levels_touched == 1 and extent.level_bottom == "T10"

    def test_disc_to_disc_is_one_level(self):
        """From one disc to the next is exactly one level."""
        levels = _straight()
        extent = levels.extent(levels.discs[1].point, levels.discs[2].point)
        assert extent.levels_touched == extent.span == 1
        assert extent.level_top == extent.level_bottom == "T11"

    def test_coincident_discs_refused(self):
        """Two disc markers on the same point are refused with a message."""
        with pytest.raises(ValueError, match="same place"):
            VertebralLevels.from_points([(0, 0, 10.0), (0, 0, 10.0)], anchor=0, anchor_name="T1-T2")


def _gapped():
    """T9-T10 at z = 100, T10-T11 at z = 75, then T12-L1 at z = 35 (T11-T12 not marked)."""
    return VertebralLevels((Disc(16, (0.0, 10.0, 100.0)), Disc(17, (0.0, 10.0, 75.0)),
                            Disc(19, (0.0, 10.0, 35.0))))


class TestLevelHeight:
    def test_between_adjacent_discs(self):
        """A level between two adjacent marked discs is as tall as their distance."""
        assert _gapped().level_height(level_index("T10")) == pytest.approx(25.0)

    def test_unmarked_disc_shares_the_gap(self):
        """Two levels between discs two levels apart share their distance evenly."""
        levels = _gapped()
        assert levels.level_height(level_index("T11")) == pytest.approx(20.0)
        assert levels.level_height(level_index("T12")) == pytest.approx(20.0)

    def test_beyond_the_ends_the_neighbour_height(self):
        """Above the first and below the last disc, each level has its neighbour's height."""
        levels = _gapped()
        assert levels.level_height(level_index("T8")) == pytest.approx(25.0)
        assert levels.level_height(level_index("L2")) == pytest.approx(20.0)

    def test_needs_two_discs(self):
        """One disc gives no height, with the message the coordinate gives."""
        one = VertebralLevels.from_points([(0, 0, 0.0)], anchor=0, anchor_name="T1-T2")
        with pytest.raises(ValueError, match="two discs"):
            one.level_height(8)


class TestAxisPoint:
    def test_disc_coordinates_give_the_disc_points(self):
        """At a disc's level coordinate the axis passes through the disc's point."""
        levels = _gapped()
        for disc in levels.discs:
            assert levels.axis_point(disc.lower_index) == pytest.approx(disc.point)

    def test_inside_a_gap_evenly_along_the_chord(self):
        """The unmarked T11-T12 disc lies halfway between T10-T11 and T12-L1."""
        assert _gapped().axis_point(level_index("T12")) == pytest.approx((0.0, 10.0, 55.0))

    @pytest.mark.parametrize(("s", "z"), [(15.0, 125.0), (15.5, 112.5), (20.0, 15.0), (21.0, -5.0)])
    def test_beyond_the_ends_one_level_height_per_level(self, s, z):
        """Above T9-T10 the axis goes on 25 mm per level, below T12-L1 20 mm per level."""
        assert _gapped().axis_point(s) == pytest.approx((0.0, 10.0, z))

    @pytest.mark.parametrize("s", [14.2, 16.0, 17.6, 18.4, 20.7])
    def test_coordinate_of_the_axis_point_is_s(self, s):
        """On a straight spine the level coordinate and the axis point invert each other,
        beyond the marked discs too."""
        levels = _gapped()
        assert levels.coordinate(levels.axis_point(s)) == pytest.approx(s)
