"""Reading a ``multipart/related`` answer part by part as it streams in (RFC 2387).

WADO-RS sends a series as one ``multipart/related; type="application/dicom"`` message, one
DICOM file per part (DICOM PS3.18 §8.7.3.1). :func:`iter_parts` yields each part's body as soon
as the delimiter after it has arrived, so instances are written while the rest of the series
is still on the wire, and the bytes are the server's own (no decoding and re-encoding). The
message is hostile input: a part larger than ``max_part`` bytes or a missing boundary is a
:class:`MultipartError`, a message that ends before its closing delimiter an
:class:`IncompleteMessage`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

class MultipartError(ValueError):
    """A multipart answer that cannot be read (the message says why)."""


class IncompleteMessage(MultipartError):
    """A multipart answer that ended before its closing delimiter (the server stopped)."""


#: Largest part accepted (a multi-frame enhanced MR series in one instance can reach hundreds of MB).
MAX_PART_BYTES = 1 << 30


def boundary_of(content_type: str) -> bytes | None:
    """The ``boundary`` parameter of a multipart Content-Type, None for a single-part answer.

    MultipartError for a media type that is neither ``multipart/related`` nor ``application/dicom``.
    """
    media, *parameters = [item.strip() for item in content_type.split(";")]
    if media.lower().startswith("application/dicom"):
        return None
    if media.lower() != "multipart/related":
        raise MultipartError(f"the answer is {media or 'untyped'}, not multipart/related")
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "boundary":
            boundary = value.strip().strip('"')
            if 0 < len(boundary) <= 200:
                return boundary.encode("ascii", "replace")
    raise MultipartError("the multipart answer has no boundary")


def iter_parts(chunks: Iterable[bytes], boundary: bytes, *,
               max_part: int = MAX_PART_BYTES) -> Iterator[bytes]:
    """The bodies of the parts of a multipart message arriving in ``chunks``."""
    delimiter = b"\r\n--" + boundary
    buffer = bytearray(b"\r\n")  # so a first line "--boundary" matches the delimiter
    search_from, preamble, after_delimiter, closed = 0, True, False, False
    for chunk in chunks:
        buffer += chunk
        while True:
            if after_delimiter:  # "--" closes the message, anything else starts a part
                if len(buffer) < 2:
                    break
                if buffer[:2] == b"--":
                    closed = True
                    break
                after_delimiter = False
            found = buffer.find(delimiter, search_from)
            if found < 0:
                if len(buffer) > max_part + len(delimiter):
                    raise MultipartError(f"a part is larger than {max_part} bytes")
                search_from = max(0, len(buffer) - len(delimiter) + 1)
                break
            part = bytes(buffer[:found])
            del buffer[:found + len(delimiter)]
            search_from = 0
            if not preamble:
                yield _body(part)
            preamble, after_delimiter = False, True
        if closed:
            return
    raise IncompleteMessage("the multipart answer ended before its closing delimiter")


def _body(part: bytes) -> bytes:
    """A part without its header lines (``\\r\\n`` after the delimiter, headers, blank line)."""
    end = part.find(b"\r\n\r\n")
    if end < 0:
        raise MultipartError("a part has no header block")
    return part[end + 4:]
