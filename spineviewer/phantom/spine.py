"""The vertebral column of the phantom: bodies, discs, posterior elements and the canal.

Painted in axis coordinates (see :mod:`spineviewer.phantom.section`): ``x`` patient left
(mm), ``a`` arc length along the canal centreline (mm, caudal positive), ``v`` posterior
offset from the centreline (mm). The posterior wall of every body and disc lies on the
anterior wall of the canal, ``v = -canal_ap / 2``; a disc's ground-truth point is that wall
at the disc's mid-height on the midsagittal plane.

Bodies have a thin cortex, rounded corners and slightly concave endplates; discs have an
annulus and a lens-shaped nucleus (desiccated in degenerate discs). Posterior elements are
pedicles, laminae, articular pillars, transverse and spinous processes, with the ligamentum
flavum and interspinous ligaments between them. The canal holds epidural fat, the thecal sac
(CSF) and the cauda equina roots; the cord is painted by :mod:`spineviewer.phantom.cord`.
"""

from __future__ import annotations

import numpy as np

from spineviewer.phantom.levels import C1_ARCH_A, C2_BODY_TOP_A, DENS_TIP_A, SpineLayout
from spineviewer.phantom.section import Section, inside_ellipse, inside_ellipsoid, paint_region
from spineviewer.phantom.tissues import Tissue

_ENDPLATE_CONCAVITY_MM = 1.0
_CORTEX_MM = 1.2
# Cauda equina roots, as fractions of the thecal sac semi-axes (x, v): they settle in the
# dependent, posterior half of the sac of a supine patient.
_ROOTS = ((-0.55, 0.35), (-0.3, 0.55), (0.0, 0.62), (0.3, 0.55), (0.55, 0.35),
          (-0.7, 0.0), (0.7, 0.0), (-0.38, 0.15), (0.38, 0.15), (0.0, 0.3))


def paint_spine(labels: np.ndarray, x, sec: Section, layout: SpineLayout,
                degenerate_discs: frozenset[str], conus_tip_a: float) -> None:
    """Paint the vertebral column and the canal contents except the cord.

    Parameters
    ----------
    labels : ndarray of uint8
        Output labels (broadcast shape of ``x`` and the section), painted in place.
    x : float or ndarray
        Patient x of the points, mm.
    sec : Section
        The sample points in axis coordinates.
    layout : SpineLayout
        The vertebral layout.
    degenerate_discs : frozenset of str
        Names of discs (e.g. ``"L4-L5"``) whose nucleus is desiccated (dark on T2).
    conus_tip_a : float
        Arc position of the conus tip; the cauda equina roots start just above it, mm.
    """
    q = sec.cached("spine", lambda: _prepare(sec, layout, degenerate_discs))
    ax = np.abs(x)
    halo = q["halo_band"] & inside_ellipse(x, q["halo_dv"], q["halo_rx"], q["halo_rv"])
    np.putmask(labels, halo, Tissue.EPIDURAL_FAT)
    _paint_posterior_elements(labels, x, ax, q)
    if q["any_atlas"]:
        _paint_atlas_and_dens(labels, x, ax, q)
    _paint_bodies_and_discs(labels, x, q)
    canal = inside_ellipse(x, q["v"], q["half_tr"], q["half_ap"])
    np.putmask(labels, canal & q["column_or_below"], Tissue.EPIDURAL_FAT)
    np.putmask(labels, canal & q["cranial"], Tissue.CSF)
    sac = q["sac_band"] & inside_ellipse(x, q["sac_dv"], q["sac_rx"], q["sac_rv"])
    np.putmask(labels, sac, Tissue.CSF)
    paint_region(labels, x, sec, "roots", lambda s: _roots_region(s, conus_tip_a),
                 lambda part, x_, sub: _paint_roots(part, x_, sub, layout))


def _roots_region(sec: Section, conus_tip_a: float) -> np.ndarray:
    """Points of the thecal sac where the cauda equina runs (from just above the conus)."""
    return (sec.a > conus_tip_a - 15.0) & (np.abs(sec.v) < 0.5 * sec.prof["canal_ap"])


