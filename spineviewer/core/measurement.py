"""A measured value: its machine name, number and unit, and the drawings it was computed from.

Like highdicom's ``Measurement(name, value, unit)``, a value is checked when it is built and
carries the references to its sources: here the ids of the drawings (calipers, cord paths,
outlines) the metric's rules chose, so that a view can show the image a number came from
without re-applying those rules. The UI label of a value is separate from its name.

Tables name a value's column after it (:func:`column_name`): the metrics classes declare each
measured field with :func:`measured`, which gives the field's column, and their rows
(:func:`measured_row`) key each value by :attr:`Measurement.key`. A value in pixels has its own
key (``ap_px``), so it never lands in an ``_mm`` column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

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
        """Column name (:func:`column_name` of its name and unit: ``ap_mm``, ``ap_px``)."""
        return column_name(self.name, self.unit)

    def __str__(self) -> str:
        if isinstance(self.value, int):
            return f"{self.name} {self.value} {self.unit.value}"
        return f"{self.name} {self.value:.2f} {self.unit.value}"


#: Units written into a column name: a length, volume or interval needs its unit to be read;
#: a segment count or a ratio does not.
_NAMED_UNITS = frozenset({Unit.MM, Unit.PX, Unit.MM3, Unit.PX3, Unit.YEARS})
_COLUMN_UNIT = "column_unit"


def column_name(name: str, unit: Unit) -> str:
    """The column of a value named ``name`` in ``unit``: ``ap`` in mm is ``ap_mm``, in px
    ``ap_px``; ``t2_segments`` stays ``t2_segments``."""
    return f"{name}_{unit.value}" if unit in _NAMED_UNITS else name


def measured(unit: Unit):
    """A dataclass field holding a :class:`Measurement` named like the field, or None.

    ``unit`` is the unit of the field's table column: the value's unit when the drawings are
    in mm (a value in px has another key, and its cell in that column stays empty).
    """
    return field(default=None, metadata={_COLUMN_UNIT: unit})


def measured_columns(metrics_class) -> dict[str, str]:
    """Field name -> column name of each :func:`measured` field of a dataclass, in field order."""
    return {f.name: column_name(f.name, f.metadata[_COLUMN_UNIT])
            for f in fields(metrics_class) if _COLUMN_UNIT in f.metadata}


def measurements_of(metrics) -> list[Measurement]:
    """The available values of a metrics dataclass's :func:`measured` fields, in field order;
    ValueError when a value's name is not its field's (its column would be wrong)."""
    found = []
    for name in measured_columns(type(metrics)):
        value = getattr(metrics, name)
        if value is None:
            continue
        if value.name != name:
            raise ValueError(f"the {name} field holds a measurement named {value.name!r}")
        found.append(value)
    return found


def measured_row(metrics) -> dict[str, float | int]:
    """``{Measurement.key: value}`` of the available values of a metrics dataclass."""
    return {m.key: m.value for m in measurements_of(metrics)}
