"""Vertebral column layout of the phantom along the spinal axis.

The phantom's anatomy is defined in *axis coordinates*: ``a`` is the arc length in mm along
the canal centreline, growing caudally from the foramen magnum (``a = 0``); ``v`` is the
signed distance in mm from the centreline in the sagittal plane, positive posterior; ``x`` is
the patient's left-right coordinate (DICOM LPS, positive to the patient's left). The mapping
to patient LPS mm is done by :mod:`spineviewer.phantom.curve`.

This module holds the per-vertebra dimensions (body and disc heights, body depth and width,
canal and cord calibres, posterior elements, body habitus) and lays the vertebrae out along
``a``. Level indices follow the design: C1 = 0 ... C7 = 6, T1 = 7 ... T12 = 18,
L1 = 19 ... L5 = 23, S1 = 24.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Level names in index order (C1 = 0 ... S1 = 24, then the fused sacral segments).
LEVEL_NAMES: tuple[str, ...] = (
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
)

# Per-vertebra dimensions in mm. Columns: body height, height of the disc below, body depth
# (AP), body width, canal AP, canal transverse, cord AP, cord transverse, spinous process
# length behind the canal centre, caudal slope of the spinous process (mm down per mm back),
# canal-to-back-skin, canal-to-front-skin, half width of the body outline.
# Cord calibres below T12 are not used: the cord ends at the case's conus tip.
_TABLE: tuple[tuple[str, tuple[float, ...]], ...] = (
    ("C2", (15.0, 4.5, 15.0, 17.0, 16.0, 24.0, 8.0, 11.0, 38.0, 0.30, 56.0, 88.0, 64.0)),
    ("C3", (13.5, 5.0, 15.0, 17.0, 14.5, 23.0, 7.9, 11.5, 26.0, 0.35, 55.0, 82.0, 60.0)),
    ("C4", (13.5, 5.0, 15.5, 18.0, 14.0, 23.0, 7.8, 12.5, 26.0, 0.40, 55.0, 76.0, 58.0)),
    ("C5", (13.5, 5.0, 16.0, 19.0, 14.0, 23.0, 7.8, 13.0, 28.0, 0.45, 57.0, 76.0, 58.0)),
    ("C6", (14.0, 5.0, 16.5, 21.0, 14.0, 23.0, 7.5, 12.5, 32.0, 0.50, 60.0, 80.0, 64.0)),
    ("C7", (15.0, 5.0, 17.0, 24.0, 14.0, 22.0, 7.0, 11.0, 42.0, 0.55, 66.0, 95.0, 95.0)),
    ("T1", (17.0, 4.5, 18.0, 26.0, 14.0, 19.0, 6.8, 9.5, 44.0, 0.60, 72.0, 125.0, 170.0)),
    ("T2", (17.5, 4.5, 19.0, 27.0, 13.5, 17.0, 6.5, 8.5, 42.0, 0.80, 72.0, 140.0, 168.0)),
    ("T3", (18.0, 4.5, 20.0, 28.0, 13.5, 16.5, 6.5, 8.5, 40.0, 0.90, 70.0, 155.0, 165.0)),
    ("T4", (18.5, 5.0, 21.0, 29.0, 13.5, 16.0, 6.5, 8.3, 40.0, 1.00, 70.0, 165.0, 162.0)),
    ("T5", (19.0, 5.0, 22.0, 30.0, 13.5, 16.0, 6.5, 8.3, 40.0, 1.00, 68.0, 175.0, 160.0)),
    ("T6", (19.5, 5.0, 23.0, 31.0, 13.5, 16.0, 6.5, 8.3, 40.0, 1.00, 66.0, 180.0, 158.0)),
    ("T7", (20.0, 5.0, 24.0, 32.0, 13.5, 16.0, 6.5, 8.3, 40.0, 1.00, 65.0, 185.0, 156.0)),
    ("T8", (20.5, 5.5, 25.0, 33.0, 13.5, 16.5, 6.5, 8.4, 40.0, 0.90, 65.0, 188.0, 154.0)),
    ("T9", (21.5, 5.5, 26.0, 34.0, 13.5, 17.0, 6.6, 8.6, 38.0, 0.80, 65.0, 190.0, 152.0)),
    ("T10", (22.0, 6.0, 27.0, 36.0, 14.0, 17.5, 6.8, 9.0, 36.0, 0.60, 65.0, 190.0, 150.0)),
    ("T11", (23.0, 6.0, 28.0, 38.0, 14.5, 18.5, 7.5, 9.6, 34.0, 0.40, 66.0, 188.0, 148.0)),
    ("T12", (24.0, 6.5, 29.0, 40.0, 15.0, 20.0, 8.0, 10.2, 32.0, 0.20, 68.0, 185.0, 146.0)),
    ("L1", (26.0, 9.0, 30.0, 42.0, 16.0, 21.0, 8.0, 10.2, 32.0, 0.10, 70.0, 180.0, 146.0)),
    ("L2", (27.0, 10.0, 32.0, 44.0, 16.0, 22.0, 8.0, 10.2, 33.0, 0.05, 72.0, 175.0, 148.0)),
    ("L3", (28.0, 10.5, 33.0, 46.0, 16.5, 22.5, 8.0, 10.2, 33.0, 0.00, 74.0, 170.0, 152.0)),
    ("L4", (28.5, 11.0, 34.0, 48.0, 16.5, 23.0, 8.0, 10.2, 31.0, 0.00, 75.0, 168.0, 158.0)),
    ("L5", (29.0, 10.0, 35.0, 50.0, 16.0, 24.0, 8.0, 10.2, 28.0, 0.00, 75.0, 165.0, 166.0)),
    ("S1", (30.0, 2.0, 35.0, 50.0, 14.0, 26.0, 8.0, 10.2, 22.0, 0.20, 65.0, 160.0, 175.0)),
    ("S2", (24.0, 1.5, 28.0, 40.0, 12.0, 24.0, 8.0, 10.2, 18.0, 0.20, 52.0, 150.0, 175.0)),
    ("S3", (20.0, 1.5, 24.0, 32.0, 10.0, 22.0, 8.0, 10.2, 15.0, 0.20, 45.0, 140.0, 170.0)),
    ("S4", (16.0, 1.5, 20.0, 26.0, 8.0, 18.0, 8.0, 10.2, 10.0, 0.20, 40.0, 130.0, 160.0)),
    ("S5", (12.0, 0.0, 16.0, 20.0, 6.0, 14.0, 8.0, 10.2, 8.0, 0.20, 38.0, 120.0, 150.0)),
)

#: Names of the profile quantities, in the column order of the table after the two heights.
PROFILE_KEYS: tuple[str, ...] = (
    "depth", "width", "canal_ap", "canal_tr", "cord_ap", "cord_tr", "spinous_len",
    "spinous_slope", "back", "front", "half_width",
)

# Extra profile knots above the vertebral bodies: (a in mm, values in PROFILE_KEYS order).
# In the head the "canal" is the cistern around the brainstem and the "cord" the brainstem.
_CRANIAL_KNOTS: tuple[tuple[float, tuple[float, ...]], ...] = (
    (-60.0, (20.0, 20.0, 40.0, 40.0, 22.0, 26.0, 0.0, 0.0, 92.0, 105.0, 76.0)),
    (0.0, (17.0, 16.0, 30.0, 30.0, 10.5, 12.5, 0.0, 0.0, 62.0, 100.0, 72.0)),
    (12.0, (15.0, 16.0, 22.0, 28.0, 9.0, 11.5, 12.0, 0.2, 56.0, 94.0, 68.0)),
)

#: Arc position of the dens tip and of the C2 body top (base of the dens), mm.
DENS_TIP_A = 6.0
C2_BODY_TOP_A = 21.0
#: Arc position of the centre of the atlas (C1) arches, mm.
C1_ARCH_A = 13.0


def level_name(index: int) -> str:
    """Return the name of level ``index`` (0 -> ``"C1"``, 24 -> ``"S1"``).

    Parameters
    ----------
    index : int
        Level index, 0 to 28.

    Returns
    -------
    str
        The level name.
    """
    if not 0 <= index < len(LEVEL_NAMES):
        raise ValueError(f"level index {index} is outside C1..S5 (0..{len(LEVEL_NAMES) - 1})")
    return LEVEL_NAMES[index]


@dataclass(frozen=True, eq=False)
class SpineLayout:
    """Vertebrae laid out along the axis coordinate ``a`` (mm, caudal positive).

    Attributes
    ----------
    names : tuple of str
        Vertebrae with a body, cranial to caudal (C2 ... S5).
    body_top, body_bottom : ndarray, shape (n,)
        Arc positions of the upper and lower endplates of each body, mm.
    profile_a : ndarray, shape (m,)
        Arc positions of the profile knots (increasing), mm.
    profiles : dict of str to ndarray, shape (m,)
        Values of each quantity of :data:`PROFILE_KEYS` at the knots, mm.
    """

    names: tuple[str, ...]
    body_top: np.ndarray
    body_bottom: np.ndarray
    profile_a: np.ndarray
    profiles: dict[str, np.ndarray]

    @property
    def disc_names(self) -> tuple[str, ...]:
        """Names of the true discs, C2-C3 ... L5-S1."""
        stop = self.names.index("S1")
        return tuple(f"{self.names[i]}-{self.names[i + 1]}" for i in range(stop))

    @property
    def disc_mid_a(self) -> np.ndarray:
        """Arc positions of the mid-height of each true disc, shape (n_discs,), mm."""
        n = len(self.disc_names)
        return 0.5 * (self.body_bottom[:n] + self.body_top[1 : n + 1])

    def vertebra_index(self, name: str) -> int:
        """Index of vertebra ``name`` in :attr:`names`."""
        return self.names.index(name.upper())

    def a_of_level(self, s: float) -> float:
        """Arc position of level coordinate ``s`` along the layout.

        The level of a vertebra runs from the mid-height of the disc above to the mid-height
        of the disc below; above C2-C3 the C3 level height is extrapolated, as in the
        design's level definition.

        Parameters
        ----------
        s : float
            Level coordinate (C1 = 0 ... S1 = 24).

        Returns
        -------
        float
            Arc position, mm.
        """
        bounds = self.level_bounds_a()
        k = int(np.clip(np.floor(s), 0, len(bounds) - 2))
        return float(bounds[k] + (s - k) * (bounds[k + 1] - bounds[k]))

    def level_bounds_a(self) -> np.ndarray:
        """Arc positions of the level boundaries for level indices 0, 1, 2, ... 25, mm.

        Boundary ``k`` is the upper limit of level ``k``; boundary 2 is the C2-C3 disc,
        boundary 24 the L5-S1 disc. Boundaries 0, 1 and 25 are extrapolated with the
        neighbouring level height.
        """
        discs = self.disc_mid_a
        first = discs[0] - (discs[1] - discs[0])
        before = np.array([first - (discs[1] - discs[0]), first])
        after = np.array([discs[-1] + (discs[-1] - discs[-2])])
        return np.concatenate([before, discs, after])

    def profile(self, key: str, a: np.ndarray) -> np.ndarray:
        """Interpolate profile ``key`` at arc positions ``a`` (any shape), mm."""
        return np.interp(a, self.profile_a, self.profiles[key])


def build_layout() -> SpineLayout:
    """Lay out the vertebrae C2..S5 along the axis from the table of dimensions.

    Returns
    -------
    SpineLayout
        The layout; the C2 body starts at :data:`C2_BODY_TOP_A`.
    """
    names = tuple(name for name, _ in _TABLE)
    tops, bottoms = [], []
    a = C2_BODY_TOP_A
    for _, row in _TABLE:
        body_h, disc_h = row[0], row[1]
        tops.append(a)
        bottoms.append(a + body_h)
        a += body_h + disc_h
    tops_arr, bottoms_arr = np.array(tops), np.array(bottoms)
    knot_a = [k[0] for k in _CRANIAL_KNOTS] + list(0.5 * (tops_arr + bottoms_arr))
    knot_rows = [k[1] for k in _CRANIAL_KNOTS] + [row[2:] for _, row in _TABLE]
    values = np.array(knot_rows, dtype=float)
    profiles = {key: values[:, i].copy() for i, key in enumerate(PROFILE_KEYS)}
    return SpineLayout(names, tops_arr, bottoms_arr, np.array(knot_a), profiles)
