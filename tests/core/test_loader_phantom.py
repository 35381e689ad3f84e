"""The loader on generated studies: tilted blocks, reversed numbering, compressed syntaxes, zip,
two stations, each cross-checked against SimpleITK or against the plain generation."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from spineviewer.core.loader import load_study
from spineviewer.phantom import generate_case
from tests.conftest import SAMPLES

sitk = pytest.importorskip("SimpleITK")


@pytest.fixture(scope="module")
def case2(tmp_path_factory):
    """Case 2 generated plainly and with each loader-exercising option."""
    root = tmp_path_factory.mktemp("case2")
    options = {
        "plain": {},
        "oblique": {"oblique_deg": 15.0},
        "reversed": {"reverse_instance_numbers": True},
        "rle": {"transfer_syntax": "rle"},
        "jpeg-ls-lossless": {"transfer_syntax": "jpeg-ls-lossless"},
        "jpeg2000-lossless": {"transfer_syntax": "jpeg2000-lossless"},
    }
    return {name: generate_case(2, root / name, **kw) for name, kw in options.items()}


def _by_description(folder):
    result = load_study(folder)
    assert not result.all_problems()
    return {series.description: series for _, _, series in result.iter_series()}


def _assert_matches_simpleitk(stack):
    image = sitk.ReadImage(stack.files)
    geometry = stack.geometry
    assert tuple(image.GetSize()) == geometry.size
    np.testing.assert_allclose(image.GetOrigin(), geometry.origin, atol=1e-3)
    np.testing.assert_allclose(image.GetSpacing(), geometry.spacing, atol=1e-3)
    np.testing.assert_allclose(image.GetDirection(), geometry.direction.reshape(-1), atol=1e-3)
    np.testing.assert_array_equal(sitk.GetArrayFromImage(image), stack.volume())


class TestTiltedBlock:
    def test_oblique_axial_matches_simpleitk(self, case2):
        """A 15° tilted axial block has SimpleITK's geometry and its normal tilted by 15°."""
        series = _by_description(case2["oblique"])
        for description in ("AX T2 TSE", "AX T1 TSE +C"):
            stack = series[description].stacks[0]
            _assert_matches_simpleitk(stack)
            normal = stack.geometry.direction[:, 2]
            tilt = np.degrees(np.arccos(abs(normal[2])))
            assert tilt == pytest.approx(15.0, abs=0.01)
            assert stack.plane == "axial"


class TestReversedNumbering:
    def test_same_volume_as_plain(self, case2):
        """Instance numbers running backwards change nothing in the volumes."""
        plain, reverse = _by_description(case2["plain"]), _by_description(case2["reversed"])
        for description, series in plain.items():
            a, b = series.stacks[0], reverse[description].stacks[0]
            np.testing.assert_allclose(a.geometry.origin, b.geometry.origin)
            np.testing.assert_array_equal(a.volume(), b.volume())
            runs_plain = np.sign(np.diff([f.instance_number for f in a.frames]))
            runs_reversed = np.sign(np.diff([f.instance_number for f in b.frames]))
            np.testing.assert_array_equal(runs_plain, -runs_reversed)


@pytest.mark.parametrize("syntax", ["rle", "jpeg-ls-lossless", "jpeg2000-lossless"])
def test_compressed_syntax_equals_plain(case2, syntax):
    """Lossless compressed studies decode to the plain study's pixels, with its geometry."""
    plain, packed = _by_description(case2["plain"]), _by_description(case2[syntax])
    for description, series in plain.items():
        a, b = series.stacks[0], packed[description].stacks[0]
        assert b.frames[0].file.pixel_offset is None
        np.testing.assert_array_equal(a.volume(), b.volume())
        np.testing.assert_allclose(a.geometry.direction, b.geometry.direction)
    _assert_matches_simpleitk(packed["SAG T2 TSE"].stacks[0])


def test_zip_of_a_study(case2, tmp_path):
    """A zipped study loads like its folder."""
    folder = case2["plain"]
    archive = tmp_path / "study.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder.parent))
    zipped, plain = _by_description(archive), _by_description(folder)
    assert zipped.keys() == plain.keys()
    np.testing.assert_array_equal(zipped["AX T2 TSE"].stacks[0].volume(),
                                  plain["AX T2 TSE"].stacks[0].volume())


def test_two_stations_one_frame_of_reference():
    """Case 3's sagittal series each hold a cervical and a thoracic stack, cranial first."""
    folder = SAMPLES / "case3-lung-multiple"
    if not folder.is_dir():
        pytest.skip("sample case 3 is not in sample_dicom/")
    series = _by_description(folder)
    frames_of_reference = {s.frame_of_reference_uid for s in series.values()}
    assert len(frames_of_reference) == 1
    for description in ("SAG T2 TSE", "SAG T1 TSE", "SAG T1 TSE +C"):
        stacks = series[description].stacks
        assert len(stacks) == 2
        tops = [s.slice_positions[:, 2].max() for s in stacks]
        assert tops[0] > tops[1]
        for stack in stacks:
            _assert_matches_simpleitk(stack)
