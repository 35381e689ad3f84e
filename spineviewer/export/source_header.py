"""What the SEG (:mod:`.seg`) and the SR (:mod:`.sr`) share: stable hashed UIDs and the headers
of the images they reference, without the site's identity."""

from __future__ import annotations

import hashlib

import pydicom

from spineviewer.core.frames import Frame

#: Left out of the source headers, which the SEG and SR copy attributes (and, for the SR, its
#: contributing equipment) from.
SITE_IDENTITY = ("InstitutionName", "InstitutionAddress", "InstitutionalDepartmentName",
                 "StationName", "DeviceSerialNumber", "OperatorsName", "PerformingPhysicianName")


def hashed_uid(text: str) -> str:
    """A ``2.25`` UID from the first 128 bits of the SHA-256 of ``text`` (the same every time)."""
    return f"2.25.{int.from_bytes(hashlib.sha256(text.encode('utf-8')).digest()[:16], 'big')}"


def header_without_site(frame: Frame) -> pydicom.Dataset:
    """The header of the file ``frame`` is in, read without pixels, minus :data:`SITE_IDENTITY`."""
    with frame.file.source.open() as handle:
        header = pydicom.dcmread(handle, stop_before_pixels=True)
    for keyword in SITE_IDENTITY:
        if keyword in header:
            delattr(header, keyword)
    return header
