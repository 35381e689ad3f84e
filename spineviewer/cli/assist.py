"""``spineviewer assist STUDY [--levels] [--t2 X,Y,Z] [--lesion X,Y,Z] --out FILE``: proposals
written to an annotation file, marked proposed, and the lesion masks as DICOM SEG.

Points are patient LPS mm (x to the patient's left, y posterior, z superior), as every
annotation stores them. Each requested proposal runs on its own series:

- ``--levels``: the discs and the conus tip, from the sagittal series
  (:func:`spineviewer.assist.levels.propose_levels`); named from the anchor the algorithm
  found, else from ``--first-disc``;
- ``--t2``: the cord T2 hyperintensity's path on the sagittal T2 series holding the point
  (:func:`spineviewer.assist.cord.propose_t2_extent`), a ``t2`` cord path of Lesion 1;
- ``--lesion`` (or ``--lesion-box``): the enhancing lesion segmented on the post-contrast
  series holding the point (:func:`spineviewer.assist.lesion.segment_lesion`): a segmentation
  of Lesion 1 (its mask beside FILE, :mod:`spineviewer.core.masks`), and its SI and AP
  calipers where the mask's diameters lie (:mod:`spineviewer.assist.calipers`; lesions are
  segmented on sagittal series); and the mask as a DICOM SEG file.

Everything written is a proposal (``proposed: true``): ``spineviewer measure`` counts none of
it until a reader accepts it in the workstation. A proposal the algorithm refuses is one line
on stderr naming it and why; the others are still written, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import sys

from spineviewer.cli.registry import Command, register

#: Exit status when a requested proposal was refused (the others are written).
REFUSED = 1


def point(text: str) -> tuple[float, float, float]:
    """An argparse type: ``X,Y,Z`` in mm."""
    return _numbers(text, 3, "X,Y,Z")


def box(text: str) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """An argparse type: two opposite corners ``X1,Y1,Z1,X2,Y2,Z2`` in mm."""
    values = _numbers(text, 6, "X1,Y1,Z1,X2,Y2,Z2")
    return values[:3], values[3:]


def _numbers(text: str, n: int, form: str) -> tuple:
    import math

    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != n or not all(math.isfinite(v) and abs(v) < 1e6 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r} is not {form} in mm (patient LPS)")
    return values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The study, the proposals asked for and where they go."""
    import re

    # Patient coordinates are often negative (right, anterior, inferior): "-16,49.8,-18" is a
    # point, not an option. argparse only takes plain numbers for negative values; widen its
    # own pattern to comma-separated numbers (no option of this command starts with a digit).
    parser._negative_number_matcher = re.compile(r"^-\d[\d.,eE+-]*$")
    parser.add_argument("study", metavar="STUDY", help="DICOM folder, files, zip or DICOMDIR")
    parser.add_argument("--levels", action="store_true",
                        help="propose the discs and the conus tip on the sagittal series")
    parser.add_argument("--first-disc", metavar="NAME",
                        help="name of the most cranial proposed disc (e.g. T9-T10), used when "
                             "no anchor (C2-C3 or L5-S1) is in the field")
    parser.add_argument("--t2", type=point, metavar="X,Y,Z",
                        help="a point inside the cord T2 hyperintensity (mm, patient LPS): "
                             "propose its path from top to bottom")
    parser.add_argument("--lesion", type=point, metavar="X,Y,Z",
                        help="a point inside the enhancing lesion on a post-contrast series: "
                             "segment it")
    parser.add_argument("--lesion-box", type=box, metavar="X1,Y1,Z1,X2,Y2,Z2",
                        help="two opposite corners of a box around the enhancing lesion (its "
                             "centre is the seed when --lesion is not given)")
    parser.add_argument("--out", required=True, metavar="FILE", help="annotation file to write")
    parser.add_argument("--seg-dir", metavar="DIR",
                        help="folder of the DICOM SEG files (default: the folder of FILE)")


