"""``spineviewer sr STUDY --out FILE``: the findings as a DICOM SR measurement report."""

from __future__ import annotations

import argparse

from spineviewer.cli.registry import Command, add_annotation_source, register


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The study, the output file and the annotation file."""
    parser.add_argument("study", metavar="STUDY", help="DICOM folder, files, zip or DICOMDIR")
    parser.add_argument("--out", required=True, metavar="FILE", help="output DICOM file")
    add_annotation_source(parser, annotations_help="annotation file (default: the study's own)")


def run(args: argparse.Namespace) -> int:
    """Write the report and print its file and number of lesions."""
    from spineviewer.core.safe_write import check_output_file
    from spineviewer.export.sr import write_sr
    from spineviewer.export.study_input import load_images, study_annotations

    check_output_file(args.out)
    result = load_images(args.study)
    annotations, source = study_annotations(args.annotations, args.study, result, required=True,
                                            answer_key=args.answer_key)
    print(f"annotations: {source}")
    path = write_sr(result, annotations, args.out)
    print(f"{path}: {len(annotations.lesions)} lesion(s)")
    return 0


register(Command(
    name="sr",
    synopsis="STUDY --out report.dcm",
    summary="the findings as a DICOM SR measurement report (TID 1500)",
    description="Write the study's findings as a DICOM Comprehensive 3D SR: a TID 1500 "
                "Measurement Report with one measurement group per lesion (sizes in mm, "
                "extents in vertebral segments, T2/enhancement ratio, coded findings, each "
                "caliper and path with its image coordinates) and the vertebral levels.",
    add_arguments=add_arguments,
    run=run,
))
