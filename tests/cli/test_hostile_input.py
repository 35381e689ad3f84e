"""Hostile input to the commands: a bad annotation file, bad option values and output paths
give one line and exit status 1 or 2, and nothing is written where the user did not point."""

import json
import os
import shutil

import pytest

from spineviewer.cli import main
from spineviewer.core.annotations import MAX_LESIONS, Lesion, StudyAnnotations
from spineviewer.core.edits import add_lesion
from spineviewer.export import anonymize as anonymize_module
from spineviewer.export.anonymize import anonymize_study
from spineviewer.export.deid_profile import shift_date
from tests.export.samples import CASES, SAMPLES, sample

pytestmark = pytest.mark.skipif(len(CASES) < 2, reason="needs two sample studies")

PSEUDONYM = "TEACH-0042"


@pytest.fixture(scope="module")
def case():
    return SAMPLES / CASES[0]


@pytest.fixture
def small_study(tmp_path, case):
    """One series of the first sample study, copied, so a test may write beside it."""
    folder = tmp_path / "in"
    shutil.copytree(case / "dicom" / "SE0001", folder)
    return folder


def _run(capsys, *argv):
    """Exit status and stderr of ``spineviewer ARGV``; a usage error's SystemExit included."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


def _one_line(err: str) -> bool:
    return len(err.strip().splitlines()) == 1 and "Traceback" not in err


class TestAnnotationFile:
    @pytest.mark.parametrize("command", ["measure", "figure", "sr", "anonymize"])
    def test_deep_nesting_is_a_bad_file_in_every_command(self, tmp_path, capsys, case, command):
        """A deeply nested JSON: one line naming the file, exit 1, no output."""
        nested = tmp_path / "nested.json"
        nested.write_text("[" * 100_000 + "]" * 100_000)
        out = tmp_path / ("out" if command in ("measure", "anonymize") else "out.png")
        argv = [command, case, "--annotations", nested]
        argv += [out, "--pseudonym", PSEUDONYM] if command == "anonymize" else ["--out", out]
        if command == "sr":
            argv[-1] = out = tmp_path / "out.dcm"
        code, err = _run(capsys, *argv)
        assert code == 1 and "nested.json" in err and "nested too deeply" in err and _one_line(err)
        assert not out.exists()

    def test_figure_refuses_another_studys_annotations(self, tmp_path, capsys, case):
        """figure, like every command, checks the annotations belong to the study."""
        other = SAMPLES / CASES[1] / "reference-annotations.json"
        code, err = _run(capsys, "figure", case, "--annotations", other, "--out", tmp_path / "f.png")
        assert code == 1 and "annotates study" in err and _one_line(err)
        assert not (tmp_path / "f.png").exists()


class TestOptions:
    def test_absurd_date_shift_is_a_usage_error(self, tmp_path, capsys, case):
        """--shift-dates 3000000 is refused by the parser; no OUT folder is made."""
        code, err = _run(capsys, "anonymize", case, tmp_path / "out", "--pseudonym", PSEUDONYM,
                         "--shift-dates", "3000000")
        assert code == 2 and "argument --shift-dates" in err and not (tmp_path / "out").exists()

    def test_shift_past_the_year_9999_empties_the_date(self):
        """A date moved out of the calendar is emptied, not an OverflowError."""
        assert shift_date("99991201", 36_500) == "" and shift_date("20200101", 1) == "20200102"

    @pytest.mark.parametrize("scale", ["1e-9", "0", "nan", "9"])
    def test_figure_scale_out_of_range_is_a_usage_error(self, tmp_path, capsys, case, scale):
        """--scale outside 0.25-8 is refused by the parser (1e-9 divided by zero before)."""
        code, err = _run(capsys, "figure", case, "--annotations", case / "reference-annotations.json",
                         "--scale", scale, "--out", tmp_path / "f.png")
        assert code == 2 and "argument --scale" in err and not (tmp_path / "f.png").exists()

    @pytest.mark.parametrize("option", ["--slice", "--lesion"])
    def test_figure_numbers_from_one(self, tmp_path, capsys, case, option):
        """Slice and lesion numbers start at 1."""
        code, err = _run(capsys, "figure", case, option, "0", "--out", tmp_path / "f.png")
        assert code == 2 and f"argument {option}" in err


class TestOutputPaths:
    def test_sr_never_replaces_a_fifo(self, tmp_path, capsys, case):
        """--out naming a special file (a FIFO here; /dev/full the same) is refused."""
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        code, err = _run(capsys, "sr", case, "--answer-key", "--out", fifo)
        assert code == 1 and "not a regular file" in err and _one_line(err)
        assert not fifo.is_file() and fifo.exists()

    def test_measure_never_replaces_a_special_csv(self, tmp_path, capsys, case):
        """The CSV paths are checked too: a FIFO at DIR/lesions.csv is refused up front."""
        (tmp_path / "out").mkdir()
        os.mkfifo(tmp_path / "out" / "lesions.csv")
        code, err = _run(capsys, "measure", case, "--answer-key", "--out", tmp_path / "out")
        assert code == 1 and "lesions.csv is not a regular file" in err and _one_line(err)
        assert not (tmp_path / "out" / "patients.csv").exists()

    def test_figure_out_naming_a_folder(self, tmp_path, capsys, case):
        """A folder at --out is named as such, not an [Errno 21]."""
        (tmp_path / "f.png").mkdir()
        code, err = _run(capsys, "figure", case, "--answer-key", "--out", tmp_path / "f.png")
        assert code == 1 and "is a folder" in err and "Errno" not in err


class TestAnonymizeFolders:
    def test_out_inside_in_is_refused(self, small_study, capsys):
        """anonymize IN IN/out: refused before anything is written."""
        code, err = _run(capsys, "anonymize", small_study, small_study / "out", "--pseudonym", PSEUDONYM)
        assert code == 1 and "inside the source folder" in err and _one_line(err)
        assert not (small_study / "out").exists()

    def test_out_inside_in_through_a_symlink_is_refused(self, small_study, tmp_path, capsys):
        """A symlink to IN does not hide that OUT is inside it."""
        (tmp_path / "link").symlink_to(small_study)
        code, err = _run(capsys, "anonymize", small_study, tmp_path / "link" / "sub" / "out",
                         "--pseudonym", PSEUDONYM)
        assert code == 1 and "inside the source folder" in err
        assert not (small_study / "sub").exists()

    def test_a_failed_write_leaves_no_partial_copy(self, small_study, tmp_path, monkeypatch):
        """A full disk on the third file: the error is raised, and neither OUT (already there,
        empty) nor a hidden work folder holds a partial copy."""
        written = []
        real = anonymize_module.write_atomically

        def filling_disk(path, data):
            if len(written) == 2:
                raise OSError(28, "No space left on device")
            written.append(path)
            real(path, data)
        monkeypatch.setattr(anonymize_module, "write_atomically", filling_disk)
        (tmp_path / "out").mkdir()
        with pytest.raises(OSError, match="No space"):
            anonymize_study(sample(CASES[0])[0], tmp_path / "out", pseudonym=PSEUDONYM,
                            series=["1"])
        assert written and list((tmp_path / "out").iterdir()) == []
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


class TestStudySize:
    def test_a_file_of_more_lesions_than_a_study_holds_is_refused_unvalidated(self, tmp_path, capsys, case):
        """20,000 lesions: sr and figure refuse the file with the counts, before the schema or
        any drawing is looked at (the item-by-item check below would otherwise fail first)."""
        value = json.loads((case / "reference-annotations.json").read_text())
        lesion = value["lesions"][0]
        value["lesions"] = [dict(lesion, lesion_id=True) for _ in range(20_000)]
        many = tmp_path / "many.json"
        many.write_text(json.dumps(value))
        for command, out in (("sr", "r.dcm"), ("figure", "f.png")):
            code, err = _run(capsys, command, case, "--annotations", many, "--out", tmp_path / out)
            assert code == 1 and "20000 lesions" in err and f"at most {MAX_LESIONS}" in err
            assert _one_line(err) and not (tmp_path / out).exists()

    def test_an_edit_beyond_the_limit_is_refused(self):
        """Adding lesion 101 is refused like any invalid edit, so the workstation never saves
        a file it could not read again."""
        study = StudyAnnotations("1.2.3", lesions=tuple(Lesion(k) for k in range(1, MAX_LESIONS + 1)))
        with pytest.raises(ValueError, match=f"at most {MAX_LESIONS} lesions"):
            add_lesion(study)
