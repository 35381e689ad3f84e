"""The complete tissue model of one case: layout, axis, body, column, cord and lesions.

:class:`Anatomy` answers one question: which tissue is at a set of patient points. Points
are given in axis coordinates through a :class:`~spineviewer.phantom.section.Section`
(``a`` arc length along the canal centreline, mm, caudal positive; ``v`` posterior offset,
mm) plus patient ``x`` (LPS, mm, to the patient's left). The mapping to patient LPS mm is
the case's :class:`~spineviewer.phantom.curve.SpineCurve`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spineviewer.phantom.body import BodyLandmarks, paint_body
from spineviewer.phantom.cases import CaseSpec, LesionSpec
from spineviewer.phantom.cord import CordModel, PlacedLesion, paint_cord
from spineviewer.phantom.curve import SpineCurve, build_curve
from spineviewer.phantom.levels import SpineLayout, build_layout
from spineviewer.phantom.section import Section, build_section, paint_region
from spineviewer.phantom.spine import paint_spine
from spineviewer.phantom.tissues import LESION_LABEL_BASE, Contrast, signal_table

# Lesion signal by vocabulary (normal cord: T2 340, T1 460).
_T2_SIGNAL = {"hyperintense": 830.0, "isointense": 355.0, "hypointense": 205.0}
_T1_SIGNAL = {"hyperintense": 650.0, "isointense": 470.0, "hypointense": 320.0}
_ENHANCED = 1150.0
_CORE_ENHANCED = 720.0
_CYST = {Contrast.T2: 1060.0, Contrast.T1: 140.0, Contrast.T1C: 150.0}


@dataclass(frozen=True, eq=False)
class Anatomy:
    """Tissue model of one case."""

    case: CaseSpec
    layout: SpineLayout
    curve: SpineCurve
    marks: BodyLandmarks
    cord: CordModel

    def section(self, a: np.ndarray, v: np.ndarray) -> Section:
        """A section of points in axis coordinates, reusable for several ``x``."""
        return build_section(self.layout, a, v)

    def section_of_patient_points(self, y: np.ndarray, z: np.ndarray) -> Section:
        """A section of patient points ``(y, z)`` (LPS mm), projected onto the axis."""
        a, v = self.curve.project(y, z)
        return self.section(a, v)

    def labels(self, x, sec: Section) -> np.ndarray:
        """Tissue labels at lateral positions ``x`` of a section.

        Parameters
        ----------
        x : float or ndarray
            Patient x, mm, broadcastable with the section's arrays.
        sec : Section
            The points' axis coordinates.

        Returns
        -------
        ndarray of uint8
            Labels, with the broadcast shape of ``x`` and the section.
        """
        shape = np.broadcast_shapes(np.shape(x), sec.a.shape)
        labels = np.zeros(shape, dtype=np.uint8)
        paint_body(labels, x, sec, self.marks)
        paint_region(labels, x, sec, "column", _column_region, self._paint_column)
        return labels

    def _paint_column(self, labels: np.ndarray, x, sec: Section) -> None:
        paint_spine(labels, x, sec, self.layout, self.case.degenerate_discs,
                    self.cord.conus_tip_a)
        paint_region(labels, x, sec, "cord", _cord_region,
                     lambda part, x_, sub: paint_cord(part, x_, sub, self.cord, self.layout))

    def signal_tables(self) -> dict[Contrast, np.ndarray]:
        """Label-to-signal lookup tables of the three contrasts, lesions included."""
        return {contrast: signal_table(contrast, self._lesion_signals(contrast))
                for contrast in Contrast}

    def _lesion_signals(self, contrast: Contrast) -> dict[int, float]:
        signals: dict[int, float] = {}
        for spec, placed in zip(self.case.lesions, self.cord.lesions):
            solid = _solid_signal(spec, contrast)
            signals[placed.solid_label] = solid
            if placed.cyst_label is not None:
                signals[placed.cyst_label] = _CYST[contrast]
            if placed.core_label is not None:
                core = _CORE_ENHANCED if contrast is Contrast.T1C else solid
                signals[placed.core_label] = core
        return signals


def _column_region(sec: Section) -> np.ndarray:
    """Points where the column, its posterior elements or the canal can be."""
    p = sec.prof
    half_ap = 0.5 * p["canal_ap"]
    front = -(half_ap + p["depth"] + 14.0)
    back = np.maximum(p["spinous_len"], half_ap + 30.0) + 3.0
    return (sec.v > front) & (sec.v < back)


def _cord_region(sec: Section) -> np.ndarray:
    """Points inside the canal, where the cord can be."""
    return np.abs(sec.v) < 0.5 * sec.prof["canal_ap"] + 0.5


def _solid_signal(spec: LesionSpec, contrast: Contrast) -> float:
    """Signal of the solid part of a lesion from its qualitative findings."""
    if contrast is Contrast.T2:
        return _T2_SIGNAL[spec.t2_signal]
    if contrast is Contrast.T1 or spec.enhancement != "present":
        return _T1_SIGNAL[spec.t1_signal]
    return _ENHANCED


def build_anatomy(case: CaseSpec) -> Anatomy:
    """Build the tissue model of a case.

    Parameters
    ----------
    case : CaseSpec
        The case definition.

    Returns
    -------
    Anatomy
        Its layout, axis, organs and cord with the placed lesions.
    """
    layout = build_layout()
    curve = build_curve(layout)
    tip = layout.a_of_level(case.conus_tip_level)
    placed = []
    for i, spec in enumerate(case.lesions):
        base = LESION_LABEL_BASE + 3 * i
        bottom = tip if spec.edema_bottom_level is None else layout.a_of_level(
            spec.edema_bottom_level)
        placed.append(PlacedLesion(
            a=layout.a_of_level(spec.centre_level), x=spec.x_offset_mm, v=spec.v_offset_mm,
            ap=spec.ap_mm, transverse=spec.transverse_mm, si=spec.si_mm,
            edema_top=layout.a_of_level(spec.edema_top_level), edema_bottom=bottom,
            solid_label=base,
            cyst_label=base + 1 if spec.cystic_change == "intratumoral" else None,
            core_label=base + 2 if spec.enhancement_pattern == "heterogeneous" else None,
        ))
    cord = CordModel(conus_tip_a=tip, lesions=tuple(placed))
    return Anatomy(case, layout, curve, BodyLandmarks.from_layout(layout, case.habitus), cord)

