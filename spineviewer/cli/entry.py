"""The entry point of ``spineviewer``: a registered command, else the workstation.

``spineviewer COMMAND ...`` runs the command of that name; anything else opens the reading
workstation on the given paths (no path: the bundled sample study).
"""

from __future__ import annotations

import argparse
import sys

from spineviewer import __version__
from spineviewer.cli.registry import Command, commands, listing


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``spineviewer`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    registered = commands()
    if argv and argv[0] in registered:
        return _run_command(registered[argv[0]], argv[1:])
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
