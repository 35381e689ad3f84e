"""Generated files: determinism, layout, DICOM geometry and the writing options."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest

from spineviewer.phantom import TRANSFER_SYNTAXES, generate_benchmark_study, generate_case
from spineviewer.phantom.study import case_anatomy, noise_free_stack
from tests.phantom.dicom_helpers import (
    digest, frame, nearest_slice, pixel_centres, read_series, truth,
)


def _all_files(folder):
    return sorted(p for p in (folder / "dicom").rglob("*") if p.is_file())


def _stacks(datasets):
    """Group images into stacks: same orientation and same in-plane origin."""
    groups: dict[tuple, list] = {}
    for ds in datasets:
        ipp, f_row, f_col, _, _ = frame(ds)
        key = (tuple(np.round(ds.ImageOrientationPatient, 6)), round(ipp @ f_row, 2),
               round(ipp @ f_col, 2))
        groups.setdefault(key, []).append(ds)
    return list(groups.values())


class TestDeterminism:
    def test_same_seed_same_bytes(self, case_folder, tmp_path):
        """Rendering case 1 again from scratch with seed 0 gives identical files."""
        noise_free_stack.cache_clear()
        case_anatomy.cache_clear()
        again = generate_case(1, tmp_path)
        assert digest(again) == digest(case_folder(1))

    def test_other_seed_other_noise(self, case_folder, tmp_path):
        """Another seed changes the pixels and the UIDs, not the anatomy."""
        other = generate_case(1, tmp_path, seed=1)
        first, second = read_series(case_folder(1), 1)[6], read_series(other, 1)[6]
        assert first.SOPInstanceUID != second.SOPInstanceUID
        difference = first.pixel_array.astype(float) - second.pixel_array
        assert 0 < np.abs(difference).mean() < 25
        assert truth(other)["lesions"][0]["centre_lps_mm"] == truth(case_folder(1))["lesions"][0][
            "centre_lps_mm"]


class TestLayoutAndHeaders:
    def test_folder_layout(self, case_folder):
        """<slug>/ground-truth.json and dicom/SE####/IM##### files without extension."""
        folder = case_folder(1)
        assert (folder / "ground-truth.json").is_file()
        series = sorted(p.name for p in (folder / "dicom").iterdir())
        assert series == ["SE0001", "SE0002", "SE0003", "SE0004", "SE0005"]
        for path in _all_files(folder):
            assert path.name.startswith("IM") and len(path.name) == 7 and path.name[2:].isdigit()

    def test_every_file_is_an_mr_image_of_one_study(self, case_folder):
        """Real MR files with preamble and meta; one study, one frame of reference."""
        folder = case_folder(3)
        study, frames = set(), set()
        for path in _all_files(folder):
            assert path.read_bytes()[128:132] == b"DICM"
            ds = pydicom.dcmread(path)
            assert ds.SOPClassUID == pydicom.uid.MRImageStorage
            assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
            assert ds.Modality == "MR" and ds.PhotometricInterpretation == "MONOCHROME2"
            assert ds.pixel_array.dtype == np.uint16 and "RescaleSlope" not in ds
            assert ds.BodyPartExamined == "SPINE" and ds.MagneticFieldStrength == 1.5
            assert ("ContrastBolusAgent" in ds) == ("+C" in ds.SeriesDescription)
            study.add(ds.StudyInstanceUID)
            frames.add(ds.FrameOfReferenceUID)
        assert len(study) == 1 and len(frames) == 1
        assert truth(folder)["frame_of_reference_uid"] in frames

    def test_patient_is_synthetic_and_consistent(self, case_folder):
        """Synthetic name and ID; age agrees with the birth and study dates."""
        ds = read_series(case_folder(1), 1)[0]
        assert str(ds.PatientName) == "PHANTOM^BREAST" and ds.PatientID == "SVPH0001"
        assert ds.PatientSex == "F" and ds.PatientAge == "060Y"
        born, seen = ds.PatientBirthDate, ds.StudyDate
        years = int(seen[:4]) - int(born[:4]) - (seen[4:] < born[4:])
        assert years == 60 and ds.InstitutionName == "spineviewer phantom"


