"""Siemens mosaics split into slices: tile geometry and pixels.

Synthetic mosaics are written with pydicom into ``tmp_path`` (known truth, no corpus needed); the
corpus mosaics (dcm_qa_ts, 35 slices in 6x6 tiles of 64x64) are compared with nibabel's
MosaicWrapper, which splits mosaics the same way dcm2niix does. Positions are DICOM LPS mm.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pydicom
import pytest
from pydicom.uid import RLELossless, generate_uid

from spineviewer.cli import main
from spineviewer.core import pixels
from spineviewer.core.loader import load_study
from tests.conftest import write_slice
from tests.core.test_csa import csa_bytes

TILT = np.deg2rad(10.0)
#: F_row along +x, F_col tilted 10° out of the axial plane: F_row × F_col = (0, sin, cos).
ORIENTATION = (1.0, 0.0, 0.0, 0.0, float(np.cos(TILT)), float(-np.sin(TILT)))
NORMAL = np.array([0.0, np.sin(TILT), np.cos(TILT)])
IPP = np.array([-20.0, 10.0, 5.0])
SPACING = (0.5, 0.75)  # (ΔR, ΔC)


def write_mosaic(path, *, count=5, tile=(4, 6), normal_sign=1.0, csa=True, mr_header=True,
                 rows_cols=None, syntax=None):
    """A mosaic whose tile k holds ``1000*k + r*10 + c``; returns the expected (k, r, c) stack."""
    tiles = int(np.ceil(np.sqrt(count)))
    rows, cols = rows_cols or (tiles * tile[0], tiles * tile[1])
    mosaic = np.zeros((rows, cols), dtype=np.uint16)
    expected = np.empty((count,) + tile, dtype=np.uint16)
    r, c = np.mgrid[:tile[0], :tile[1]]
    for k in range(count):
        expected[k] = 1000 * k + 10 * r + c
        top, left = (k // tiles) * tile[0], (k % tiles) * tile[1]
        if rows_cols is None:
            mosaic[top:top + tile[0], left:left + tile[1]] = expected[k]
    write_slice(path, mosaic, position=IPP, orientation=ORIENTATION, spacing=SPACING,
                series_uid=generate_uid(), study_uid=generate_uid(), description="ep2d_bold",
                extra={"ImageType": ["ORIGINAL", "PRIMARY", "M", "ND", "MOSAIC"],
                       "SpacingBetweenSlices": 4.0})
    ds = pydicom.dcmread(path)
    if mr_header:
        ds.private_block(0x0019, "SIEMENS MR HEADER", create=True).add_new(0x0A, "US", count)
    if csa:
        tags = {"SliceNormalVector": [f"{v:.8f}" for v in normal_sign * NORMAL],
                "NumberOfImagesInMosaic": [str(count)], "AcquisitionMatrixText": [f"{tile[0]}*{tile[1]}"]}
        ds.private_block(0x0029, "SIEMENS CSA HEADER", create=True).add_new(0x10, "OB", csa_bytes(tags))
    if syntax is not None:
        ds.compress(syntax)
    ds.save_as(path)
    return expected


def one_stack(path):
    result = load_study(path)
    stacks = list(result.iter_stacks())
    assert len(stacks) == 1, result.all_problems()
    return stacks[0]


def first_slice_position(rows, cols, tile):
    return (IPP + np.array(ORIENTATION[:3]) * SPACING[1] * (cols - tile[1]) / 2
            + np.array(ORIENTATION[3:]) * SPACING[0] * (rows - tile[0]) / 2)


class TestSyntheticMosaic:
    def test_tiles_become_slices_with_their_positions(self, tmp_path):
        """Five slices in 3x3 tiles of 4x6: tile pixels exactly, positions along the normal."""
        expected = write_mosaic(tmp_path / "m.dcm")
        stack = one_stack(tmp_path / "m.dcm")
        assert stack.shape == (5, 4, 6)
        np.testing.assert_array_equal(stack.volume(), expected)
        first = first_slice_position(12, 18, (4, 6))
        along = 4.0 * np.arange(5)[:, None] * NORMAL
        np.testing.assert_allclose(stack.slice_positions, first + along, atol=1e-9)
        np.testing.assert_allclose(stack.geometry.spacing, [0.75, 0.5, 4.0])
        np.testing.assert_allclose(stack.geometry.direction[:, 2], NORMAL, atol=1e-9)
        assert stack.notes == ["split from a Siemens mosaic (5 slices in 3x3 tiles)"]
        assert stack.frames[0].file.mosaic.count == 5

    def test_slices_decode_on_their_own(self, tmp_path):
        """One slice requested before the volume is its own tile."""
        expected = write_mosaic(tmp_path / "m.dcm", count=7)
        stack = one_stack(tmp_path / "m.dcm")
        np.testing.assert_array_equal(stack.slice_pixels(6), expected[6])

    def test_reversed_csa_normal_reverses_slice_order(self, tmp_path):
        """Tiles acquired against F_row × F_col: tile 0 is the last slice along the normal."""
        expected = write_mosaic(tmp_path / "m.dcm", normal_sign=-1.0)
        stack = one_stack(tmp_path / "m.dcm")
        np.testing.assert_array_equal(stack.volume(), expected[::-1])
        first = first_slice_position(12, 18, (4, 6))
        np.testing.assert_allclose(stack.slice_positions[-1], first, atol=1e-9)
        np.testing.assert_allclose(stack.geometry.origin, first - 16.0 * NORMAL, atol=1e-9)

    @pytest.mark.parametrize("normal_sign", [1.0, -1.0])
    def test_synthetic_mosaic_matches_nibabel(self, tmp_path, normal_sign):
        """nibabel places tile k at the same position and gives it the same pixels."""
        write_mosaic(tmp_path / "m.dcm", count=8, normal_sign=normal_sign)
        positions, volume = _nibabel_mosaic(tmp_path / "m.dcm")
        stack = one_stack(tmp_path / "m.dcm")
        in_tile_order = slice(None) if normal_sign > 0 else slice(None, None, -1)
        np.testing.assert_allclose(stack.slice_positions[in_tile_order], positions, atol=1e-6)
        np.testing.assert_array_equal(stack.volume()[in_tile_order], volume)

    def test_without_csa_normal_the_assumption_is_noted(self, tmp_path):
        """No CSA header: slices run along F_row × F_col, and the stack says so."""
        expected = write_mosaic(tmp_path / "m.dcm", csa=False)
        stack = one_stack(tmp_path / "m.dcm")
        np.testing.assert_array_equal(stack.volume(), expected)
        assert any("no Siemens slice normal" in note for note in stack.notes)

    def test_damaged_csa_header_falls_back_with_a_note(self, tmp_path):
        """A CSA header cut short gives no normal: the tiles still split, the stack says why."""
        expected = write_mosaic(tmp_path / "m.dcm")
        ds = pydicom.dcmread(tmp_path / "m.dcm")
        ds.private_block(0x0029, "SIEMENS CSA HEADER")[0x10].value = ds[0x0029, 0x1010].value[:50]
        ds.save_as(tmp_path / "m.dcm")
        stack = one_stack(tmp_path / "m.dcm")
        np.testing.assert_array_equal(stack.volume(), expected)
        assert any("no Siemens slice normal" in note for note in stack.notes)

    def test_count_from_csa_when_the_mr_header_is_absent(self, tmp_path):
        """NumberOfImagesInMosaic of the CSA header serves when (0019,100A) is missing."""
        write_mosaic(tmp_path / "m.dcm", count=9, mr_header=False)
        assert one_stack(tmp_path / "m.dcm").shape == (9, 4, 6)

    def test_compressed_mosaic_is_decoded_once_and_cut(self, tmp_path, monkeypatch):
        """An RLE mosaic is decoded once (its one stored frame) for all its tiles."""
        expected = write_mosaic(tmp_path / "m.dcm", count=8, syntax=RLELossless)
        calls = []
        decode = pixels._read_direct
        monkeypatch.setattr(pixels, "_read_direct", lambda image, indices, *rest: calls.append(
            (image.rows, indices)) or decode(image, indices, *rest))
        np.testing.assert_array_equal(one_stack(tmp_path / "m.dcm").volume(), expected)
        assert calls == [(expected.shape[1] * 3, [0])]

    def test_sizes_that_do_not_tile_stay_one_image_without_geometry(self, tmp_path):
        """Seven slices cannot tile 10x18 pixels in 3x3: one image, no reference lines, a note."""
        write_mosaic(tmp_path / "m.dcm", count=7, rows_cols=(10, 18))
        stack = one_stack(tmp_path / "m.dcm")
        assert stack.shape == (1, 10, 18) and not stack.has_geometry
        assert "cannot be split (10x18 pixels do not divide into 3x3 tiles)" in stack.notes[0]

    def test_truncated_mosaic_is_that_files_problem(self, tmp_path):
        """A native mosaic cut short is refused by the header scan; the other file loads."""
        write_mosaic(tmp_path / "a.dcm")
        write_mosaic(tmp_path / "b.dcm")
        data = (tmp_path / "b.dcm").read_bytes()
        (tmp_path / "b.dcm").write_bytes(data[:-100])
        result = load_study(tmp_path)
        assert [s.shape for s in result.iter_stacks()] == [(5, 4, 6)]
        assert [p.path.endswith("b.dcm") and "truncated" in p.reason for p in result.problems] == [True]


def _nibabel_mosaic(path):
    """nibabel's slice positions (slices, 3) and volume (slices, rows, cols) of a mosaic."""
    dicomwrappers = pytest.importorskip("nibabel.nicom.dicomwrappers")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nibabel warns that its DICOM readers are experimental
        wrapper = dicomwrappers.wrapper_from_data(pydicom.dcmread(path))
        volume = np.moveaxis(wrapper.get_data(), 2, 0)
    count = volume.shape[0]
    voxels = np.column_stack([np.zeros((count, 2)), np.arange(count), np.ones(count)])
    return (wrapper.affine @ voxels.T).T[:, :3], volume