def run(args: argparse.Namespace) -> int:
    """Run the proposals asked for, write FILE and the SEG files, print what was proposed."""
    from pathlib import Path

    import numpy as np

    from spineviewer.core.annotation_file import save_annotations
    from spineviewer.core.annotations import StudyAnnotations
    from spineviewer.core.edits import add_lesion
    from spineviewer.core.masks import mask_folder
    from spineviewer.core.safe_write import check_output_file, check_output_folder
    from spineviewer.core.tags import date as dicom_date
    from spineviewer.export.study_input import load_images

    if not (args.levels or args.t2 or args.lesion or args.lesion_box):
        raise ValueError("ask for at least one proposal: --levels, --t2 X,Y,Z or --lesion X,Y,Z")
    out = check_output_file(args.out)
    seg_dir = check_output_folder(args.seg_dir or out.parent)
    result = load_images(args.study)
    studies = [(p, s) for p in result.patients for s in p.studies]
    if len(studies) != 1:
        raise ValueError(f"{args.study} holds {len(studies)} studies; give the folder of one")
    patient, study = studies[0]
    annotations = StudyAnnotations.new(
        study.uid, patient_id=patient.id, study_date=dicom_date(study.date),
        frame_of_reference_uid=next((s.frame_of_reference_uid for s in study.series
                                     if s.frame_of_reference_uid), ""))
    stacks = [stack for series in study.series for stack in series.stacks]
    if args.t2 or args.lesion or args.lesion_box:
        annotations = add_lesion(annotations)
    refused = 0
    segs = []
    steps = [("levels", args.levels, _levels), ("t2", args.t2, _t2),
             ("lesion", args.lesion or args.lesion_box, _lesion)]
    for name, wanted, step in steps:
        if not wanted:
            continue
        try:
            annotations, note, seg = step(annotations, study, stacks, args, mask_folder(out))
        except _Refused as exc:
            print(f"spineviewer assist: {name}: {exc}", file=sys.stderr)
            refused += 1
            continue
        print(f"{name}: {note}")
        if seg is not None:
            segs.append(seg)
    if refused == len([w for _, w, _ in steps if w]):
        return REFUSED
    save_annotations(annotations, out)
    print(f"wrote {out} (every item proposed)")
    for stack, lesion_id, mask in segs:
        from spineviewer.export.seg import write_seg

        number = next((s.number for s in study.series if s.uid == stack.series_uid), None)
        name = f"{Path(out.name).stem.split('.')[0]}-seg-series{number or 0}-{stack.number}.dcm"
        path = write_seg(Path(seg_dir) / name, stack, [(lesion_id, np.asarray(mask, bool))],
                         series_description="spineviewer lesion segmentation (proposed)")
        print(f"wrote {path}")
    return REFUSED if refused else 0


class _Refused(Exception):
    """A proposal the algorithm would not make; the message says why."""


def _attempt(function, *args, **kwargs):
    from spineviewer.assist import AssistCancelled, AssistRefusal

    try:
        return function(*args, **kwargs)
    except (AssistRefusal, AssistCancelled) as exc:
        raise _Refused(str(exc)) from None


def _levels(annotations, study, stacks, args, masks):
    from spineviewer.assist.levels import propose_levels
    from spineviewer.core.proposals import propose_levels as put_proposed

    sagittal = _sagittal_stacks(study, stacks)
    proposal = _attempt(propose_levels, sagittal)
    if not proposal.discs:
        raise _Refused(proposal.message or "no disc was found")
    if proposal.anchor is None and args.first_disc is None:
        raise _Refused(f"{len(proposal.discs)} discs found but no anchor (the C2-C3 or L5-S1 "
                       "disc) is in the field to name them; name the most cranial one with "
                       "--first-disc")
    named = {} if proposal.anchor is not None else {"name": args.first_disc, "index": 0}
    levels = _attempt(proposal.levels, **named)
    annotations = put_proposed(annotations, levels)
    discs = annotations.levels.discs
    note = (f"{len(discs)} discs proposed, {discs[0].name} to {discs[-1].name} (named "
            f"{'from ' + proposal.anchor if proposal.anchor else 'by --first-disc'}); conus tip "
            f"{'proposed' if annotations.levels.conus_tip is not None else 'not found'}")
    return annotations, note, None


def _sagittal_stacks(study, stacks) -> list:
    """The stations of the sagittal T2 series (else T1, else any sagittal series) of the frame
    of reference that has the most of them."""
    from spineviewer.gui.reading.hanging import is_localizer, is_post_contrast, weighting

    by_uid = {series.uid: series for series in study.series}
    sagittal = [(by_uid[s.series_uid], s) for s in stacks
                if s.plane == "sagittal" and not is_localizer(by_uid[s.series_uid], s)]
    for wanted in ("T2", "T1", None):
        chosen = [(series, stack) for series, stack in sagittal
                  if wanted is None or (weighting(series) == wanted and not is_post_contrast(series))]
        if chosen:
            frames = [series.frame_of_reference_uid for series, _ in chosen]
            frame = max(set(frames), key=frames.count)
            return [stack for series, stack in chosen if series.frame_of_reference_uid == frame]
    raise _Refused("the study has no sagittal series to find the discs on")


