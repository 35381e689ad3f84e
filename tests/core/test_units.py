"""The one unit vocabulary: lengths of images, and the area and volume units they give."""

import pytest

from spineviewer.core.drawings import Caliper, Outline
from spineviewer.core.units import Unit

ON = {"series_instance_uid": "1.2.3.1", "sop_instance_uid": "1.2.3.1.7"}


class TestOfImage:
    def test_mm_with_pixel_spacing(self):
        """An image that gives PixelSpacing measures in mm."""
        assert Unit.of_image(True) is Unit.MM

    def test_px_without_pixel_spacing(self):
        """An image without PixelSpacing measures in pixels."""
        assert Unit.of_image(False) is Unit.PX


class TestDerivedUnits:
    @pytest.mark.parametrize(("length", "area", "volume"), [(Unit.MM, Unit.MM2, Unit.MM3),
                                                            (Unit.PX, Unit.PX2, Unit.PX3)])
    def test_area_and_volume_keep_the_scale(self, length, area, volume):
        """mm gives mm2 and mm3, px gives px2 and px3: pixels never turn into mm."""
        assert (length.area, length.volume) == (area, volume)

    @pytest.mark.parametrize("unit", [Unit.SEGMENTS, Unit.RATIO, Unit.YEARS, Unit.MM3])
    def test_only_lengths_have_areas(self, unit):
        """Asking a count, a ratio or a volume for its area is an error that names it."""
        assert not unit.is_length
        with pytest.raises(ValueError, match=unit.value):
            unit.area


class TestDrawingUnit:
    def test_drawing_points_are_lengths(self):
        """A drawing's points are in mm or px; a volume unit is refused with the allowed ones."""
        with pytest.raises(ValueError, match="mm, px"):
            Caliper(endpoints=[(0, 0, 0), (0, 0, 1)], unit="mm3", **ON)

    def test_unknown_word_refused(self):
        """A unit that is no unit at all is refused the same way."""
        with pytest.raises(ValueError, match="mm, px"):
            Caliper(endpoints=[(0, 0, 0), (0, 0, 1)], unit="cm", **ON)

    def test_outline_area_unit(self):
        """An outline drawn in px has its area in px2."""
        outline = Outline(vertices=[(0, 0, 0), (4, 0, 0), (0, 3, 0)], unit="px", **ON)
        assert outline.unit.area is Unit.PX2
