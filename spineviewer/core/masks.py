"""Lesion masks beside the annotation file: compressed, named by their content, never changed.

A :class:`~spineviewer.core.drawings.Segmentation` holds the SHA-256 of its mask; the mask is
the file ``<annotation file name without .json>.masks/<sha256>.npz`` beside the annotation
file (``spineviewer-<uid>.spineviewer.masks/…`` beside ``spineviewer-<uid>.spineviewer.json``),
and beside the copy keyed by StudyInstanceUID as well. A file is written once, atomically
(:func:`~spineviewer.core.safe_write.write_atomically`), and never changed: an edited mask is
a new file with a new name, so undo only points the drawing back at the old hash. Files no
longer named by the annotations are left in place (a few kilobytes each): the undo history,
and any other session on the same study, may still name them.

The hash is that of the mask's content (its shape and its bits packed in C order), not of the
file's bytes, so the same mask always gets the same name. The file is a NumPy ``.npz`` archive
(deflate) holding one boolean array ``mask`` of shape ``(slice, row, col)``: the voxel grid of
the stack whose first slice the drawing names, slices ordered along the normal
``F_row × F_col`` (:mod:`spineviewer.core.stack_geometry`).

Reading treats the file as hostile: a regular file only, at most :data:`MAX_MASK_FILE_BYTES`,
exactly one member, the shape and dtype read from the array header and compared with the
drawing's before anything is allocated, no pickles, and the content hash checked against the
name.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import stat
import zipfile
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from spineviewer.core.drawings import MAX_MASK_VOXELS, Component, Segmentation, new_id
from spineviewer.core.model import Stack
from spineviewer.core.safe_write import write_atomically
from spineviewer.core.stack_geometry import stack_geometry
from spineviewer.core.units import Unit

#: Largest mask file read: a whole 1024 x 1024 x 256 mask of random bits compresses to about
#: this; real lesion masks are a few kilobytes.
MAX_MASK_FILE_BYTES = 64 * 1024 * 1024

_MEMBER = "mask.npy"


class MaskError(ValueError):
    """A mask that cannot be stored or read; the message names the file and the reason."""


def mask_folder(annotation_path) -> Path:
    """The folder of the masks of the annotation file at ``annotation_path``."""
    path = Path(annotation_path)
    stem = path.name[:-len(".json")] if path.name.endswith(".json") else path.name
    return path.with_name(f"{stem}.masks")


def mask_hash(mask: np.ndarray) -> str:
    """SHA-256 (64 hex digits) of a boolean mask's shape and packed bits."""
    mask = np.asarray(mask, dtype=bool)
    digest = hashlib.sha256(b"spineviewer-mask:" + ",".join(map(str, mask.shape)).encode() + b":")
    digest.update(np.packbits(mask, axis=None).tobytes())
    return digest.hexdigest()


def mask_path(folder, sha256: str) -> Path:
    """The file of the mask ``sha256`` in ``folder``."""
    return Path(folder) / f"{sha256}.npz"


class _Pending:
    """A mask to store: checked, hashed, and encoded as a file once, however many folders it
    is written to."""

    def __init__(self, mask) -> None:
        self.mask = _checked(mask)
        self.sha = mask_hash(self.mask)
        self._data: bytes | None = None

    def write(self, folder) -> None:
        """Store the mask in ``folder`` (created when missing) unless its file is there."""
        target = mask_path(folder, self.sha)
        if _is_regular(target):
            return
        if self._data is None:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                with archive.open(_MEMBER, "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, self.mask, allow_pickle=False)
            self._data = buffer.getvalue()
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, self._data)


def write_mask(folder, mask: np.ndarray) -> str:
    """Store a mask in ``folder`` (created when missing) and return its hash.

    A mask already stored is not written again (its file is immutable). Raises MaskError for a
    mask that is not 3-D, is empty, or is larger than a mask may be.
    """
    pending = _Pending(mask)
    pending.write(folder)
    return pending.sha


