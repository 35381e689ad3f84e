"""The spinal cord of the phantom with its lesions and their T2 hyperintensity (edema).

Axis coordinates as in :mod:`spineviewer.phantom.section`: ``x`` patient left (mm), ``a``
arc length along the canal centreline (mm, caudal positive), ``v`` posterior offset (mm).
The cord is centred on the axis curve, so the cord centreline *is* the axis curve: a point
on it at arc position ``a`` is ``curve.point(a)``, and lengths along the cord are
differences of ``a``.

The cord's calibre follows the level profiles (cervical enlargement, thinner thoracic cord,
lumbar enlargement) and tapers to a point at the conus tip. Each lesion is an ellipsoid
aligned with the cord (semi-axes transverse/2 along x, AP/2 along v, SI/2 along a), with an
optional cystic centre or less-enhancing core, and mildly expands the cord around it. Edema
fills the whole cord cross-section between two arc positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spineviewer.phantom.levels import SpineLayout
from spineviewer.phantom.section import Section, inside_ellipse, inside_ellipsoid
from spineviewer.phantom.tissues import Tissue

#: Length of the conus taper above the tip, mm.
CONUS_TAPER_MM = 25.0
#: Scale of the cystic centre relative to the lesion's semi-axes.
CYST_SCALE = 0.55
_CORE_SCALE = 0.5
_EXPANSION_MARGIN_MM = 2.0
_EXPANSION_EXTRA_MM = 1.2


@dataclass(frozen=True)
class PlacedLesion:
    """A lesion in axis coordinates, with its tissue labels.

    Attributes
    ----------
    a, x, v : float
        Centre: arc position, lateral and posterior offset from the cord centre, mm.
    ap, transverse, si : float
        Diameters of the enhancing ellipsoid, mm.
    edema_top, edema_bottom : float
        Arc positions of the upper and lower ends of the cord T2 hyperintensity, mm.
    solid_label : int
        Label of the solid (enhancing) part.
    cyst_label, core_label : int or None
        Label of a cystic centre or of a less-enhancing core, if the lesion has one.
    """

    a: float
    x: float
    v: float
    ap: float
    transverse: float
    si: float
    edema_top: float
    edema_bottom: float
    solid_label: int
    cyst_label: int | None = None
    core_label: int | None = None


@dataclass(frozen=True)
class CordModel:
    """The cord of one case: its conus tip and its lesions."""

    conus_tip_a: float
    lesions: tuple[PlacedLesion, ...]


def cord_diameters(model: CordModel, layout: SpineLayout,
                   a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AP and transverse diameters of the cord at arc positions ``a``.

    Parameters
    ----------
    model : CordModel
        The case's cord.
    layout : SpineLayout
        The vertebral layout (cord calibre profiles).
    a : ndarray
        Arc positions, mm.

    Returns
    -------
    ap, transverse : ndarray
        Diameters in mm, zero at and below the conus tip.
    """
    taper = np.sqrt(np.clip((model.conus_tip_a - a) / CONUS_TAPER_MM, 0.0, 1.0))
    ap = layout.profile("cord_ap", a) * taper
    tr = layout.profile("cord_tr", a) * taper
    for lesion in model.lesions:
        width = 0.75 * lesion.si + 6.0
        u = np.clip((a - lesion.a) / width, -1.0, 1.0)
        bump = np.cos(0.5 * np.pi * u) ** 2
        base_ap = float(layout.profile("cord_ap", np.array(lesion.a)))
        base_tr = float(layout.profile("cord_tr", np.array(lesion.a)))
        need_ap = lesion.ap + 2.0 * abs(lesion.v) + _EXPANSION_MARGIN_MM
        need_tr = lesion.transverse + 2.0 * abs(lesion.x) + _EXPANSION_MARGIN_MM
        ap = ap + (max(0.0, need_ap - base_ap) + _EXPANSION_EXTRA_MM) * bump
        tr = tr + (max(0.0, need_tr - base_tr) + _EXPANSION_EXTRA_MM) * bump
    below = a >= model.conus_tip_a
    return np.where(below, 0.0, ap), np.where(below, 0.0, tr)


def paint_cord(labels: np.ndarray, x, sec: Section, model: CordModel,
               layout: SpineLayout) -> None:
    """Paint the cord, its edema and its lesions.

    Parameters
    ----------
    labels : ndarray of uint8
        Output labels (broadcast shape of ``x`` and the section), painted in place.
    x : float or ndarray
        Patient x of the points, mm.
    sec : Section
        The sample points in axis coordinates.
    model : CordModel
        The case's cord and lesions.
    layout : SpineLayout
        The vertebral layout.
    """
    q = sec.cached("cord", lambda: _prepare(sec, model, layout))
    if not q["any_cord"]:
        return
    cord = q["band"] & inside_ellipse(x, sec.v, q["rx"], q["rv"])
    np.putmask(labels, cord, Tissue.CORD)
    if q["any_edema"]:
        np.putmask(labels, cord & q["edema"], Tissue.EDEMA)
    for lesion, (band, dv, da) in zip(model.lesions, q["lesions"]):
        if band is None:
            continue
        rx, rv, ra = 0.5 * lesion.transverse, 0.5 * lesion.ap, 0.5 * lesion.si
        dx = x - lesion.x
        np.putmask(labels, band & inside_ellipsoid(dx, dv, da, rx, rv, ra), lesion.solid_label)
        if lesion.core_label is not None:
            s = _CORE_SCALE
            core = band & inside_ellipsoid(dx - 0.25 * rx, dv, da - 0.15 * ra,
                                           s * rx, s * rv, s * ra)
            np.putmask(labels, core, lesion.core_label)
        if lesion.cyst_label is not None:
            s = CYST_SCALE
            cyst = band & inside_ellipsoid(dx, dv, da, s * rx, s * rv, s * ra)
            np.putmask(labels, cyst, lesion.cyst_label)


def _prepare(sec: Section, model: CordModel, layout: SpineLayout) -> dict:
    """Everything of the cord model that does not depend on x, for one section."""
    a, v = sec.a, sec.v
    band = a < model.conus_tip_a
    q: dict = {"any_cord": bool(np.any(band))}
    if not q["any_cord"]:
        return q
    ap, tr = cord_diameters(model, layout, a)
    q["band"] = band & (np.abs(v) < 0.5 * ap + 1e-6)
    q["rx"] = np.maximum(0.5 * tr, 1e-6)
    q["rv"] = np.maximum(0.5 * ap, 1e-6)
    edema = np.zeros(a.shape, dtype=bool)
    for lesion in model.lesions:
        edema |= (a >= lesion.edema_top) & (a <= lesion.edema_bottom)
    q["edema"] = edema
    q["any_edema"] = bool(np.any(edema))
    lesions = []
    for lesion in model.lesions:
        near = np.abs(a - lesion.a) <= 0.5 * lesion.si
        if np.any(near):
            lesions.append((near, v - lesion.v, a - lesion.a))
        else:
            lesions.append((None, None, None))
    q["lesions"] = lesions
    return q