def _paint_roots(labels, x, sec: Section, layout: SpineLayout) -> None:
    """Cauda equina roots: thin strands in the dependent half of the thecal sac."""
    band, dv, rx, rv = sec.cached("sac", lambda: _thecal_sac(sec, layout))
    for ux, uv in _ROOTS:
        root = band & inside_ellipse(x - ux * rx, dv - uv * rv, 0.9, 0.9)
        np.putmask(labels, root, Tissue.NERVE_ROOT)


def _thecal_sac(sec: Section, layout: SpineLayout) -> tuple:
    """The thecal sac (ends at mid S2): ``(band, dv, rx, rv)`` at the section's points."""
    a, v, p = sec.a, sec.v, sec.prof
    epidural = np.interp(a, (0.0, 120.0, 150.0, 250.0, 440.0, 600.0),
                         (0.6, 0.8, 2.0, 3.0, 3.5, 4.5))
    s2 = layout.vertebra_index("S2")
    sac_end = 0.5 * (layout.body_top[s2] + layout.body_bottom[s2])
    taper = np.sqrt(np.clip((sac_end - a) / 15.0, 1e-4, 1.0))
    rx = (0.5 * p["canal_tr"] - 0.8) * taper
    rv = (0.5 * p["canal_ap"] - 0.4 - 0.5 * epidural) * taper
    return a < sac_end, v + 0.5 * epidural, rx, rv


