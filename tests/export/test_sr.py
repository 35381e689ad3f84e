"""DICOM SR export: valid for an independent validator, coded as documented, image coordinates
right, no patient data beyond the patient and study modules, and read back to the same
measurements."""

import shutil
from dataclasses import replace

import numpy as np
import pydicom
import pytest

from spineviewer.cli import main
from spineviewer.core import edits
from spineviewer.core.annotation_file import load_annotations
from spineviewer.core.annotations import Caliper, CaliperRole
from spineviewer.core.levels import SegmentRule, level_index
from spineviewer.core.loader import load_study
from spineviewer.core.measurement import measured_columns
from spineviewer.core.metrics import LesionMetrics, lesion_metrics
from spineviewer.core.units import Unit
from spineviewer.export import sr_codes as C
from spineviewer.export.anonymize import anonymize_study
from spineviewer.export.located_image import image_index
from spineviewer.export.sr import build_sr, write_sr
from spineviewer.export.sr_import import SRFormatError, import_sr
from tests.export.dicom_checks import validation_errors, walk
from tests.export.samples import SAMPLES, case_params, sample, teaching_annotations

#: Where identifying values may appear in an SR: the patient and general study modules it
#: must copy from its study, and the references to the study's images.
ALLOWED = {"PatientName", "PatientID", "PatientBirthDate", "PatientSex", "PatientAge", "StudyDate",
           "StudyTime", "AccessionNumber", "ReferringPhysicianName", "StudyID", "StudyInstanceUID",
           "SeriesInstanceUID", "ReferencedSOPInstanceUID", "ReferencedFrameOfReferenceUID",
           "StudyDescription"}


@pytest.fixture(scope="module", params=case_params())
def report(request, tmp_path_factory):
    """Each sample case's SR, written once with its teaching annotations."""
    result, annotations, truth = sample(request.param)
    annotations = teaching_annotations(annotations, truth)
    path = write_sr(result, annotations, tmp_path_factory.mktemp("sr") / "report.dcm")
    return {"result": result, "annotations": annotations, "truth": truth, "path": path,
            "ds": pydicom.dcmread(path)}


def _items(ds):
    for element in walk(ds):
        if element.keyword == "ContentSequence":
            yield from element.value


def _code(item, keyword="ConceptNameCodeSequence"):
    return C.key(item[keyword][0])


class TestValid:
    def test_validator_finds_no_error(self, report, validator_tools):
        """dciodvfy and dsrdump (those installed) report no error."""
        assert validation_errors(report["path"], validator_tools) == []

    def test_measurement_report_template(self, report):
        """Comprehensive 3D SR whose root is TID 1500 with one group per lesion, tracked as
        'Lesion N', plus the vertebral levels."""
        ds = report["ds"]
        assert ds.SOPClassUID == pydicom.uid.Comprehensive3DSRStorage
        assert ds.ContentTemplateSequence[0].TemplateIdentifier == "1500"
        texts = {str(i.TextValue) for i in _items(ds) if i.ValueType == "TEXT"}
        lesions = {f"Lesion {lesion.lesion_id}" for lesion in report["annotations"].lesions}
        assert lesions | {C.LEVELS_GROUP} <= texts
        assert ds.CodingSchemeIdentificationSequence[0].CodingSchemeDesignator == "99SPINEVIEWER"


