"""Anonymized DICOM export: no identifying value anywhere in the output, UIDs remapped
consistently, geometry and pixels unchanged, annotations carried over with the same metrics,
source files untouched."""

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from spineviewer.cli import main
from spineviewer.core.annotation_file import annotation_path_for, load_annotations
from spineviewer.core.loader import load_study
from spineviewer.core.metrics import lesion_metrics
from spineviewer.export.anonymize import anonymize_study
from spineviewer.export.located_image import image_index
from tests.export.dicom_checks import identifying_values, text_values, validation_errors, walk
from tests.export.samples import SAMPLES, case_params, sample, teaching_annotations

PSEUDONYM = "TEACH-0042"


def _digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _source_files(result):
    return sorted({f.file.source.path for stack in result.iter_stacks() for f in stack.frames})


@pytest.fixture(scope="module", params=case_params())
def export(request, tmp_path_factory):
    """Each sample case anonymized once, with its teaching annotations."""
    result, annotations, truth = sample(request.param)
    annotations = teaching_annotations(annotations, truth)
    sources = _source_files(result)
    before = {p: _digest(p) for p in sources}
    out = tmp_path_factory.mktemp("anonymized") / request.param
    done = anonymize_study(result, out, pseudonym=PSEUDONYM, annotations=annotations)
    return {"result": result, "annotations": annotations, "truth": truth, "done": done,
            "sources": sources, "before": before, "secrets": identifying_values(sources)}


class TestNoIdentifyingValues:
    def test_file_bytes(self, export):
        """No name, name part, ID, accession, institution, date or original UID in the bytes
        of any output file, the annotation file included."""
        secrets = set().union(*export["secrets"].values())
        assert {"PHANTOM", export["truth"]["patient"]["patient_id"]} <= secrets
        for path in export["done"].files + [export["done"].annotation_file]:
            data = path.read_bytes()
            for secret in secrets:
                for form in {secret, secret.lower()}:
                    if path.suffix == ".json" and form.lower() in ("breast", "lung"):
                        continue  # the primary tumour's vocabulary word, not the name
                    assert form.encode() not in data, f"{secret!r} in {path.name}"

    def test_every_text_element(self, export):
        """Every text value, in every sequence, is free of names, IDs and dates."""
        words = {s.casefold() for kind in ("names", "ids", "dates") for s in export["secrets"][kind]}
        for path in export["done"].files:
            for keyword, text in text_values(pydicom.dcmread(path, stop_before_pixels=True)):
                assert not any(w in text.casefold() for w in words), f"{keyword}={text!r} in {path.name}"

    def test_no_original_uid(self, export):
        """Every UID that is not a DICOM-defined one is new."""
        originals = export["secrets"]["uids"]
        for path in export["done"].files:
            for element in walk(pydicom.dcmread(path, stop_before_pixels=True)):
                if element.VR == "UI":
                    assert str(element.value) not in originals, element.keyword

    def test_profile_attributes(self, export):
        """Pseudonym as name and ID, identity removed, method and its codes, dates removed."""
        ds = pydicom.dcmread(export["done"].files[0], stop_before_pixels=True)
        assert str(ds.PatientName) == f"{PSEUDONYM}^" and ds.PatientID == PSEUDONYM
        assert ds.PatientIdentityRemoved == "YES" and ds.LongitudinalTemporalInformationModified == "REMOVED"
        assert "113100" in {item.CodeValue for item in ds.DeidentificationMethodCodeSequence}
        assert ds.StudyDate == "" and ds.PatientBirthDate == "" and ds.AccessionNumber == ""
        assert "SeriesDate" not in ds and not ds.get("InstitutionName")
        assert ds.SeriesDescription and ds.StudyDescription  # kept: Clean Descriptors Option

    def test_validator_finds_no_error(self, export, validator_tools):
        """The validator accepts an anonymized image."""
        assert validation_errors(export["done"].files[0], validator_tools) == []