def _t2(annotations, study, stacks, args, masks):
    from spineviewer.assist.cord import propose_t2_extent
    from spineviewer.core.annotations import Component, CordPath
    from spineviewer.core.proposals import propose_drawings
    from spineviewer.core.units import Unit

    stack = _holding(study, stacks, args.t2, want="t2")
    proposal = _attempt(propose_t2_extent, stack, args.t2)
    path = CordPath(series_instance_uid=proposal.series_instance_uid,
                    sop_instance_uid=proposal.sop_instance_uid, vertices=proposal.path,
                    role=Component.T2, unit=Unit.of_image(stack.spacing_known))
    annotations = propose_drawings(annotations, [path], lesion_id=1)
    return annotations, f"T2 path of {path.length:.1f} {path.unit.value} on series " \
                        f"{_describe(study, stack)}", None


def _lesion(annotations, study, stacks, args, masks):
    import numpy as np

    from spineviewer.assist.calipers import lesion_calipers
    from spineviewer.assist.lesion import segment_lesion
    from spineviewer.core.masks import segmentation, write_mask
    from spineviewer.core.proposals import propose_drawings

    seed = args.lesion or tuple(np.mean(args.lesion_box, axis=0))
    stack = _holding(study, stacks, seed, want="lesion")
    found = _attempt(segment_lesion, stack, seed, box=args.lesion_box)
    mask = np.asarray(found.mask, dtype=bool)
    drawing = segmentation(stack, mask, write_mask(masks, mask), proposed=True)
    drawings = [drawing, *lesion_calipers(stack, found)]
    annotations = propose_drawings(annotations, drawings, lesion_id=1)
    unit = drawing.unit.value
    note = (f"{drawing.volume:.0f} {drawing.volume_unit.value} ({drawing.voxels} voxels), SI "
            f"{found.si_mm:.1f}, AP {found.ap_mm:.1f}, transverse {found.transverse_mm:.1f} "
            f"{unit} on series {_describe(study, stack)}"
            + (f"; {found.message}" if found.message else ""))
    return annotations, note, (stack, 1, mask)


def _holding(study, stacks, point, *, want: str):
    """The stack to propose on: one holding ``point`` on a slice and inside its image, of the
    kind wanted (``t2``: a sagittal T2 or STIR series; ``lesion``: a post-contrast series,
    sagittal first). _Refused naming what is missing."""
    import numpy as np

    from spineviewer.core.stack_geometry import stack_geometry
    from spineviewer.gui.reading.hanging import is_localizer, is_post_contrast, weighting

    by_uid = {series.uid: series for series in study.series}
    ranked = []
    for stack in stacks:
        series = by_uid[stack.series_uid]
        if is_localizer(series, stack) or not stack.has_geometry:
            continue
        geometry = stack_geometry(stack)
        k = geometry.nearest(point)
        row, col = geometry.planes[k].to_index(np.asarray(point, dtype=float))
        _, rows, cols = stack.shape
        if not (geometry.holds(k, point) and -0.5 <= row <= rows - 0.5 and -0.5 <= col <= cols - 0.5):
            continue
        sagittal = stack.plane == "sagittal"
        if want == "t2" and not is_post_contrast(series) and weighting(series) in ("T2", "STIR"):
            ranked.append((0 if sagittal else 1, stack))
        elif want == "lesion" and is_post_contrast(series):
            ranked.append((0 if sagittal else 1, stack))
    if not ranked:
        kind = "T2 or STIR" if want == "t2" else "post-contrast"
        raise _Refused(f"no {kind} series holds the point {_mm(point)} (patient LPS mm)")
    return min(ranked, key=lambda pair: pair[0])[1]


def _describe(study, stack) -> str:
    series = next(s for s in study.series if s.uid == stack.series_uid)
    return f"{series.number or ''} '{series.description}'".strip()


def _mm(point) -> str:
    return ",".join(f"{v:g}" for v in point)


register(Command(
    name="assist",
    synopsis="STUDY [--levels] [--t2 X,Y,Z] [--lesion X,Y,Z] --out FILE",
    summary="proposed levels, T2 extent and lesion mask: annotations + DICOM SEG",
    description="Propose what a reader would click, for scoring or review: the discs and the "
                "conus tip (--levels), the cord T2 hyperintensity's path from a point inside it "
                "(--t2), the enhancing lesion segmented from a point or box on the post-contrast "
                "series (--lesion, --lesion-box), points in patient LPS mm. FILE is an annotation "
                "file in which every item is marked proposed (measurements count none of it "
                "until a reader accepts it); the masks are stored beside it and written as DICOM "
                "SEG. A refused proposal is one line on stderr saying why (exit status 1).",
    add_arguments=add_arguments,
    run=run,
))