class TestCoded:
    def test_finding_site_and_units(self, report):
        """Finding site spinal cord (SCT 2748008); mm, {segments} and {ratio} in UCUM."""
        items = list(_items(report["ds"]))
        sites = [i for i in items if i.ValueType == "CODE" and _code(i) == ("SCT", "363698007")]
        assert {_code(i, "ConceptCodeSequence") for i in sites} == {("SCT", "2748008")}
        units = {C.key(i.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0])
                 for i in items if i.ValueType == "NUM"}
        assert {("UCUM", "mm"), ("UCUM", "{segments}"), ("UCUM", "{ratio}")} <= units

    def test_segments_and_levels(self, report):
        """Segment counts as in the truth; upper and lower levels as SCT vertebra codes."""
        items = list(_items(report["ds"]))
        counts = [int(float(i.MeasuredValueSequence[0].NumericValue)) for i in items
                  if i.ValueType == "NUM" and _code(i) == C.key(C.METRICS["t2_segments"])]
        assert counts == [lesion["t2"]["segments"] for lesion in report["truth"]["lesions"]]
        touched = [int(float(i.MeasuredValueSequence[0].NumericValue)) for i in items
                   if i.ValueType == "NUM" and _code(i) == C.key(C.METRICS["t2_levels_touched"])]
        assert touched == [lesion["t2"]["levels_touched"] for lesion in report["truth"]["lesions"]]
        rules = [_code(i, "ConceptCodeSequence") for i in items
                 if i.ValueType == "CODE" and _code(i) == C.key(C.SEGMENT_RULE)]
        assert rules == [C.key(C.SEGMENT_RULES[SegmentRule.SPAN])] * len(report["truth"]["lesions"])
        tops = [_code(i, "ConceptCodeSequence") for i in items
                if i.ValueType == "CODE" and _code(i) == C.key(C.LEVEL_TOP)]
        assert tops == [C.key(C.vertebra(level_index(lesion["level_top"])))
                        for lesion in report["truth"]["lesions"]]

    def test_every_lesion_metric_has_a_code_by_its_name(self):
        """The SR names a lesion's metrics by the same machine names as the CSV columns."""
        assert set(C.METRICS) == set(measured_columns(LesionMetrics))

    def test_every_unit_a_value_can_have_is_ucum_coded(self):
        """Lengths, areas and volumes in mm or px, segments and ratios all have a UCUM code."""
        assert {Unit.MM, Unit.MM2, Unit.MM3, Unit.PX, Unit.PX2, Unit.PX3, Unit.SEGMENTS,
                Unit.RATIO} <= set(C.UNITS)
        assert all(concept.scheme_designator == "UCUM" for concept in C.UNITS.values())


class TestCoordinates:
    def test_scoord_is_column_row_of_the_referenced_image(self, report):
        """Each caliper's SCOORD is (column, row) of its endpoints on the image it references,
        with (0, 0) at the first pixel's outer corner: computed here from the image's own
        position, orientation and spacing."""
        images = image_index(report["result"])
        items = list(_items(report["ds"]))
        checked = 0
        for item in items:
            if item.ValueType != "NUM" or _code(item) not in (C.key(C.CALIPER_SI), C.key(C.CALIPER_AP)):
                continue
            flat = next(c for c in item.ContentSequence if c.ValueType == "SCOORD")
            solid = next(c for c in item.ContentSequence if c.ValueType == "SCOORD3D")
            sop = flat.ContentSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID
            frame = images[sop].frame
            ipp, iop = np.array(frame.position), np.array(frame.orientation)
            spacing_row, spacing_col = frame.pixel_spacing
            points = np.array(solid.GraphicData).reshape(-1, 3)
            expected = [((p - ipp) @ iop[:3] / spacing_col + 0.5, (p - ipp) @ iop[3:] / spacing_row + 0.5)
                        for p in points]
            assert np.allclose(np.array(flat.GraphicData).reshape(-1, 2), expected, atol=1e-3)
            assert flat.GraphicType == "POLYLINE"
            checked += 1
        assert checked == 2 * len(report["annotations"].lesions)


