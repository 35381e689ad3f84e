"""Per-file problems met while loading: the path and a plain reason, never an exception.

A problem is either an ``error`` (the file looked like it should load and could not: truncated,
undecodable, missing a tag an image needs) or ``skipped`` (the file is fine but not an image this
viewer shows: a structured report, an RT plan, a PDF, a DICOMDIR).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ProblemKind(str, Enum):
    """How serious a per-file problem is."""

    ERROR = "error"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Problem:
    """One file that did not become (all of) an image.

    Attributes
    ----------
    path : str
        The file, as the user would recognise it (a zip member is ``archive.zip!member``).
    reason : str
        A plain sentence for a radiologist or a PACS administrator, no traceback.
    kind : ProblemKind
        ``error`` or ``skipped``.
    """

    path: str
    reason: str
    kind: ProblemKind = ProblemKind.ERROR

    def as_dict(self) -> dict:
        return {"path": self.path, "reason": self.reason, "kind": self.kind.value}


def describe_exception(exc: BaseException) -> str:
    """Turn an exception from pydicom or a decoder into one readable sentence."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    if isinstance(exc, EOFError) or "end of file" in text.lower() or "truncated" in text.lower():
        return "the file is truncated (it ends before its last element)"
    if isinstance(exc, MemoryError):
        return "the file is too large to read"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, OSError) and not text:
        return "the file could not be read"
    return f"{text} ({name})" if text else name
