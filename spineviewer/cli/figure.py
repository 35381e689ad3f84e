"""``spineviewer figure STUDY --out FILE``: an anonymous teaching figure with the annotations."""

from __future__ import annotations

import argparse

from spineviewer.cli.registry import Command, add_annotation_source, bounded_number, positive_int, register


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The study, the output file, the panels and slices, and what is drawn on the figure."""
    parser.add_argument("study", metavar="STUDY", help="DICOM folder, files, zip or DICOMDIR")
    parser.add_argument("--out", required=True, metavar="FILE", help="output .png, .jpg or .jpeg")
    add_annotation_source(parser,
                          annotations_help="annotation file (default: the study's own, if any)")
    parser.add_argument("--panels", nargs="+", metavar="SERIES",
                        help="series descriptions or numbers, one per panel (default: sagittal "
                             "T2, sagittal T1 after contrast, axial after contrast)")
    parser.add_argument("--slice", nargs="+", type=positive_int, metavar="N", dest="slices",
                        help="1-based slice number per panel (or one for all panels)")
    parser.add_argument("--lesion", type=positive_int, metavar="N",
                        help="show the slices where lesion N was drawn")
    parser.add_argument("--scale", type=bounded_number(0.25, 8), default=1.0,
                        help="1 = native resolution (default), 2 = twice as many pixels; "
                             "0.25 to 8")
    parser.add_argument("--caption", default="", metavar="TEXT", help="caption under the panels")
    parser.add_argument("--watermark", action="store_true",
                        help='print "NOT FOR DIAGNOSTIC USE" across the figure')
    parser.add_argument("--identify", action="store_true",
                        help="print the patient's name, ID, birth date, study date and accession "
                             "number above the panels (off by default)")
    parser.add_argument("--orientation-letters", action="store_true",
                        help="patient-direction letters at the panel edges")
    parser.add_argument("--no-scale-bar", action="store_true", help="leave out the scale bars")


def run(args: argparse.Namespace) -> int:
    """Render and save the figure; print its file, size and the slices shown."""
    from spineviewer.core.safe_write import check_output_file
    from spineviewer.export.figure import choose_panels, render_figure, save_figure
    from spineviewer.export.study_input import load_images, study_annotations

    check_output_file(args.out)
    result = load_images(args.study)
    annotations, source = study_annotations(args.annotations, args.study, result, required=False,
                                            answer_key=args.answer_key)
    if source is not None:
        print(f"annotations: {source}")
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


register(Command(
    name="figure",
    synopsis="STUDY --out fig.png [--panels SERIES ...] [--scale 2] [--caption TEXT]",
    summary="an anonymous teaching figure with the annotations burnt in",
    description="Render a teaching figure of STUDY: panels side by side (lettered A, B, C), "
                "each the slice where the lesion was drawn (else the middle slice), with "
                "calipers and their lengths, cord paths, arrows, notes and vertebral level "
                "labels burnt in. Anonymous unless --identify: no patient data in the pixels "
                "and no metadata in the file.",
    add_arguments=add_arguments,
    run=run,
))
