"""``spineviewer agreement INPUT... --readers A,B --out DIR``: agreement between readers."""

from __future__ import annotations

import argparse

from spineviewer.cli.registry import Command, millimetres_between_0_and_1000, register



def _readers(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if len(names) < 2:
        raise argparse.ArgumentTypeError(f"{text!r}: name two readers or more, separated by commas")
    return names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The inputs, the readers, the output folder and the pairing distance."""
    from spineviewer.cohort.agreement_pairing import MAX_DISTANCE_MM

    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="study or parent folders (their *.spineviewer.json and "
                             "reference-annotations.json files), annotation files, or "
                             "lesions.csv exports with a reader column")
    parser.add_argument("--readers", required=True, type=_readers, metavar="A,B",
                        help="the readers to compare, as the files name them; the first is "
                             "the reference")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="folder of agreement.json, agreement.md and the plots")
    parser.add_argument("--max-distance", type=millimetres_between_0_and_1000("distance"),
                        default=MAX_DISTANCE_MM,
                        metavar="MM", help="largest distance between the centres of two "
                                           f"readers' lesions that pair (default {MAX_DISTANCE_MM:g})")


def run(args: argparse.Namespace) -> int:
    """Write the agreement files and print the lesions found and the problems met."""
    from spineviewer.cohort.agreement import compare_readers
    from spineviewer.cohort.agreement_input import read_inputs
    from spineviewer.cohort.agreement_report import write_report

    readings = read_inputs(args.inputs)
    result = compare_readers(readings, args.readers, max_distance_mm=args.max_distance)
    written = write_report(result, args.out)
    counts = ", ".join(f"{r} {n}" for r, n in result["lesions_per_reader"].items())
    unpaired = sum(len(entries) for entries in result["unpaired"].values())
    print(f"{result['n_studies']} studies; lesions {counts}; found by every reader "
          f"{result['n_matched']}, not by every reader {unpaired}")
    for problem in result["problems"]:
        print(f"problem: {problem}")
    print(f"wrote {written['json']}, {written['markdown']} and {len(written['plots'])} plots")
    return 0


register(Command(
    name="agreement",
    synopsis="INPUT... --readers A,B --out DIR [--max-distance MM]",
    summary="agreement between readers: ICC, Bland-Altman, kappa",
    description="Compare two or more readers' annotations of the same studies: pair their "
                "lesions by the distance between the enhancing lesions' centres, list those "
                "not found by every reader, and write agreement.json, agreement.md and a "
                "Bland-Altman plot per measure into DIR.",
    add_arguments=add_arguments,
    run=run,
))
