"""The units of everything spineviewer measures: one vocabulary for drawings, metrics, the
scale of a viewport, the CSV columns and the SR's UCUM codes.

A drawing's coordinates are in mm when its series gives PixelSpacing, else in pixels
(DICOM PS3.3 C.7.6.2.1.1: without PixelSpacing there is no physical scale). Lengths, areas
and volumes measured from it carry the matching unit (``mm``, ``mm2``, ``mm3`` or ``px``,
``px2``, ``px3``), so a value in pixels is never reported as mm.
"""

from __future__ import annotations

from enum import Enum


class Unit(str, Enum):
    """Unit of a measured value; the member's value is its machine word (``"mm3"``)."""

    MM = "mm"
    MM2 = "mm2"
    MM3 = "mm3"
    PX = "px"
    PX2 = "px2"
    PX3 = "px3"
    SEGMENTS = "segments"
    RATIO = "ratio"
    YEARS = "years"

    @classmethod
    def of_image(cls, spacing_known: bool) -> Unit:
        """The length unit of an image: ``MM`` when it gives PixelSpacing, ``PX`` otherwise."""
        return cls.MM if spacing_known else cls.PX

    @property
    def is_length(self) -> bool:
        """True for the units a drawing's coordinates can have (``mm`` and ``px``)."""
        return self in _AREA

    @property
    def area(self) -> Unit:
        """The area unit of a length unit (``mm`` -> ``mm2``); ValueError for any other."""
        return _AREA[self._length()]

    @property
    def volume(self) -> Unit:
        """The volume unit of a length unit (``mm`` -> ``mm3``); ValueError for any other."""
        return _VOLUME[self._length()]

    def _length(self) -> Unit:
        if not self.is_length:
            raise ValueError(f"{self.value} is not a length unit (mm or px)")
        return self


_AREA = {Unit.MM: Unit.MM2, Unit.PX: Unit.PX2}
_VOLUME = {Unit.MM: Unit.MM3, Unit.PX: Unit.PX3}
