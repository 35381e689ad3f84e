"""Per-point anatomical profiles of a set of sample points, shared by the painters.

A :class:`Section` holds the axis coordinates ``(a, v)`` of sample points (any shape) and the
interpolated profiles at those points (canal and cord calibre, body habitus, the vertebra
each point belongs to). It is built once per in-plane grid and reused for every lateral
position ``x`` that is painted on it: for a sagittal stack all slices share one section, for
an axial slice the section has one point per row (the axis coordinates of an axial or
oblique-axial row do not depend on the column).

Points run along the first axis of every array: a sagittal section is 1-D (the flattened
in-plane grid, painted with a scalar ``x``); an axial section has shape ``(n_rows, 1)`` and is
painted with ``x`` of shape ``(1, n_cols)``. :func:`paint_region` paints a structure only on
the points where it can exist, which keeps the cost proportional to its size.

Axis coordinates: ``a`` arc length along the canal centreline (mm, caudal positive, 0 at the
foramen magnum), ``v`` posterior offset from the centreline (mm); ``x`` is patient LPS x.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from spineviewer.phantom.levels import PROFILE_KEYS, SpineLayout


def inside_ellipse(dx, dv, rx, rv) -> np.ndarray:
    """True where ``(dx/rx)^2 + (dv/rv)^2 <= 1`` (broadcasting; radii must be positive)."""
    ux = np.divide(dx, rx)
    ux *= ux
    uv = np.divide(dv, rv)
    uv *= uv
    total = np.add(ux, uv)
    return total <= 1.0


def inside_ellipsoid(dx, dv, da, rx, rv, ra) -> np.ndarray:
    """True where ``(dx/rx)^2 + (dv/rv)^2 + (da/ra)^2 <= 1`` (broadcasting)."""
    ux = np.divide(dx, rx)
    ux *= ux
    uv = np.divide(dv, rv)
    uv *= uv
    ua = np.divide(da, ra)
    ua *= ua
    total = np.add(ux, uv)
    total += ua
    return total <= 1.0


@dataclass(frozen=True, eq=False)
class Section:
    """Sample points in axis coordinates with their interpolated profiles.

    Attributes
    ----------
    a, v : ndarray
        Axis coordinates of the points, same shape, mm.
    prof : dict of str to ndarray
        Every profile of :data:`~spineviewer.phantom.levels.PROFILE_KEYS` at the points, mm.
    k : ndarray of int
        Index (into ``layout.names``) of the vertebra whose segment, from its upper endplate
        to the next upper endplate, holds each point; -1 above C2.
    top, bottom, next_top : ndarray
        Upper and lower endplate of that vertebra and the upper endplate of the next, mm.
    extra : dict
        Quantities cached by painters (e.g. the cord calibre), keyed by name.
    """

    a: np.ndarray
    v: np.ndarray
    prof: dict[str, np.ndarray]
    k: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    next_top: np.ndarray
    extra: dict[str, object] = field(default_factory=dict)

    def cached(self, key: str, compute):
        """Return ``compute()``, evaluated once per section and remembered under ``key``.

        Painters use it for everything that does not depend on ``x``, so a sagittal stack
        computes those arrays once for all its slices.
        """
        if key not in self.extra:
            self.extra[key] = compute()
        return self.extra[key]

    def take(self, index: np.ndarray) -> Section:
        """The sub-section of the points ``index`` (along the first axis)."""
        return Section(self.a[index], self.v[index],
                       {key: value[index] for key, value in self.prof.items()},
                       self.k[index], self.top[index], self.bottom[index], self.next_top[index])


def paint_region(labels: np.ndarray, x, sec: Section, key: str, region, paint) -> None:
    """Paint a structure on the sub-section of points where it can exist.

    Parameters
    ----------
    labels : ndarray
        Labels of the whole section (points along the first axis), painted in place.
    x : float or ndarray
        Patient x, broadcastable with the section, mm.
    sec : Section
        The whole section.
    key : str
        Cache key of the region.
    region : callable
        ``region(sec) -> bool array`` (shape of ``sec.a``): points where the structure can be.
    paint : callable
        ``paint(sub_labels, x, sub_section)``, painting in place.
    """
    index = sec.cached(key + ".index", lambda: np.flatnonzero(region(sec)))
    if index.size == 0:
        return
    sub = sec.cached(key + ".section", lambda: sec.take(index))
    part = labels[index]
    paint(part, x, sub)
    labels[index] = part


def build_section(layout: SpineLayout, a: np.ndarray, v: np.ndarray) -> Section:
    """Interpolate the layout's profiles at points ``(a, v)``.

    Parameters
    ----------
    layout : SpineLayout
        The vertebral layout.
    a, v : ndarray
        Axis coordinates, same shape, mm.

    Returns
    -------
    Section
        The section; ``k`` is -1 where ``a`` lies above the C2 body.
    """
    prof = {key: layout.profile(key, a) for key in PROFILE_KEYS}
    tops = layout.body_top
    k = np.searchsorted(tops, a, side="right") - 1
    kc = np.clip(k, 0, len(tops) - 1)
    next_tops = np.append(tops[1:], tops[-1] + 1e6)
    return Section(a, v, prof, k, tops[kc], layout.body_bottom[kc], next_tops[kc])
