"""``spineviewer info``: the outline, its JSON, clear failures, and no Qt."""

import json
import subprocess
import sys

from spineviewer.cli import main
from tests.conftest import write_series

SAGITTAL = (0, 1, 0, 0, 0, -1)


class TestInfo:
    def test_text_outline(self, tmp_path, capsys):
        """The outline names the series, its plane, slices and spacing."""
        write_series(tmp_path, n=4, orientation=SAGITTAL, description="SAG T2 TSE")
        assert main(["info", str(tmp_path)]) == 0
        out = capsys.readouterr().out
        assert "SAG T2 TSE" in out and "sagittal" in out and "4 slices" in out

    def test_json_stack_and_problems(self, tmp_path, capsys):
        """JSON carries each stack's SimpleITK-style grid and the per-file problems."""
        write_series(tmp_path, n=3, gap=2.5, start=(1.0, 2.0, 3.0))
        (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4 ...")
        assert main(["info", str(tmp_path), "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        stack = report["stacks"][0]
        assert stack["size"] == [10, 8, 3]
        assert stack["spacing"] == [0.8, 0.8, 2.5]
        assert stack["origin"] == [1.0, 2.0, 3.0]
        assert stack["direction"] == [1, 0, 0, 0, 1, 0, 0, 0, 1]
        assert stack["plane"] == "axial" and len(stack["files"]) == 3 and stack["series_uid"]
        assert report["problems"] == [
            {"path": str(tmp_path / "notes.pdf"), "reason": "not a DICOM file (a PDF document)",
             "kind": "skipped"}]

    def test_nothing_found_exits_nonzero_without_traceback(self, tmp_path):
        """A path with no images prints the reason and exits 1, with no traceback."""
        run = subprocess.run([sys.executable, "-m", "spineviewer", "info", str(tmp_path / "none")],
                             capture_output=True, text=True)
        assert run.returncode == 1
        assert "no such file or folder" in run.stdout and "Traceback" not in run.stderr


def test_info_does_not_import_qt(tmp_path):
    """Running ``info`` through the entry point imports neither PyQt6 nor pyqtgraph."""
    write_series(tmp_path, n=2)
    code = ("import sys; from spineviewer.cli import main; status = main(['info', sys.argv[1]]); "
            "print(status, sorted({m.split('.')[0] for m in sys.modules} & {'PyQt6', 'pyqtgraph'}))")
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "2 slices" in run.stdout
    assert run.stdout.splitlines()[-1] == "0 []"


def _strict_json(text: str):
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


class TestStrictJson:
    def test_nan_slice_thickness_prints_strict_json(self, tmp_path, capsys):
        """A single slice with a NaN SliceThickness gives JSON without NaN."""
        import warnings

        import pydicom

        path = write_series(tmp_path, n=1)[0]
        ds = pydicom.dcmread(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds.SliceThickness = "nan"
            ds.save_as(path)
        assert main(["info", str(tmp_path), "--json"]) == 0
        report = _strict_json(capsys.readouterr().out)
        assert report["stacks"][0]["spacing"] == [0.8, 0.8, 1.0]

    def test_unknown_numbers_are_null(self, tmp_path):
        """A value that is not finite in the model is written as null."""
        from spineviewer.core.loader import load_study
        from spineviewer.export.info import report_dict

        write_series(tmp_path, n=2)
        result = load_study(tmp_path)
        stack = next(result.iter_stacks())
        stack.geometry.spacing[2] = float("nan")
        stack.geometry.origin[0] = float("inf")
        report = _strict_json(json.dumps(report_dict(result), allow_nan=False))
        assert report["stacks"][0]["spacing"][2] is None and report["stacks"][0]["origin"][0] is None

    def test_device_is_refused_quickly(self):
        """``info /dev/zero`` names the device and reads nothing from it."""
        run = subprocess.run([sys.executable, "-m", "spineviewer", "info", "/dev/zero", "--json"],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 1 and "Traceback" not in run.stderr
        [problem] = _strict_json(run.stdout)["problems"]
        assert problem["path"] == "/dev/zero" and problem["kind"] == "skipped"
        assert "character device" in problem["reason"]
