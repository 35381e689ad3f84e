"""The registry of ``spineviewer`` subcommands.

A command is a module of :mod:`spineviewer.cli` named after it that calls :func:`register` once
when imported. What it registers is all the entry point and the help know about it: the name,
a synopsis and a one-line summary (the top-level help and the README's Commands block list
these), the description of its own ``--help``, a function adding its arguments to a parser and
a function running it. Command modules import what they work with inside ``run``, so listing
the commands stays fast and never imports Qt.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
from collections.abc import Callable, Iterable

#: The command modules, in the order the help lists them; each module is named after its command.
COMMAND_MODULES = ("info", "sample", "measure", "figure", "anonymize", "sr", "cohort",
                   "agreement", "assist")

#: Where a summary starts in a listing, counted from the end of the prefix.
_SUMMARY_COLUMN = 22


@dataclasses.dataclass(frozen=True)
class Command:
    """One subcommand of ``spineviewer``.

    Attributes
    ----------
    name : str
        What the user types after ``spineviewer``.
    synopsis : str
        The arguments after the name as the listings show them: the main ones, not every option.
    summary : str
        One line saying what the command does.
    description : str
        The paragraph of ``spineviewer NAME --help``.
    add_arguments : callable
        ``add_arguments(parser)`` adds the command's arguments to an ``argparse`` parser.
    run : callable
        ``run(args)`` runs the command on the parsed arguments and returns the exit status. Bad
        input raises ValueError or OSError, which the entry point reports as one line.
    """

    name: str
    synopsis: str
    summary: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]

    def parser(self) -> argparse.ArgumentParser:
        """The parser of ``spineviewer NAME``."""
        parser = argparse.ArgumentParser(prog=f"spineviewer {self.name}",
                                         description=self.description)
        self.add_arguments(parser)
        return parser


_registered: dict[str, Command] = {}


def register(command: Command) -> Command:
    """Add ``command`` to the registry; ValueError when its name is taken."""
    if command.name in _registered:
        raise ValueError(f"the command {command.name!r} is registered twice")
    _registered[command.name] = command
    return command


def commands() -> dict[str, Command]:
    """Every command by name, in the order of :data:`COMMAND_MODULES` (imported on first use)."""
    for module in COMMAND_MODULES:
        importlib.import_module(f"{__package__}.{module}")
    return {name: _registered[name] for name in COMMAND_MODULES}


ANSWER_KEY_HELP = ("use a sample study's answer key (reference-annotations.json) instead of "
                   "the reader's annotations")


def add_annotation_source(parser: argparse.ArgumentParser, *, annotations_help: str,
                          answer_key_help: str = ANSWER_KEY_HELP) -> None:
    """``--annotations FILE | --answer-key``: the one way a command is told which annotations
    to use (default: the study's own; :func:`~spineviewer.export.study_input.study_annotations`)."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--annotations", metavar="FILE", help=annotations_help)
    source.add_argument("--answer-key", action="store_true", help=answer_key_help)


def _bounded(kind: type, noun: str, low, high) -> Callable[[str], float | int]:
    """An argparse type: a ``kind`` from ``low`` to ``high``, else a usage error saying so."""
    def value_of(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        if not low <= value <= high:
            shown = (f"{low:g}", f"{high:g}") if kind is float else (low, high)
            raise argparse.ArgumentTypeError(f"{text} is not between {shown[0]} and {shown[1]}")
        return value
    return value_of


def bounded_number(low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a number from ``low`` to ``high``, else a usage error saying so."""
    return _bounded(float, "a number", low, high)


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``, else a usage error."""
    return _bounded(int, "a whole number", low, high)


def millimetres_between_0_and_1000(what: str) -> Callable[[str], float]:
    """An argparse type: a ``what`` ("length", "distance") in mm, more than 0 and under 1000."""
    def millimetres(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of mm") from None
        if not 0 < value < 1000:
            raise argparse.ArgumentTypeError(f"{text} mm is not a {what} between 0 and 1000 mm")
        return value
    return millimetres


#: An argparse type: a length in mm (the conus zone).
millimetres = millimetres_between_0_and_1000("length")
#: An argparse type: a whole number from 1 (slice and lesion numbers).
positive_int = bounded_int(1, 10**6)


def listing(entries: Iterable[Command], *, prefix: str) -> list[str]:
    """Lines naming each command with its synopsis and summary, summaries aligned.

    Parameters
    ----------
    entries : iterable of Command
        The commands, in the order to list them.
    prefix : str
        Put before each name: an indent in the help, ``"spineviewer "`` in the README.

    Returns
    -------
    list of str
        One line per command, or two when the synopsis reaches the summary column (the
        summary then goes on the next line, indented to that column).
    """
    column = len(prefix) + _SUMMARY_COLUMN
    lines = []
    for command in entries:
        usage = f"{prefix}{command.name} {command.synopsis}"
        if len(usage) < column:
            lines.append(f"{usage:<{column}}{command.summary}")
        else:
            lines.extend([usage, f"{'':<{column}}{command.summary}"])
    return lines
