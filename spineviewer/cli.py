"""The ``spineviewer`` command.

``spineviewer [PATH ...]`` opens the reading workstation (with no path: the bundled sample
study); subcommands work headless:

- ``spineviewer info PATH [--json]``: what a folder, zip or DICOMDIR holds, and its problems;
- ``spineviewer sample OUTDIR``: regenerate the synthetic sample studies with ground truth;
- ``spineviewer measure STUDY --out DIR``: the metrics of an annotated study as CSV files;
- ``spineviewer figure STUDY --out FILE``: an anonymous teaching figure with the annotations;
- ``spineviewer anonymize IN OUT --pseudonym ID``: a de-identified copy of a study;
- ``spineviewer sr STUDY --out FILE``: the findings as a DICOM SR measurement report.
"""

from __future__ import annotations

import argparse
import json
import sys

from spineviewer import __version__

_SUBCOMMANDS = ("info", "sample", "measure", "figure", "anonymize", "sr")


def _gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spineviewer",
        description="Spine MRI reading workstation. Opens PATH (a DICOM folder, files, a zip "
                    "archive or a DICOMDIR), or the bundled sample study when no path is given.",
        epilog="subcommands (run 'spineviewer <command> --help'):\n"
               "  info     list patients, studies, series, stacks and problems of PATH\n"
               "  sample   write the synthetic sample studies with their ground truth\n"
               "  measure  write the lesion and patient metrics of an annotated study as CSV\n"
               "  figure   render an anonymous teaching figure with the annotations burnt in\n"
               "  anonymize copy a study as de-identified DICOM under a pseudonym\n"
               "  sr       write the findings as a DICOM SR measurement report",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="what to open")
    parser.add_argument("--version", action="version", version=f"spineviewer {__version__}")
    return parser


def _info_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spineviewer info",
        description="Scan PATH (folder, files, zip or DICOMDIR) and print its patients, studies, "
                    "series and stacks (plane, slices, matrix, spacing) and every file that did "
                    "not load, with the reason.")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--json", action="store_true",
                        help="print JSON: stacks with series_uid, plane, files, size, spacing, "
                             "origin and direction (SimpleITK conventions), and problems")
    return parser


def _sample_parser() -> argparse.ArgumentParser:
    from spineviewer.phantom import CASES, TRANSFER_SYNTAXES

    parser = argparse.ArgumentParser(
        prog="spineviewer sample",
        description="Write synthetic spine MRI studies (DICOM) with a ground-truth JSON. The "
                    "output is bit-identical for the same seed and options.")
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
    return parser


def _millimetres(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of mm") from None
    if not 0 < value < 1000:
        raise argparse.ArgumentTypeError(f"{text} mm is not a length between 0 and 1000 mm")
    return value


def _measure_parser() -> argparse.ArgumentParser:
    from spineviewer.core.metrics import CONUS_ZONE_MM

    parser = argparse.ArgumentParser(
        prog="spineviewer measure",
        description="Compute the ISCM metrics of an annotated study (sizes in mm, extents in "
                    "vertebral segments, T2/enhancement ratio, location) and write lesions.csv "
                    "and patients.csv into DIR. Only the headers of the images are read.")
    parser.add_argument("study", metavar="STUDY", help="the study: a folder, zip or DICOMDIR")
    parser.add_argument("--annotations", metavar="FILE",
                        help="annotation file (default: the study's own, else the "
                             "reference-annotations.json in the study folder)")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder of the CSV files")
    parser.add_argument("--pseudonym", metavar="ID",
                        help="write ID instead of the PatientID and leave out every date")
    parser.add_argument("--conus-zone", type=_millimetres, default=CONUS_ZONE_MM, metavar="MM",
                        help=f"length of the conus zone above the conus tip (default {CONUS_ZONE_MM:g})")
    return parser


def _run_info(argv: list[str]) -> int:
    from spineviewer.core.loader import load_study
    from spineviewer.export.info import report_dict, report_text

    args = _info_parser().parse_args(argv)
    result = load_study(args.paths)
    if args.json:
        print(json.dumps(report_dict(result), indent=2))
    else:
        print(report_text(result))
    return 0 if result.patients else 1


def _run_sample(argv: list[str]) -> int:
    from spineviewer.phantom import CASES, case_slug, generate_case

    args = _sample_parser().parse_args(argv)
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


def _run_measure(argv: list[str]) -> int:
    from spineviewer.export.measure import measure_study, summary_table

    args = _measure_parser().parse_args(argv)
    result = measure_study(args.study, args.out, annotation_path=args.annotations,
                           pseudonym=args.pseudonym, conus_zone_mm=args.conus_zone)
    patient = args.pseudonym if args.pseudonym is not None else result.annotations.patient_id
    print(summary_table(result.metrics, patient=patient or "patient"))
    print(f"wrote {result.lesions_csv} and {result.patients_csv}")
    return 0


def _export_runners() -> dict:
    from spineviewer.export.commands import run_anonymize, run_figure, run_sr

    return {"figure": run_figure, "anonymize": run_anonymize, "sr": run_sr}


def _run_gui(argv: list[str]) -> int:
    args = _gui_parser().parse_args(argv)
    from spineviewer.gui.shell.app import run

    return run(args.paths)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``spineviewer`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in _SUBCOMMANDS:
        return _run_gui(argv)
    command, rest = argv[0], argv[1:]
    try:
        return {"info": _run_info, "sample": _run_sample, "measure": _run_measure,
                **_export_runners()}[command](rest)
    except (OSError, ValueError) as exc:
        # A user sees one line, not a traceback (an unwritable OUTDIR, a bad option value).
        print(f"spineviewer {command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