class TestSameStudy:
    def test_uids_consistent(self, export):
        """One new study, one new frame of reference; series keep their images together."""
        datasets = [pydicom.dcmread(p, stop_before_pixels=True) for p in export["done"].files]
        assert {d.StudyInstanceUID for d in datasets} == {export["done"].study_instance_uid}
        assert len({d.FrameOfReferenceUID for d in datasets}) == 1
        old = export["result"]
        assert len({d.SeriesInstanceUID for d in datasets}) == sum(1 for _ in old.iter_series())
        assert len({d.SOPInstanceUID for d in datasets}) == len(datasets) == len(export["sources"])

    def test_geometry_and_pixels_unchanged(self, export):
        """Every stack reloads with the same origin, spacing, direction and voxels."""
        new = load_study(export["done"].folder)
        old_series = {s.description: s for _, _, s in export["result"].iter_series()}
        for _, _, series in new.iter_series():
            before = old_series[series.description]
            assert len(series.stacks) == len(before.stacks)
            for a, b in zip(before.stacks, series.stacks):
                assert np.allclose(a.geometry.origin, b.geometry.origin)
                assert np.allclose(a.geometry.spacing, b.geometry.spacing)
                assert np.allclose(a.geometry.direction, b.geometry.direction)
                assert np.array_equal(a.volume(), b.volume())

    def test_source_untouched(self, export):
        """The source files have the same bytes as before."""
        after = {p: _digest(p) for p in export["sources"]}
        assert after == export["before"]


class TestAnnotationsCarriedOver:
    def test_found_beside_the_copy_with_new_uids(self, export):
        """The annotation file is where the workstation looks for it, keyed by the new study
        UID, and every drawing refers to an image of the copy."""
        new = load_study(export["done"].folder)
        uid = export["done"].study_instance_uid
        loaded = load_annotations(annotation_path_for(export["done"].folder, uid))
        assert loaded.study is not None and loaded.study.study_instance_uid == uid
        images = image_index(new)
        for drawing in loaded.study.all_drawings():
            assert drawing.sop_instance_uid in images
            assert images[drawing.sop_instance_uid].series.uid == drawing.series_instance_uid

    def test_same_metrics(self, export):
        """Every lesion metric is unchanged."""
        carried = load_annotations(export["done"].annotation_file).study
        for old, new in zip(export["annotations"].lesions, carried.lesions):
            assert lesion_metrics(old, export["annotations"].levels) == lesion_metrics(new, carried.levels)

    def test_pseudonymised(self, export):
        """Pseudonym as patient ID, no reader, no dates, identifying words cut from notes."""
        carried = load_annotations(export["done"].annotation_file).study
        assert carried.patient_id == PSEUDONYM and carried.reader == ""
        assert carried.study_date is None and carried.patient.primary_diagnosis_date is None
        assert carried.patient.sex is None and carried.patient.age_years is None
        assert "[removed]" in carried.lesions[0].findings.notes


@pytest.mark.skipif(not case_params() or case_params()[0] is None, reason="no sample cases")
class TestOptions:
    def test_shifted_dates(self, tmp_path):
        """--shift-dates moves every date by the same days and says so."""
        case = case_params()[0]
        result, annotations, truth = sample(case)
        done = anonymize_study(result, tmp_path / "out", pseudonym=PSEUDONYM, annotations=annotations,
                               series=["SAG T2 TSE"], date_shift_days=-400, keep_patient_characteristics=True)
        ds = pydicom.dcmread(done.files[0], stop_before_pixels=True)
        original = dt.datetime.strptime(truth["study"]["study_date"], "%Y%m%d").date()
        assert ds.StudyDate == (original - dt.timedelta(days=400)).strftime("%Y%m%d")
        assert ds.LongitudinalTemporalInformationModified == "MODIFIED"
        assert {"113107", "113108"} <= {item.CodeValue for item in ds.DeidentificationMethodCodeSequence}
        assert ds.PatientBirthDate == "" and ds.PatientSex == truth["patient"]["sex"]
        carried = load_annotations(done.annotation_file).study
        assert carried.study_date == original - dt.timedelta(days=400)
        sagittal_t2 = {pydicom.dcmread(p, stop_before_pixels=True).SeriesInstanceUID for p in done.files}
        assert {d.series_instance_uid for d in carried.all_drawings()} == sagittal_t2
        assert done.drawings_left_out == sum(1 for d in annotations.all_drawings() if d.kind != "cord-path")
        assert len({pydicom.dcmread(p, stop_before_pixels=True).SeriesInstanceUID for p in done.files}) == 1

    def test_refusals(self, tmp_path):
        """The patient's own ID as pseudonym, a non-empty or source folder are refused."""
        case = case_params()[0]
        result, _, truth = sample(case)
        with pytest.raises(ValueError, match="pseudonym"):
            anonymize_study(result, tmp_path / "a", pseudonym=truth["patient"]["patient_id"])
        (tmp_path / "full").mkdir()
        (tmp_path / "full" / "x").write_text("x")
        with pytest.raises(ValueError, match="not an empty folder"):
            anonymize_study(result, tmp_path / "full", pseudonym=PSEUDONYM)
        with pytest.raises(ValueError, match="source files"):
            anonymize_study(result, SAMPLES / case, pseudonym=PSEUDONYM)


