"""``spineviewer agreement`` end to end: the sample studies' answer keys as one reader, a copy
changed in known ways as the other, read as annotation files and as lesions.csv exports."""

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from spineviewer.cli import main
from spineviewer.core.annotation_file import read_annotations, save_annotations
from spineviewer.core.annotations import Caliper, CaliperRole, Lesion, new_id
from spineviewer.export.csv_tables import write_lesions_csv
from tests.conftest import SAMPLES

KEY_READER = "ground truth (spineviewer phantom)"
READERS = f"{KEY_READER},B"
CASE1, CASE3 = "case1-breast-t12", "case3-lung-multiple"


def _longer_si(drawing, mm: float):
    """The SI caliper made ``mm`` longer along its own direction; other drawings unchanged."""
    if not (isinstance(drawing, Caliper) and drawing.role is CaliperRole.SI):
        return drawing
    top, bottom = np.asarray(drawing.endpoints, dtype=float)
    direction = (bottom - top) / np.linalg.norm(bottom - top)
    return dataclasses.replace(drawing, endpoints=(tuple(top), tuple(bottom + mm * direction)))


def _moved(drawing, dz: float):
    """A copy of a drawing ``dz`` mm higher, with a new id."""
    points = {name: tuple(tuple(np.add(p, (0, 0, dz))) for p in getattr(drawing, name))
              for name in ("endpoints", "long_axis", "short_axis", "vertices")
              if hasattr(drawing, name)}
    return dataclasses.replace(drawing, id=new_id(), **points)


def reader_b(case: str):
    """Reader B's reading of a sample case: every SI caliper 1 mm longer; in case 3, lesion 2's
    T2 signal isointense (the key says hyperintense) and lesion 4 not found; in case 1, a
    second lesion 100 mm above the first that the key does not have."""
    study = read_annotations(SAMPLES / case / "reference-annotations.json")[0]
    lesions = []
    for lesion in study.lesions:
        drawings = tuple(_longer_si(d, 1.0) for d in lesion.annotations)
        findings = lesion.findings
        if case == CASE3 and lesion.lesion_id == 2:
            findings = dataclasses.replace(findings, t2_signal="isointense")
        if not (case == CASE3 and lesion.lesion_id == 4):
            lesions.append(dataclasses.replace(lesion, annotations=drawings, findings=findings))
    if case == CASE1:
        lesions.append(Lesion(2, tuple(_moved(d, 100.0) for d in study.lesions[0].annotations)))
    return dataclasses.replace(study, reader="B", lesions=tuple(lesions))


@pytest.fixture
def readings(tmp_path):
    """Reader B's files in a folder of their own."""
    folder = tmp_path / "reader-b"
    for case in (CASE1, CASE3):
        save_annotations(reader_b(case), folder / case / f"{case}.spineviewer.json")
    return folder


def run_agreement(tmp_path, *inputs) -> dict:
    out = tmp_path / "out"
    assert main(["agreement", *map(str, inputs), "--readers", READERS, "--out", str(out)]) == 0
    return json.loads((out / "agreement.json").read_text(encoding="utf-8"))


def check_known_differences(result: dict):
    """What reader B's changes must give, worked out by hand (see :func:`reader_b`)."""
    assert result["n_studies"] == 2
    assert result["lesions_per_reader"] == {KEY_READER: 5, "B": 5}
    pairs = sorted((m["study"], m["lesion_ids"][KEY_READER], m["lesion_ids"]["B"])
                   for m in result["matched"])
    assert pairs == [("SVPH0001 2024-03-15", 1, 1), ("SVPH0003 2024-05-08", 1, 1),
                     ("SVPH0003 2024-05-08", 2, 2), ("SVPH0003 2024-05-08", 3, 3)]
    assert [(u["study"], u["lesion_id"], u["missing_in"]) for u in result["unpaired"][KEY_READER]] == [
        ("SVPH0003 2024-05-08", 4, ["B"])]
    assert [(u["study"], u["lesion_id"]) for u in result["unpaired"]["B"]] == [
        ("SVPH0001 2024-03-15", 2)]
    si = result["continuous"]["si_mm"]
    assert si["n"] == 4
    limits = si["bland_altman"][0]
    # Every SI is 1 mm longer; cells carry two decimals, so each difference is 1 +- 0.01.
    assert limits["mean_difference"] == pytest.approx(1.0, abs=0.01)
    assert limits["lower_limit"] == pytest.approx(1.0, abs=0.05)
    assert limits["upper_limit"] == pytest.approx(1.0, abs=0.05)
    ap = result["continuous"]["ap_mm"]
    assert ap["icc_2_1"]["value"] == pytest.approx(1.0)
    assert ap["bland_altman"][0]["mean_difference"] == 0.0
    t2 = result["categorical"]["t2_signal"]
    # (hypo, hypo), (hyper, hyper), (hyper, iso), (iso, iso) on hypo < iso < hyper with linear
    # weights: po_w = 3.5 / 4, pe_w = 0.5625 from the marginals, kappa_w = 0.3125 / 0.4375.
    assert (t2["n"], t2["statistic"], t2["ordered"]) == (4, "cohen-linear", True)
    assert t2["kappa"] == pytest.approx(5 / 7)
    assert t2["percent_agreement"] == pytest.approx(75.0)
    assert result["categorical"]["morphology"]["percent_agreement"] == pytest.approx(100.0)


