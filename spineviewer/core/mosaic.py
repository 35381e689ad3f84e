"""Siemens mosaics: one stored image that tiles the slices of an fMRI or diffusion volume.

Siemens scanners store each time point of an EPI series as one image (ImageType contains
``MOSAIC``) whose NumberOfImagesInMosaic slices are tiles of a square grid. Each tile becomes a
:class:`~spineviewer.core.frames.Frame` of its own, with its own position, so a mosaic enters the
model like a multi-frame file, and the pixel reader cuts the tiles out of the decoded mosaic.

Notes
-----
Geometry, as dcm2niix and nibabel derive it (arrays ``(row, col)``, positions DICOM LPS mm):

- ``tiles = ceil(sqrt(count))`` per mosaic row and column; a tile is ``Rows / tiles`` by
  ``Columns / tiles`` pixels; slice ``k`` is tile ``(k // tiles, k % tiles)``.
- ImagePositionPatient gives the top-left pixel of the whole mosaic, so the first slice lies at
  ``IPP + F_row*ΔC*(Columns - tile_columns)/2 + F_col*ΔR*(Rows - tile_rows)/2``.
- Slice ``k`` lies at ``first + k * spacing * n``, with spacing SpacingBetweenSlices (else
  SliceThickness) and ``n`` the slice normal ``F_row × F_col``, with the sign of the
  ``SliceNormalVector`` of the CSA image header (:mod:`spineviewer.core.csa`): Siemens orders
  the tiles along the acquisition's normal, which may point either way.
"""

from __future__ import annotations

import math
import struct
from dataclasses import replace

import numpy as np
from pydicom.dataset import Dataset

from spineviewer.core.csa import CSAError, csa_floats, read_csa
from spineviewer.core.frames import Frame, ImageFile, MosaicLayout, classic_attributes
from spineviewer.core.geometry import slice_normal
from spineviewer.core.tags import get, number, text

_MR_HEADER = (0x0019, "SIEMENS MR HEADER", 0x0A)
_CSA_IMAGE = (0x0029, "SIEMENS CSA HEADER", 0x10)
#: Below this |cos| the CSA normal is not the IOP normal's direction and cannot give its sign.
_PARALLEL = 0.99


def is_mosaic(ds: Dataset) -> bool:
    """True for a Siemens mosaic: ImageType has the value ``MOSAIC``."""
    return "MOSAIC" in text(ds, "ImageType").upper().split("\\")


def _private(ds: Dataset, where: tuple[int, str, int]):
    group, creator, offset = where
    try:
        return ds.private_block(group, creator)[offset].value
    except KeyError:
        return None


def _csa_tags(ds: Dataset) -> dict[str, list[str]]:
    raw = _private(ds, _CSA_IMAGE)
    if not isinstance(raw, bytes):
        return {}
    try:
        return read_csa(raw)
    except CSAError:
        return {}


def _image_count(ds: Dataset, csa: dict[str, list[str]]) -> int | None:
    value = _private(ds, _MR_HEADER)
    if isinstance(value, bytes) and len(value) == 2:
        # Stored with VR UN: an unsigned short in the file's byte order.
        value = struct.unpack("<H" if ds.original_encoding[1] is not False else ">H", value)[0]
    if value is None:
        value = (csa_floats(csa, "NumberOfImagesInMosaic") or [None])[0]
    try:
        count = int(value)
    except (TypeError, ValueError):
        return None
    return count if count == value else None


def _layout(image: ImageFile, count: int | None) -> tuple[MosaicLayout | None, str]:
    """The tiling, or None and the reason the declared sizes cannot be tiled."""
    if count is None or count < 1:
        return None, "its number of images is unknown"
    if image.number_of_frames != 1 or image.samples_per_pixel != 1:
        return None, "it is not one grey-scale image"
    tiles = math.isqrt(count - 1) + 1
    if image.rows % tiles or image.columns % tiles:
        return None, f"{image.rows}x{image.columns} pixels do not divide into {tiles}x{tiles} tiles"
    return MosaicLayout(count=count, tiles=tiles, rows=image.rows, columns=image.columns), ""


