"""The entry point of ``spineviewer``: a registered command, else the workstation.

``spineviewer COMMAND ...`` runs the command of that name; anything else opens the reading
workstation on the given paths (no path: the bundled sample study). Because a path and a
command share the first place, a first argument that is no command, no existing file or folder
and has neither a path separator nor a dot (``mesure``) is taken for a mistyped command and gets
a usage error naming the closest command, instead of a window scanning a path that is not
there. A first argument that looks like a path (``scans/case1``, ``case1.zip``) opens the
workstation even when it does not exist, which then says so, as for any other unreadable input.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys

from spineviewer import __version__
from spineviewer.cli.registry import Command, commands, listing


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``spineviewer`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    registered = commands()
    if argv and argv[0] in registered:
        return _run_command(registered[argv[0]], argv[1:])
    if argv and _is_command_word(argv[0]):
        return _unknown_command(argv[0], registered)
    args = _gui_parser(registered).parse_args(argv)
    # Qt is imported only here, so the commands run without a display and start quickly.
    from spineviewer.gui.shell.app import run

    return run(args.paths)


def _run_command(command: Command, argv: list[str]) -> int:
    args = command.parser().parse_args(argv)
    try:
        return command.run(args)
    except (OSError, ValueError) as exc:
        # A user sees one line, not a traceback (an unwritable OUTDIR, a bad option value).
        print(f"spineviewer {command.name}: {exc}", file=sys.stderr)
        return 1


def _is_command_word(arg: str) -> bool:
    """Whether ``arg`` can only have been meant as a command (see the module docstring)."""
    if arg.startswith("-") or os.path.lexists(arg):
        return False
    separators = {os.sep, "/", os.altsep} - {None}
    return "." not in arg and not any(separator in arg for separator in separators)


def _unknown_command(word: str, registered: dict[str, Command]) -> int:
    close = difflib.get_close_matches(word, registered, n=1)
    hint = (f"did you mean {close[0]!r}?" if close
            else f"not a file or folder either; the commands are {', '.join(registered)}")
    _gui_parser(registered).print_usage(sys.stderr)
    print(f"spineviewer: unknown command {word!r} ({hint})", file=sys.stderr)
    return 2


def _gui_parser(registered: dict[str, Command]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spineviewer",
        description="Spine MRI reading workstation. Opens PATH (a DICOM folder, files, a zip "
                    "archive or a DICOMDIR), or the bundled sample study when no path is given.",
        epilog="\n".join(["subcommands (run 'spineviewer <command> --help'):",
                          *listing(registered.values(), prefix="  ")]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="what to open")
    parser.add_argument("--version", action="version", version=f"spineviewer {__version__}")
    return parser
