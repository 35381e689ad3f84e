"""Soft tissues around the spine: body outline, fat, muscle, head, neck, chest and abdomen.

Everything is painted in axis coordinates (see :mod:`spineviewer.phantom.section`): ``x``
patient left (mm), ``a`` arc length along the canal centreline (mm, caudal positive), ``v``
posterior offset from the centreline (mm). Organs are simple ellipses and ellipsoids placed
relative to the vertebrae so that sagittal and axial images show plausible surroundings:
airway and prevertebral tissue in the neck, lungs, mediastinum, heart and aorta in the chest,
viscera, kidneys, psoas and the great vessels in the abdomen, the posterior fossa above the
foramen magnum. Each organ is painted only on the points where it can be
(:func:`~spineviewer.phantom.section.paint_region`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spineviewer.phantom.levels import SpineLayout
from spineviewer.phantom.section import Section, inside_ellipse, inside_ellipsoid, paint_region
from spineviewer.phantom.tissues import Tissue

# Subcutaneous fat thickness (mm) against arc position (mm), before the habitus factor.
_FAT_A = (-60.0, 0.0, 120.0, 200.0, 430.0, 620.0)
_FAT_MM = (6.0, 7.0, 9.0, 13.0, 19.0, 22.0)
_AORTA_R = 11.0


@dataclass(frozen=True)
class BodyLandmarks:
    """Arc positions (mm) that anchor the organs, taken from the vertebral layout."""

    larynx: float
    lung_top: float
    carina: float
    heart: float
    diaphragm_front: float
    diaphragm_back: float
    kidney: float
    psoas_top: float
    aorta_bifurcation: float
    pelvis: float
    habitus: float

    @classmethod
    def from_layout(cls, layout: SpineLayout, habitus: float) -> BodyLandmarks:
        """Place the landmarks at their usual vertebral levels."""

        def mid(name: str) -> float:
            i = layout.vertebra_index(name)
            return float(0.5 * (layout.body_top[i] + layout.body_bottom[i]))

        return cls(
            larynx=mid("C6"), lung_top=mid("C7"), carina=mid("T5"), heart=mid("T8"),
            diaphragm_front=mid("T10"), diaphragm_back=mid("L1"), kidney=mid("L2"),
            psoas_top=mid("T12"), aorta_bifurcation=mid("L4"), pelvis=mid("S1"),
            habitus=habitus,
        )

    def diaphragm(self, v: np.ndarray) -> np.ndarray:
        """Arc position of the diaphragm in the midline: higher in front, lowest in the
        posterior recesses, mm. The domes rise above it (see :func:`dome_rise`)."""
        return self.diaphragm_front + (self.diaphragm_back - self.diaphragm_front) * np.clip(
            (v + 120.0) / 150.0, 0.0, 1.0)

    def fat(self, a: np.ndarray) -> np.ndarray:
        """Subcutaneous fat thickness at arc positions ``a``, mm."""
        return np.interp(a, _FAT_A, _FAT_MM) * self.habitus


#: Highest rise of a diaphragm dome above the midline diaphragm, mm.
DOME_MAX_MM = 26.0


def dome_rise(x) -> np.ndarray:
    """Rise of the diaphragm domes above the midline at lateral position ``x``, mm: the two
    domes peak about 65 mm from the midline, the right (liver) dome higher."""
    bump = np.clip(1.0 - ((np.abs(x) - 65.0) / 70.0) ** 2, 0.0, 1.0)
    return np.where(np.asarray(x) < 0.0, DOME_MAX_MM, 18.0) * bump


def _spine_front(sec: Section) -> np.ndarray:
    """Posterior offset of the anterior surface of the vertebral bodies, mm (negative)."""
    return -(0.5 * sec.prof["canal_ap"] + sec.prof["depth"])


def paint_body(labels: np.ndarray, x, sec: Section, marks: BodyLandmarks) -> None:
    """Paint air, outline, fat, muscle and the organs (everything but the spine).

    Parameters
    ----------
    labels : ndarray of uint8
        Output labels, shape = broadcast of ``x`` and the section; painted in place.
    x : float or ndarray
        Patient x of the points (broadcastable with the section), mm.
    sec : Section
        The sample points in axis coordinates.
    marks : BodyLandmarks
        Organ anchors and habitus.
    """
    q = sec.cached("outline", lambda: _outline(sec, marks))
    outline = inside_ellipse(x, q["dv"], q["half"], q["rv"]) & q["not_behind"]
    np.putmask(labels, outline, Tissue.FAT)
    inner = inside_ellipse(x, q["dv"], q["half_in"], q["rv_in"]) & q["not_behind_in"]
    np.putmask(labels, inner, Tissue.MUSCLE)
    paint_region(labels, x, sec, "head", lambda s: s.a < 0.0,
                 lambda part, x_, sub: _paint_head(part, x_, sub, marks))
    paint_region(labels, x, sec, "neck vessels", lambda s: _neck(s, marks),
                 lambda part, x_, sub: _paint_neck_vessels(part, x_, sub, marks))
    paint_region(labels, x, sec, "chest", lambda s: _chest(s, marks),
                 lambda part, x_, sub: _paint_chest(part, x_, sub, marks))
    paint_region(labels, x, sec, "belly", lambda s: s.a >= marks.diaphragm(s.v) - DOME_MAX_MM,
                 lambda part, x_, sub: _paint_abdomen(part, x_, sub, marks))
    paint_region(labels, x, sec, "airway", lambda s: _airway(s, marks)[0] < 1.0,
                 lambda part, x_, sub: _paint_airway(part, x_, sub, marks))
    paint_region(labels, x, sec, "aorta", lambda s: np.abs(_aorta(s, marks)[1]) < _AORTA_R,
                 lambda part, x_, sub: _paint_aorta(part, x_, sub, marks))


def _outline(sec: Section, marks: BodyLandmarks) -> dict:
    """Body outline and the fat layer: an ellipse cut flat at the back (the patient lies
    supine on the coil)."""
    v, p = sec.v, sec.prof
    fat = marks.fat(sec.a)
    back, front = p["back"], p["front"]
    rv = 0.5 * (1.15 * back + front)
    return {"dv": v - 0.5 * (1.15 * back - front), "rv": rv, "half": p["half_width"],
            "not_behind": v <= back, "rv_in": rv - fat, "half_in": p["half_width"] - fat,
            "not_behind_in": v <= back - fat}


def _paint_head(labels, x, sec: Section, marks: BodyLandmarks) -> None:
    """Skull, skull base and posterior fossa above the foramen magnum (a < 0).

    The clivus rises anteriorly from the basion and the occipital squama posteriorly from the
    opisthion; the posterior fossa lies above both lines, the suboccipital muscles and the
    nasopharynx below them.
    """
    layers = sec.cached("head", lambda: _head_layers(sec, marks))
    for dvc, rx, rv, allowed, tissue in layers:
        np.putmask(labels, allowed & inside_ellipse(x, dvc, rx, rv), tissue)


def _head_layers(sec: Section, marks: BodyLandmarks) -> list:
    """Skull layers ``(dv, rx, rv, allowed, tissue)``, outermost first.

    The skull vault follows the head outline; its base is the clivus, rising anteriorly
    from the basion, and the occipital squama, rising posteriorly from the opisthion. Each
    layer lies ``depth`` mm inside both the outline and the skull-base lines: outer table,
    diploe, inner table, then the posterior fossa contents.
    """
    a, v, p = sec.a, sec.v, sec.prof
    fat = marks.fat(a)
    back, front, half = p["back"], p["front"], p["half_width"]
    rv = 0.5 * (back + front)
    dvc = v - 0.5 * (back - front)
    half_ap = 0.5 * p["canal_ap"]
    # Signed distances (mm) to the two skull-base lines, negative on the cranial side.
    clivus = (a - 1.3 * (v + half_ap + 1.0)) / 1.64
    occiput = (a + 0.55 * np.maximum(v - half_ap - 1.0, 0.0)) / 1.14
    layers = []
    for depth, tissue in ((0.0, Tissue.CORTEX), (2.0, Tissue.MARROW), (7.0, Tissue.CORTEX),
                          (9.0, Tissue.BRAIN)):
        allowed = (clivus < -depth) & (occiput < -depth)
        layers.append((dvc, half - fat - depth, rv - fat - depth, allowed, tissue))
    return layers


def _airway(sec: Section, marks: BodyLandmarks) -> tuple:
    """Pharynx, larynx and trachea: ``(|dv| / rv or 9 outside the band, dv, rx, rv)``."""
    a = sec.a
    prevertebral = np.interp(a, (-20.0, 60.0, marks.larynx, marks.lung_top),
                             (6.0, 4.0, 14.0, 16.0))
    rv = np.interp(a, (-20.0, marks.larynx, marks.carina), (9.0, 7.5, 8.0))
    rx = np.interp(a, (-20.0, marks.larynx, marks.carina), (14.0, 11.0, 8.5))
    dv = sec.v - (_spine_front(sec) - prevertebral - rv)
    band = (a > -25.0) & (a < marks.carina)
    return np.where(band, np.abs(dv) / rv, 9.0), dv, rx, rv


def _paint_airway(labels, x, sec: Section, marks: BodyLandmarks) -> None:
    _, dv, rx, rv = sec.cached("airway", lambda: _airway(sec, marks))
    np.putmask(labels, inside_ellipse(x, dv, rx, rv), Tissue.AIR)


def _neck(sec: Section, marks: BodyLandmarks) -> np.ndarray:
    return (sec.a > -20.0) & (sec.a < marks.lung_top + 20.0) & (np.abs(
        sec.v - _spine_front(sec)) < 30.0)


def _paint_neck_vessels(labels, x, sec: Section, marks: BodyLandmarks) -> None:
    """Carotid arteries and jugular veins beside the cervical spine, and the vertebral
    arteries in the transverse foramina (flow voids)."""
    p = sec.prof
    front = _spine_front(sec)
    half_body = 0.5 * p["width"]
    vertebral = (sec.a > 10.0) & (sec.a < marks.larynx + 10.0)
    for side in (1.0, -1.0):
        carotid = inside_ellipse(x - side * (half_body + 14.0), sec.v - front + 9.0, 4.0, 4.0)
        jugular = inside_ellipse(x - side * (half_body + 23.0), sec.v - front + 5.0, 6.5, 5.0)
        artery = vertebral & inside_ellipse(
            x - side * (0.5 * p["canal_tr"] + 8.0),
            sec.v + 0.5 * p["canal_ap"] + 0.45 * p["depth"], 2.2, 2.2)
        np.putmask(labels, carotid | jugular | artery, Tissue.VESSEL)


def _chest(sec: Section, marks: BodyLandmarks) -> np.ndarray:
    return (sec.a > marks.lung_top - 15.0) & (sec.a < marks.diaphragm(sec.v))


def _paint_chest(labels, x, sec: Section, marks: BodyLandmarks) -> None:
    """Lungs, mediastinum, heart and oesophagus (on chest points only)."""
    q = sec.cached("chest", lambda: _prepare_chest(sec, marks))
    cavity = inside_ellipse(x, q["cavity_dv"], q["cavity_rx"], q["cavity_rv"])
    cavity &= q["below_apex"] - dome_rise(x) > 0.0
    mediastinum = inside_ellipse(x - 4.0, q["mediastinum_dv"], q["mediastinum_half"],
                                 q["mediastinum_rv"])
    np.putmask(labels, cavity & ~_spine_and_muscles(x, q) & ~mediastinum, Tissue.LUNG)
    np.putmask(labels, cavity & mediastinum, Tissue.HEART)
    heart = inside_ellipsoid(x - 22.0, q["heart_dv"], q["heart_da"], 62.0, 52.0, 58.0)
    np.putmask(labels, heart, Tissue.HEART)
    esophagus = q["esophagus_band"] & inside_ellipse(x - 2.0, q["esophagus_dv"], 8.0, 5.0)
    np.putmask(labels, esophagus, Tissue.MUSCLE)


def _prepare_chest(sec: Section, marks: BodyLandmarks) -> dict:
    a, v, p = sec.a, sec.v, sec.prof
    spine_front = _spine_front(sec)
    wall = marks.fat(a) + 14.0
    apex = np.sqrt(np.clip((a - marks.lung_top + 15.0) / 45.0, 0.05, 1.0))
    cavity_front = p["front"] - wall
    q = _muscle_zone(sec)
    q.update({
        "cavity_dv": v - 0.5 * (30.0 - cavity_front),
        "cavity_rv": 0.5 * (cavity_front + 30.0) * apex,
        "cavity_rx": (p["half_width"] - wall) * apex,
        "mediastinum_half": np.interp(a, (marks.lung_top, marks.carina, marks.heart),
                                      (22.0, 30.0, 34.0)),
        "mediastinum_dv": v - 0.5 * (spine_front - 2.0 - cavity_front),
        "mediastinum_rv": 0.5 * (cavity_front + spine_front - 2.0),
        "below_apex": marks.diaphragm(v) - a,
        "heart_dv": v - (spine_front - 72.0), "heart_da": a - marks.heart,
        "esophagus_band": a < marks.diaphragm_front,
        "esophagus_dv": v - (spine_front - 7.0),
    })
    return q


def _muscle_zone(sec: Section) -> dict:
    """Geometry of the column and the paraspinal muscles, which lungs and viscera avoid."""
    a, v, p = sec.a, sec.v, sec.prof
    return {
        "column_dv": v - (_spine_front(sec) + 0.5 * p["depth"]),
        "column_rx": 0.5 * p["width"] + 8.0, "column_rv": 0.5 * p["depth"] + 8.0,
        "muscle_x": np.interp(a, (130.0, 440.0, 620.0), (30.0, 36.0, 40.0)),
        "muscle_r": np.interp(a, (130.0, 440.0, 620.0), (27.0, 33.0, 36.0)),
        "muscle_dv": v - (0.5 * p["canal_ap"] + 22.0),
        "behind_canal": v > -0.5 * p["canal_ap"],
    }


def _spine_and_muscles(x, q: dict) -> np.ndarray:
    """The vertebral column, the posterior elements and the paraspinal muscles."""
    zone = inside_ellipse(x, q["column_dv"], q["column_rx"], q["column_rv"])
    zone |= q["behind_canal"] & (np.abs(x) < 25.0)
    for side in (1.0, -1.0):
        zone |= inside_ellipse(x - side * q["muscle_x"], q["muscle_dv"], q["muscle_r"],
                               q["muscle_r"])
    return zone


def _paint_abdomen(labels, x, sec: Section, marks: BodyLandmarks) -> None:
    """Viscera, kidneys, psoas, inferior vena cava and iliac wings (below the diaphragm)."""
    q = sec.cached("belly", lambda: _prepare_belly(sec, marks))
    cavity = inside_ellipse(x, q["belly_dv"], q["belly_rx"], q["belly_rv"])
    cavity &= q["below_diaphragm"] + dome_rise(x) >= 0.0
    np.putmask(labels, cavity & ~_spine_and_muscles(x, q), Tissue.VISCERA)
    paint_region(labels, x, sec, "kidneys", lambda s: np.abs(s.v + 8.0) < 20.0,
                 lambda part, x_, sub: _paint_kidneys(part, x_, sub, marks))
    psoas_r = q["psoas_r"]
    for side in (1.0, -1.0):
        psoas = q["psoas_band"] & inside_ellipse(x - side * q["psoas_x"], q["psoas_dv"],
                                                 psoas_r, 0.9 * psoas_r)
        np.putmask(labels, psoas, Tissue.MUSCLE)
    ivc = q["ivc_band"] & inside_ellipse(x + 22.0, q["ivc_dv"], 12.0, 9.0)
    np.putmask(labels, ivc, Tissue.VESSEL)
    gap = np.abs(x) - q["half_width_spine"]
    ilium = q["ilium_band"] & (gap > 10.0) & (gap < 95.0) & (q["v"] > -22.0 - 0.7 * gap)
    np.putmask(labels, ilium, Tissue.MARROW)


def _prepare_belly(sec: Section, marks: BodyLandmarks) -> dict:
    a, v, p = sec.a, sec.v, sec.prof
    spine_front = _spine_front(sec)
    wall = marks.fat(a) + 12.0
    cavity_front = p["front"] - wall
    psoas_r = np.interp(a, (marks.psoas_top, marks.aorta_bifurcation, marks.pelvis),
                        (4.0, 20.0, 24.0))
    q = _muscle_zone(sec)
    q.update({
        "below_diaphragm": a - marks.diaphragm(v),
        "belly_dv": v - 0.5 * (10.0 - cavity_front), "belly_rv": 0.5 * (cavity_front + 10.0),
        "belly_rx": p["half_width"] - wall - 8.0,
        "psoas_r": psoas_r, "psoas_x": 0.5 * p["width"] + 0.8 * psoas_r,
        "psoas_dv": v - (spine_front + 0.55 * p["depth"]),
        "psoas_band": (a > marks.psoas_top) & (a < marks.pelvis + 40.0),
        "ivc_band": a < marks.aorta_bifurcation + 20.0, "ivc_dv": v - (spine_front - 18.0),
        "ilium_band": (a > marks.pelvis - 25.0) & (a < marks.pelvis + 70.0) & (v < 28.0),
        "half_width_spine": 0.5 * p["width"], "v": v,
    })
    return q


def _paint_kidneys(labels, x, sec: Section, marks: BodyLandmarks) -> None:
    """Kidneys lateral to the upper lumbar spine, the right one lower than the left."""
    for side, drop in ((1.0, 0.0), (-1.0, 14.0)):
        kidney = inside_ellipsoid(x - side * 68.0, sec.v + 8.0, sec.a - marks.kidney - drop,
                                  26.0, 20.0, 52.0)
        np.putmask(labels, kidney, Tissue.KIDNEY)


def _aorta(sec: Section, marks: BodyLandmarks) -> tuple:
    """Descending aorta centre: ``(x, dv)``, dv set far away outside its extent."""
    a = sec.a
    top = marks.carina - 25.0
    centre_x = np.interp(a, (top, marks.diaphragm_back, marks.aorta_bifurcation),
                         (24.0, 12.0, 8.0))
    dv = sec.v - _spine_front(sec) - np.interp(a, (top, marks.diaphragm_back), (8.0, -12.0))
    band = (a > top) & (a < marks.aorta_bifurcation)
    return centre_x, np.where(band, dv, 1e3)


def _paint_aorta(labels, x, sec: Section, marks: BodyLandmarks) -> None:
    """Descending aorta, left anterolateral to the thoracic and lumbar bodies."""
    centre_x, dv = sec.cached("aorta", lambda: _aorta(sec, marks))
    np.putmask(labels, inside_ellipse(x - centre_x, dv, _AORTA_R, _AORTA_R), Tissue.VESSEL)