def _prepare(sec: Section, layout: SpineLayout, degenerate: frozenset[str]) -> dict:
    """Everything of the column model that does not depend on x, for one section."""
    a, v, p = sec.a, sec.v, sec.prof
    n = len(layout.names)
    half_ap, half_tr = 0.5 * p["canal_ap"], 0.5 * p["canal_tr"]
    valid = sec.k >= 0
    h = sec.bottom - sec.top
    gap = np.minimum(sec.next_top - sec.bottom, 12.0)
    below_column = a > layout.body_bottom[-1]
    q: dict = {"v": v, "half_ap": half_ap, "half_tr": half_tr, "valid": valid,
               "column_or_below": a >= 0.0, "cranial": a < 0.0}
    # Nearest disc j (disc j lies below vertebra j) and the distance to its flat boundary.
    j = np.where(a < 0.5 * (sec.top + sec.bottom), sec.k - 1, sec.k)
    has_disc = valid & (j >= 0) & (j <= n - 2)
    jc = np.clip(j, 0, n - 2)
    disc_mid = 0.5 * (layout.body_bottom[jc] + layout.body_top[jc + 1])
    disc_half = 0.5 * (layout.body_top[jc + 1] - layout.body_bottom[jc])
    off = a - disc_mid
    to_end = np.minimum(a - C2_BODY_TOP_A, layout.body_bottom[-1] - a)
    edge = np.where(has_disc, np.abs(off) - disc_half, to_end)
    shrink = 1.8 * (1.0 - np.clip(edge / 2.5, 0.0, 1.0)) ** 2
    body_v = -(half_ap + 0.5 * p["depth"])
    rvb, rxb = 0.5 * p["depth"], 0.5 * p["width"]
    q.update({
        "column": valid & ~below_column, "edge": edge, "body_dv": v - body_v,
        "body_uv2": ((v - body_v) / rvb) ** 2, "rxb": rxb, "rvb": rvb,
        "body_rx": rxb - shrink, "body_rv": rvb - shrink,
        "marrow_rx": rxb - shrink - _CORTEX_MM, "marrow_rv": rvb - shrink - _CORTEX_MM,
        "has_disc": has_disc, "abs_off": np.abs(off), "disc_half": disc_half,
    })
    sacral = jc >= layout.vertebra_index("S1")
    names = layout.disc_names
    bad = np.isin(jc, [names.index(name) for name in degenerate if name in names])
    q["nucleus_band"] = has_disc & ~sacral
    q["nucleus_dv"] = v - body_v - 0.08 * rvb
    q["nucleus_tissue_bad"] = bad
    # Posterior elements.
    rel = a - sec.top
    thoracolumbar = (sec.k >= layout.vertebra_index("T1")) & (sec.k < layout.vertebra_index("S1"))
    fused = sec.k >= layout.vertebra_index("S1")
    lamina_t = np.interp(a, (0.0, 130.0, 440.0, 620.0), (5.0, 5.5, 7.0, 8.0))
    q.update({
        "halo_band": valid, "halo_dv": v + 1.0, "halo_rx": half_tr + 6.0, "halo_rv": half_ap + 3.5,
        "pedicle": valid & (rel > 0.08 * h) & (rel < 0.6 * h),
        "flavum": (a > C1_ARCH_A) & (a < layout.body_bottom[-1]) & (v > 0.15 * half_ap),
        "lamina": valid & (fused | ((rel > 0.2 * h) & (rel < h + 0.55 * gap)))
        & (v > 0.1 * half_ap),
        "lamina_rx": half_tr + lamina_t, "lamina_rv": half_ap + lamina_t,
        "pillar": valid & ~fused & (np.abs(rel - h - 0.5 * gap) > 0.7),
        "pillar_dv": v - (0.45 * half_ap + 1.0),
        "pedicle_dv": v + 0.45 * half_ap, "pedicle_rv": 0.55 * half_ap + 2.0,
        "transverse": thoracolumbar & (rel > 0.15 * h) & (rel < 0.5 * h),
        "transverse_dv": v - 0.3 * half_ap,
    })
    lumbar = sec.k >= layout.vertebra_index("L1")
    angle = np.where(lumbar, np.deg2rad(5.0), np.deg2rad(25.0))
    q["transverse_cos"], q["transverse_sin"] = np.cos(angle), np.sin(angle)
    q["transverse_half_len"] = np.where(lumbar, 19.0, 13.0)
    shifted = a - p["spinous_slope"] * np.maximum(v - half_ap, 0.0)
    ks = np.clip(np.searchsorted(layout.body_top, shifted, side="right") - 1, 0, n - 1)
    hs = layout.body_bottom[ks] - layout.body_top[ks]
    rel_s = shifted - layout.body_top[ks]
    spinous_band = (shifted >= C2_BODY_TOP_A) & (rel_s > 0.25 * hs) & (rel_s < 0.8 * hs)
    behind = (v > half_ap + 1.0) & (v < p["spinous_len"])
    q["spinous"] = spinous_band & behind
    q["interspinous"] = valid & behind & (v < p["spinous_len"] - 3.0)
    # Atlas and dens above the C2 body.
    q["any_atlas"] = bool(np.any((a > DENS_TIP_A - 12.0) & (a < C2_BODY_TOP_A + 2.0)))
    if q["any_atlas"]:
        dens_v = -(half_ap + 5.5)
        taper = np.sqrt(np.clip((a - DENS_TIP_A) / 3.0, 0.0, 1.0))
        q.update({
            "dens_band": (a > DENS_TIP_A) & (a < C2_BODY_TOP_A + 1.0), "dens_dv": v - dens_v,
            "dens_rx": np.maximum(5.0 * taper, 1e-3), "dens_rv": np.maximum(5.5 * taper, 1e-3),
            "arch_dv": v - (dens_v - 11.0), "arch_da": a - C1_ARCH_A,
            "c1_posterior": (np.abs(a - C1_ARCH_A) < 4.5) & (v > 0.25 * half_ap),
            "c1_lateral": (np.abs(a - C1_ARCH_A) < 9.0) & (v > -half_ap - 11.0)
            & (v < 0.3 * half_ap),
        })
    q["sac_band"], q["sac_dv"], q["sac_rx"], q["sac_rv"] = _thecal_sac(sec, layout)
    return q


