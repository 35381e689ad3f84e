"""Bad input is named by file, row and column, in summary.json and under the tables; nothing
is dropped silently."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from spineviewer.cohort.build import build_cohort
from spineviewer.cohort.inputs import CohortError
from tests.cohort.published import write_published_cohort
from tests.conftest import SAMPLES


@pytest.fixture
def published(tmp_path):
    return write_published_cohort(tmp_path / "in")


def edit(path, row: int, column: str, value: str) -> None:
    """Set a cell; ``row`` counts as a spreadsheet does (header = row 1)."""
    with path.open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    table[row - 1][table[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)


def run(inputs, out, **options) -> dict:
    result = build_cohort(inputs, out, **options)
    assert json.loads((out / "summary.json").read_text())["problems"] == result.problems
    return result.summary


def test_value_outside_the_vocabulary(published, tmp_path):
    """'lumbar' is not a location: named with its file, row and column, left out of n."""
    lesions, patients = published
    edit(lesions, 3, "location", "lumbar")
    summary = run([lesions, patients], tmp_path / "out")
    [problem] = summary["problems"]
    assert (problem["file"], problem["row"], problem["column"]) == (str(lesions), "row 3", "location")
    assert "'lumbar' is not one of cervical" in problem["message"]
    assert summary["lesion_variables"]["location"]["n"] == 69
    assert f"{lesions}, row 3, column location: " in (tmp_path / "out" / "tables.md").read_text()
    with (tmp_path / "out" / "lesions.csv").open(newline="") as handle:
        assert list(csv.DictReader(handle))[1]["location"] == ""


def test_number_that_does_not_parse(published, tmp_path):
    """'7,5' in ap_mm is not a number; 'two' segments neither."""
    lesions, patients = published
    edit(lesions, 2, "ap_mm", "7,5")
    edit(patients, 5, "max_t2_segments", "two")
    summary = run([lesions, patients], tmp_path / "out")
    where = {(p["file"], p["row"], p["column"]) for p in summary["problems"]}
    assert where == {(str(lesions), "row 2", "ap_mm"), (str(patients), "row 5", "max_t2_segments")}
    assert summary["lesion_variables"]["ap_mm"]["n"] == 62


def test_header_not_the_contract(published, tmp_path):
    """A CSV whose header lacks contract columns is left out, saying which."""
    lesions, patients = published
    text = lesions.read_text().replace("t2_signal", "T2 signal", 1)
    lesions.write_text(text)
    summary = run([lesions, patients], tmp_path / "out")
    [problem] = summary["problems"]
    assert (problem["file"], problem["row"]) == (str(lesions), "row 1")
    assert "missing t2_signal; unexpected T2 signal" in problem["message"]
    assert summary["n_lesions"] == 0 and summary["n_patients"] == 49


def test_duplicate_patient_and_orphan_lesion(published, tmp_path):
    """A second row for P03 is left out naming the first; a lesion of P99 is counted and named."""
    lesions, patients = published
    edit(patients, 5, "patient_id", "P03")
    edit(lesions, 71, "patient_id", "P99")
    summary = run([lesions, patients], tmp_path / "out")
    messages = {(p["row"], p["column"]): p["message"] for p in summary["problems"]}
    assert "duplicate patient row for P03 (first in" in messages[("row 5", "patient_id")]
    assert "row 4); this row is left out" in messages[("row 5", "patient_id")]
    # P04 lost its row: its three lesions, and P99's, are named
    orphans = [row for (row, column), message in messages.items() if "has no row" in message]
    assert sorted(orphans) == ["row 12", "row 13", "row 14", "row 71"]
    assert (summary["n_patients"], summary["n_lesions"]) == (48, 70)


def test_two_readers_mixed(published, tmp_path):
    """Two readers without --reader: refused, naming both and where they first appear."""
    lesions, patients = published
    edit(lesions, 10, "reader", "second reader")
    with pytest.raises(CohortError) as error:
        build_cohort([lesions, patients], tmp_path / "out")
    message = str(error.value)
    assert "2 readers: consensus (first in" in message
    assert f"second reader (first in {lesions}, row 10, column reader)" in message
    assert "--reader NAME" in message
    summary = run([lesions, patients], tmp_path / "out", reader="consensus")
    assert summary["n_lesions"] == 69
    assert [p["message"] for p in summary["problems"]] == [
        "1 row(s) of other readers left out (--reader consensus)"]


def test_segment_rules_mixed(published, tmp_path):
    """Patients counted by the touched rule among span ones: a warning above the tables."""
    lesions, patients = published
    edit(patients, 2, "segment_rule", "touched")
    summary = run([lesions, patients], tmp_path / "out")
    [problem] = summary["problems"]
    assert problem["column"] == "segment_rule" and "span (48 patients), touched (1 patients)" in \
        problem["message"]
    assert "Warning: the studies count vertebral segments by different rules" in \
        (tmp_path / "out" / "tables.html").read_text()


def test_unreadable_annotation_file_and_missing_input(tmp_path):
    """A broken annotation file and a path that does not exist are named; the rest is counted."""
    study = tmp_path / "case1"
    shutil.copytree(SAMPLES / "case1-breast-t12", study, ignore=shutil.ignore_patterns("dicom"))
    broken = tmp_path / "broken" / "spineviewer-1.2.3.spineviewer.json"
    broken.parent.mkdir()
    broken.write_text("{not json")
    summary = run([study, broken.parent, tmp_path / "nowhere"], tmp_path / "out", answer_key=True)
    assert summary["n_patients"] == 1
    files = [p["file"] for p in summary["problems"]]
    assert files == [str(broken), str(broken.parent), str(tmp_path / "nowhere")]
    assert "not valid JSON" in summary["problems"][0]["message"]
    assert broken.read_text() == "{not json"  # only read


def test_nothing_to_count(tmp_path):
    """No rows at all: an error naming why."""
    with pytest.raises(CohortError, match="no lesion or patient rows.*no such file or folder"):
        build_cohort([tmp_path / "nowhere"], tmp_path / "out")
