"""The per-user base folders of the XDG Base Directory specification."""

from __future__ import annotations

import os
from pathlib import Path


def xdg_dir(variable: str, fallback: str) -> Path:
    """The folder ``$variable`` names (``XDG_CONFIG_HOME``, ``XDG_CACHE_HOME``, ...), or
    ``~/fallback`` when it is unset, empty or not an absolute path (as the specification says)."""
    base = os.environ.get(variable, "")
    return Path(base) if base and Path(base).is_absolute() else Path.home() / fallback
