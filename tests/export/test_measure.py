"""``spineviewer measure`` on the phantom cases: the metrics of the answer key are the truth."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from spineviewer.cli import main
from spineviewer.core.annotation_file import (
    annotation_path_for,
    keyed_annotation_path,
    save_annotations,
)
from spineviewer.core.annotations import StudyAnnotations
from spineviewer.core.loader import load_study
from spineviewer.export.csv_tables import LESION_COLUMNS, PATIENT_COLUMNS
from spineviewer.phantom import generate_case
from spineviewer.phantom.answer_key import FILE_NAME
from spineviewer.phantom.study import case_slug
from tests.conftest import SAMPLES, write_series

COMMITTED, GENERATED = (1, 3), (2, 4)


@pytest.fixture(scope="module")
def case_folders(tmp_path_factory):
    """Every case folder: 1 and 3 from sample_dicom/, 2 and 4 generated (seed 0)."""
    folders = {n: SAMPLES / case_slug(n) for n in COMMITTED}
    missing = [str(f) for f in folders.values() if not (f / FILE_NAME).is_file()]
    if missing:
        pytest.skip(f"no answer key in {', '.join(missing)}; run python -m spineviewer.phantom")
    root = tmp_path_factory.mktemp("cases")
    folders.update({n: generate_case(n, root) for n in GENERATED})
    return folders


@pytest.fixture(scope="module")
def measured(case_folders, tmp_path_factory):
    """``{case: (truth, lesion rows, patient rows)}`` from one measure run per case."""
    results = {}
    for number, folder in sorted(case_folders.items()):
        out = tmp_path_factory.mktemp(f"measure{number}")
        assert main(["measure", str(folder), *_key(folder), "--out", str(out)]) == 0
        truth = json.loads((folder / "ground-truth.json").read_text())
        results[number] = (truth, _rows(out / "lesions.csv"), _rows(out / "patients.csv"))
    return results


def _key(folder: Path) -> list[str]:
    """The answer key named explicitly: a reader's own annotation file saved beside a sample
    study would otherwise be measured instead."""
    return ["--annotations", str(folder / FILE_NAME)]


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _spacing(truth, description: str) -> float:
    return max(next(s for s in truth["series"] if s["description"] == description)["pixel_spacing_mm"])


CASES = pytest.mark.parametrize("case", COMMITTED + GENERATED)


@CASES
class TestAgainstTruth:
    def test_segments_ratio_levels_and_location_exact(self, measured, case):
        """Enhancement and T2 segment counts, ratio, levels and location equal the truth."""
        truth, lesions, _ = measured[case]
        assert [int(r["lesion_id"]) for r in lesions] == [e["lesion_id"] for e in truth["lesions"]]
        for row, entry in zip(lesions, truth["lesions"]):
            assert int(row["enhancement_segments"]) == entry["enhancement"]["segments"]
            assert int(row["t2_segments"]) == entry["t2"]["segments"]
            assert float(row["t2_enhancement_ratio"]) == pytest.approx(entry["t2_enhancement_ratio"], abs=5e-3)
            assert (row["level_top"], row["level_bottom"]) == (entry["level_top"], entry["level_bottom"])
            assert row["location"] == entry["location"]

    def test_sizes_within_one_pixel(self, measured, case):
        """AP, transverse, SI and T2 length within one pixel spacing of the images they were
        measured on (transverse only where the axial block covers the lesion)."""
        truth, lesions, _ = measured[case]
        sagittal, t2 = _spacing(truth, "SAG T1 TSE +C"), _spacing(truth, "SAG T2 TSE")
        axial = next(s for s in truth["series"] if s["description"] == "AX T1 TSE +C")
        for row, entry in zip(lesions, truth["lesions"]):
            assert float(row["ap_mm"]) == pytest.approx(entry["ap_mm"], abs=sagittal)
            assert float(row["si_mm"]) == pytest.approx(entry["si_mm"], abs=sagittal)
            assert float(row["t2_length_mm"]) == pytest.approx(entry["t2"]["length_mm"], abs=t2)
            if entry["lesion_id"] in axial["covers_lesions"]:
                assert float(row["transverse_mm"]) == pytest.approx(
                    entry["transverse_mm"], abs=max(axial["pixel_spacing_mm"]))
            else:
                assert row["transverse_mm"] == ""

    def test_patient_row(self, measured, case):
        """The patient row carries the truth's patient, lesion count and multiplicity."""
        truth, _, patients = measured[case]
        (row,) = patients
        true = truth["patient"]
        assert (row["patient_id"], row["sex"], float(row["age_years"]), row["primary_tumor"],
                row["dominant_symptom"]) == (true["patient_id"], true["sex"], true["age"],
                                            true["primary_tumour"], true["presenting_symptom"])
        assert int(row["n_lesions"]) == len(truth["lesions"])
        assert row["multiplicity"] == true["iscm"]
        assert int(row["max_t2_segments"]) == max(e["t2"]["segments"] for e in truth["lesions"])


