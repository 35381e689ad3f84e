"""``spineviewer sample OUTDIR``: the synthetic sample studies with their ground truth."""

from __future__ import annotations

import argparse
import sys

from spineviewer.cli.registry import Command, register


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The output folder and the phantom's options (cases, seed, tilt, numbering, encoding)."""
    from spineviewer.phantom import CASES, TRANSFER_SYNTAXES

    parser.add_argument("outdir", metavar="OUTDIR")
    parser.add_argument("--case", action="append", metavar="N",
                        help=f"case number 1-{len(CASES)} or name ({', '.join(CASES)}); "
                             "repeatable; default: all")
    parser.add_argument("--seed", type=int, default=0, help="noise seed (default 0)")
    parser.add_argument("--oblique", type=float, default=0.0, metavar="DEG",
                        help="tilt the axial blocks by DEG degrees")
    parser.add_argument("--reverse-instance-numbers", action="store_true",
                        help="number instances opposite to their spatial order")
    parser.add_argument("--transfer-syntax", default="explicit-little-endian",
                        choices=TRANSFER_SYNTAXES, help="encoding of the pixel data")


def run(args: argparse.Namespace) -> int:
    """Write each case and print its folder; status 2 for an unknown case."""
    from spineviewer.phantom import CASES, case_slug, generate_case

    try:
        cases = [case_slug(c) for c in args.case] if args.case else list(CASES)
    except ValueError as exc:
        print(f"spineviewer sample: {exc}", file=sys.stderr)
        return 2
    for case in cases:
        folder = generate_case(case, args.outdir, seed=args.seed, oblique_deg=args.oblique,
                               reverse_instance_numbers=args.reverse_instance_numbers,
                               transfer_syntax=args.transfer_syntax)
        print(folder)
    return 0


register(Command(
    name="sample",
    synopsis="OUTDIR",
    summary="regenerate the synthetic sample studies with ground truth",
    description="Write synthetic spine MRI studies (DICOM) with a ground-truth JSON. The "
                "output is bit-identical for the same seed and options.",
    add_arguments=add_arguments,
    run=run,
))