def _paint_posterior_elements(labels, x, ax, q: dict) -> None:
    """Ligaments, then pedicles, laminae, pillars, transverse and spinous processes."""
    half_ap, half_tr = q["half_ap"], q["half_tr"]
    flavum = q["flavum"] & inside_ellipse(x, q["v"], half_tr + 2.5, half_ap + 2.5)
    np.putmask(labels, flavum, Tissue.LIGAMENT)
    np.putmask(labels, q["interspinous"] & (ax < 1.0), Tissue.LIGAMENT)
    bone = q["pedicle"] & inside_ellipse(ax - half_tr - 1.5, q["pedicle_dv"], 4.0, q["pedicle_rv"])
    bone |= q["lamina"] & inside_ellipse(x, q["v"], q["lamina_rx"], q["lamina_rv"])
    bone |= q["pillar"] & inside_ellipse(ax - half_tr - 5.0, q["pillar_dv"], 5.5, 6.5)
    # Transverse processes: rods from the pedicle-lamina junction, swept back in the chest.
    du, dw = ax - half_tr - 5.0, q["transverse_dv"]
    along = du * q["transverse_cos"] + dw * q["transverse_sin"] - q["transverse_half_len"]
    across = dw * q["transverse_cos"] - du * q["transverse_sin"]
    bone |= q["transverse"] & inside_ellipse(along, across, q["transverse_half_len"], 3.5)
    bone |= q["spinous"] & (ax < 3.5)
    np.putmask(labels, bone, Tissue.MARROW)


def _paint_atlas_and_dens(labels, x, ax, q: dict) -> None:
    """The dens of C2 and the anterior arch, posterior arch and lateral masses of C1."""
    half_ap, half_tr = q["half_ap"], q["half_tr"]
    np.putmask(labels, q["c1_lateral"] & (ax > half_tr - 2.0) & (ax < half_tr + 11.0),
               Tissue.MARROW)
    posterior = q["c1_posterior"] & inside_ellipse(x, q["v"], half_tr + 6.0, half_ap + 7.0)
    np.putmask(labels, posterior, Tissue.MARROW)
    arch = inside_ellipsoid(x, q["arch_dv"], q["arch_da"], 11.0, 3.5, 5.5)
    np.putmask(labels, arch, Tissue.CORTEX)
    arch = inside_ellipsoid(x, q["arch_dv"], q["arch_da"], 9.5, 2.3, 4.3)
    np.putmask(labels, arch, Tissue.MARROW)
    dens = q["dens_band"] & inside_ellipse(x, q["dens_dv"], q["dens_rx"], q["dens_rv"])
    np.putmask(labels, dens, Tissue.CORTEX)
    core = q["dens_band"] & inside_ellipse(x, q["dens_dv"], q["dens_rx"] - 1.0, q["dens_rv"] - 1.0)
    np.putmask(labels, core & (q["dens_rx"] > 1.0), Tissue.MARROW)


def _paint_bodies_and_discs(labels, x, q: dict) -> None:
    """Bodies (cortex and marrow), then discs (annulus and nucleus) over them."""
    rho2 = (x / q["rxb"]) ** 2 + q["body_uv2"]
    concave = _ENDPLATE_CONCAVITY_MM * np.clip(1.0 - rho2, 0.0, 1.0)
    clearance = q["edge"] - concave
    body = q["column"] & (clearance > 0.0) & inside_ellipse(x, q["body_dv"], q["body_rx"],
                                                          q["body_rv"])
    np.putmask(labels, body, Tissue.CORTEX)
    marrow = body & (clearance > _CORTEX_MM) & inside_ellipse(
        x, q["body_dv"], q["marrow_rx"], q["marrow_rv"])
    np.putmask(labels, marrow, Tissue.MARROW)
    disc = q["has_disc"] & (rho2 <= 1.0) & (clearance <= 0.0)
    np.putmask(labels, disc, Tissue.ANNULUS)
    rn2 = (x / (0.62 * q["rxb"])) ** 2 + (q["nucleus_dv"] / (0.58 * q["rvb"])) ** 2
    lens = 0.85 * q["disc_half"] * np.clip(1.0 - rn2, 0.0, 1.0) ** 0.25 + 0.5 * concave
    nucleus = disc & q["nucleus_band"] & (rn2 < 1.0) & (q["abs_off"] < lens)
    np.putmask(labels, nucleus & ~q["nucleus_tissue_bad"], Tissue.NUCLEUS)
    np.putmask(labels, nucleus & q["nucleus_tissue_bad"], Tissue.DEGENERATE_NUCLEUS)
