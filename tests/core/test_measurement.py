"""The typed measured value: name, finite number, unit and the drawings it came from."""

import math

import pytest

from spineviewer.core.measurement import Measurement
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
