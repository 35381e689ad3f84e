"""Streaming multipart/related: parts split anywhere across chunks, hostile messages refused."""

from __future__ import annotations

import pytest

from spineviewer.pacs.multipart import boundary_of, iter_parts

BOUNDARY = b"sv-42"


def message(*bodies: bytes, headers=b"Content-Type: application/dicom\r\n", close=True) -> bytes:
    text = b"preamble to ignore"
    for body in bodies:
        text += b"\r\n--" + BOUNDARY + b"\r\n" + headers + b"\r\n" + body
    return text + (b"\r\n--" + BOUNDARY + b"--\r\n" if close else b"")


def chunked(data: bytes, size: int):
    return (data[i:i + size] for i in range(0, len(data), size))


BODIES = [b"DICM" + bytes(range(256)) * 3, b"", b"\r\n--sv-4 almost a delimiter", b"x" * 5000]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 1 << 20])
def test_parts_whatever_the_chunking(size):
    """The same bodies come out whether the message arrives byte by byte or at once."""
    assert list(iter_parts(chunked(message(*BODIES), size), BOUNDARY)) == BODIES


def test_part_without_headers():
    """A part with no header lines is its body."""
    assert list(iter_parts([message(b"abc", headers=b"")], BOUNDARY)) == [b"abc"]


def test_unterminated_message_refused():
    """A message cut before its closing delimiter (a server stopping) is an error after the
    complete parts."""
    parts = iter_parts(chunked(message(b"one", b"two", close=False), 5), BOUNDARY)
    assert next(parts) == b"one"
    with pytest.raises(ValueError, match="ended before"):
        list(parts)


def test_oversized_part_refused():
    """A part beyond the limit is refused before it fills memory."""
    with pytest.raises(ValueError, match="larger than 100 bytes"):
        list(iter_parts(chunked(message(b"x" * 1000), 10), BOUNDARY, max_part=100))


@pytest.mark.parametrize("content_type, expected", [
    ('multipart/related; type="application/dicom"; boundary="sv-42"', b"sv-42"),
    ("Multipart/Related;boundary=abc", b"abc"),
    ("application/dicom", None),
])
def test_boundary_of(content_type, expected):
    assert boundary_of(content_type) == expected


@pytest.mark.parametrize("content_type", ["text/html", "multipart/related; type=x", ""])
def test_boundary_of_refuses(content_type):
    """Not multipart/related, or no boundary: refused."""
    with pytest.raises(ValueError):
        boundary_of(content_type)
