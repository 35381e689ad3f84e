"""The export subcommands of ``spineviewer``: ``figure``, ``anonymize`` and ``sr``.

Each is a parser and a runner taking the argument list; :mod:`spineviewer.cli` dispatches to
them. Runners print what they wrote and return an exit code; bad input raises ValueError or
OSError, which the entry point turns into one line on stderr.
"""

from __future__ import annotations

import argparse

from spineviewer.core.annotation_file import annotation_files
from spineviewer.core.annotations import StudyAnnotations
from spineviewer.core.loader import load_study
from spineviewer.core.model import LoadResult
from spineviewer.export.measure import read_annotation_file

EXPORT_COMMANDS = {
    "figure": "render an anonymous teaching figure (PNG or JPEG) with the annotations burnt in",
    "anonymize": "copy a study as de-identified DICOM under a pseudonym, with its annotations",
    "sr": "write the findings as a DICOM SR measurement report (TID 1500)",
}


def figure_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spineviewer figure",
        description="Render a teaching figure of STUDY: panels side by side (lettered A, B, C), "
                    "each the slice where the lesion was drawn (else the middle slice), with "
                    "calipers and their lengths, cord paths, arrows, notes and vertebral level "
                    "labels burnt in. Anonymous unless --identify: no patient data in the pixels "
                    "and no metadata in the file.")
    parser.add_argument("study", metavar="STUDY", help="DICOM folder, files, zip or DICOMDIR")
    parser.add_argument("--out", required=True, metavar="FILE", help="output .png, .jpg or .jpeg")
    parser.add_argument("--annotations", metavar="FILE",
                        help="annotation file (default: the study's own, else a sample study's "
                             "reference-annotations.json, if any)")
    parser.add_argument("--panels", nargs="+", metavar="SERIES",
                        help="series descriptions or numbers, one per panel (default: sagittal "
                             "T2, sagittal T1 after contrast, axial after contrast)")
    parser.add_argument("--slice", nargs="+", type=int, metavar="N", dest="slices",
                        help="1-based slice number per panel (or one for all panels)")
    parser.add_argument("--lesion", type=int, metavar="N",
                        help="show the slices where lesion N was drawn")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1 = native resolution (default), 2 = twice as many pixels")
    parser.add_argument("--caption", default="", metavar="TEXT", help="caption under the panels")
    parser.add_argument("--watermark", action="store_true",
                        help='print "NOT FOR DIAGNOSTIC USE" across the figure')
    parser.add_argument("--identify", action="store_true",
                        help="print the patient's name, ID, birth date, study date and accession "
                             "number above the panels (off by default)")
    parser.add_argument("--orientation-letters", action="store_true",
                        help="patient-direction letters at the panel edges")
    parser.add_argument("--no-scale-bar", action="store_true", help="leave out the scale bars")
    return parser


def anonymize_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spineviewer anonymize",
        description="Copy a study to OUT as new DICOM files with the DICOM PS3.15 Basic "
                    "Application Level Confidentiality Profile applied (Clean Descriptors "
                    "Option): identifying attributes removed or emptied, private tags, curves "
                    "and overlays removed, every UID replaced consistently, PatientName and "
                    "PatientID set to the pseudonym, dates removed (or shifted with "
                    "--shift-dates). Pixels and geometry are unchanged; the source is only "
                    "read. The study's annotations are carried over to the new UIDs.")
    parser.add_argument("source", metavar="IN", help="DICOM folder, files, zip or DICOMDIR")
    parser.add_argument("out", metavar="OUT", help="a new or empty folder")
    parser.add_argument("--pseudonym", required=True, metavar="ID",
                        help="PatientName and PatientID of the copy")
    parser.add_argument("--annotations", metavar="FILE",
                        help="annotation file to carry over (default: the study's own, else a "
                             "sample study's reference-annotations.json, if any)")
    parser.add_argument("--series", nargs="+", metavar="SERIES",
                        help="only these series (UID, number or description)")
    parser.add_argument("--study", metavar="UID", help="the StudyInstanceUID, when IN holds several")
    parser.add_argument("--shift-dates", type=int, metavar="DAYS",
                        help="shift every date by DAYS (keeps intervals) instead of removing dates")
    parser.add_argument("--keep-patient-characteristics", action="store_true",
                        help="keep sex, age, size and weight")
    return parser


def sr_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spineviewer sr",
        description="Write the study's findings as a DICOM Comprehensive 3D SR: a TID 1500 "
                    "Measurement Report with one measurement group per lesion (sizes in mm, "
                    "extents in vertebral segments, T2/enhancement ratio, coded findings, each "
                    "caliper and path with its image coordinates) and the vertebral levels.")
    parser.add_argument("study", metavar="STUDY", help="DICOM folder, files, zip or DICOMDIR")
    parser.add_argument("--out", required=True, metavar="FILE", help="output DICOM file")
    parser.add_argument("--annotations", metavar="FILE",
                        help="annotation file (default: the study's own, else a sample study's "
                             "reference-annotations.json)")
    return parser


def run_figure(argv: list[str]) -> int:
    from spineviewer.export.figure import choose_panels, render_figure, save_figure

    args = figure_parser().parse_args(argv)
    result = _load(args.study)
    annotations = _annotations(args.annotations, args.study, result, required=False)
    panels = choose_panels(result, annotations, names=args.panels, slices=args.slices,
                           lesion=args.lesion)
    image = render_figure(result, panels, annotations, scale=args.scale, caption=args.caption,
                          watermark=args.watermark, identify=args.identify,
                          orientation_letters=args.orientation_letters,
                          scale_bar=not args.no_scale_bar)
    path = save_figure(image, args.out)
    shown = ", ".join(f"{p.series.description} slice {p.index + 1}" for p in panels)
    print(f"{path} ({image.width} x {image.height} pixels: {shown})")
    return 0


def run_anonymize(argv: list[str]) -> int:
    from spineviewer.export.anonymize import anonymize_study, choose_study

    args = anonymize_parser().parse_args(argv)
    result = _load(args.source)
    _, study = choose_study(result, args.study)
    annotations = _annotations(args.annotations, args.source, result, required=False,
                               study_uid=study.uid)
    done = anonymize_study(result, args.out, pseudonym=args.pseudonym, annotations=annotations,
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


def run_sr(argv: list[str]) -> int:
    from spineviewer.export.sr import write_sr

    args = sr_parser().parse_args(argv)
    result = _load(args.study)
    annotations = _annotations(args.annotations, args.study, result, required=True)
    path = write_sr(result, annotations, args.out)
    print(f"{path}: {len(annotations.lesions)} lesion(s)")
    return 0


def _load(paths) -> LoadResult:
    result = load_study(paths)
    if not result.patients:
        reasons = "; ".join(f"{p.path}: {p.reason}" for p in result.problems[:3])
        raise ValueError(f"no images found in {paths}" + (f" ({reasons})" if reasons else ""))
    return result


def _annotations(given: str | None, source: str, result: LoadResult, *, required: bool,
                 study_uid: str | None = None) -> StudyAnnotations | None:
    """The named annotation file, else the study's own (saved beside it by the workstation),
    else the ``reference-annotations.json`` answer key of a sample study; read, never moved."""
    if given:
        return read_annotation_file(given)
    uids = [study_uid] if study_uid else [s.uid for p in result.patients for s in p.studies]
    for path in annotation_files(source, uids):
        annotations = read_annotation_file(path)
        if annotations.study_instance_uid in uids:
            return annotations
    if required:
        raise ValueError("no annotation file was found for the study; give one with --annotations")
    return None
