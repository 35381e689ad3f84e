"""Geometry cross-checked against SimpleITK reading the same files.

For every multi-slice stack of the sample studies and of the real-DICOM corpus, origin, spacing,
direction and size must equal SimpleITK's (to 1e-3 mm) and voxel values must be identical. Where a
series is one stack, SimpleITK also chooses the files and their order itself (GDCM's sorter), so
the slice ordering is checked independently too. Siemens mosaics are left out: SimpleITK does not
split them, and tests/core/test_mosaic.py compares them with nibabel instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from spineviewer.cli import main
from spineviewer.core.loader import load_study
from tests.conftest import SAMPLES

sitk = pytest.importorskip("SimpleITK")


def _peer_image(stack, series_stacks: int):
    files = stack.files
    if stack.frames[0].index is not None:
        assert len(files) == 1
        return sitk.ReadImage(files[0]), None
    if series_stacks == 1:
        folder = str(Path(files[0]).parent)
        names = sitk.ImageSeriesReader.GetGDCMSeriesFileNames(folder, stack.series_uid)
        if set(names) == set(files):
            return sitk.ReadImage(names), list(names)
    return sitk.ReadImage(files), None


def _compare(stack, image, *, check_spacing=True):
    geometry = stack.geometry
    assert tuple(image.GetSize()) == tuple(geometry.size)
    np.testing.assert_allclose(image.GetOrigin(), geometry.origin, atol=1e-3)
    if check_spacing:
        np.testing.assert_allclose(image.GetSpacing(), geometry.spacing, atol=1e-3)
    np.testing.assert_allclose(image.GetDirection(), geometry.direction.reshape(-1), atol=1e-3)
    _compare_values(sitk.GetArrayFromImage(image), stack.volume())


def _compare_values(peer: np.ndarray, ours: np.ndarray):
    """Integers exactly; rescaled (float32) values to float32 precision."""
    if ours.dtype.kind == "f":
        np.testing.assert_allclose(peer, ours, rtol=1e-6, atol=1e-6 * np.abs(ours).max())
    else:
        np.testing.assert_array_equal(peer.astype(np.float64), ours.astype(np.float64))


def _sample_folders() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*/") if p.is_dir()) if SAMPLES.is_dir() else []


@pytest.mark.parametrize("folder", _sample_folders(), ids=lambda p: p.name)
def test_sample_studies_match_simpleitk(folder):
    """Every stack of each committed sample study equals SimpleITK's reading."""
    result = load_study(folder)
    assert not [p for p in result.problems if p.kind.value == "error"]
    checked = 0
    for _, _, series in result.iter_series():
        for stack in series.stacks:
            image, peer_order = _peer_image(stack, len(series.stacks))
            _compare(stack, image)
            if peer_order is not None:
                assert peer_order == stack.files
            checked += 1
    assert checked >= 5


def test_info_json_matches_simpleitk(capsys):
    """``spineviewer info --json`` reports each stack as SimpleITK describes it."""
    folders = _sample_folders()
    if not folders:
        pytest.skip("no sample studies in sample_dicom/")
    assert main(["info", str(folders[0]), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["problems"] == []
    for entry in report["stacks"]:
        image = sitk.ReadImage(entry["files"])
        assert entry["size"] == list(image.GetSize())
        np.testing.assert_allclose(entry["spacing"], image.GetSpacing(), atol=1e-3)
        np.testing.assert_allclose(entry["origin"], image.GetOrigin(), atol=1e-3)
        np.testing.assert_allclose(entry["direction"], image.GetDirection(), atol=1e-3)
        assert entry["plane"] in {"sagittal", "axial", "coronal", "oblique"}


def test_corpus_multislice_series_match_simpleitk(corpus):
    """Classic and enhanced multi-slice series of the corpus equal SimpleITK's reading."""
    result = load_study(corpus)
    checked = []
    for _, _, series in result.iter_series():
        for stack in series.stacks:
            if stack.shape[0] < 2 or not stack.has_geometry:
                continue
            if stack.frames[0].file.mosaic is not None:
                continue  # SimpleITK reads a mosaic as one tiled image; see test_mosaic.py
            name = Path(stack.files[0]).name
            if name in {"IM_0027_fMAP.dcm", "spine-ls.dcm"}:
                continue  # compared below, where the two readers legitimately differ
            image, peer_order = _peer_image(stack, len(series.stacks))
            _compare(stack, image)
            checked.append(name)
    assert len(checked) >= 6


def test_enhanced_with_repeated_positions(corpus):
    """Philips magnitude + field map, 64 frames at 32 positions: two stacks told apart by
    FrameType. SimpleITK stacks all 64 and applies the first frame's rescale to every frame;
    spineviewer applies each frame's own Pixel Value Transformation (PS3.3 C.7.6.16.2.9)."""
    import pydicom

    path = corpus / "dcm_qa_enh" / "In" / "Philips" / "IM_0027_fMAP.dcm"
    stacks = list(load_study(path).iter_stacks())
    assert [s.shape[0] for s in stacks] == [32, 32]
    assert {s.frames[0].variant[-1] for s in stacks} == {"ORIGINAL\\PRIMARY\\T1\\M",
                                                         "ORIGINAL\\PRIMARY\\T1\\FIELD_MAP"}
    image = sitk.ReadImage(str(path))
    peer = sitk.GetArrayFromImage(image)
    stored = pydicom.dcmread(path).pixel_array
    for stack in stacks:
        np.testing.assert_allclose(image.GetOrigin(), stack.geometry.origin, atol=1e-3)
        np.testing.assert_allclose(image.GetSpacing(), stack.geometry.spacing, atol=1e-3)
        frames = [frame.index for frame in stack.frames]
        if frames[0] == 0:
            _compare_values(peer[frames], stack.volume())
        slope, intercept = stack.frames[0].rescale_slope, stack.frames[0].rescale_intercept
        _compare_values(stored[frames] * slope + intercept, stack.volume())


def test_secondary_capture_spine_uses_pixel_measures(corpus):
    """The real multi-frame spine: geometry equals SimpleITK's, spacing comes from the
    Pixel Measures functional group, which GDCM ignores for this SOP class (it reports 1 mm)."""
    path = corpus / "zzdicom" / "samples" / "spine-ls.dcm"
    stack = next(load_study(path).iter_stacks())
    image = sitk.ReadImage(str(path))
    _compare(stack, image, check_spacing=False)
    np.testing.assert_allclose(stack.geometry.spacing[:2], [0.803571, 0.803571])
    assert stack.plane == "sagittal"
