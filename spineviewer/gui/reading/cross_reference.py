"""Viewports linked through patient space: reference lines, the 3-D cursor, linked scrolling
and synchronized zoom.

Two viewports are *related* when their stacks have geometry and their series share a
FrameOfReferenceUID (:func:`~spineviewer.core.crossref.same_frame_of_reference`): only then do
their patient coordinates mean the same place. Related viewports whose slices are parallel
(within :data:`~spineviewer.core.crossref.PARALLEL_DEGREES`) are *linked*: they scroll
together by patient position, not by index, so a second sagittal station or a sagittal T1
with other slice positions stays on the same anatomy.

- Reference lines: each visible viewport draws where the current slices of the other visible,
  related viewports cut its image (:func:`~spineviewer.core.crossref.plane_intersection_segment`),
  in the source viewport's colour; optionally, on sagittal and coronal images (the long-axis
  views a spine reader localizes on), every slice position of each source, faint.
- 3-D cursor: a point in LPS mm placed by Shift+click (or in crosshair mode); every other
  related viewport whose block holds it moves to the slice nearest it and marks it with a cross
  where it lies on the slice shown (:meth:`~spineviewer.core.stack_geometry.StackGeometry.holds`).
  A viewport whose block does not reach the point keeps its slice and says how far beyond the
  block the cursor lies (:func:`~spineviewer.core.crossref.outside_block`): its end slice is not
  the place clicked, and jumping there would pretend it was.
- Synchronized zoom: zooming or panning one viewport gives the others the same mm per screen
  pixel; linked viewports also centre on the same patient point.

Geometry is computed in patient space by :mod:`spineviewer.core.crossref` and converted to
each viewport's scene by :mod:`spineviewer.gui.reading.scene`; this module holds only the reading
state (cursor, toggles), never domain state.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PyQt6.QtCore import QObject, QPointF, pyqtSignal

from spineviewer.core.crossref import (OutsideBlock, nearest_slice, outside_block, parallel,
                                       plane_intersection_segment, same_frame_of_reference,
                                       slice_centre)
from spineviewer.core.stack_geometry import stack_geometry
from spineviewer.gui.reading import scene
from spineviewer.gui.reading.reference_lines import ReferenceLine
from spineviewer.gui.reading.viewport import Viewport

#: Planes on which "all slice positions" draws every slice of the other viewports.
LOCALIZING_PLANES = ("sagittal", "coronal")
#: One colour per viewport position (1st, 2nd, ...), used for its lines and its swatch.
VIEWPORT_COLOURS = ["#3fb8ff", "#ffa630", "#5fe08a", "#ff6fd0"]


def _place_key(line: ReferenceLine) -> tuple:
    """Where a line lies, to 0.1 mm, whichever end it starts from."""
    ends = sorted((round(x, 1), round(y, 1)) for x, y in (line.start, line.end))
    return tuple(ends)


def _share_coincident(lines: list[ReferenceLine]) -> list[ReferenceLine]:
    """Number the lines that lie on top of each other, so that each colour gets its dashes."""
    groups: dict[tuple, list[int]] = {}
    for k, line in enumerate(lines):
        groups.setdefault(_place_key(line), []).append(k)
    shared = list(lines)
    for group in groups.values():
        for rank, k in enumerate(group):
            shared[k] = replace(lines[k], share=(rank, len(group)))
    return shared


class CrossReference(QObject):
    """The links between the viewports of a :class:`~spineviewer.gui.reading.viewer_grid.ViewerGrid`.

    Signals
    -------
    cursorChanged(point)
        The 3-D cursor moved (LPS mm, shape (3,)) or was cleared (None).
    """

    cursorChanged = pyqtSignal(object)

    def __init__(self, grid, parent: QObject | None = None):
        super().__init__(parent)
        self.grid = grid
        self.show_lines = True
        self.all_slices = False
        self.linked = True
        self.sync_zoom = False
        self.crosshair = False
        self.cursor: np.ndarray | None = None
        #: The series the cursor was placed on: the viewports related to it show the cursor.
        self._cursor_series = None
        self._moving = False
        for viewport in grid.viewports:
            viewport.stateShown.connect(lambda _: self.refresh())
            viewport.sliceChanged.connect(self._slice_changed)
            viewport.cursorPlaced.connect(self.place_cursor)
            viewport.viewChanged.connect(self._view_changed)
        grid.layoutChanged.connect(lambda _: self.refresh())

    # -- relations -------------------------------------------------------------------------

    def colour(self, viewport: Viewport) -> str:
        return VIEWPORT_COLOURS[self.grid.viewports.index(viewport) % len(VIEWPORT_COLOURS)]

    @staticmethod
    def related(a: Viewport, b: Viewport) -> bool:
        """Both show stacks with geometry in the same frame of reference."""
        if a.state is None or b.state is None:
            return False
        if not (a.state.stack.has_geometry and b.state.stack.has_geometry):
            return False
        return same_frame_of_reference(a.state.context.series, b.state.context.series)

    def linked_to(self, a: Viewport, b: Viewport) -> bool:
        """Related, with parallel slices: they scroll together when linking is on."""
        return self.related(a, b) and parallel(a.state.stack, b.state.stack)

    def _others(self, source: Viewport) -> list[Viewport]:
        return [v for v in self.grid.viewports if v is not source and v.state is not None]

    # -- toggles ---------------------------------------------------------------------------

    def set_show_lines(self, on: bool) -> None:
        self.show_lines = bool(on)
        self.refresh()

    def set_all_slices(self, on: bool) -> None:
        """Also draw every slice position of each source viewport (faint) on sagittal and
        coronal images."""
        self.all_slices = bool(on)
        self.refresh()

    def set_linked(self, on: bool) -> None:
        """Linked scrolling; turning it on brings the others to the active viewport's slice."""
        self.linked = bool(on)
        if self.linked and self.grid.active.state is not None:
            self._follow(self.grid.active)
        self.refresh()

    def set_sync_zoom(self, on: bool) -> None:
        """Synchronized zoom; turning it on gives the others the active viewport's scale."""
        self.sync_zoom = bool(on)
        if self.sync_zoom and self.grid.active.state is not None:
            self._view_changed(self.grid.active)

    def set_crosshair(self, on: bool) -> None:
        """Crosshair mode: a left click or drag places the cursor instead of setting the window."""
        self.crosshair = bool(on)
        for viewport in self.grid.viewports:
            viewport.view_box.crosshair = self.crosshair

    # -- the 3-D cursor --------------------------------------------------------------------

    def place_cursor(self, source: Viewport, point) -> None:
        """Put the cursor at ``point`` (LPS mm) and bring every related viewport to it."""
        self.cursor = np.asarray(point, dtype=float)
        self._cursor_series = source.state.context.series
        self._moving = True
        try:
            for other in self._others(source):
                if self.related(source, other) and self.outside(other) is None:
                    other.state.set_slice(nearest_slice(other.state.stack, self.cursor))
        finally:
            self._moving = False
        self.refresh()
        self.cursorChanged.emit(self.cursor)

    def clear_cursor(self) -> None:
        self.cursor = None
        self._cursor_series = None
        self.refresh()
        self.cursorChanged.emit(None)

    def outside(self, viewport: Viewport) -> OutsideBlock | None:
        """Where the cursor lies beyond ``viewport``'s block, None when the block holds it or
        the viewport is not in the cursor's frame of reference."""
        state = viewport.state
        if self.cursor is None or state is None or not state.stack.has_geometry:
            return None
        if not same_frame_of_reference(self._cursor_series, state.context.series):
            return None
        return outside_block(state.stack, self.cursor)

    def _cursor_mark(self, viewport: Viewport) -> tuple[float, float] | None:
        """Scene position of the cursor on this viewport's slice, None when it is not there."""
        state = viewport.state
        if self.cursor is None or state is None or not state.stack.has_geometry:
            return None
        if not stack_geometry(state.stack).holds(state.slice_index, self.cursor):
            return None
        x, y, _ = scene.patient_to_scene(state.stack, state.slice_index, self.cursor)
        if scene.scene_to_pixel(state.stack, x, y) is None:
            return None
        return x, y

    # -- linked scrolling ------------------------------------------------------------------

    def _slice_changed(self, source: Viewport) -> None:
        if self._moving:
            return
        if self.linked:
            self._follow(source)
        self.refresh()

    def _follow(self, source: Viewport) -> None:
        """Move the viewports linked to ``source`` to the slice at its position."""
        centre = slice_centre(source.state.stack, source.state.slice_index)
        self._moving = True
        try:
            for other in self._others(source):
                if self.linked_to(source, other):
                    other.state.set_slice(nearest_slice(other.state.stack, centre))
        finally:
            self._moving = False

    # -- reference lines -------------------------------------------------------------------

    def lines_for(self, target: Viewport) -> list[ReferenceLine]:
        """The reference lines ``target`` draws: where the other visible viewports cut it."""
        if not self.show_lines or target.state is None:
            return []
        stack, index = target.state.stack, target.state.slice_index
        every_slice = self.all_slices and stack.plane in LOCALIZING_PLANES
        lines = []
        for source in self.grid.visible_viewports():
            if source is target or not self.related(target, source):
                continue
            current = source.state.slice_index
            shown = range(source.state.slice_count) if every_slice else [current]
            for k in shown:
                segment = plane_intersection_segment(stack, index, source.state.stack, k)
                if segment is None:
                    continue
                start, end = (scene.patient_to_scene(stack, index, p)[:2] for p in segment)
                lines.append(ReferenceLine(start, end, self.colour(source), current=k == current))
        return _share_coincident(lines)

    def refresh(self) -> None:
        """Redraw every viewport's reference lines and cursor mark."""
        if self._moving:
            return
        visible = self.grid.visible_viewports()
        for viewport in self.grid.viewports:
            shown = viewport in visible
            viewport.references.set_lines(self.lines_for(viewport) if shown else [])
            viewport.references.set_cursor(self._cursor_mark(viewport) if shown else None)
            outside = self.outside(viewport) if shown else None
            viewport.set_cursor_note(f"3-D cursor {outside}" if outside is not None else "")

    # -- synchronized zoom -----------------------------------------------------------------

    def _view_changed(self, source: Viewport) -> None:
        if not self.sync_zoom or source.state is None:
            return
        scale = source.mm_per_pixel()
        centre = source.view_centre()
        state = source.state
        patient = scene.scene_to_patient(state.stack, state.slice_index, centre.x(), centre.y())
        for other in self.grid.visible_viewports():
            if other is source or other.state is None:
                continue
            target = other.view_centre()
            if patient is not None and self.linked_to(source, other):
                x, y, _ = scene.patient_to_scene(other.state.stack, other.state.slice_index, patient)
                target = QPointF(x, y)
            other.set_view(target, scale)
