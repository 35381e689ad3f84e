"""Strict reading of annotation JSON: finite numbers only, and the layout of the JSON Schema.

``resources/annotation.schema.json`` (Draft 2020-12) states the layout of the current schema
version: types, enumerations and bounds (coordinates finite and within 1 km of the origin,
lesion numbers below a million). Every annotation file read is checked against it with the
``jsonschema`` package before it is decoded, so a boolean or a string where a coordinate belongs
is refused with the place and the reason instead of reaching a measurement. ``NaN`` and
``Infinity``, which Python's ``json`` accepts by default but JSON does not, are refused as they
are parsed, as are numbers too large for a float.
"""

from __future__ import annotations

import functools
import json
import math

from jsonschema import Draft202012Validator

from spineviewer import RESOURCES_DIR
from spineviewer.core.annotation_codec import FormatError
from spineviewer.core.annotations import check_size

#: The JSON Schema of the current annotation layout.
SCHEMA_PATH = RESOURCES_DIR / "annotation.schema.json"


def parse_json(text: str):
    """The JSON value of ``text``, refusing ``NaN``, ``Infinity`` and numbers beyond a float.

    Raises ``json.JSONDecodeError`` for text that is not JSON, FormatError for a number that is
    not finite, RecursionError for nesting deeper than Python's recursion limit.
    """
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)


def validate(value) -> None:
    """FormatError naming the first place where ``value`` breaks the schema, and why.

    The number of lesions and drawings is checked first (:func:`~spineviewer.core.annotations.check_size`),
    so the time spent on a file is bounded whatever it holds.
    """
    if isinstance(value, dict):
        lesions = value.get("lesions") if isinstance(value.get("lesions"), list) else []
        drawings = sum(len(item["annotations"]) for item in lesions
                       if isinstance(item, dict) and isinstance(item.get("annotations"), list))
        free = value.get("annotations")
        try:
            check_size(len(lesions), drawings + (len(free) if isinstance(free, list) else 0))
        except ValueError as exc:
            raise FormatError(str(exc)) from None
    errors = [e for error in _validator().iter_errors(value) for e in _leaves(error)]
    error = min(errors, key=_depth, default=None)
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        raise FormatError(f"{where.lstrip('.') or 'the file'}: {_short(error.message)}")


@functools.lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _leaves(error):
    """The innermost errors under ``error`` (a ``oneOf`` holds one per alternative)."""
    if not error.context:
        yield error
    for inner in error.context:
        yield from _leaves(inner)


def _depth(error) -> tuple[int, str]:
    """Deepest first: 'lesions[0].annotations[2].endpoints_lps[0][1]: True is not of type
    number' says more than the oneOf of a whole drawing failing."""
    return -len(error.absolute_path), error.message


def _short(message: str) -> str:
    return message if len(message) <= 160 else message[:157] + "..."


def _refuse_constant(name: str):
    raise FormatError(f"{name} is not a number JSON allows; coordinates and values must be finite")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise FormatError(f"{text[:40]} is too large a number")
    return value