class TestProfileOnCraftedFile:
    def test_private_overlay_comments_and_references(self, tmp_path):
        """Private tags, overlays, curves and other IDs go, a comment naming the patient is
        emptied; a referenced image UID inside a sequence is remapped like the image it names."""
        case = case_params()[0]
        if case is None:
            pytest.skip("no sample cases")
        result, _, _ = sample(case)
        files = _source_files(result)[:2]
        folder = tmp_path / "in"
        folder.mkdir()
        ds = pydicom.dcmread(files[0])
        other = pydicom.dcmread(files[1], stop_before_pixels=True)
        block = ds.private_block(0x0029, "ACME 1.0", create=True)
        block.add_new(0x10, "LO", "ACME private note")
        ds.add_new(0x60000010, "US", 4)
        ds.add_new(0x60004000, "LT", "overlay comment")
        ds.add_new(0x50000005, "US", 2)
        ds.ImageComments = f"patient {ds.PatientName}"
        ds.OtherPatientIDs = "OLD-ID-7"
        reference = Dataset()
        reference.ReferencedSOPClassUID = other.SOPClassUID
        reference.ReferencedSOPInstanceUID = other.SOPInstanceUID
        ds.ReferencedImageSequence = Sequence([reference])
        ds.save_as(folder / "a.dcm")
        shutil.copy(files[1], folder / "b.dcm")
        done = anonymize_study(load_study(folder), tmp_path / "out", pseudonym=PSEUDONYM)
        outputs = [pydicom.dcmread(p) for p in done.files]
        crafted = next(d for d in outputs if "ReferencedImageSequence" in d)
        assert not any(e.tag.is_private for e in walk(crafted))
        assert not any(e.tag.group in (0x5000, 0x6000) for e in crafted)
        assert not crafted.get("ImageComments") and "OtherPatientIDs" not in crafted
        target = crafted.ReferencedImageSequence[0].ReferencedSOPInstanceUID
        assert target in {d.SOPInstanceUID for d in outputs} and target != other.SOPInstanceUID

    def test_burnt_in_text_not_exported(self, tmp_path):
        """An image marked BurnedInAnnotation YES is left out and named in the problems."""
        case = case_params()[0]
        if case is None:
            pytest.skip("no sample cases")
        folder = tmp_path / "in"
        folder.mkdir()
        ds = pydicom.dcmread(_source_files(sample(case)[0])[0])
        ds.BurnedInAnnotation = "YES"
        ds.save_as(folder / "a.dcm")
        done = anonymize_study(load_study(folder), tmp_path / "out", pseudonym=PSEUDONYM)
        assert done.files == [] and "BurnedInAnnotation" in done.problems[0]


def test_cli_anonymize(tmp_path, capsys):
    """``spineviewer anonymize`` copies the study and says how dates were handled."""
    case = case_params()[0]
    if case is None:
        pytest.skip("no sample cases")
    folder = SAMPLES / case
    out = tmp_path / "teaching"
    code = main(["anonymize", str(folder), str(out), "--pseudonym", PSEUDONYM, "--series", "AX T1 TSE +C",
                 "--annotations", str(folder / "reference-annotations.json")])
    text = capsys.readouterr().out
    assert code == 0 and "dates removed" in text and "annotations:" in text
    assert len(list(out.rglob("*.dcm"))) == len(sample(case)[0].series_by_uid(
        next(s.uid for _, _, s in sample(case)[0].iter_series() if s.description == "AX T1 TSE +C")).stacks[0].frames)
