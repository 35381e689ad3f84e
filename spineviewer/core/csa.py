"""Siemens CSA headers: the private binary header that Siemens MR files carry in (0029,1010).

The CSA Image Header Info holds what the public tags leave out; spineviewer reads it only for the
true slice normal of a mosaic (``SliceNormalVector``) and its image count. Siemens does not publish
the format; this reader follows the layout that nibabel documents (``nibabel.nicom.csareader``),
which SPM, AFNI and dcm2niix read the same way. All integers are little endian, whatever the
file's transfer syntax.

Notes
-----
Layout::

    CSA2: b"SV10" + 4 bytes, then uint32 n_tags, uint32 (77)
    CSA1:                         uint32 n_tags, uint32 (77)
    each tag:  char name[64] (NUL-terminated), int32 vm, char vr[4], int32 syngodt,
               int32 n_items, int32 (77 or 205)
    each item: int32 x[4], then the value (NUL-padded text), padded to a multiple of 4 bytes

The value length is ``x[1]`` in CSA2, and ``x[0]`` minus the first tag's ``n_items`` in CSA1.
Every count and length is checked against the buffer before it is used, so a damaged header
raises :class:`CSAError` instead of reading past its end or allocating without bound.
"""

from __future__ import annotations

import struct

_TAG = struct.Struct("<64si4s3i")
_ITEM = struct.Struct("<4i")
_COUNTS = struct.Struct("<2I")
#: Real headers have about 100 tags of at most a few hundred items; more means a damaged header.
_MAX_COUNT = 1000


class CSAError(ValueError):
    """A CSA header that does not follow the layout; the message says where it breaks."""


def _need(raw: bytes, pos: int, size: int, what: str) -> None:
    if pos + size > len(raw):
        raise CSAError(f"the CSA header ends inside {what} (byte {pos} of {len(raw)})")


def read_csa(raw: bytes) -> dict[str, list[str]]:
    """The tags of a CSA header as text values.

    Parameters
    ----------
    raw : bytes
        The value of (0029,1010) (image header) or (0029,1020) (series header).

    Returns
    -------
    dict of str to list of str
        Each tag name with its non-empty items, as text (numbers stay text, e.g. ``"0.1079"``).

    Raises
    ------
    CSAError
        When a count or length contradicts the buffer.
    """
    csa2 = raw[:4] == b"SV10"
    pos = 8 if csa2 else 0
    _need(raw, pos, _COUNTS.size, "its header")
    n_tags, _ = _COUNTS.unpack_from(raw, pos)
    pos += _COUNTS.size
    if not 0 < n_tags <= _MAX_COUNT:
        raise CSAError(f"the CSA header declares {n_tags} tags")
    length_offset = None
    tags: dict[str, list[str]] = {}
    for _ in range(n_tags):
        _need(raw, pos, _TAG.size, "a tag")
        name, vm, _vr, _syngodt, n_items, _ = _TAG.unpack_from(raw, pos)
        pos += _TAG.size
        if not 0 <= n_items <= _MAX_COUNT:
            raise CSAError(f"a CSA tag declares {n_items} items")
        if length_offset is None:
            length_offset = 0 if csa2 else n_items
        items = []
        for _ in range(n_items):
            _need(raw, pos, _ITEM.size, "an item")
            x0, x1, _, _ = _ITEM.unpack_from(raw, pos)
            pos += _ITEM.size
            length = x1 if csa2 else x0 - length_offset
            if length < 0:
                raise CSAError(f"a CSA item declares {length} bytes")
            _need(raw, pos, length, "an item value")
            items.append(raw[pos:pos + length].split(b"\0", 1)[0].decode("latin-1").strip())
            pos += length + (-length % 4)
        values = [item for item in items if item]
        tags[name.split(b"\0", 1)[0].decode("latin-1")] = values[:vm] if vm > 0 else values
    return tags


def csa_floats(tags: dict[str, list[str]], name: str) -> list[float] | None:
    """The numeric items of tag ``name``, or None when absent, empty or not numbers."""
    try:
        return [float(item) for item in tags[name]] or None
    except (KeyError, ValueError):
        return None
