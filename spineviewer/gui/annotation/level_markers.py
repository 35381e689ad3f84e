"""Disc markers, their names and the conus tip, drawn on a sagittal viewport.

Coordinates: the discs are points in patient LPS mm; each is projected onto the displayed
slice through :mod:`spineviewer.gui.reading.scene` (so both sagittal stations of a frame of
reference show them). A marker on the slice's own plane is filled, one projected from another
slice is hollow. Names are written anterior to the vertebral bodies, where they hide no cord.

The markers only show the model: moving one (while the levels tool is active) emits
``moved``; a right-click emits ``menuRequested``; the layer turns those into edits.
"""

from __future__ import annotations

import pyqtgraph as pg
from PyQt6.QtCore import QObject, QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor

from spineviewer.core.levels import VertebralLevels
from spineviewer.core.model import Stack
from spineviewer.core.stack_geometry import stack_geometry
from spineviewer.gui.reading import scene
from spineviewer.gui.annotation.items import label_font, text_box
from spineviewer.gui.annotation.slice_projection import anterior_in_scene

LEVEL_COLOUR = "#ffa94d"
#: Distance from a disc's posterior margin to its name, towards the front, mm: past the
#: vertebral body (about 30-35 mm deep in the thoracolumbar spine).
LABEL_OFFSET_MM = 45.0
#: Distance from the conus tip to its name, towards the back, mm (past the canal).
CONUS_OFFSET_MM = 12.0
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
    menuRequested(name, screen_pos)
    """

    moved = pyqtSignal(str, float, float)
    menuRequested = pyqtSignal(str, object)

    def __init__(self, view_box: pg.ViewBox, parent: QObject | None = None):
        super().__init__(parent)
        self.view_box = view_box
        self._items: list = []
        #: Each name with its anchor, its marker and its offset from the marker (scene mm).
        self._names: list[tuple[pg.TextItem, tuple[float, float], _Marker, QPointF]] = []
        self.markers: dict[str, _Marker] = {}
        self.labels: dict[str, pg.TextItem] = {}

    def keep_in_view(self) -> None:
        """Slide names sideways into the view when zooming pushed them past its edge (a cut
        name is worse than one over the vertebral body)."""
        size = self.view_box.viewPixelSize()
        if not size or size[0] <= 0:
            return
        (x0, x1), _ = self.view_box.viewRange()
        for label, anchor, marker, shift in self._names:
            place = marker.pos() + shift
            box = text_box(label, (place.x(), place.y()), anchor, size)
            if box.left() < x0:
                place.setX(place.x() + min(x0 - box.left(), abs(shift.x())))
            elif box.right() > x1:
                place.setX(place.x() - min(box.right() - x1, abs(shift.x())))
            label.setPos(place)

    def label_boxes(self) -> list[QRectF]:
        """Scene rectangles of every name and marker shown (empty before the view has a size)."""
        size = self.view_box.viewPixelSize()
        if not size or size[0] <= 0:
            return []
        boxes = [text_box(label, (label.pos().x(), label.pos().y()), anchor, size)
                 for label, anchor, _, _ in self._names]
        radius = 0.5 * _MARKER_PIXELS
        for marker in self.markers.values():
            point = marker.pos()
            boxes.append(QRectF(point.x() - radius * size[0], point.y() - radius * size[1],
                                2 * radius * size[0], 2 * radius * size[1]))
        return boxes

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
            self._add(disc.name, disc.name, stack, slice_index, disc.point, front * LABEL_OFFSET_MM,
                      editable=editable, colour=colour, reference=reference)
        if levels.conus_tip is not None:
            # The conus tip sits among the lumbar disc names in front: its name goes behind.
            self._add(CONUS_NAME, "conus tip", stack, slice_index, levels.conus_tip,
                      -front * CONUS_OFFSET_MM, editable=editable, colour=colour,
                      reference=reference, symbol="t")

    def _add(self, key: str, text: str, stack: Stack, slice_index: int, point, offset_mm: float, *,
             editable: bool, colour: str, reference: bool, symbol: str = "o") -> None:
        """A marker at ``point`` and its name ``offset_mm`` towards the front (negative: back)."""
        projected = scene.patient_to_scene(stack, slice_index, point)
        if projected is None:
            return
        x, y, _ = projected
        if scene.scene_to_pixel(stack, x, y) is None:
            return  # beyond this image (a disc of the other station)
        on_slice = stack_geometry(stack).holds(slice_index, point)
        fill = QColor(colour) if on_slice else QColor(0, 0, 0, 0)
        marker = _Marker(key, self, pos=(x, y), size=_MARKER_PIXELS - 2 if reference else _MARKER_PIXELS,
                         symbol="x" if reference else symbol, pen=pg.mkPen(colour, width=2.0),
                         brush=pg.mkBrush(fill), hoverPen=pg.mkPen("#ffffff", width=2.5),
                         hoverBrush=pg.mkBrush(fill), movable=editable and not reference)
        dx, dy = anterior_in_scene(stack)
        shift = QPointF(dx * offset_mm, dy * offset_mm)
        # Text ends at its point when it lies left of the marker, starts there otherwise.
        anchor = (1.0, 0.5) if shift.x() < 0 else (0.0, 0.5)
        label = pg.TextItem(text, color=colour if on_slice else QColor(colour).darker(130),
                            fill=pg.mkBrush(0, 0, 0, 150), anchor=anchor)
        label.setFont(label_font())
        label.setPos(QPointF(x, y) + shift)
        for item, z in ((marker, _MARKER_Z), (label, _LABEL_Z)):
            item.setZValue(z)
            self.view_box.addItem(item)
            self._items.append(item)
        self._names.append((label, anchor, marker, shift))
        if reference:
            return
        self.markers[key] = marker
        self.labels[key] = label
        if marker.movable:
            marker.sigPositionChanged.connect(lambda item: label.setPos(item.pos() + shift))
            marker.sigPositionChangeFinished.connect(
                lambda item: self.moved.emit(item.name, float(item.pos().x()), float(item.pos().y())))
