"""The SEG that File > Send to PACS stores: one per stack of accepted lesion masks, which read
back to the masks drawn (needs the SEG export and the lesion masks of this spineviewer)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from spineviewer.gui.pacs.send_dialog import can_write_seg, has_segmentation, write_segs

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("spineviewer.core.masks") is None
    or importlib.util.find_spec("spineviewer.export.seg") is None,
    reason="needs spineviewer.core.masks and spineviewer.export.seg (lesion masks and their SEG)")


def test_accepted_masks_become_one_seg_per_stack(qtbot, open_window, tmp_path):
    """Two masks of lesion 1 on the sagittal series of sample case 1 are joined in one segment of one SEG, which
    reads back to their union; a proposed mask is not sent."""
    from spineviewer.core.masks import mask_folder, segmentation, write_mask
    from spineviewer.export.seg import read_seg

    from tests.gui.annotation_helpers import copy_case

    window = open_window([copy_case(tmp_path / "case1")])
    session = window.annotations.session
    stack = window.grid.viewports[0].state.stack
    upper, lower = np.zeros(stack.shape, bool), np.zeros(stack.shape, bool)
    upper[5:7, 100:110, 80:90] = True
    lower[6:8, 120:130, 82:92] = True
    folder = mask_folder(session.path)
    for mask in (upper, lower):
        assert session.add_to_lesion(segmentation(stack, mask, write_mask(folder, mask)), label="add mask")
    proposal = np.zeros(stack.shape, bool)
    proposal[1:3, 30:34, 20:26] = True
    assert session.add_to_lesion(segmentation(stack, proposal, write_mask(folder, proposal), proposed=True),
                                 label="add proposed mask")
    assert can_write_seg() and has_segmentation(session.study)
    files = write_segs(window.result, session.study, session.path, tmp_path / "out")
    assert len(files) == 1
    [(lesion_id, mask)] = read_seg(files[0], stack)
    assert lesion_id == 1 and np.array_equal(mask, upper | lower)
