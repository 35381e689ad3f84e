"""Regenerate the committed sample studies.

``python -m spineviewer.phantom`` writes cases 1 and 3 with seed 0 into the repository's
``sample_dicom/`` folder (each case replaces its previous folder). Other cases, seeds or a
different folder can be given on the command line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from spineviewer import SAMPLE_DIR
from spineviewer.phantom.study import CASES, generate_case

#: The cases committed under ``sample_dicom/``.
SAMPLE_CASES = (1, 3)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m spineviewer.phantom",
        description="Write phantom spine MRI studies with their ground truth.")
    parser.add_argument("outdir", nargs="?", type=Path, default=SAMPLE_DIR,
                        help=f"parent folder (default: {SAMPLE_DIR})")
    parser.add_argument("--case", action="append", dest="cases", metavar="CASE",
                        help=f"case number or slug, repeatable (default: "
                             f"{' and '.join(map(str, SAMPLE_CASES))}); "
                             f"cases: {', '.join(CASES)}")
    parser.add_argument("--seed", type=int, default=0, help="noise seed (default: 0)")
    args = parser.parse_args(argv)
    for case in args.cases or SAMPLE_CASES:
        try:
            folder = generate_case(case, args.outdir, seed=args.seed)
        except ValueError as error:
            parser.error(str(error))
        print(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
