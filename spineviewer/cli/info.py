"""``spineviewer info PATH [--json]``: what a folder, zip or DICOMDIR holds, and its problems."""

from __future__ import annotations

import argparse
import json

from spineviewer.cli.registry import Command, register


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The paths to scan and ``--json``."""
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--json", action="store_true",
                        help="print JSON: stacks with series_uid, plane, files, size, spacing, "
                             "origin and direction (SimpleITK conventions), and problems")


def run(args: argparse.Namespace) -> int:
    """Print the outline (or JSON) of what the paths hold; status 1 when they hold no images."""
    from spineviewer.core.loader import load_study
    from spineviewer.export.info import report_dict, report_text

    result = load_study(args.paths)
    if args.json:
        print(json.dumps(report_dict(result), indent=2, allow_nan=False))
    else:
        print(report_text(result))
    return 0 if result.patients else 1


register(Command(
    name="info",
    synopsis="PATH [--json]",
    summary="patients, studies, series, stacks and problems of PATH",
    description="Scan PATH (folder, files, zip or DICOMDIR) and print its patients, studies, "
                "series and stacks (plane, slices, matrix, spacing) and every file that did "
                "not load, with the reason.",
    add_arguments=add_arguments,
    run=run,
))
