"""``spineviewer cohort INPUT... --out DIR``: the tables, tests and figures of a case series."""

from __future__ import annotations

import argparse

from spineviewer.cli.registry import Command, millimetres, register


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The inputs, the output folder, the reader and the conus zone."""
    from spineviewer.core.metrics import CONUS_ZONE_MM

    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="study folders, parent folders of studies, annotation files, "
                             "lesions.csv and patients.csv files, in any mix")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="folder of the tables, summary.json and figures")
    parser.add_argument("--reader", metavar="NAME",
                        help="the reader whose readings are counted (needed when the input "
                             "holds several readers')")
    parser.add_argument("--answer-key", action="store_true",
                        help="count a sample study's reference-annotations.json answer key where "
                             "the study has no reading of its own")
    parser.add_argument("--conus-zone", type=millimetres, default=CONUS_ZONE_MM, metavar="MM",
                        help="length of the conus zone above the conus tip, for lesions read "
                             f"from annotation files (default {CONUS_ZONE_MM:g})")


def run(args: argparse.Namespace) -> int:
    """Write the cohort's files, print its size, the problems and where the tables are."""
    from spineviewer.cohort.build import HTML_FILE, build_cohort
    from spineviewer.cohort.tables import problem_text

    result = build_cohort(args.inputs, args.out, reader=args.reader,
                          conus_zone_mm=args.conus_zone, answer_key=args.answer_key)
    summary = result.summary
    print(f"{summary['n_patients']} patients, {summary['n_lesions']} lesions")
    for problem in result.problems:
        print(f"problem: {problem_text(problem)}")
    print(f"wrote the tables to {result.out_dir / HTML_FILE} (and tables.md, summary.json, "
          "lesions.csv, patients.csv, figures/)")
    return 0


register(Command(
    name="cohort",
    synopsis="INPUT... --out DIR [--reader NAME] [--answer-key]",
    summary="tables, tests and figures of a case series",
    description="Tabulate a case series: read the annotation files of study folders (or of a "
                "parent folder of many studies) and lesions.csv / patients.csv files, and write "
                "the merged CSV files, Tables 1-3 (tables.md, tables.html), summary.json with "
                "the solitary vs multiple ISCM tests, and figures/ into DIR.",
    add_arguments=add_arguments,
    run=run,
))
