"""Small compressed series for the decoding tests: 64 x 64 x 6 grey slices with 12 bits
stored (a smooth body, edges and noise, so every codec has real work), written natively and
in every syntax of :data:`spineviewer.phantom.compressed.COMPRESSIONS`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydicom.uid import generate_uid

from tests.conftest import write_slice

SHAPE = (6, 64, 64)


def phantom_pixels(shape=SHAPE, *, seed: int = 0, signed: bool = False) -> np.ndarray:
    """``(slices, rows, cols)`` 12-bit values: a bright disc on a ramp, with noise."""
    rng = np.random.default_rng(seed)
    k, r, c = np.mgrid[:shape[0], :shape[1], :shape[2]]
    disc = ((r - shape[1] / 2) ** 2 + (c - shape[2] / 2 - k) ** 2) < (shape[1] / 3) ** 2
    values = 200 + 20 * c + 1500 * disc + rng.normal(0, 40, shape)
    values = np.clip(values, 0, 4095).astype(np.int32)
    return (values - 2048).astype(np.int16) if signed else values.astype(np.uint16)


def write_native_series(folder: Path, pixels: np.ndarray, **extra) -> Path:
    """One single-frame file per slice, 2 mm apart, explicit VR little endian."""
    folder.mkdir(parents=True, exist_ok=True)
    series, study = generate_uid(), generate_uid()
    attributes = {"BitsStored": 12, "HighBit": 11, **extra}
    for k, plane in enumerate(pixels):
        write_slice(folder / f"IM{k:04d}", plane, position=(0.0, 0.0, 2.0 * k), series_uid=series,
                    study_uid=study, instance=k + 1, extra=attributes)
    return folder


def psnr(decoded: np.ndarray, reference: np.ndarray, peak: float = 4095.0) -> float:
    error = np.mean((decoded.astype(float) - reference.astype(float)) ** 2)
    return float("inf") if error == 0 else float(10 * np.log10(peak ** 2 / error))