def read_mask(folder, sha256: str, shape: Sequence[int]) -> np.ndarray:
    """The mask ``sha256`` of ``folder``, a boolean array of ``shape``; MaskError otherwise."""
    path = mask_path(folder, sha256)
    shape = tuple(int(n) for n in shape)
    try:
        info = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        raise MaskError(f"{path}: the mask file is missing") from None
    except OSError as exc:
        raise MaskError(f"{path} cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise MaskError(f"{path} is not a regular file")
    if info.st_size > MAX_MASK_FILE_BYTES:
        raise MaskError(f"{path} is {info.st_size} bytes, more than a mask file holds")
    if math.prod(shape) > MAX_MASK_VOXELS:
        raise MaskError(f"{path}: a {shape} mask is larger than a mask may be")
    try:
        mask = _read(path, shape)
    except MaskError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise MaskError(f"{path} is not a readable mask file ({exc})") from None
    if mask_hash(mask) != sha256:
        raise MaskError(f"{path}: its content does not match its name (the file was changed)")
    return mask


def _read(path: Path, shape: tuple[int, ...]) -> np.ndarray:
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if [m.filename for m in members] != [_MEMBER]:
            raise MaskError(f"{path} holds {len(members)} members, not one mask")
        if members[0].file_size > math.prod(shape) + 4096:
            raise MaskError(f"{path}: the mask inside is larger than a {shape} mask")
        with archive.open(_MEMBER) as member:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                found, fortran, dtype = np.lib.format.read_array_header_1_0(member)
            elif version == (2, 0):
                found, fortran, dtype = np.lib.format.read_array_header_2_0(member)
            else:
                raise MaskError(f"{path}: unknown array format {version}")
            if tuple(found) != shape or dtype != np.dtype(bool) or fortran:
                raise MaskError(f"{path} holds a {dtype} array of shape {tuple(found)}, "
                                f"not the {shape} mask of its drawing")
            data = member.read(math.prod(shape) + 1)
    if len(data) != math.prod(shape):
        raise MaskError(f"{path}: the mask data is {len(data)} bytes, not {math.prod(shape)}")
    values = np.frombuffer(data, dtype=np.uint8)
    if values.max(initial=0) > 1:
        raise MaskError(f"{path}: the mask holds values other than 0 and 1")
    return values.astype(bool).reshape(shape)


class MaskStore:
    """The mask folders of an annotation file and of its copy: masks written to both, read
    from whichever holds a readable copy, the last few kept in memory (read-only arrays)."""

    def __init__(self, folders: Sequence[Path], *, cached: int = 8):
        self.folders = tuple(Path(f) for f in folders)
        self._cached = cached
        self._masks: dict[str, np.ndarray] = {}

    def store(self, mask) -> tuple[str, list[tuple[Path, OSError]]]:
        """Write ``mask`` to every folder; its hash and the folders that failed. Raises
        MaskError for a mask that cannot be stored, OSError when every folder failed."""
        pending, failures = _Pending(mask), []
        for folder in self.folders:
            try:
                pending.write(folder)
            except OSError as exc:
                failures.append((folder, exc))
        if len(failures) == len(self.folders):
            raise failures[0][1]
        self._remember(pending.sha, pending.mask)
        return pending.sha, failures

    def load(self, sha256: str, shape: Sequence[int]) -> np.ndarray:
        """The mask ``sha256`` of ``shape``; MaskError (the first folder's reason) when no
        folder holds a readable copy."""
        cached = self._masks.get(sha256)
        if cached is not None and cached.shape == tuple(shape):
            return cached
        error = None
        for folder in self.folders:
            try:
                # read_mask's array is new and held by nobody else: kept as it is, not copied.
                return self._remember(sha256, read_mask(folder, sha256, shape), copy=False)
            except MaskError as exc:
                error = error or exc
        raise error

    def copy_all(self, hashes: Iterable[str]) -> list[str]:
        """:func:`copy_masks` between this store's folders."""
        return copy_masks(hashes, list(self.folders))

    def _remember(self, sha: str, mask, *, copy: bool = True) -> np.ndarray:
        if copy:
            mask = np.array(mask, dtype=bool)
        mask.flags.writeable = False
        self._masks[sha] = mask
        while len(self._masks) > self._cached:
            self._masks.pop(next(iter(self._masks)))
        return mask


def copy_masks(hashes: Iterable[str], folders: Sequence[Path]) -> list[str]:
    """Make every mask of ``hashes`` present in every folder of ``folders``, copying it from a
    folder that has it (atomically). Returns the hashes found in none of them."""
    missing = []
    for sha in dict.fromkeys(hashes):
        paths = [mask_path(f, sha) for f in folders]
        present = [_is_regular(path) for path in paths]
        if not any(present):
            missing.append(sha)
            continue
        data = None
        for target, there in zip(paths, present):
            if not there:
                target.parent.mkdir(parents=True, exist_ok=True)
                if data is None:
                    with open(paths[present.index(True)], "rb") as handle:
                        data = handle.read(MAX_MASK_FILE_BYTES + 1)
                if len(data) <= MAX_MASK_FILE_BYTES:
                    write_atomically(target, data)
    return missing


def segmentation(stack: Stack, mask: np.ndarray, sha256: str, *, role: Component = Component.ENHANCEMENT,
                 proposed: bool = False, drawing_id: str | None = None) -> Segmentation:
    """The drawing of a mask stored as ``sha256`` on ``stack``'s voxel grid.

    Its volume is measured in patient space: each voxel is its slice's pixel area times the
    slab the slice stands for (half the gap to each neighbour; an end slice the gap to its one
    neighbour; a single slice its thickness), so unevenly spaced stacks are measured right.
    """
    mask = _checked(mask)
    if mask.shape != stack.shape:
        raise MaskError(f"a {mask.shape} mask does not fit the {stack.shape} stack of series "
                        f"{stack.series_uid}")
    geometry = stack_geometry(stack)
    counts = mask.sum(axis=(1, 2))
    volume = 0.0
    for k in np.nonzero(counts)[0]:
        plane = geometry.planes[k]
        slab = (geometry.gap(int(k), -1.0) + geometry.gap(int(k), 1.0)) / 2
        volume += float(counts[k]) * plane.spacing[0] * plane.spacing[1] * slab
    centre = geometry.from_index(np.argwhere(mask).mean(axis=0))
    return Segmentation(
        series_instance_uid=stack.series_uid,
        sop_instance_uid=stack.frames[0].file.sop_instance_uid, id=drawing_id or new_id(),
        unit=Unit.of_image(stack.spacing_known), proposed=proposed, mask_sha256=sha256,
        shape=tuple(int(n) for n in mask.shape), voxels=int(counts.sum()), volume=volume,
        centre=tuple(float(v) for v in centre), role=role)


def segmentation_stack(stacks: Iterable[Stack], drawing: Segmentation) -> Stack | None:
    """The stack a segmentation lies on: of its series, first slice its SOP instance, its shape."""
    for stack in stacks:
        if (stack.series_uid == drawing.series_instance_uid and stack.frames
                and stack.frames[0].file.sop_instance_uid == drawing.sop_instance_uid
                and stack.shape == drawing.shape):
            return stack
    return None


def _checked(mask) -> np.ndarray:
    mask = np.asarray(mask)
    if mask.ndim != 3:
        raise MaskError(f"a mask is (slices, rows, columns), got {mask.ndim} dimensions")
    if mask.size > MAX_MASK_VOXELS:
        raise MaskError(f"a {mask.shape} mask is larger than a mask may be")
    mask = np.ascontiguousarray(mask, dtype=bool)
    if not mask.any():
        raise MaskError("the mask is empty")
    return mask


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path, follow_symlinks=False).st_mode)
    except OSError:
        return False


__all__ = ["MAX_MASK_FILE_BYTES", "MaskError", "MaskStore", "copy_masks", "mask_folder", "mask_hash",
           "mask_path", "read_mask", "segmentation", "segmentation_stack", "write_mask"]
