"""``spineviewer anonymize IN OUT --pseudonym ID``: a de-identified copy of a study."""

from __future__ import annotations

import argparse

from spineviewer.cli.registry import Command, add_annotation_source, bounded_int, register

#: Largest date shift, days: a century either way keeps every DICOM date a valid date.
MAX_SHIFT_DAYS = 36_500


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Source and destination, the pseudonym, and what is kept or carried over."""
    parser.add_argument("source", metavar="IN", help="DICOM folder, files, zip or DICOMDIR")
    parser.add_argument("out", metavar="OUT", help="a new or empty folder")
    parser.add_argument("--pseudonym", required=True, metavar="ID",
                        help="PatientName and PatientID of the copy")
    add_annotation_source(
        parser, annotations_help="annotation file to carry over (default: the study's own, if any)")
    parser.add_argument("--series", nargs="+", metavar="SERIES",
                        help="only these series (UID, number or description)")
    parser.add_argument("--study", metavar="UID", help="the StudyInstanceUID, when IN holds several")
    parser.add_argument("--shift-dates", type=bounded_int(-MAX_SHIFT_DAYS, MAX_SHIFT_DAYS),
                        metavar="DAYS",
                        help="shift every date by DAYS (keeps intervals) instead of removing "
                             f"dates; at most {MAX_SHIFT_DAYS} days either way")
    parser.add_argument("--keep-patient-characteristics", action="store_true",
                        help="keep sex, age, size and weight")


def run(args: argparse.Namespace) -> int:
    """Write the copy and report it; status 1 when nothing or not everything was exported."""
    from spineviewer.export.anonymize import anonymize_study, choose_study
    from spineviewer.export.study_input import load_images, study_annotations

    result = load_images(args.source)
    _, study = choose_study(result, args.study)
    annotations, source = study_annotations(args.annotations, args.source, result, required=False,
                                            study_uid=study.uid, answer_key=args.answer_key)
    if source is not None:
        print(f"annotations read: {source}")
    from spineviewer.core.masks import mask_folder

    done = anonymize_study(result, args.out, pseudonym=args.pseudonym, annotations=annotations,
                           source=args.source, masks=[mask_folder(source)] if source else [],
                           series=args.series, study_uid=study.uid,
                           date_shift_days=args.shift_dates,
                           keep_patient_characteristics=args.keep_patient_characteristics)
    print(f"{done.folder}: {len(done.files)} files, dates {done.dates}")
    if done.annotation_file is not None:
        print(f"annotations: {done.annotation_file}")
    if done.drawings_left_out:
        print(f"{done.drawings_left_out} drawing(s) on series that were not exported were left out")
    for problem in done.problems:
        print(f"not exported: {problem}")
    return 0 if done.files and not done.problems else 1


register(Command(
    name="anonymize",
    synopsis="IN OUT --pseudonym ID [--shift-dates DAYS]",
    summary="a de-identified copy of a study, annotations carried over",
    description="Copy a study to OUT as new DICOM files with the DICOM PS3.15 Basic "
                "Application Level Confidentiality Profile applied (Clean Descriptors "
                "Option): identifying attributes removed or emptied, private tags, curves "
                "and overlays removed, every UID replaced consistently, PatientName and "
                "PatientID set to the pseudonym, dates removed (or shifted with "
                "--shift-dates). Pixels and geometry are unchanged; the source is only "
                "read. The study's annotations are carried over to the new UIDs.",
    add_arguments=add_arguments,
    run=run,
))
