"""A small input that opens where the reader clicked: a disc's name, an arrow's or a note's text.

It is not a modal dialog: the image stays visible and scrollable while the reader types.
Enter accepts (after the check passes), Esc cancels; a refused entry stays in the box with
the reason under it. The question and the reason wrap to the viewport's width, so a narrow
viewport (three side by side) still shows every word.
"""

from __future__ import annotations

from typing import Callable

from PyQt6.QtCore import QEvent, QPoint, Qt, pyqtSignal
from PyQt6.QtWidgets import QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

#: The widest the prompt grows over a wide viewport, pixels.
MAX_WIDTH = 340
#: Room kept between the prompt and the viewport's edges, pixels.
_MARGIN = 4


def unbroken(text: str) -> str:
    """``text`` with non-breaking hyphens: a level name wrapped at its hyphen ("T12-" over
    "L1") would read as two names."""
    return text.replace("-", "\u2011")


class NamePrompt(QFrame):
    """A question, a line of text and the reason a value was refused.

    Parameters
    ----------
    question : str
    check : callable
        ``check(text)`` returns '' when the text is acceptable, else the reason it is not.
    parent : QWidget
        The viewport the prompt opens over.

    Signals
    -------
    accepted(text)
    cancelled()
    """

    accepted = pyqtSignal(str)
    cancelled = pyqtSignal()

    def __init__(self, question: str, check: Callable[[str], str], parent: QWidget, *, text: str = ""):
        super().__init__(parent)
        self.setObjectName("namePrompt")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#namePrompt { background: #23272d; border: 1px solid #3d79b8; "
                           "border-radius: 4px; } QLabel#promptError { color: #ff8a80; }")
        self._check = check
        self.question = QLabel(unbroken(question))
        self.question.setWordWrap(True)
        self.edit = QLineEdit(text)
        self.error = QLabel()
        self.error.setObjectName("promptError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        for widget in (self.question, self.edit, self.error):
            layout.addWidget(widget)
        self.edit.returnPressed.connect(self.submit)
        self.edit.installEventFilter(self)
        parent.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        # Esc belongs to the prompt while it is open, not to the window's Esc shortcut.
        if (event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Escape):
            event.accept()
            return True
        # A viewport narrowed while the reader types (a dock widening) keeps the prompt inside.
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self._fit()
            self._place(self.pos())
        return super().eventFilter(watched, event)

    def _fit(self) -> None:
        """As wide as the viewport allows (at most :data:`MAX_WIDTH`), as tall as the wrapped
        question and reason need at that width."""
        width = max(1, min(MAX_WIDTH, self.parentWidget().width() - 2 * _MARGIN))
        self.setFixedWidth(width)
        self.setFixedHeight(self.layout().totalHeightForWidth(width))

    def open_at(self, position: QPoint) -> None:
        """Show the prompt near ``position`` (parent coordinates), inside the parent."""
        self._fit()
        self._place(position + QPoint(12, 12))
        self.show()
        self.raise_()
        self.edit.setFocus()
        self.edit.selectAll()

    def _place(self, top_left: QPoint) -> None:
        """Move the prompt's corner to ``top_left``, or as near as keeps it inside the parent."""
        parent = self.parentWidget()
        x = min(max(_MARGIN, top_left.x()), max(_MARGIN, parent.width() - self.width() - _MARGIN))
        y = min(max(_MARGIN, top_left.y()), max(_MARGIN, parent.height() - self.height() - _MARGIN))
        self.move(x, y)

    def submit(self) -> None:
        text = self.edit.text().strip()
        reason = self._check(text)
        if reason:
            self.error.setText(unbroken(reason))
            self.error.show()
            self._fit()
            self._place(self.pos())
            return
        self.hide()
        self.accepted.emit(text)
        self.deleteLater()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            self.hide()
            self.cancelled.emit()
            self.deleteLater()
            return
        super().keyPressEvent(event)