class TestCorpusMosaics:
    def test_nine_syntaxes_match_nibabel(self, corpus):
        """35 slices of 64x64 per file: positions to 1e-3 mm and pixels exactly as nibabel."""
        files = sorted((corpus / "dcm_qa_ts" / "In").glob("*.dcm"))
        assert len(files) == 9
        for path in files:
            stack = one_stack(path)
            positions, volume = _nibabel_mosaic(path)
            assert stack.shape == (35, 64, 64), path.name
            np.testing.assert_allclose(stack.slice_positions, positions, atol=1e-3, err_msg=path.name)
            np.testing.assert_array_equal(stack.volume(), volume, err_msg=path.name)
            assert not stack.decode_problems

    def test_info_json_describes_the_slices(self, corpus, capsys):
        """``spineviewer info --json``: 35 slices, 3.25 x 3.25 x 3.6 mm, origin of the first tile."""
        path = corpus / "dcm_qa_ts" / "In" / "1.dcm"
        assert main(["info", str(path), "--json"]) == 0
        entry = json.loads(capsys.readouterr().out)["stacks"][0]
        positions, _ = _nibabel_mosaic(path)
        assert entry["size"] == [64, 64, 35] and entry["plane"] == "axial"
        np.testing.assert_allclose(entry["spacing"], [3.25, 3.25, 3.6], atol=1e-6)
        np.testing.assert_allclose(entry["origin"], positions[0], atol=1e-3)
        along = positions[-1] - positions[0]
        np.testing.assert_allclose(np.reshape(entry["direction"], (3, 3))[:, 2],
                                   along / np.linalg.norm(along), atol=1e-6)
        assert entry["notes"] == ["split from a Siemens mosaic (35 slices in 6x6 tiles)"]
