"""The answer key ``reference-annotations.json`` of the committed sample studies."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from jsonschema import Draft202012Validator

from spineviewer import RESOURCES_DIR
from spineviewer.core.annotation_file import load_annotations
from spineviewer.core.annotations import Bidirectional, Caliper, CaliperRole, CordPath
from spineviewer.core.loader import load_study
from spineviewer.phantom.__main__ import SAMPLE_CASES
from spineviewer.phantom.answer_key import FILE_NAME, PATH_STEP_MM, READER
from spineviewer.phantom.study import case_slug

SAMPLES = Path(__file__).resolve().parents[2] / "sample_dicom"


@pytest.fixture(scope="module", params=SAMPLE_CASES, ids=lambda n: f"case{n}")
def sample(request, tmp_path_factory):
    """``(truth, key as JSON, key loaded, images)`` of a committed sample case."""
    folder = SAMPLES / case_slug(request.param)
    if not (folder / FILE_NAME).is_file():
        pytest.skip(f"{folder / FILE_NAME} is missing; run python -m spineviewer.phantom")
    copy = tmp_path_factory.mktemp("key") / FILE_NAME
    shutil.copyfile(folder / FILE_NAME, copy)
    loaded = load_annotations(copy)
    truth = json.loads((folder / "ground-truth.json").read_text())
    return truth, json.loads(copy.read_text()), loaded, load_study(folder / "dicom")


def _series(truth, description):
    return next(s for s in truth["series"] if s["description"] == description)


def _frames(images):
    """Every image of the study by SOPInstanceUID: ``(series uid, stack, frame)``."""
    return {frame.file.sop_instance_uid: (stack.series_uid, stack, frame)
            for stack in images.iter_stacks() for frame in stack.frames}


def _distance_to_plane(frame, points):
    orientation = np.asarray(frame.orientation, dtype=float)
    normal = np.cross(orientation[:3], orientation[3:])
    return np.abs((np.asarray(points) - frame.position) @ normal)


class TestFile:
    def test_loads_without_message(self, sample):
        """The key loads through load_annotations as a current-version file."""
        _, _, loaded, _ = sample
        assert loaded.study is not None and loaded.message == "" and loaded.migrated_from is None

    def test_validates_against_schema(self, sample):
        """The key is valid against resources/annotation.schema.json."""
        schema = json.loads((RESOURCES_DIR / "annotation.schema.json").read_text())
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(sample[1])]
        assert errors == []

    def test_identity_and_reader(self, sample):
        """Study, patient and frame of reference are the truth's; the reader says ground truth."""
        truth, _, loaded, _ = sample
        study = loaded.study
        assert study.study_instance_uid == truth["study"]["study_instance_uid"]
        assert study.patient_id == truth["patient"]["patient_id"]
        assert study.frame_of_reference_uid == truth["frame_of_reference_uid"]
        assert study.study_date.strftime("%Y%m%d") == truth["study"]["study_date"]
        assert study.reader == READER

    def test_ids_are_unique_hex(self, sample):
        """Every drawing id is 32 hex digits, unique in the study."""
        ids = [d.id for d in sample[2].study.all_drawings()]
        assert len(set(ids)) == len(ids)
        assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


