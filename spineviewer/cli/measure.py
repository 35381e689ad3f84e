"""``spineviewer measure STUDY --out DIR``: the ISCM metrics of an annotated study as CSV."""

from __future__ import annotations

import argparse

from spineviewer.cli.registry import Command, add_annotation_source, millimetres, register



def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The study, the output folder, the annotation file, a pseudonym and the conus zone."""
    from spineviewer.core.metrics import CONUS_ZONE_MM

    parser.add_argument("study", metavar="STUDY", help="the study: a folder, zip or DICOMDIR")
    add_annotation_source(parser, annotations_help="annotation file (default: the study's own)",
                          answer_key_help="measure the answer key (reference-annotations.json) "
                                          "of a sample study instead of the reader's annotations")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder of the CSV files")
    parser.add_argument("--pseudonym", metavar="ID",
                        help="write ID instead of the PatientID and leave out every date")
    parser.add_argument("--conus-zone", type=millimetres, default=CONUS_ZONE_MM, metavar="MM",
                        help=f"length of the conus zone above the conus tip (default {CONUS_ZONE_MM:g})")


def run(args: argparse.Namespace) -> int:
    """Write lesions.csv and patients.csv and print one line per lesion."""
    from spineviewer.export.measure import measure_study, summary_table

    result = measure_study(args.study, args.out, annotation_path=args.annotations,
                           answer_key=args.answer_key, pseudonym=args.pseudonym,
                           conus_zone_mm=args.conus_zone)
    print(f"annotations: {result.annotation_path}")
    patient = args.pseudonym if args.pseudonym is not None else result.annotations.patient_id
    print(summary_table(result.metrics, patient=patient or "patient"))
    print(f"wrote {result.lesions_csv} and {result.patients_csv}")
    return 0


register(Command(
    name="measure",
    synopsis="STUDY --out DIR [--annotations FILE | --answer-key] [--pseudonym ID]",
    summary="the metrics of an annotated study: lesions.csv, patients.csv",
    description="Compute the ISCM metrics of an annotated study (sizes in mm, extents in "
                "vertebral segments, T2/enhancement ratio, location) and write lesions.csv "
                "and patients.csv into DIR. Only the headers of the images are read. The annotation "
                "file read is printed; it is the study's own unless --annotations names one, "
                "and a sample study's answer key only with --answer-key.",
    add_arguments=add_arguments,
    run=run,
))
