"""Disc markers, their names and the conus tip, drawn on a sagittal viewport.

Coordinates: the discs are points in patient LPS mm; each is projected onto the displayed
slice through :mod:`spineviewer.gui.reading.scene` (so both sagittal stations of a frame of
reference show them). A marker on the slice's own plane is filled, one projected from another
slice is hollow. Names are written anterior to the vertebral bodies, where they hide no cord;
the conus tip's name goes beside its marker, behind it first. A proposed disc or conus tip
(from Assist, not yet accepted) is magenta with a dashed ring, its name followed by a question
mark (short, so that every name keeps its room), and can be dragged whatever the tool. Where each name finally goes is
decided with the viewport's other text (:meth:`LevelMarkers.view_texts`, placed by
:mod:`spineviewer.gui.annotation.label_layout`).

The markers only show the model: moving one (while the levels tool is active) emits
``moved`` (and ``dragging`` while it moves, so the names can be placed again); a right-click
emits ``menuRequested``; the layer turns those into edits.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QObject, QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor

from spineviewer.core.levels import VertebralLevels
from spineviewer.core.model import Stack
from spineviewer.core.stack_geometry import stack_geometry
from spineviewer.gui.reading import scene
from spineviewer.gui.annotation.items import PROPOSED_COLOUR, text_item
from spineviewer.gui.annotation.label_layout import ViewText
from spineviewer.gui.annotation.slice_projection import anterior_in_scene

LEVEL_COLOUR = "#ffa94d"
#: Distance from a disc's posterior margin to its name, towards the front, mm: past the
#: vertebral body (about 30-35 mm deep in the thoracolumbar spine).
LABEL_OFFSET_MM = 45.0
CONUS_NAME = "conus tip"
_MARKER_Z, _LABEL_Z = 130, 131
#: Diameter of a disc marker, screen pixels.
_MARKER_PIXELS = 11


class _Marker(pg.TargetItem):
    """A disc or conus marker: draggable when editable, right-click for its menu."""

    def __init__(self, name: str, owner: "LevelMarkers", **options):
        super().__init__(**options)
        self.name = name
        self._owner = owner

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph override
        if ev.button() == Qt.MouseButton.RightButton and self.movable and not self.moving:
            ev.accept()
            self._owner.menuRequested.emit(self.name, ev.screenPos())
            return
        if ev.button() == Qt.MouseButton.LeftButton and self.movable:
            ev.accept()  # a click on a marker is not a new disc at the same place
            return
        super().mouseClickEvent(ev)


class LevelMarkers(QObject):
    """The level markers of one viewport.

    Signals
    -------
    moved(name, x, y)
        A marker was dropped at scene point ``(x, y)``; ``name`` is the disc's name or
        :data:`CONUS_NAME`.
    dragging()
        A marker is being dragged: its name should follow it.
    menuRequested(name, screen_pos)
    """

    moved = pyqtSignal(str, float, float)
    dragging = pyqtSignal()
    menuRequested = pyqtSignal(str, object)

    def __init__(self, view_box: pg.ViewBox, parent: QObject | None = None):
        super().__init__(parent)
        self.view_box = view_box
        self._items: list = []
        #: Each name with its marker and where it is placed from: an offset from the marker
        #: (scene mm) and the one direction it goes, or None and the directions tried in turn.
        self._names: list[tuple[pg.TextItem, _Marker, QPointF | None, tuple]] = []
        self.markers: dict[str, _Marker] = {}
        self.labels: dict[str, pg.TextItem] = {}

    def view_texts(self) -> list[ViewText]:
        """The names, each placed from where its marker now is: a disc name from its place in
        front of the spine (left out when it finds no room), the conus tip's beside it."""
        texts = []
        for label, marker, shift, directions in self._names:
            at = marker.pos()
            subject = (at.x(), at.y())
            if shift is None:
                texts.append(ViewText(label, subject, directions, 0.5 * _MARKER_PIXELS + 2))
            else:
                anchor = at + shift
                texts.append(ViewText(label, (anchor.x(), anchor.y()), directions, 1.0, subject,
                                      leader=False, required=False))
        return texts

    def marker_boxes(self) -> list[QRectF]:
        """Scene rectangles of the markers shown (empty before the view has a size)."""
        size = self.view_box.viewPixelSize()
        if not size or size[0] <= 0:
            return []
        radius = 0.5 * _MARKER_PIXELS
        return [QRectF(marker.pos().x() - radius * size[0], marker.pos().y() - radius * size[1],
                       2 * radius * size[0], 2 * radius * size[1])
                for _, marker, _, _ in self._names]

    def clear(self) -> None:
        for item in self._items:
            if item.scene() is not None:
                self.view_box.removeItem(item)
        self._items.clear()
        self._names.clear()
        self.markers.clear()
        self.labels.clear()

    def show(self, stack: Stack, slice_index: int, levels: VertebralLevels | None, *,
             editable: bool, colour: str = LEVEL_COLOUR, reference: bool = False) -> None:
        """Add the markers of ``levels`` projected onto a slice (call :meth:`clear` first)."""
        if levels is None:
            return
        # The reader's names go in front of the spine, the answer key's behind it.
        front = -1.0 if reference else 1.0
        for disc in levels.discs:
            proposed = disc.proposed and not reference
            self._add(disc.name, f"{disc.name}?" if proposed else disc.name, stack,
                      slice_index, disc.point, front * LABEL_OFFSET_MM, editable=editable or proposed,
                      colour=PROPOSED_COLOUR if proposed else colour, reference=reference,
                      dashed=proposed)
        if levels.conus_tip is not None:
            # The conus tip sits among the lumbar disc names in front: its name goes behind.
            proposed = levels.conus_tip_proposed and not reference
            self._add(CONUS_NAME, "conus tip?" if proposed else "conus tip", stack,
                      slice_index, levels.conus_tip, -front, editable=editable or proposed,
                      colour=PROPOSED_COLOUR if proposed else colour, reference=reference,
                      symbol="t", dashed=proposed)

    def _add(self, key: str, text: str, stack: Stack, slice_index: int, point, offset_mm: float, *,
             editable: bool, colour: str, reference: bool, symbol: str = "o",
             dashed: bool = False) -> None:
        """A marker at ``point`` and its name ``offset_mm`` towards the front (negative: back);
        a name within a millimetre of its marker goes beside it, the front or back first."""
        projected = scene.patient_to_scene(stack, slice_index, point)
        if projected is None:
            return
        x, y, _ = projected
        if scene.scene_to_pixel(stack, x, y) is None:
            return  # beyond this image (a disc of the other station)
        on_slice = stack_geometry(stack).holds(slice_index, point)
        fill = QColor(colour) if on_slice else QColor(0, 0, 0, 0)
        pen = pg.mkPen(colour, width=2.0, style=Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)
        marker = _Marker(key, self, pos=(x, y), size=_MARKER_PIXELS - 2 if reference else _MARKER_PIXELS,
                         symbol="x" if reference else symbol, pen=pen,
                         brush=pg.mkBrush(fill), hoverPen=pg.mkPen("#ffffff", width=2.5),
                         hoverBrush=pg.mkBrush(fill), movable=editable and not reference)
        dx, dy = anterior_in_scene(stack)
        side = (dx * np.sign(offset_mm), dy * np.sign(offset_mm))
        if abs(offset_mm) > 1.0:
            shift, directions = QPointF(dx * offset_mm, dy * offset_mm), (side,)
        else:
            shift = None
            directions = (side, (0.0, 1.0), (0.0, -1.0), (-side[0], -side[1]))
        label = text_item(text, colour if on_slice else QColor(colour).darker(130), fill_alpha=150)
        label.setPos(QPointF(x, y) + (shift or QPointF()))
        for item, z in ((marker, _MARKER_Z), (label, _LABEL_Z)):
            item.setZValue(z)
            self.view_box.addItem(item)
            self._items.append(item)
        self._names.append((label, marker, shift, directions))
        if reference:
            return
        self.markers[key] = marker
        self.labels[key] = label
        if marker.movable:
            marker.sigPositionChanged.connect(lambda _: self.dragging.emit())
            marker.sigPositionChangeFinished.connect(
                lambda item: self.moved.emit(item.name, float(item.pos().x()), float(item.pos().y())))