class TestContent:
    def test_levels_are_the_true_discs(self, sample):
        """Discs named and placed as in the truth, with the conus tip."""
        truth, _, loaded, _ = sample
        levels = loaded.study.levels
        assert [d.name for d in levels.discs] == [d["name"] for d in truth["discs"]]
        assert [list(d.point) for d in levels.discs] == [d["point_lps_mm"] for d in truth["discs"]]
        assert list(levels.conus_tip) == truth["conus_tip_lps_mm"]

    def test_sagittal_calipers_on_midsagittal_post_contrast_slice(self, sample):
        """SI and AP calipers lie on the midsagittal slice of SAG T1 TSE +C, true lengths."""
        truth, _, loaded, images = sample
        frames = _frames(images)
        series_uid = _series(truth, "SAG T1 TSE +C")["series_uid"]
        for entry, lesion in zip(truth["lesions"], loaded.study.lesions):
            calipers = {c.role: c for c in lesion.of_kind(Caliper)}
            assert set(calipers) == {CaliperRole.SI, CaliperRole.AP}
            for caliper in calipers.values():
                uid, _, frame = frames[caliper.sop_instance_uid]
                assert uid == caliper.series_instance_uid == series_uid
                assert frame.position[0] == 0.0  # the midsagittal slice
                assert _distance_to_plane(frame, caliper.endpoints).max() < 1e-3
            assert calipers[CaliperRole.AP].length == pytest.approx(entry["ap_mm"], abs=2e-3)
            assert calipers[CaliperRole.SI].length == pytest.approx(entry["si_mm"], abs=0.01)

    def test_axial_caliper_where_the_block_covers_the_lesion(self, sample):
        """A bidirectional caliper on the AX T1 TSE +C slice nearest the centre, for exactly the
        lesions the axial block covers."""
        truth, _, loaded, images = sample
        frames = _frames(images)
        axial = _series(truth, "AX T1 TSE +C")
        for entry, lesion in zip(truth["lesions"], loaded.study.lesions):
            found = lesion.of_kind(Bidirectional)
            assert len(found) == (entry["lesion_id"] in axial["covers_lesions"])
            for caliper in found:
                uid, stack, frame = frames[caliper.sop_instance_uid]
                assert uid == caliper.series_instance_uid == axial["series_uid"]
                depth = _distance_to_plane(frame, [entry["centre_lps_mm"]])[0]
                assert depth <= axial["spacing_between_slices_mm"] / 2
                assert _distance_to_plane(frame, caliper.points).max() < 1e-3
                assert sorted([caliper.long_length, caliper.short_length]) == pytest.approx(
                    sorted([entry["ap_mm"], entry["transverse_mm"]]), abs=2e-3)

    def test_t2_path_follows_the_cord(self, sample):
        """The T2 cord path on SAG T2 TSE runs from the true top to the true bottom in steps of
        at most PATH_STEP_MM, and is as long as the truth's length along the cord."""
        truth, _, loaded, images = sample
        frames = _frames(images)
        series_uid = _series(truth, "SAG T2 TSE")["series_uid"]
        for entry, lesion in zip(truth["lesions"], loaded.study.lesions):
            (path,) = lesion.of_kind(CordPath)
            assert path.role.value == "t2"
            uid, _, frame = frames[path.sop_instance_uid]
            assert uid == path.series_instance_uid == series_uid
            assert [list(path.vertices[0]), list(path.vertices[-1])] == [
                entry["t2"]["top_lps_mm"], entry["t2"]["bottom_lps_mm"]]
            steps = np.linalg.norm(np.diff(np.asarray(path.vertices), axis=0), axis=1)
            assert steps.max() <= PATH_STEP_MM + 1e-3
            assert path.length == pytest.approx(entry["t2"]["length_mm"], abs=0.01)

    def test_findings_from_the_truth(self, sample):
        """Lesion and patient findings are the truth's words; location is left to the levels."""
        truth, _, loaded, _ = sample
        for entry, lesion in zip(truth["lesions"], loaded.study.lesions):
            findings = lesion.findings
            assert findings.location_override is None
            assert findings.enhancement.value == entry["enhancement_present"]
            for name in ("position", "morphology", "cord_expansion", "t2_signal", "t1_signal",
                         "cystic_change", "hemorrhage", "rim_sign", "flame_sign"):
                assert getattr(findings, name).value == entry[name], name
            assert findings.enhancement_pattern.value == entry["enhancement_pattern"].replace(" ", "-")
        patient, true = loaded.study.patient, truth["patient"]
        assert (patient.sex.value, patient.age_years, patient.primary_tumor.value,
                patient.primary_tumor_detail, patient.dominant_symptom.value) == (
            true["sex"], true["age"], true["primary_tumour"], true["primary_tumour_text"],
            true["presenting_symptom"])
