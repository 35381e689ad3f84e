"""Checks shared by the frozen value objects of the annotation model.

Values are validated and normalised in ``__post_init__``; a frozen dataclass stores the
normalised value with :func:`assign`.
"""

from __future__ import annotations


def assign(instance, name: str, value) -> None:
    """Set a field of a frozen dataclass during its own validation."""
    object.__setattr__(instance, name, value)


def text_value(value, what: str) -> str:
    """Free text: None becomes ``""``; anything but a string is refused, naming ``what``."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{what}: expected text, got {value!r}")
    return value


def enum_value(enum, value, what: str):
    """``value`` as a member of ``enum``; a ValueError naming ``what`` and the allowed values."""
    try:
        return enum(value)
    except ValueError:
        raise ValueError(f"{what} must be one of {[m.value for m in enum]}, got {value!r}") from None