class TestPatientData:
    def test_identifying_values_only_in_patient_and_study_modules(self, report):
        """Names, IDs, birth date, accession and the reader's notes appear only in the
        attributes the SR must copy from its study; institution and station nowhere."""
        truth = report["truth"]
        given_name = truth["patient"]["name"].split("^")[1]  # the family name is the generator's
        secrets = {truth["patient"]["name"], given_name, truth["patient"]["patient_id"],
                   truth["patient"]["birth_date"], truth["study"]["accession_number"],
                   truth["study"]["study_date"], "REFERRER", "seen on", "born"}
        site = {"InstitutionName", "InstitutionAddress", "StationName", "DeviceSerialNumber"}
        assert not [e.keyword for e in walk(report["ds"]) if e.keyword in site]
        for element in walk(report["ds"]):
            if element.VR in ("SQ", "OB", "OW") or element.value in (None, ""):
                continue
            text = str(element.value).casefold()
            for secret in secrets:
                if secret.casefold() in text:
                    assert element.keyword in ALLOWED, f"{secret!r} in {element.keyword}"

    def test_sr_of_anonymized_copy_carries_only_the_pseudonym(self, report, tmp_path):
        """Anonymize, reopen, write the SR: it names the pseudonym and nothing of the patient."""
        result, annotations = report["result"], report["annotations"]
        done = anonymize_study(result, tmp_path / "copy", pseudonym="TEACH-9", annotations=annotations)
        copy = load_study(done.folder)
        path = write_sr(copy, load_annotations(done.annotation_file).study, tmp_path / "sr.dcm")
        carried = import_sr(path)
        data = path.read_bytes()
        truth = report["truth"]
        for secret in (truth["patient"]["name"], truth["patient"]["patient_id"], truth["study"]["accession_number"]):
            assert secret.encode() not in data
        assert carried.patient_id == "TEACH-9"
        assert len(carried.lesions) == len(annotations.lesions) and copy.patients[0].id == "TEACH-9"


class TestRoundTrip:
    def test_measurements_restored(self, report):
        """Reading the SR back gives the same metrics: sizes and lengths to 0.01 mm, segment
        counts and ratios equal, levels and location the same."""
        back = import_sr(report["path"])
        before = report["annotations"]
        assert len(back.lesions) == len(before.lesions)
        assert back.segment_rule is before.segment_rule
        for old, new in zip(before.lesions, back.lesions):
            a, b = lesion_metrics(old, before.levels), lesion_metrics(new, back.levels)
            assert [m.name for m in a.measurements()] == [m.name for m in b.measurements()]
            for x, y in zip(a.measurements(), b.measurements()):
                tolerance = 0.01 if x.unit is Unit.MM else 1e-4
                assert y.value == pytest.approx(x.value, abs=tolerance), x.name
                if x.unit is Unit.SEGMENTS and isinstance(x.value, int):
                    assert y.value == x.value
            assert (a.level_top, a.level_bottom, a.location) == (b.level_top, b.level_bottom, b.location)

    def test_touched_rule_restored(self, report, tmp_path):
        """A study counting levels touched writes that rule and its counts, and reads back so."""
        touched = replace(report["annotations"], segment_rule=SegmentRule.TOUCHED)
        back = import_sr(write_sr(report["result"], touched, tmp_path / "touched.dcm"))
        assert back.segment_rule is SegmentRule.TOUCHED
        truth = report["truth"]["lesions"]
        metrics = [lesion_metrics(lesion, back.levels, segment_rule=back.segment_rule)
                   for lesion in back.lesions]
        assert [m.t2_segments.value for m in metrics] == [l["t2"]["levels_touched"] for l in truth]

    def test_drawings_findings_and_context_restored(self, report):
        """Same drawing ids, kinds, images and points (0.001 mm); same coded findings; the
        study, patient, frame of reference and reader; arrows and notes are not in an SR."""
        back = import_sr(report["path"])
        before = report["annotations"]
        for old, new in zip(before.lesions, back.lesions):
            measured = [d for d in old.annotations if d.kind not in ("arrow", "text-note")]
            assert [(d.id, d.kind, d.sop_instance_uid, d.series_instance_uid) for d in measured] == \
                [(d.id, d.kind, d.sop_instance_uid, d.series_instance_uid) for d in new.annotations]
            for d, e in zip(measured, new.annotations):
                assert np.allclose(d.points, e.points, atol=1e-3)
            assert replace(old.findings, notes="") == new.findings
        assert (back.study_instance_uid, back.patient_id, back.reader) == (
            before.study_instance_uid, before.patient_id, before.reader)
        assert back.frame_of_reference_uid == before.frame_of_reference_uid
        assert [d.name for d in back.levels.discs] == [d.name for d in before.levels.discs]
        assert np.allclose([d.point for d in back.levels.discs], [d.point for d in before.levels.discs], atol=1e-3)
        assert back.annotations == ()

    def test_not_an_sr(self, tmp_path):
        """An image or a non-DICOM file is refused with the reason."""
        (tmp_path / "x.dcm").write_bytes(b"not dicom")
        with pytest.raises(SRFormatError, match="not a readable DICOM"):
            import_sr(tmp_path / "x.dcm")