class TestOutput:
    def test_columns_in_table_order(self, case_folders, tmp_path):
        """Both files have the columns of csv_tables, in their order."""
        assert main(["measure", str(case_folders[3]), *_key(case_folders[3]), "--out", str(tmp_path)]) == 0
        with (tmp_path / "lesions.csv").open(newline="") as handle:
            assert tuple(next(csv.reader(handle))) == LESION_COLUMNS
        with (tmp_path / "patients.csv").open(newline="") as handle:
            assert tuple(next(csv.reader(handle))) == PATIENT_COLUMNS

    def test_table_printed(self, case_folders, tmp_path, capsys):
        """The printed table has one line per lesion and names the files written."""
        assert main(["measure", str(case_folders[3]), *_key(case_folders[3]), "--out", str(tmp_path)]) == 0
        out = capsys.readouterr().out
        assert "SVPH0003: 4 lesions" in out and "T4-T5" in out and "cervical" in out
        assert str(tmp_path / "lesions.csv") in out

    def test_pseudonym_leaves_no_identifier(self, case_folders, tmp_path, capsys):
        """With --pseudonym, neither the files nor the printout hold the PatientID, a UID or a
        date of the study."""
        folder = case_folders[3]
        assert main(["measure", str(folder), *_key(folder), "--out", str(tmp_path),
                     "--pseudonym", "P-017"]) == 0
        printed = capsys.readouterr().out
        truth = json.loads((folder / "ground-truth.json").read_text())
        images = load_study(folder / "dicom")
        study = images.patients[0].studies[0]
        secrets = {truth["patient"]["patient_id"], truth["patient"]["name"],
                   truth["patient"]["birth_date"], truth["study"]["accession_number"],
                   study.uid, study.date, f"{study.date[:4]}-{study.date[4:6]}-{study.date[6:]}",
                   truth["frame_of_reference_uid"]}
        for stack in images.iter_stacks():
            secrets.add(stack.series_uid)
            secrets.update(frame.file.sop_instance_uid for frame in stack.frames)
        written = (tmp_path / "lesions.csv").read_bytes() + (tmp_path / "patients.csv").read_bytes()
        assert [s for s in secrets if s.encode() in written] == []
        assert [s for s in secrets if s in printed.replace(str(tmp_path), "")] == []
        assert written.count(b"P-017") == 5  # four lesion rows and the patient row

    def test_conus_zone_option(self, case_folders, tmp_path, capsys):
        """A 5 mm conus zone no longer reaches case 1's lesion: it becomes thoracic."""
        assert main(["measure", str(case_folders[1]), *_key(case_folders[1]), "--out", str(tmp_path),
                     "--conus-zone", "5"]) == 0
        assert _rows(tmp_path / "lesions.csv")[0]["location"] == "thoracic"

    def test_answer_key_only_when_asked_and_the_file_read_is_printed(self, tmp_path, capsys):
        """Without the study's own file the answer key is not measured unless --answer-key is
        given; the file read is printed either way."""
        study_uid = "1.2.826.0.1.3680043.8.498.77"
        write_series(tmp_path / "study", n=2, study_uid=study_uid)
        key = save_annotations(StudyAnnotations(study_uid, reader="reference"),
                               tmp_path / "study" / FILE_NAME)
        assert main(["measure", str(tmp_path / "study"), "--out", str(tmp_path / "a")]) == 1
        assert "--answer-key" in capsys.readouterr().err and not (tmp_path / "a").exists()
        assert main(["measure", str(tmp_path / "study"), "--out", str(tmp_path / "a"),
                     "--answer-key"]) == 0
        assert f"annotations: {key}" in capsys.readouterr().out
        assert _rows(tmp_path / "a" / "patients.csv")[0]["reader"] == "reference"
        own = save_annotations(StudyAnnotations(study_uid, reader="own"),
                               annotation_path_for(tmp_path / "study", study_uid))
        assert main(["measure", str(tmp_path / "study"), "--out", str(tmp_path / "b")]) == 0
        assert f"annotations: {own}" in capsys.readouterr().out
        rows = _rows(tmp_path / "b" / "patients.csv")
        assert rows[0]["reader"] == "own" and rows[0]["patient_id"] == "TEST001"

    def test_out_naming_a_file_is_one_clear_line(self, tmp_path, capsys):
        """--out naming an existing file (a folder is expected): one line, no [Errno 17]."""
        study_uid = "1.2.826.0.1.3680043.8.498.77"
        write_series(tmp_path / "study", n=2, study_uid=study_uid)
        save_annotations(StudyAnnotations(study_uid), annotation_path_for(tmp_path / "study", study_uid))
        (tmp_path / "taken").write_text("x")
        assert main(["measure", str(tmp_path / "study"), "--out", str(tmp_path / "taken")]) == 1
        err = capsys.readouterr().err
        assert "is a file, not a folder" in err and "Errno" not in err
        assert len(err.strip().splitlines()) == 1 and (tmp_path / "taken").read_text() == "x"

    def test_a_copy_of_the_study_finds_the_keyed_annotations(self, tmp_path):
        """Images copied elsewhere without their annotation file are measured with the copy
        the workstation keeps by StudyInstanceUID, before the answer key."""
        study_uid = "1.2.826.0.1.3680043.8.498.79"
        write_series(tmp_path / "copy", n=2, study_uid=study_uid)
        save_annotations(StudyAnnotations(study_uid, reader="reference"), tmp_path / "copy" / FILE_NAME)
        save_annotations(StudyAnnotations(study_uid, reader="keyed"), keyed_annotation_path(study_uid))
        assert main(["measure", str(tmp_path / "copy"), "--out", str(tmp_path / "out")]) == 0
        assert _rows(tmp_path / "out" / "patients.csv")[0]["reader"] == "keyed"