class TestAgreementCommand:
    def test_annotation_files(self, tmp_path, readings, capsys):
        """The answer keys under sample_dicom against reader B's folder: known pairs, unpaired
        lesions, SI bias, kappa; agreement.md and a Bland-Altman PNG per measured column."""
        result = run_agreement(tmp_path, SAMPLES, readings)
        check_known_differences(result)
        assert result["problems"] == []
        out = tmp_path / "out"
        plot = out / result["continuous"]["si_mm"]["bland_altman"][0]["plot"]
        with Image.open(plot) as image:
            assert image.format == "PNG" and image.size == (1400, 900)
        assert result["continuous"]["volume_mm3"]["n"] == 0
        markdown = (out / "agreement.md").read_text(encoding="utf-8")
        assert f"| {KEY_READER} | SVPH0003 2024-05-08 | 4 | B |" in markdown
        assert "| t2_signal | 4 | Cohen's kappa, linear weights | 0.71" in markdown
        assert "found by every reader 4" in capsys.readouterr().out

    def test_lesions_csv_exports(self, tmp_path):
        """The same readings as lesions.csv exports (no centres: paired by levels) agree the
        same way."""
        key = [read_annotations(SAMPLES / c / "reference-annotations.json")[0] for c in (CASE1, CASE3)]
        write_lesions_csv(tmp_path / "key.csv", key)
        write_lesions_csv(tmp_path / "b.csv", [reader_b(CASE1), reader_b(CASE3)])
        result = run_agreement(tmp_path, tmp_path / "key.csv", tmp_path / "b.csv")
        check_known_differences(result)
        assert {m["distance_to_reference"]["B"]["unit"] for m in result["matched"]} == {"levels"}

    def test_bad_cells_are_named_and_left_out(self, tmp_path, readings):
        """A CSV cell that is no number is a problem naming file, row and column."""
        key = [read_annotations(SAMPLES / c / "reference-annotations.json")[0] for c in (CASE1, CASE3)]
        path = write_lesions_csv(tmp_path / "key.csv", key)
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[1].split(",")
        column = lines[0].split(",").index("ap_mm")
        header[column] = "seven"
        path.write_text("\r\n".join([lines[0], ",".join(header), *lines[2:]]) + "\r\n", encoding="utf-8")
        result = run_agreement(tmp_path, path, readings)
        assert result["continuous"]["ap_mm"]["n"] == 3
        assert result["problems"] == [f"{path}, row 2, column ap_mm: 'seven' is not a number; left out"]

    def test_unknown_reader_exits_1_naming_the_readers(self, tmp_path, readings):
        """A reader not in the input: one line naming the readers found, exit 1, no traceback."""
        run = subprocess.run(
            [sys.executable, "-m", "spineviewer", "agreement", str(SAMPLES), str(readings),
             "--readers", "B,C", "--out", str(tmp_path / "out")],
            capture_output=True, text=True, timeout=120)
        assert run.returncode == 1
        assert "Traceback" not in run.stderr
        assert run.stderr.strip() == (f"spineviewer agreement: no annotations of 'C' in the input "
                                      f"(readers found: 'B', '{KEY_READER}')")
        assert not (tmp_path / "out").exists()
