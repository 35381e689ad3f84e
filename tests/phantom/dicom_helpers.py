"""Reading generated phantom series and measuring in their pixels (patient LPS mm)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pydicom
from scipy import ndimage


def truth(folder: Path) -> dict:
    """The case's ground truth."""
    return json.loads((folder / "ground-truth.json").read_text())


def read_series(folder: Path, number: int) -> list[pydicom.Dataset]:
    """Every file of series ``number``, in file-name order."""
    return [pydicom.dcmread(p) for p in sorted((folder / "dicom" / f"SE{number:04d}").iterdir())]


def series_number(folder: Path, description: str) -> int:
    """The number of the series with this description."""
    for entry in truth(folder)["series"]:
        if entry["description"] == description:
            return entry["series_number"]
    raise KeyError(description)


def _generated(path: Path, folder: Path) -> bool:
    """Files the generator writes (a reader's own annotation files beside them do not count)."""
    relative = path.relative_to(folder)
    return relative.parts[0] == "dicom" or relative.name in {"ground-truth.json", "reference-annotations.json"}


def digest(folder: Path) -> str:
    """SHA-256 over the relative path and bytes of every file the generator wrote."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and _generated(p, folder)):
        h.update(str(path.relative_to(folder)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def frame(ds) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """IPP, F_row, F_col, normal and (dR, dC) of an image."""
    iop = np.array(ds.ImageOrientationPatient, float)
    f_row, f_col = iop[:3], iop[3:]
    return (np.array(ds.ImagePositionPatient, float), f_row, f_col, np.cross(f_row, f_col),
            np.array(ds.PixelSpacing, float))


def pixel_centres(ds) -> np.ndarray:
    """LPS position of every pixel centre, shape (rows, cols, 3)."""
    ipp, f_row, f_col, _, (d_r, d_c) = frame(ds)
    rows, cols = np.mgrid[0:ds.Rows, 0:ds.Columns]
    return ipp + (cols[..., None] * d_c) * f_row + (rows[..., None] * d_r) * f_col


def in_plane_index(ds, point) -> tuple[float, float]:
    """Fractional ``(row, col)`` of the projection of an LPS point on the image plane."""
    ipp, f_row, f_col, _, (d_r, d_c) = frame(ds)
    rel = np.asarray(point, float) - ipp
    return float(rel @ f_col / d_r), float(rel @ f_row / d_c)


def nearest_slice(datasets, point) -> pydicom.Dataset:
    """The image whose plane passes closest to ``point``, among those that show it."""
    def shows(ds):
        row, col = in_plane_index(ds, point)
        return 0 <= row <= ds.Rows - 1 and 0 <= col <= ds.Columns - 1

    def distance(ds):
        ipp, _, _, normal, _ = frame(ds)
        return abs(float(np.dot(np.asarray(point) - ipp, normal)))
    return min((ds for ds in datasets if shows(ds)), key=distance)


def sample(ds, points) -> np.ndarray:
    """Bilinear image values at LPS points lying in the image plane."""
    ipp, f_row, f_col, _, (d_r, d_c) = frame(ds)
    rel = np.asarray(points, float) - ipp
    cols, rows = rel @ f_row / d_c, rel @ f_col / d_r
    return ndimage.map_coordinates(ds.pixel_array.astype(float), [rows, cols], order=1)


def bright_region(ds, centre, threshold: float, radius_mm: float) -> np.ndarray:
    """Pixels above ``threshold`` connected to the pixel nearest ``centre``, within
    ``radius_mm`` of it; returns their LPS centres, shape (n, 3)."""
    positions = pixel_centres(ds)
    near = np.linalg.norm(positions - np.asarray(centre), axis=-1) <= radius_mm
    mask = near & (ds.pixel_array.astype(float) > threshold)
    labels, _ = ndimage.label(mask)
    seed = np.unravel_index(np.argmin(np.linalg.norm(positions - centre, axis=-1)), mask.shape)
    assert labels[seed], "the lesion centre is not above the threshold"
    return positions[labels == labels[seed]]


def extent(ds, points: np.ndarray, direction) -> float:
    """Extent (mm) of a set of pixel centres along an in-plane direction, counting the
    pixels' own width along it."""
    _, f_row, f_col, _, (d_r, d_c) = frame(ds)
    direction = np.asarray(direction, float) / np.linalg.norm(direction)
    along = points @ direction
    width = abs(direction @ f_row) * d_c + abs(direction @ f_col) * d_r
    return float(along.max() - along.min() + width)
