"""The one error of the PACS link: a one-line message naming the server and the reason.

Every failure of a PACS operation (refused connection, timeout, HTTP 401/403/404, a malformed
answer, a server stopping in the middle of a transfer) reaches callers as :class:`PacsError`;
the message never holds a password or a token, so it can be shown and logged as it is.
"""

from __future__ import annotations


class PacsError(Exception):
    """A PACS operation that failed.

    Attributes
    ----------
    server : str
        The node's name (or its address when it has none).
    reason : str
        What went wrong, one line, no secret.
    """

    def __init__(self, server: str, reason: str):
        self.server = one_line(server) or "PACS"
        self.reason = one_line(reason) or "failed"
        super().__init__(f"{self.server}: {self.reason}")

    def __str__(self) -> str:
        return f"{self.server}: {self.reason}"


def one_line(text: object, limit: int = 300) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class RetrieveCancelled(PacsError):
    """A retrieve or a query the user cancelled (what a retrieve got stays in the cache)."""
