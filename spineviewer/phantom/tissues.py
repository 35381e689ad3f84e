"""Tissue labels of the phantom and their signal on each MR contrast.

The anatomy model paints a ``uint8`` tissue label per sample point; a per-contrast lookup
table turns labels into signal (arbitrary scanner units, about 0-1200 at the coil centre).
Values mimic 1.5 T turbo spin echo: CSF bright on T2 and dark on T1, fat bright on both,
marrow bright-ish on T1, muscle and cortical bone dark, disc nucleus bright on T2.

Marrow, muscle, fat and organs carry a faint texture (:func:`texture_table`); fluids, the
cord and the lesions are homogeneous. Lesion labels are allocated per lesion from :data:`LESION_LABEL_BASE` upward, three per
lesion (solid part, cystic centre, less-enhancing core); their signal comes from the case.
"""

from __future__ import annotations

import enum

import numpy as np


class Contrast(enum.Enum):
    """MR contrast of a series."""

    T2 = "T2"
    T1 = "T1"
    T1C = "T1+C"


class Tissue(enum.IntEnum):
    """Tissue label painted by the anatomy model."""

    AIR = 0
    FAT = 1
    MUSCLE = 2
    LUNG = 3
    VISCERA = 4
    KIDNEY = 5
    HEART = 6
    VESSEL = 7
    BRAIN = 8
    CORTEX = 9
    MARROW = 10
    ANNULUS = 11
    NUCLEUS = 12
    EPIDURAL_FAT = 13
    CSF = 14
    CORD = 15
    EDEMA = 16
    NERVE_ROOT = 17
    LIGAMENT = 18
    DEGENERATE_NUCLEUS = 19


#: First label of the lesion labels; lesion ``i`` (0-based) uses ``base + 3 i + part``.
LESION_LABEL_BASE = 32
N_LABELS = 64

# Signal per tissue: (T2, T1, T1+C).
_SIGNAL: dict[Tissue, tuple[float, float, float]] = {
    Tissue.AIR: (0.0, 0.0, 0.0),
    Tissue.FAT: (760.0, 900.0, 900.0),
    Tissue.MUSCLE: (190.0, 360.0, 390.0),
    Tissue.LUNG: (25.0, 35.0, 40.0),
    Tissue.VISCERA: (330.0, 430.0, 560.0),
    Tissue.KIDNEY: (520.0, 360.0, 760.0),
    Tissue.HEART: (240.0, 380.0, 430.0),
    Tissue.VESSEL: (45.0, 70.0, 150.0),
    Tissue.BRAIN: (430.0, 470.0, 480.0),
    Tissue.CORTEX: (45.0, 70.0, 75.0),
    Tissue.MARROW: (440.0, 640.0, 690.0),
    Tissue.ANNULUS: (160.0, 300.0, 320.0),
    Tissue.NUCLEUS: (830.0, 310.0, 330.0),
    Tissue.EPIDURAL_FAT: (700.0, 820.0, 860.0),
    Tissue.CSF: (1000.0, 120.0, 130.0),
    Tissue.CORD: (340.0, 460.0, 465.0),
    Tissue.EDEMA: (680.0, 390.0, 400.0),
    Tissue.NERVE_ROOT: (300.0, 420.0, 430.0),
    Tissue.LIGAMENT: (70.0, 140.0, 160.0),
    Tissue.DEGENERATE_NUCLEUS: (260.0, 300.0, 320.0),
}

# Depth of the tissue texture (a smooth random modulation of the signal, fraction).
_TEXTURE: dict[Tissue, float] = {
    Tissue.MARROW: 0.10, Tissue.MUSCLE: 0.06, Tissue.VISCERA: 0.08, Tissue.HEART: 0.08,
    Tissue.KIDNEY: 0.05, Tissue.FAT: 0.04, Tissue.EPIDURAL_FAT: 0.04, Tissue.BRAIN: 0.04,
}

#: Rician noise standard deviation per contrast (same units as the signal).
NOISE_SIGMA: dict[Contrast, float] = {Contrast.T2: 11.0, Contrast.T1: 10.0, Contrast.T1C: 10.0}

_COLUMN = {Contrast.T2: 0, Contrast.T1: 1, Contrast.T1C: 2}


def signal_table(contrast: Contrast, lesion_signals: dict[int, float]) -> np.ndarray:
    """Lookup table from tissue label to signal for one contrast.

    Parameters
    ----------
    contrast : Contrast
        The series contrast.
    lesion_signals : dict of int to float
        Signal of each lesion label (labels at or above :data:`LESION_LABEL_BASE`).

    Returns
    -------
    ndarray, shape (N_LABELS,), float32
        ``table[label]`` is the signal of that label.
    """
    table = np.zeros(N_LABELS, dtype=np.float32)
    for tissue, values in _SIGNAL.items():
        table[tissue] = values[_COLUMN[contrast]]
    for label, value in lesion_signals.items():
        table[label] = value
    return table


def texture_table() -> np.ndarray:
    """Texture depth per label (0 for fluids, cord, lesions), shape (N_LABELS,), float32."""
    table = np.zeros(N_LABELS, dtype=np.float32)
    for tissue, depth in _TEXTURE.items():
        table[tissue] = depth
    return table