def _normal(orientation: np.ndarray, csa: dict[str, list[str]]) -> tuple[np.ndarray, str | None]:
    normal = slice_normal(orientation)
    vector = csa_floats(csa, "SliceNormalVector")
    length = float(np.linalg.norm(vector)) if vector is not None and len(vector) == 3 else 0.0
    if not length or not math.isfinite(length):
        return normal, "no Siemens slice normal (CSA header): slices assumed to run along F_row × F_col"
    cosine = float(normal @ np.asarray(vector)) / length
    if abs(cosine) < _PARALLEL:
        return normal, ("the Siemens slice normal (CSA header) is not perpendicular to the image: "
                        "slices assumed to run along F_row × F_col")
    return math.copysign(1.0, cosine) * normal, None


def _positions(common: dict, layout: MosaicLayout, ds: Dataset,
               csa: dict[str, list[str]]) -> tuple[list[np.ndarray | None], list[str]]:
    """Each tile's ImagePositionPatient (LPS mm), or Nones and why there are none."""
    position, orientation, spacing = common["position"], common["orientation"], common["pixel_spacing"]
    gap = number(get(ds, "SpacingBetweenSlices")) or common["slice_thickness"]
    if position is None or orientation is None or spacing is None or not gap or gap <= 0:
        return [None] * layout.count, ["a mosaic without ImagePositionPatient, ImageOrientationPatient, "
                                       "PixelSpacing and slice spacing: its slices have no positions"]
    row_spacing, column_spacing = spacing
    f_row, f_col = orientation[:3], orientation[3:]
    tile_rows, tile_columns = layout.rows // layout.tiles, layout.columns // layout.tiles
    first = (position + f_row * column_spacing * (layout.columns - tile_columns) / 2
             + f_col * row_spacing * (layout.rows - tile_rows) / 2)
    normal, note = _normal(orientation, csa)
    return [first + k * gap * normal for k in range(layout.count)], [note] if note else []


def mosaic_frames(image: ImageFile, ds: Dataset) -> list[Frame]:
    """The slices of a Siemens mosaic file, one Frame per tile.

    Parameters
    ----------
    image : ImageFile
        The file as stored: Rows and Columns of the whole mosaic.
    ds : Dataset
        Its parsed header (pixel data deferred).

    Returns
    -------
    list of Frame
        ``count`` frames whose ``file`` describes the tiles (``mosaic`` set, ``index`` the tile
        number). When the declared sizes cannot be tiled, the file stays one tiled image, without
        position or orientation so that no reference line or slice geometry pretends otherwise,
        and its note says why.
    """
    common = classic_attributes(ds)
    csa = _csa_tags(ds)
    layout, reason = _layout(image, _image_count(ds, csa))
    if layout is None:
        note = f"a Siemens mosaic that cannot be split ({reason}): shown as one tiled image without geometry"
        return [Frame(file=image, index=None, **{**common, "position": None, "orientation": None},
                      notes=(note,))]
    tiles = replace(image, rows=layout.rows // layout.tiles, columns=layout.columns // layout.tiles,
                    number_of_frames=layout.count, mosaic=layout)
    positions, notes = _positions(common, layout, ds, csa)
    grid = f"{layout.tiles}x{layout.tiles}"
    notes.insert(0, f"split from a Siemens mosaic ({layout.count} slices in {grid} tiles)")
    return [Frame(file=tiles, index=k, **{**common, "position": position}, notes=tuple(notes))
            for k, position in enumerate(positions)]


def cut_tiles(mosaic: np.ndarray, layout: MosaicLayout, indices: list[int]) -> np.ndarray:
    """Tiles ``indices`` of a decoded mosaic ``(rows, columns)`` as ``(len(indices), r, c)``."""
    tile_rows, tile_columns = layout.rows // layout.tiles, layout.columns // layout.tiles
    out = np.empty((len(indices), tile_rows, tile_columns), dtype=mosaic.dtype)
    for k, index in enumerate(indices):
        top, left = (index // layout.tiles) * tile_rows, (index % layout.tiles) * tile_columns
        out[k] = mosaic[top:top + tile_rows, left:left + tile_columns]
    return out
