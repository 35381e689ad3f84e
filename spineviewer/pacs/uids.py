"""DICOM UIDs from a server, checked before they name a file or a folder.

A UID is digits and dots, at most 64 characters, no empty component (DICOM PS3.5 §9.1). A
server's answer is hostile until checked: ``../../etc`` or ``1.2/3`` as a SOPInstanceUID must
never become a path, so every UID is validated with :func:`checked_uid` before it is joined to
the cache folder.
"""

from __future__ import annotations

import re

_UID = re.compile(r"^[0-9]+(\.[0-9]+)*$")

#: Longest UID (DICOM PS3.5 §9.1).
MAX_UID_LENGTH = 64


class InvalidUid(ValueError):
    """A value that should be a UID and is not (the message shows it, cut short)."""


def is_uid(value: object) -> bool:
    """True when ``value`` is a str that is a valid DICOM UID."""
    return isinstance(value, str) and 0 < len(value) <= MAX_UID_LENGTH and bool(_UID.match(value))


def checked_uid(value: object, what: str) -> str:
    """``value`` stripped of the padding DICOM allows, or InvalidUid naming ``what``."""
    text = value.strip().rstrip("\0").strip() if isinstance(value, str) else value
    if not is_uid(text):
        shown = repr(value)[:80]
        raise InvalidUid(f"the {what} {shown} is not a valid DICOM UID")
    return text
