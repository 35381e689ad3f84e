"""Regenerate the teaching figures in ``docs/figures/`` from the bundled sample studies.

Run: ``python docs/figures/make_figures.py`` (headless; no display needed). Each figure is what
``spineviewer figure`` makes from a sample case and its reference annotations (the phantom's
answer key: levels, calipers, T2 cord path) at twice the native resolution, with a caption
written from the case's ground truth.
"""

from __future__ import annotations

import json
from pathlib import Path

from spineviewer import SAMPLE_DIR
from spineviewer.core.loader import load_study
from spineviewer.export.figure import choose_panels, render_figure, save_figure
from spineviewer.export.measure import read_annotation_file

HERE = Path(__file__).resolve().parent

#: (case folder, lesion whose slices are shown, output name)
FIGURES = (
    ("case1-breast-t12", 1, "case1-breast-t12.png"),
    ("case3-lung-multiple", 1, "case3-lung-multiple-cervical.png"),
    ("case3-lung-multiple", 2, "case3-lung-multiple-thoracic.png"),
)


def caption(truth: dict, lesion_id: int, n_panels: int) -> str:
    axial = "C, axial T1 after contrast. " if n_panels > 2 else ""
    lesion = next(item for item in truth["lesions"] if item["lesion_id"] == lesion_id)
    patient = truth["patient"]
    levels = lesion["level_top"] if lesion["level_top"] == lesion["level_bottom"] else \
        f"{lesion['level_top']}-{lesion['level_bottom']}"
    return (f"Intramedullary metastasis of {patient['primary_tumour_text']} at {levels} (synthetic "
            f"case). A, sagittal T2: cord T2 signal over {_segments(lesion['t2']['segments'])}. "
            f"B, sagittal T1 after contrast: enhancing lesion {lesion['si_mm']:.0f} mm SI x "
            f"{lesion['ap_mm']:.0f} mm AP over {_segments(lesion['enhancement']['segments'])}. "
            f"{axial}T2/enhancement ratio {lesion['t2_enhancement_ratio']:g}.")


def _segments(n: int) -> str:
    return f"{n} segment" if n == 1 else f"{n} segments"


def main() -> None:
    for case, lesion_id, name in FIGURES:
        folder = Path(SAMPLE_DIR) / case
        result = load_study(folder)
        annotations = read_annotation_file(folder / "reference-annotations.json")
        truth = json.loads((folder / "ground-truth.json").read_text())
        panels = choose_panels(result, annotations, lesion=lesion_id)
        figure = render_figure(result, panels, annotations, scale=2.0, caption=caption(truth, lesion_id, len(panels)))
        print(save_figure(figure, HERE / name))


if __name__ == "__main__":
    main()
