"""The typed measured value (name, finite number, unit, source drawings) and its table column."""

import math
from dataclasses import dataclass

import pytest

from spineviewer.core.measurement import (
    Measurement, column_name, measured, measured_columns, measured_row, measurements_of,
)
from spineviewer.core.units import Unit


class TestMeasurement:
    def test_unit_parsed_and_checked(self):
        """A unit is required and parsed from its word."""
        assert Measurement("ap", 6.5, "mm").unit is Unit.MM
        with pytest.raises(ValueError, match="unit"):
            Measurement("ap", 6.5, None)

    @pytest.mark.parametrize("value", [math.nan, math.inf, "6", True])
    def test_value_must_be_a_finite_number(self, value):
        """NaN, infinity, text and booleans are not measurements."""
        with pytest.raises(ValueError):
            Measurement("ap", value, "mm")

    def test_name_must_be_an_identifier(self):
        """The machine name is an identifier."""
        with pytest.raises(ValueError):
            Measurement("AP size", 1.0, "mm")

    def test_key_carries_length_units(self):
        """Lengths and volumes carry their unit in their column name, counts do not."""
        assert Measurement("ap", 1.0, "px").key == "ap_px"
        assert Measurement("volume", 1.0, "mm3").key == "volume_mm3"
        assert Measurement("t2_segments", 3, "segments").key == "t2_segments"

    def test_str(self):
        """Printed with two decimals and the unit."""
        assert str(Measurement("si", 19.876, "mm")) == "si 19.88 mm"

    def test_sources_are_drawing_ids(self):
        """Sources are kept as a tuple of drawing ids, empty by default."""
        assert Measurement("ap", 1.0, "mm").sources == ()
        assert Measurement("ap", 1.0, "mm", ["a1"]).sources == ("a1",)

    @pytest.mark.parametrize("sources", ["a1", ("a1", ""), (1,), None])
    def test_sources_checked(self, sources):
        """A bare string, an empty id, a number or None is refused, naming the measurement."""
        with pytest.raises(ValueError, match="ap: sources"):
            Measurement("ap", 1.0, "mm", sources)


@dataclass(frozen=True)
class _Sizes:
    """A small metrics class: two measured fields and one that is not measured."""

    label: str = ""
    ap: Measurement | None = measured(Unit.MM)
    ratio: Measurement | None = measured(Unit.RATIO)


class TestColumns:
    def test_column_name_carries_length_volume_and_year_units(self):
        """Lengths, volumes and intervals carry their unit; counts and ratios do not."""
        assert [column_name("v", u) for u in (Unit.MM, Unit.PX, Unit.MM3, Unit.YEARS)] == [
            "v_mm", "v_px", "v_mm3", "v_years"]
        assert [column_name("v", u) for u in (Unit.SEGMENTS, Unit.RATIO)] == ["v", "v"]

    def test_measured_columns_in_field_order(self):
        """Only measured fields have columns, named with their column unit, in field order."""
        assert measured_columns(_Sizes) == {"ap": "ap_mm", "ratio": "ratio"}

    def test_row_keys_follow_the_value_unit(self):
        """A value in px is keyed ap_px, so it never fills the ap_mm column."""
        row = measured_row(_Sizes(ap=Measurement("ap", 4.0, Unit.PX), ratio=Measurement("ratio", 2.0, Unit.RATIO)))
        assert row == {"ap_px": 4.0, "ratio": 2.0}

    def test_missing_values_left_out(self):
        """None fields give no measurement and no key."""
        assert measurements_of(_Sizes()) == [] and measured_row(_Sizes()) == {}

    def test_value_named_unlike_its_field_refused(self):
        """A measurement stored under another field's name would land in a wrong column."""
        with pytest.raises(ValueError, match="ap field"):
            measurements_of(_Sizes(ap=Measurement("si", 4.0, Unit.MM)))
