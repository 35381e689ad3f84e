"""A measured value: its machine name, number and unit, and the drawings it was computed from.

Like highdicom's ``Measurement(name, value, unit)``, a value is checked when it is built and
carries the references to its sources: here the ids of the drawings (calipers, cord paths,
outlines) the metric's rules chose, so that a view can show the image a number came from
without re-applying those rules. The UI label of a value is separate from its name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from spineviewer.core.units import Unit
from spineviewer.core.vocabulary import parse


@dataclass(frozen=True)
class Measurement:
    """A named value with its unit and its source drawings, checked at construction.

    Attributes
    ----------
    name : str
        Machine name (``"ap"``, ``"t2_segments"``); the UI label is separate.
    value : float or int
        Finite; segment counts are int.
    unit : Unit
    sources : tuple of str
        Ids of the drawings the value was computed from, the deciding one first (empty for a
        value that comes from no drawing, such as an interval between dates).
    """

    name: str
    value: float | int
    unit: Unit
    sources: tuple[str, ...] = ()

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"a measurement name is an identifier, got {self.name!r}")
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float, np.number)):
            raise ValueError(f"{self.name}: value must be a number, got {self.value!r}")
        if not math.isfinite(self.value):
            raise ValueError(f"{self.name}: value must be finite, got {self.value!r}")
        value = int(self.value) if isinstance(self.value, (int, np.integer)) else float(self.value)
        object.__setattr__(self, "value", value)
        unit = parse(Unit, self.unit)
        if unit is None:
            raise ValueError(f"{self.name}: a measurement needs a unit")
        object.__setattr__(self, "unit", unit)
        sources = tuple(self.sources) if isinstance(self.sources, (tuple, list)) else None
        if sources is None or not all(isinstance(s, str) and s for s in sources):
            raise ValueError(f"{self.name}: sources are drawing ids, got {self.sources!r}")
        object.__setattr__(self, "sources", sources)

    @property
    def key(self) -> str:
        """Column name: lengths and volumes carry their unit (``ap_mm``, ``ap_px``)."""
        if self.unit in (Unit.MM, Unit.PX, Unit.MM3, Unit.PX3, Unit.YEARS):
            return f"{self.name}_{self.unit.value}"
        return self.name

    def __str__(self) -> str:
        if isinstance(self.value, int):
            return f"{self.name} {self.value} {self.unit.value}"
        return f"{self.name} {self.value:.2f} {self.unit.value}"
