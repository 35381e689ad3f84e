"""One line under a PACS form saying what happened: working, done, or failed (naming the server)."""

from __future__ import annotations

from PyQt6.QtWidgets import QLabel, QWidget

from spineviewer.pacs.errors import one_line

#: Colours on the dark theme.
_STYLES = {"ok": "color: #6cc47a;", "error": "color: #ff8a80;", "busy": "color: #aeb6c2;",
           "note": "color: #ffcf66;"}
#: Longest server reason quoted in a PACS message (``one_line(reason, REASON_LIMIT)``: a
#: server's text can be anything).
REASON_LIMIT = 240


class StatusLine(QLabel):
    """A label that says how an operation went, in its colour; ``kind`` is the last one shown."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.kind = ""

    def show_text(self, kind: str, text: str) -> None:
        """Show ``text`` as ``ok``, ``error``, ``busy`` or ``note`` ('' text: nothing)."""
        self.kind = kind if text else ""
        self.setStyleSheet(_STYLES.get(kind, ""))
        self.setText(one_line(text, 400) if kind == "error" else text)
        self.setToolTip(text if len(text) > 80 else "")
