"""Fast access to the plain values of a parsed dataset, for the header scan.

pydicom converts an element on first access, with validation and charset handling; for the
scan's numeric, code and UID tags (about twenty per file) that conversion costs more than parsing
the whole file. Here raw ASCII values (UI, CS, DS, IS, DA, TM, AS) and unsigned shorts are decoded
directly from their bytes (PS3.5 §6.2: backslash-separated, space or NUL padded), and so are
names and free text when the dataset's character set is ASCII or Latin-1. Other character sets
go through pydicom, which applies the Specific Character Set.
"""

from __future__ import annotations

import datetime as dt
import struct
from functools import lru_cache

import numpy as np
import pydicom
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset

_ASCII_VRS = frozenset({"UI", "CS", "DS", "IS", "DA", "TM", "AS", "DT"})
_NUMERIC_VRS = frozenset({"DS", "IS"})
#: Text VRs whose bytes follow the Specific Character Set (PS3.5 §6.1.2.3).
_TEXT_VRS = frozenset({"LO", "SH", "PN", "LT", "ST"})
#: Character sets in which every byte is its Latin-1 character.
_LATIN1_SETS = frozenset({"", "ISO_IR 100", "ISO_IR 6", "ISO 2022 IR 6", "ISO 2022 IR 100"})
_CHARSET = 0x00080005


@lru_cache(maxsize=None)
def _tag(keyword: str) -> int:
    tag = tag_for_keyword(keyword)
    if tag is None:
        raise KeyError(f"unknown DICOM keyword {keyword!r}")
    return tag


@lru_cache(maxsize=None)
def _dictionary_vr(tag: int) -> str:
    try:
        return dictionary_VR(tag)
    except KeyError:
        return "UN"


def _plain_charset(ds: Dataset) -> bool:
    """True when the dataset's text is ASCII or Latin-1, so bytes decode one to one."""
    element = ds._dict.get(_CHARSET)
    if element is None:
        return True
    if isinstance(element, RawDataElement):
        value = (element.value or b"").decode("latin-1").strip(" \x00")
    else:
        value = "\\".join(element.value) if isinstance(element.value, list) else str(element.value or "")
    return value in _LATIN1_SETS


def get(ds: Dataset, keyword: str, default=None):
    """The value of ``keyword`` in ``ds``, or ``default`` when absent or empty.

    Numeric strings (DS, IS) with several values come back as a list of strings, other ASCII
    values as one stripped string (multiple values keep their backslashes), unsigned shorts as
    int. Free text and names in an ASCII or Latin-1 dataset are decoded directly too; in any other
    character set (Japanese, Greek ...) pydicom decodes them. Anything else is as pydicom
    converts it.
    """
    tag = _tag(keyword)
    element = ds._dict.get(tag)
    if element is None:
        return default
    if isinstance(element, RawDataElement) and element.value is not None:
        vr = element.VR or _dictionary_vr(tag)
        raw = element.value
        if vr in _ASCII_VRS or (vr in _TEXT_VRS and _plain_charset(ds)):
            text = raw.decode("latin-1").strip(" \x00")
            if not text:
                return default
            if vr in _NUMERIC_VRS and "\\" in text:
                return [part.strip() for part in text.split("\\")]
            return text
        if vr == "US" and len(raw) == 2:
            return struct.unpack("<H" if element.is_little_endian else ">H", raw)[0]
    value = ds[tag].value
    return default if value in (None, "") else value


def text(ds: Dataset, keyword: str) -> str:
    """The value as one stripped string (multiple values joined by backslashes), or ``""``."""
    value = get(ds, keyword, "")
    if isinstance(value, (list, pydicom.multival.MultiValue)):
        return "\\".join(str(v) for v in value)
    return str(value).strip()


def number(value, default=None):
    """The first value as a finite float, or ``default`` when absent, not a number, NaN or
    infinite (a DS of ``nan`` or ``1e999`` is no measurement)."""
    try:
        if isinstance(value, (list, tuple, pydicom.multival.MultiValue)):
            value = value[0]
        result = float(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return default
    return result if np.isfinite(result) else default


def integer(value) -> int | None:
    """The first value as an int, or None."""
    value = number(value)
    return None if value is None else int(value)


def vector(value, length: int) -> np.ndarray | None:
    """Exactly ``length`` finite floats as an array, or None."""
    if isinstance(value, str):
        value = value.split("\\")
    try:
        array = np.array([float(v) for v in value], dtype=float)
    except (TypeError, ValueError):
        return None
    return array if array.shape == (length,) and np.all(np.isfinite(array)) else None


def date(value) -> dt.date | None:
    """A DICOM DA value (``YYYYMMDD``, PS3.5 6.2) as a date; None when empty or not a date."""
    value = str(value or "").strip()
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None
