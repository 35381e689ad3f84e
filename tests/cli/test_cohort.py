"""``spineviewer cohort``: files written, problems printed, several readers refused."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

from spineviewer.cli import main
from tests.cohort.published import write_published_cohort
from tests.cohort.test_bad_input import edit
from tests.conftest import SAMPLES


def test_writes_every_file(tmp_path, capsys):
    """Tables, summary, merged CSVs and three figures; the size and the place are printed."""
    lesions, patients = write_published_cohort(tmp_path / "in")
    out = tmp_path / "out"
    assert main(["cohort", str(lesions), str(patients), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("49 patients, 70 lesions\n")
    assert f"wrote the tables to {out / 'tables.html'}" in printed
    names = {path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()}
    assert names == {"lesions.csv", "patients.csv", "summary.json", "tables.md", "tables.html",
                     "figures/t2_extent_histogram.png", "figures/t2_vs_enhancement.png",
                     "figures/locations.png"}
    assert _rows(out / "lesions.csv") == _rows(lesions)
    assert _rows(out / "patients.csv") == _rows(patients)
    assert (out / "figures" / "locations.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_studies_and_csv_mixed(tmp_path, capsys):
    """A parent folder of studies and a CSV pair together: 2 + 49 patients."""
    lesions, patients = write_published_cohort(tmp_path / "in", reader="ground truth (spineviewer phantom)")
    out = tmp_path / "out"
    assert main(["cohort", str(SAMPLES), str(lesions), str(patients), "--out", str(out),
                 "--answer-key"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_patients"] == 51 and summary["problems"] == []


def test_several_readers_refused(tmp_path, capsys):
    """No --reader with two readers: status 1 and one line naming them, no traceback."""
    lesions, patients = write_published_cohort(tmp_path / "in")
    edit(patients, 3, "reader", "B")
    assert main(["cohort", str(lesions), str(patients), "--out", str(tmp_path / "out")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("spineviewer cohort: the input holds the readings of 2 readers")
    assert f"B (first in {patients}, row 3, column reader)" in error
    assert "Traceback" not in error and not (tmp_path / "out").exists()


def test_problems_are_printed(tmp_path, capsys):
    """Each problem is a line naming the file, row and column."""
    lesions, patients = write_published_cohort(tmp_path / "in")
    edit(patients, 7, "sex", "female?")
    assert main(["cohort", str(lesions), str(patients), "--out", str(tmp_path / "out")]) == 0
    assert f"problem: {patients}, row 7, column sex: Sex: 'female?' is not one of F, M, O" in \
        capsys.readouterr().out


def test_console_script(tmp_path):
    """The installed entry point runs the command in a process of its own."""
    lesions, patients = write_published_cohort(tmp_path / "in")
    run = subprocess.run([sys.executable, "-m", "spineviewer", "cohort", str(lesions), str(patients),
                          "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "tables.html").is_file()


def _rows(path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_answer_keys_only_when_asked(tmp_path, capsys):
    """The sample studies hold only answer keys: without --answer-key nothing is counted and
    the reason names the files looked for."""
    assert main(["cohort", str(SAMPLES), "--out", str(tmp_path / "out")]) == 1
    assert "no annotation files found" in capsys.readouterr().err