class TestFailures:
    @pytest.fixture
    def study(self, tmp_path):
        write_series(tmp_path / "study", n=2, study_uid="1.2.826.0.1.3680043.8.498.78")
        return tmp_path / "study"

    def _measure(self, capsys, *argv):
        code = main(["measure", *map(str, argv)])
        return code, capsys.readouterr().err

    def test_no_annotation_file(self, study, tmp_path, capsys):
        """A study without annotations: exit 1, one line saying what was looked for."""
        code, err = self._measure(capsys, study, "--out", tmp_path / "out")
        assert code == 1 and "no annotation file" in err and "--answer-key" in err
        assert len(err.strip().splitlines()) == 1 and not (tmp_path / "out").exists()

    def test_missing_named_file(self, study, tmp_path, capsys):
        """A named file that does not exist: exit 1, the file named."""
        code, err = self._measure(capsys, study, "--annotations", tmp_path / "none.json", "--out", tmp_path)
        assert code == 1 and "none.json: no such annotation file" in err

    @pytest.mark.parametrize("content, reason", [
        (b"{not json", "not valid JSON"), (b"\xff\xfe", "not UTF-8"),
        (b'{"schema_version": 1, "format": "spineviewer-annotations"}', "required"),
        (b'{"schema_version": 9}', "newer spineviewer"),
    ])
    def test_unreadable_file_is_reported_and_left_alone(self, study, tmp_path, capsys, content, reason):
        """An unusable file: exit 1 with the reason; the file stays where and as it was."""
        bad = tmp_path / "bad.json"
        bad.write_bytes(content)
        code, err = self._measure(capsys, study, "--annotations", bad, "--out", tmp_path / "out")
        assert code == 1 and reason in err and "bad.json cannot be used" in err
        assert bad.read_bytes() == content
        assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "study"]

    def test_file_of_another_study(self, study, tmp_path, capsys):
        """Annotations of another study than the images: exit 1."""
        other = save_annotations(StudyAnnotations("1.2.3.999"), tmp_path / "other.json")
        code, err = self._measure(capsys, study, "--annotations", other, "--out", tmp_path / "out")
        assert code == 1 and "annotates study 1.2.3.999" in err

    def test_no_images(self, tmp_path, capsys):
        """A path without images: exit 1, the reason given."""
        code, err = self._measure(capsys, tmp_path / "nowhere", "--out", tmp_path / "out")
        assert code == 1 and "no DICOM images" in err

    def test_no_traceback_from_the_command(self, study, tmp_path):
        """Run as a program, a failure prints one line and no traceback."""
        run = subprocess.run([sys.executable, "-m", "spineviewer", "measure", str(study), "--out",
                              str(tmp_path / "out")], capture_output=True, text=True)
        assert run.returncode == 1
        assert run.stderr.startswith("spineviewer measure: no annotation file")
        assert "Traceback" not in run.stderr + run.stdout

    @pytest.mark.parametrize("value", ["0", "-3", "abc"])
    def test_bad_conus_zone(self, study, tmp_path, capsys, value):
        """--conus-zone takes a positive length in mm."""
        with pytest.raises(SystemExit) as exit_:
            main(["measure", str(study), "--out", str(tmp_path), "--conus-zone", value])
        assert exit_.value.code == 2 and "--conus-zone" in capsys.readouterr().err
