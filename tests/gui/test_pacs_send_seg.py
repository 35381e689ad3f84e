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


def test_accepted_masks_become_one_seg_per_stack(qtbot, open_window, spine_study, tmp_path):
    """Two masks of lesion 1 on the sagittal T2 are joined in one segment of one SEG, which
    reads back to their union; a proposed mask is not sent."""
    from spineviewer.core.masks import mask_folder, segmentation, write_mask
    from spineviewer.export.seg import read_seg

    window = open_window([spine_study])
    session = window.annotations.session
    stack = window.grid.viewports[0].state.stack
    upper, lower = np.zeros(stack.shape, bool), np.zeros(stack.shape, bool)
    upper[3:5, 10:14, 8:12] = True
    lower[4:6, 20:26, 9:13] = True
    folder = mask_folder(session.path)
    for mask in (upper, lower):
        assert session.add_to_lesion(segmentation(stack, mask, write_mask(folder, mask)), label="add mask")
    proposal = np.zeros(stack.shape, bool)
    proposal[1:3, 30:34, 2:6] = True
    assert session.add_to_lesion(segmentation(stack, proposal, write_mask(folder, proposal), proposed=True),
                                 label="add proposed mask")
    assert can_write_seg() and has_segmentation(session.study)
    files = write_segs(window.result, session.study, session.path, tmp_path)
    assert len(files) == 1
    [(lesion_id, mask)] = read_seg(files[0], stack)
    assert lesion_id == 1 and np.array_equal(mask, upper | lower)
