"""File menu exports from the window: a figure of the viewport, the lettered figure, the SR,
the anonymized copy; all written from the data, anonymous."""

from __future__ import annotations

import shutil

import pydicom
import pytest
from PIL import Image

from spineviewer import SAMPLE_DIR
from spineviewer.core.annotation_file import load_annotations
from spineviewer.core.loader import load_study
from spineviewer.gui.shell.app import main_window
from spineviewer.gui.shell.teaching_export import (
    export_anonymized,
    export_figure,
    viewport_panel,
)
from tests.gui.conftest import wait_until_loaded

CASE = SAMPLE_DIR / "case1-breast-t12"


@pytest.fixture
def window(qtbot, settings, tmp_path):
    """The sample study copied to tmp_path, opened, with its answer key as the reader's file."""
    if not CASE.is_dir():
        pytest.skip("sample case 1 is not in sample_dicom/")
    study = tmp_path / "case1"
    shutil.copytree(CASE, study)
    key = load_annotations(study / "reference-annotations.json").study
    win = main_window([str(study)], settings=settings)
    qtbot.addWidget(win)
    wait_until_loaded(qtbot, win)
    win.annotations.session.apply(lambda _: key, label="answer key as the reading")
    return win


def test_viewport_figure_is_the_active_slice(window, tmp_path):
    """The viewport figure shows the active viewport's slice at twice its native size."""
    panel = viewport_panel(window)
    path = export_figure(window, tmp_path / "view.png", whole=False)
    image = Image.open(path)
    columns, rows, _ = panel.stack.geometry.size
    assert image.width >= 2 * columns and not image.info  # no text chunks: nothing about the patient
    assert "PHANTOM" not in path.read_bytes().decode("latin-1")


def test_teaching_figure_has_three_panels(window, tmp_path):
    """The lettered figure is wider than the single viewport (three panels side by side)."""
    single = Image.open(export_figure(window, tmp_path / "one.png", whole=False))
    whole = Image.open(export_figure(window, tmp_path / "abc.png", whole=True))
    assert whole.width > 2 * single.width * 0.8


def test_sr_from_the_menu(window, tmp_path, monkeypatch):
    """File > Export DICOM SR writes a Comprehensive 3D SR of the measured lesion."""
    target = tmp_path / "report.dcm"
    monkeypatch.setattr("spineviewer.gui.shell.teaching_export.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    next(a for a in window.teaching_export.actions if "SR" in a.text()).trigger()
    ds = pydicom.dcmread(target)
    assert ds.Modality == "SR" and ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.88.34"


def test_anonymized_copy_in_the_background(window, qtbot, tmp_path):
    """The anonymized copy is written by a background task and loads under the pseudonym."""
    out = tmp_path / "anon"
    export_anonymized(window, out, "TEACH01")
    qtbot.waitUntil(lambda: not window.work.running(), timeout=60000)
    result = load_study(out)
    assert [p.id for p in result.patients] == ["TEACH01"]
    assert "anonymized copy written" in window.statusBar().currentMessage().lower()


def test_anonymized_copy_carries_the_lesion_mask(window, qtbot, tmp_path):
    """A lesion mask the reader accepted is copied beside the copy's annotation file, so the
    copy's annotations read whole (no mask reported missing)."""
    import numpy as np

    from spineviewer.core.annotations import Segmentation
    from spineviewer.core.masks import mask_folder, read_mask

    stack = next(s for s in window.result.iter_stacks() if s.shape[0] > 1)
    mask = np.zeros(stack.shape, dtype=bool)
    mask[stack.shape[0] // 2, 20:30, 20:26] = True
    drawing = window.annotations.session.document.add_segmentation(stack, mask, lesion_id=1)
    assert drawing is not None
    out = tmp_path / "anon"
    export_anonymized(window, out, "TEACH02")
    qtbot.waitUntil(lambda: not window.work.running(), timeout=60000)
    assert "anonymized copy written" in window.statusBar().currentMessage().lower()
    copy = next(out.glob("*.json"))
    carried = [d for lesion in load_annotations(copy).study.lesions for d in lesion.annotations
               if isinstance(d, Segmentation)]
    assert [d.mask_sha256 for d in carried] == [drawing.mask_sha256]
    assert np.array_equal(read_mask(mask_folder(copy), drawing.mask_sha256, mask.shape), mask)