class TestGeometry:
    @pytest.mark.parametrize("case", [1, 3])
    def test_stacks_evenly_spaced_along_their_normal(self, case_folder, case):
        """Orthonormal IOP; slices of a stack evenly spaced by SpacingBetweenSlices."""
        folder = case_folder(case)
        for entry in truth(folder)["series"]:
            datasets = read_series(folder, entry["series_number"])
            stacks = _stacks(datasets)
            assert [len(s) for s in stacks] == [s["n_slices"] for s in entry["stacks"]]
            for stack in stacks:
                _, f_row, f_col, normal, _ = frame(stack[0])
                assert f_row @ f_col == pytest.approx(0, abs=1e-7)
                assert np.linalg.norm(f_row) == pytest.approx(1) == np.linalg.norm(f_col)
                depths = np.sort([frame(ds)[0] @ normal for ds in stack])
                gaps = np.diff(depths)
                assert gaps == pytest.approx(float(stack[0].SpacingBetweenSlices), abs=1e-3)

    def test_composed_sagittal_series_has_two_stacks(self, case_folder):
        """Case 3: each sagittal series holds a cervical and a thoracic stack (same UID,
        same IOP, different positions) that overlap over a few levels."""
        folder = case_folder(3)
        for entry in truth(folder)["series"]:
            if entry["plane"] != "sagittal":
                continue
            datasets = read_series(folder, entry["series_number"])
            assert len({ds.SeriesInstanceUID for ds in datasets}) == 1
            assert len({tuple(ds.ImageOrientationPatient) for ds in datasets}) == 1
            cervical, thoracic = sorted(_stacks(datasets),
                                        key=lambda s: -float(s[0].ImagePositionPatient[2]))
            top = lambda s: float(s[0].ImagePositionPatient[2])  # noqa: E731
            bottom = lambda s: top(s) - (s[0].Rows - 1) * float(s[0].PixelSpacing[0])  # noqa: E731
            assert top(cervical) > top(thoracic) > bottom(cervical) > bottom(thoracic)

    def test_midsagittal_slice_exists(self, case_folder):
        """One sagittal slice lies on the midline x = 0."""
        xs = [float(ds.ImagePositionPatient[0]) for ds in read_series(case_folder(1), 1)]
        assert 0.0 in xs

    def test_reversed_instance_numbers(self, case_folder, tmp_path):
        """Reversed numbering runs against the spatial order, series by series."""
        normal, reverse = case_folder(3), generate_case(3, tmp_path, reverse_instance_numbers=True)
        for number in range(1, 6):
            before = {tuple(ds.ImagePositionPatient): ds.InstanceNumber
                      for ds in read_series(normal, number)}
            after = {tuple(ds.ImagePositionPatient): ds.InstanceNumber
                     for ds in read_series(reverse, number)}
            total = len(before)
            assert before.keys() == after.keys()
            assert all(after[k] == total + 1 - before[k] for k in before)

    def test_oblique_axial_block(self, case_folder, tmp_path):
        """oblique_deg tilts the axial IOP by that angle about left-right, the block still
        passes through the (enhancing) lesion centre; sagittal unchanged."""
        folder = generate_case(2, tmp_path, oblique_deg=15.0)
        for ds in read_series(folder, 3) + read_series(folder, 5):
            _, f_row, f_col, normal, _ = frame(ds)
            assert f_row == pytest.approx([1, 0, 0])
            assert np.degrees(np.arccos(f_col @ [0, 1, 0])) == pytest.approx(15.0, abs=1e-5)
            assert np.degrees(np.arccos(normal @ [0, 0, 1])) == pytest.approx(15.0, abs=1e-5)
        straight = read_series(case_folder(2), 1)[7]
        assert read_series(folder, 1)[7].ImagePositionPatient == straight.ImagePositionPatient
        lesion = np.array(truth(folder)["lesions"][0]["centre_lps_mm"])
        through = nearest_slice(read_series(folder, 5), lesion)
        ipp, _, _, normal, _ = frame(through)
        assert abs((lesion - ipp) @ normal) < 0.01
        positions = pixel_centres(through)
        near = np.linalg.norm(positions - lesion, axis=-1) < 15.0
        brightest = positions[near][np.argmax(through.pixel_array[near])]
        assert np.linalg.norm(brightest - lesion) < 3.0


@pytest.mark.parametrize("syntax", [s for s in TRANSFER_SYNTAXES if s != "explicit-little-endian"])
def test_transfer_syntax_round_trip(case_folder, tmp_path, syntax):
    """Each offered syntax writes files that decode to the uncompressed pixels."""
    reference = case_folder(1)
    folder = generate_case(1, tmp_path, transfer_syntax=syntax)
    assert truth(folder)["generator"]["transfer_syntax"] == syntax
    for number in (1, 3):
        for ds, ref in zip(read_series(folder, number), read_series(reference, number)):
            assert ds.file_meta.TransferSyntaxUID == truth(folder)["generator"][
                "transfer_syntax_uid"]
            assert ds.SOPInstanceUID == ref.SOPInstanceUID
            np.testing.assert_array_equal(ds.pixel_array, ref.pixel_array)


def test_benchmark_study_small(tmp_path):
    """At least n_files images, all matrix x matrix, in several series of one study."""
    folder = generate_benchmark_study(tmp_path, n_files=60, matrix=64, seed=3)
    files = _all_files(folder)
    assert len(files) >= 60
    series = {p.parent.name for p in files}
    assert len(series) >= 4
    shapes, studies = set(), set()
    for path in files[::7]:
        ds = pydicom.dcmread(path)
        shapes.add((ds.Rows, ds.Columns))
        studies.add(ds.StudyInstanceUID)
    assert shapes == {(64, 64)} and len(studies) == 1