def test_drawing_on_a_foreign_image_is_refused():
    """A caliper on an image that is not in the study cannot be referenced."""
    case = case_params()[0]
    if case is None:
        pytest.skip("no sample cases")
    result, annotations, _ = sample(case)
    lesion = annotations.lesions[0]
    caliper = next(c for c in lesion.of_kind(Caliper) if c.role is CaliperRole.SI)
    moved = edits.replace_annotation(annotations, replace(caliper, sop_instance_uid="2.25.1"))
    with pytest.raises(ValueError, match="not in the study"):
        build_sr(result, moved)


def test_cli_sr(tmp_path, capsys):
    """``spineviewer sr`` writes the report (a sample study's answer key when asked); without
    --answer-key the answer key is not used, and the command says what is missing."""
    case = case_params()[0]
    if case is None:
        pytest.skip("no sample cases")
    folder = SAMPLES / case
    out = tmp_path / "report.dcm"
    assert main(["sr", str(folder), "--out", str(out)]) == 1
    assert "--answer-key" in capsys.readouterr().err and not out.exists()
    assert main(["sr", str(folder), "--out", str(out), "--answer-key"]) == 0
    assert "reference-annotations.json" in capsys.readouterr().out
    assert pydicom.dcmread(out).Modality == "SR"
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(sample(case)[0].patients[0].studies[0].series[0].stacks[0].frames[0].file.source.path, bare)
    assert main(["sr", str(bare), "--out", str(tmp_path / "none.dcm")]) == 1
    assert "--annotations" in capsys.readouterr().err


def test_proposals_are_not_reported(report, tmp_path):
    """Proposed drawings and discs are not in the SR, which reads back to the accepted ones
    only; the lesion's values are those of the accepted drawings."""
    from spineviewer.core.proposals import accepted, propose_drawings

    before = report["annotations"]
    lesion = before.lesions[0]
    caliper = next(c for c in lesion.of_kind(Caliper) if c.role is CaliperRole.SI)
    longer = replace(caliper, id=caliper.id[::-1], endpoints=(
        caliper.endpoints[0], tuple(np.add(caliper.endpoints[1], (0.0, 0.0, -15.0)))))
    levels = before.levels
    proposed = propose_drawings(before, [longer], lesion_id=lesion.lesion_id)
    proposed = replace(proposed, levels=replace(levels, discs=tuple(
        replace(d, proposed=True) if k == 0 else d for k, d in enumerate(levels.discs))))
    assert accepted(proposed) != proposed
    back = import_sr(write_sr(report["result"], proposed, tmp_path / "proposed.dcm"))
    assert longer.id not in {d.id for d in back.all_drawings()}
    assert [d.name for d in back.levels.discs] == [d.name for d in levels.discs[1:]]
    expected = lesion_metrics(lesion, replace(levels, discs=levels.discs[1:]))
    assert lesion_metrics(back.lesions[0], back.levels).si.value == pytest.approx(expected.si.value, abs=0.01)
