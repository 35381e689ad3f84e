"""Window presets on the number keys: the header's window, the automatic one, and MR presets.

MR signal intensity has no absolute unit (unlike CT's Hounsfield units), so fixed centre/width
pairs would mean something different on every scanner and sequence. Presets other than the
header's are therefore relative to the automatic window of the slice on screen
(:func:`~spineviewer.gui.reading.windowing.auto_window`, 0.5th to 99.5th percentile)::

    width  = width_factor * auto_width
    centre = auto_centre + centre_shift * auto_width

The defaults live in ``resources/presets.json``. Windows are ``(centre, width)`` in rescaled
pixel units (:mod:`spineviewer.gui.reading.windowing`). No Qt here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np

from spineviewer import RESOURCES_DIR
from spineviewer.gui.reading.windowing import MIN_WIDTH, Window, auto_window

PRESETS_FILE = RESOURCES_DIR / "presets.json"


class PresetBase(Enum):
    """What a preset's window is derived from."""

    HEADER = "header"  #: WindowCenter/WindowWidth (0028,1050)/(0028,1051) of the slice
    AUTO = "auto"  #: the automatic window of the slice's pixels


@dataclass(frozen=True)
class WindowPreset:
    """One preset: the number key that applies it and how its window is found.

    Attributes
    ----------
    key : int
        1-9, the number key.
    name : str
        Shown in the menu and the overlay.
    base : PresetBase
    width_factor, centre_shift : float
        Relative to the base window's width (see the module docstring).
    description : str
        One sentence for the menu's tooltip and the shortcut list.
    """

    key: int
    name: str
    base: PresetBase
    width_factor: float = 1.0
    centre_shift: float = 0.0
    description: str = ""

    def __post_init__(self):
        if not 1 <= self.key <= 9:
            raise ValueError(f"preset key must be 1-9, got {self.key}")
        if not self.width_factor > 0:
            raise ValueError(f"preset {self.name!r}: width_factor must be positive, got {self.width_factor}")


def load_presets(path: Path = PRESETS_FILE) -> list[WindowPreset]:
    """The presets of a JSON file (``{"presets": [{key, name, base, ...}]}``), sorted by key.

    Raises ValueError naming the file when it cannot be read as presets.
    """
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))["presets"]
        presets = [WindowPreset(key=int(e["key"]), name=str(e["name"]), base=PresetBase(e["base"]),
                                width_factor=float(e.get("width_factor", 1.0)),
                                centre_shift=float(e.get("centre_shift", 0.0)),
                                description=str(e.get("description", "")))
                   for e in entries]
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: not a list of window presets ({exc})") from exc
    keys = [p.key for p in presets]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{path}: two presets share a number key")
    return sorted(presets, key=lambda p: p.key)


def preset_window(preset: WindowPreset, pixels: np.ndarray, header: Window | None) -> Window:
    """The ``(centre, width)`` a preset gives for one slice.

    Parameters
    ----------
    preset : WindowPreset
    pixels : ndarray, shape (rows, cols)
        Rescaled values of the slice on screen.
    header : (centre, width) or None
        The slice's recommended window; the automatic one stands in when there is none.
    """
    if preset.base is PresetBase.HEADER and header is not None:
        centre, width = header
    else:
        centre, width = auto_window(pixels)
    return (centre + preset.centre_shift * width, max(MIN_WIDTH, preset.width_factor * width))
