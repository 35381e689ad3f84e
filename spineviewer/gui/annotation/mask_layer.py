"""The lesion masks of the study on one viewport, kept in step with the session and the slice,
and the brush strokes that edit them.

A mask (a :class:`~spineviewer.core.annotations.Segmentation`) shows on the stack it was
segmented on, on the slices it covers, as a tint and an outline
(:class:`~spineviewer.gui.annotation.mask_view.MaskView`). A stroke of the brush or the eraser
edits the mask of the current lesion on that stack (the selected one first); when the stroke
ends, the edited mask is measured again and stored as one edit of the document
(:func:`spineviewer.gui.annotation.assist_results.store_edited_mask`), which undo takes back.
"""

from __future__ import annotations

from PyQt6.QtCore import QObject

from spineviewer.gui.annotation import assist_results as results
from spineviewer.gui.annotation.mask_view import MaskView
from spineviewer.gui.reading.viewport_state import follow_changes


class MaskLayer(QObject):
    """The masks shown on the viewport of one annotation layer."""

    def __init__(self, layer, controller):
        super().__init__(layer)
        self.layer, self.controller = layer, controller
        self.view = MaskView(layer.view_box)
        self._state = None
        self._shown = None
        #: The segmentation a stroke under way edits.
        self._drawing = None
        layer.session.changed.connect(self.refresh)
        layer.viewport.stateShown.connect(lambda _: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        state = self.layer.viewport.state
        if state is not self._state:
            self._state = follow_changes(self._state, state, self.refresh)
        study = self.layer.session.study
        shown = (state, state.slice_index if state is not None else -1, study)
        if (self._shown is not None and shown[0] is self._shown[0] and shown[1] == self._shown[1]
                and shown[2] is self._shown[2]):
            return
        self._shown = shown
        if state is None or study is None or not state.stack.has_geometry:
            self.view.clear()
            return
        self.view.show(state.stack, state.slice_index,
                       results.masks_on(self.layer.session, state.stack))

    def paint(self, points, radius_mm: float, *, erase: bool, done: bool) -> None:
        """Paint or erase a stroke on the displayed slice; store the mask when ``done``."""
        stack, _ = self.layer.stack_and_slice
        if self.view.editing is None:
            target = results.mask_to_edit(self.layer.session, self.controller.tools.selected, stack)
            if target is None:
                self.controller.say("Segment a lesion on this series first (Assist > Segment "
                                    "lesion): the brush edits its mask")
                return
            self._drawing, mask = target
        else:
            mask = self.view.editing[1]
        self.view.paint(self._drawing.id, mask, points, radius_mm, erase=erase)
        if done:
            edited = self.view.finish()
            results.store_edited_mask(self.controller, self._drawing, stack, edited[1],
                                      erased=erase)
            self._shown = None
            self.refresh()
