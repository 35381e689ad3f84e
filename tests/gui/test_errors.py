"""Unexpected errors reach the log with their traceback and the user as one sentence."""

from __future__ import annotations

import logging

from PyQt6.QtWidgets import QMessageBox

from spineviewer.gui.shell.errors import show_error, user_message


def _raise():
    raise ValueError("the slice index went astray")


def test_message_is_short_and_has_no_traceback():
    """The user sees the reason and where the log is, never a traceback."""
    try:
        _raise()
    except ValueError as exc:
        text = user_message(exc)
    assert "the slice index went astray" in text
    assert "Traceback" not in text and "_raise" not in text


def test_show_error_logs_and_shows_a_box(qtbot, caplog):
    """The traceback goes to the log; a non-blocking message box shows the sentence."""
    try:
        _raise()
    except ValueError as exc:
        with caplog.at_level(logging.ERROR, logger="spineviewer"):
            box = show_error(exc)
    qtbot.addWidget(box)
    assert isinstance(box, QMessageBox) and box.isVisible() and not box.isModal()
    assert "went astray" in box.text()
    assert any(record.exc_info and record.exc_info[0] is ValueError for record in caplog.records)
