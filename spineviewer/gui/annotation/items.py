"""The pyqtgraph items that show one drawing on a slice, with its value and its handles.

Coordinates: items live in a viewport's scene (the image plane in mm, y down,
:mod:`spineviewer.gui.reading.scene`); they are built from scene points the layer projected from
patient space. Handles are drawn in screen pixels, so they keep their size at any zoom.

Each item says where its value would go (an anchor and directions, best first) and which
lines it drew; the layer places every text of the viewport at once
(:mod:`spineviewer.gui.annotation.label_layout`).

An item never changes the annotations: when the reader finishes moving a handle (pyqtgraph's
``sigRegionChangeFinished``), it emits ``edited(drawing_id, parts)`` with the new scene points
of its geometry fields, and the layer turns that into a new drawing through the adapter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QObject, QPointF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QFont, QPainterPath, QPolygonF

from spineviewer.export.lettering import sideways
from spineviewer.gui.annotation.label_layout import SIDES, ViewText

Point2 = tuple[float, float]

#: Radius of a handle, screen pixels (large enough to grab at a glance, small enough not to
#: hide the edge it sits on). Handles show on the selected drawing only.
HANDLE_RADIUS = 5.0
#: Half-width of the band around a line where a press grabs it, screen pixels.
GRAB_PIXELS = 4.0
#: What the software proposed and the reader has not accepted (drawings, discs, masks): a
#: colour no accepted annotation uses.
PROPOSED_COLOUR = "#ff5fd2"


@dataclass(frozen=True)
class DrawingStyle:
    """How a drawing is painted: its colour, line width, dashes, and whether it can be edited."""

    colour: str
    width: float = 2.0
    dashed: bool = False
    editable: bool = True
    label: bool = True


def label_font() -> QFont:
    font = QFont()
    font.setPointSizeF(10.0)
    font.setBold(True)
    return font


def text_item(text: str, colour, *, fill_alpha: int = 175) -> pg.TextItem:
    """A value or a name in bold on a dark box that hugs it: Qt's default margin of four
    pixels made the boxes of neighbouring disc names collide where their letters did not."""
    item = pg.TextItem(text, color=colour, fill=pg.mkBrush(0, 0, 0, fill_alpha))
    item.setFont(label_font())
    item.textItem.document().setDocumentMargin(2)
    item.updateTextPos()
    return item


def _pen(style: DrawingStyle, *, width: float | None = None, colour: str | None = None):
    pen = pg.mkPen(colour or style.colour, width=width or style.width)
    pen.setCosmetic(True)
    if style.dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _halo_pen(style: DrawingStyle):
    pen = pg.mkPen(QColor(0, 0, 0, 150), width=style.width + 2.5)
    pen.setCosmetic(True)
    return pen


class DrawingItem(QObject):
    """The items of one drawing in one view box.

    Signals
    -------
    edited(drawing_id, parts)
        The reader finished moving handles; ``parts`` maps geometry fields to scene points.
    clicked(drawing_id)
        The reader clicked the drawing (to select it).
    """

    edited = pyqtSignal(str, dict)
    clicked = pyqtSignal(str)

    def __init__(self, drawing_id: str, view_box: pg.ViewBox, style: DrawingStyle, label: str):
        super().__init__()
        self.drawing_id = drawing_id
        self.view_box = view_box
        self.style = style
        self.selected = False
        self._graphics: list = []
        self._rois: list[pg.ROI] = []
        #: The scene polylines drawn, which no text may cover.
        self.lines: list[list[Point2]] = []
        self._text: ViewText | None = None
        self.label = text_item(label, style.colour)
        self.label.setZValue(120)
        self.label.setVisible(style.label and bool(label))

    # -- building --------------------------------------------------------------------------

    def _add(self, item, z: float = 100) -> None:
        item.setZValue(z)
        self.view_box.addItem(item)
        self._graphics.append(item)

    def _roi(self, roi: pg.ROI) -> pg.ROI:
        roi.setPen(_pen(self.style))
        roi.hoverPen = _pen(self.style, width=self.style.width + 1.5)
        roi.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        roi.sigClicked.connect(lambda *_: self.clicked.emit(self.drawing_id))
        roi.sigRegionChangeFinished.connect(lambda *_: self._finished())
        self._add(roi)
        self._rois.append(roi)
        self._style_handles(roi)
        # A dark halo under the line keeps it visible over bright enhancement and fluid.
        halo = pg.PlotCurveItem(pen=_halo_pen(self.style))
        self._add(halo, 99)

        def follow(*_):
            points = _points(roi)
            if getattr(roi, "closed", False):
                points.append(points[0])
            halo.setData([p[0] for p in points], [p[1] for p in points])

        roi.sigRegionChanged.connect(follow)
        follow()
        return roi

    def _style_handles(self, roi: pg.ROI) -> None:
        # Handles and dragging the whole drawing only once it is selected: unselected
        # drawings stay thin lines that hide nothing of a small lesion.
        roi.translatable = self.selected
        for handle in roi.getHandles():
            handle.setVisible(self.selected)
            handle.radius = HANDLE_RADIUS
            handle.sides, handle.startAng = 12, 0.0
            handle.pen = pg.mkPen(self.style.colour, width=1.5)
            handle.hoverPen = pg.mkPen("#ffffff", width=2.5)
            handle.currentPen = handle.pen
            handle.buildPath()
            handle.update()

    def add_label(self, anchor: Point2, directions=SIDES, *, gap: float = 4.0) -> None:
        """Show the value, to be placed from ``anchor`` (scene mm) in ``directions``."""
        self.label.setPos(*anchor)
        self._add(self.label, 140)
        if self.style.label and self.label.toPlainText():
            self._text = ViewText(self.label, anchor, tuple(directions), gap)

    def view_text(self) -> ViewText | None:
        """The value waiting for its place (None when the drawing shows none)."""
        return self._text

    def _finished(self) -> None:
        self.edited.emit(self.drawing_id, self.parts())

    # -- interface -------------------------------------------------------------------------

    def parts(self) -> dict:
        """Scene points of the drawing's geometry fields, as its handles now stand."""
        raise NotImplementedError

    def set_selected(self, selected: bool) -> None:
        if selected == self.selected:
            return
        self.selected = selected
        width = self.style.width + (1.5 if selected else 0.0)
        for roi in self._rois:
            roi.setPen(_pen(self.style, width=width))
            self._style_handles(roi)

    def remove(self) -> None:
        for item in self._graphics:
            if item.scene() is not None:
                self.view_box.removeItem(item)
        self._graphics.clear()
        self._rois.clear()


def _grab_area(item, h1: QPointF, h2: QPointF) -> QPainterPath:
    """A band :data:`GRAB_PIXELS` screen pixels either side of the segment ``h1``-``h2``
    (item coordinates): where a press takes the segment rather than the image below."""
    path = QPainterPath()
    transform = item.deviceTransform_()
    if transform is None:
        return path
    inverse, invertible = transform.inverted()
    d1, d2 = transform.map(h1), transform.map(h2)
    along = d2 - d1
    length = (along.x() ** 2 + along.y() ** 2) ** 0.5
    if not invertible or length == 0:
        return path
    normal = QPointF(-along.y(), along.x()) * (GRAB_PIXELS / length)
    path.addPolygon(inverse.map(QPolygonF([d1 + normal, d2 + normal, d2 - normal, d1 - normal])))
    path.closeSubpath()
    return path


class _Segment(pg.LineSegmentROI):
    """LineSegmentROI whose grab area is a few pixels wide at any zoom (pyqtgraph's own can
    span many pixels, so a press meant for the image next to a caliper would move it)."""

    def shape(self):
        return _grab_area(self, self.endpoints[0].pos(), self.endpoints[1].pos())


class _PathSegment(pg.LineSegmentROI):
    """One segment of a path, between two of its vertex handles: highlighted while the pointer
    is over it or over its path (PolyLineROI tells its segments through ``setParentHover``),
    with the narrow grab area of :class:`_Segment`."""

    def __init__(self, *args, **kwargs):
        self._path_hovered = False
        super().__init__(*args, **kwargs)

    def setParentHover(self, hover: bool) -> None:  # noqa: N802 - called by PolyLineROI
        if hover != self._path_hovered:
            self._path_hovered = hover
            self._show_hover()

    def setMouseHover(self, hover: bool) -> None:  # noqa: N802 - pyqtgraph override
        if hover != self.mouseHovering:
            self.mouseHovering = hover
            self._show_hover()

    def _show_hover(self) -> None:
        pen = self.hoverPen if self.mouseHovering or self._path_hovered else self.pen
        if self.currentPen != pen:
            self.currentPen = pen
            self.update()

    def hoverEvent(self, ev):  # noqa: N802 - pyqtgraph override
        # Take drags (and drop them), as pyqtgraph's own path segments do, so a segment and its
        # movable path do not compete for one drag.
        if self.parentItem().translatable:
            ev.acceptDrags(Qt.MouseButton.LeftButton)
        super().hoverEvent(ev)

    def shape(self):
        return _grab_area(self, self.endpoints[0].pos(), self.endpoints[1].pos())


def _points(roi: pg.ROI) -> list[Point2]:
    return [(float(p.x()), float(p.y())) for p in (roi.mapToParent(h.pos()) for h in roi.getHandles())]


class LineItem(DrawingItem):
    """A caliper or an arrow: one segment with a handle at each end (an arrow gets a head)."""

    def __init__(self, drawing_id, view_box, style, label, points: list[Point2], *,
                 field: str = "endpoints", arrow: bool = False):
        super().__init__(drawing_id, view_box, style, label)
        self._field, self._head = field, None
        if style.editable:
            self._line = self._roi(_Segment(positions=[QPointF(*p) for p in points]))
        else:
            self._line = None
            self._curve(points)
        if arrow:
            self._head = pg.ArrowItem(headLen=16, tipAngle=32, tailLen=0, pen=_pen(style),
                                      brush=pg.mkBrush(style.colour))
            self._add(self._head, 110)
            self._place_head(points)
            if self._line is not None:
                self._line.sigRegionChanged.connect(lambda *_: self._place_head(_points(self._line)))
        self.lines = [list(points)]
        if arrow:
            head, tail = np.asarray(points, dtype=float)
            away = tail - head
            away /= max(float(np.hypot(*away)), 1e-9)
            self.add_label(tuple(tail), ((away[0], away[1]),) + SIDES)
        else:
            a, b = points
            self.add_label(tuple(np.mean(points, axis=0)), sideways(a, b))

    def _curve(self, points) -> None:
        xs, ys = zip(*points)
        curve = pg.PlotCurveItem(list(xs), list(ys), pen=_pen(self.style))
        self._add(curve)

    def _place_head(self, points) -> None:
        (hx, hy), (tx, ty) = points
        # ArrowItem points left at angle 0 and turns clockwise on screen (y down), as the scene.
        self._head.setStyle(angle=float(np.degrees(np.arctan2(ty - hy, tx - hx))))
        self._head.setPos(hx, hy)

    def parts(self) -> dict:
        points = _points(self._line)
        if self._field == "arrow":
            return {"head": [points[0]], "tail": [points[1]]}
        return {self._field: points}


class BidirectionalItem(DrawingItem):
    """A long axis and a short axis, each with two handles."""

    def __init__(self, drawing_id, view_box, style, label, long_axis, short_axis):
        super().__init__(drawing_id, view_box, style, label)
        if style.editable:
            self._long = self._roi(_Segment(positions=[QPointF(*p) for p in long_axis]))
            self._short = self._roi(_Segment(positions=[QPointF(*p) for p in short_axis]))
        else:
            self._long = self._short = None
            for axis in (long_axis, short_axis):
                xs, ys = zip(*axis)
                self._add(pg.PlotCurveItem(list(xs), list(ys), pen=_pen(style)))
        self._moved = "long"
        if self._long is not None:
            self._long.sigRegionChangeStarted.connect(lambda *_: setattr(self, "_moved", "long"))
            self._short.sigRegionChangeStarted.connect(lambda *_: setattr(self, "_moved", "short"))
        self.lines = [list(long_axis), list(short_axis)]
        outward = np.subtract(long_axis[1], long_axis[0], dtype=float)
        outward /= max(float(np.hypot(*outward)), 1e-9)
        self.add_label(tuple(long_axis[1]), ((outward[0], outward[1]), (-outward[0], -outward[1]))
                       + sideways(*long_axis))

    def parts(self) -> dict:
        return {"long_axis": _points(self._long), "short_axis": _points(self._short),
                "moved": self._moved}


class PathItem(DrawingItem):
    """A cord path (open) or an outline (closed): a handle on every vertex.

    A click on a segment selects the drawing; a double-click on it adds a vertex there.
    """

    def __init__(self, drawing_id, view_box, style, label, vertices, *, closed: bool = False):
        super().__init__(drawing_id, view_box, style, label)
        if style.editable:
            roi = _PathROI([QPointF(*p) for p in vertices], closed=closed)
            roi.segment_selected = lambda: self.clicked.emit(self.drawing_id)
            self._path = self._roi(roi)
        else:
            self._path = None
            points = list(vertices) + ([vertices[0]] if closed else [])
            xs, ys = zip(*points)
            self._add(pg.PlotCurveItem(list(xs), list(ys), pen=_pen(style)))
        self.lines = [list(vertices) + ([vertices[0]] if closed else [])]
        array = np.asarray(vertices, dtype=float)
        if closed:
            self.add_label(tuple(array[np.argmax(array[:, 0])]))
        else:
            # A cord path's value beside its top, where the reader starts reading it.
            top = tuple(array[np.argmin(array[:, 1])])
            self.add_label(top, ((1.0, 0.0), (0.0, -1.0), (-1.0, 0.0), (0.0, 1.0)))

    def parts(self) -> dict:
        return {"vertices": _points(self._path)}


class _PathROI(pg.PolyLineROI):
    """PolyLineROI with narrow segments whose single clicks select the path (a double-click
    adds a vertex)."""

    segment_selected = None

    def addSegment(self, h1, h2, index=None):  # noqa: N802 - pyqtgraph override
        segment = _PathSegment(handles=(h1, h2), pen=self.pen, hoverPen=self.hoverPen,
                               parent=self, movable=False)
        if index is None:
            self.segments.append(segment)
        else:
            self.segments.insert(index, segment)
        segment.sigClicked.connect(self.segmentClicked)
        segment.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        segment.setZValue(self.zValue() + 1)
        for handle in segment.handles:
            handle["item"].setDeletable(True)
            # Handles take left clicks too, so no vertex is added on top of another.
            item = handle["item"]
            item.setAcceptedMouseButtons(item.acceptedMouseButtons() | Qt.MouseButton.LeftButton)

    def segmentClicked(self, segment, ev=None, pos=None):  # noqa: N802 - pyqtgraph override
        if ev is not None and not ev.double():
            if self.segment_selected is not None:
                self.segment_selected()
            return
        super().segmentClicked(segment, ev, pos)


class NoteItem(DrawingItem):
    """A text note: a small marker at its anchor, the text beside it; drag the marker to move."""

    def __init__(self, drawing_id, view_box, style, label, anchor: Point2):
        super().__init__(drawing_id, view_box, style, label)
        self._marker = pg.TargetItem(pos=anchor, size=9, symbol="o", pen=_pen(style),
                                     brush=pg.mkBrush(style.colour), movable=style.editable)
        self._add(self._marker, 105)
        self._marker_at = self._marker.pos()
        if style.editable:
            self._marker.sigPositionChangeFinished.connect(lambda *_: self._finished())
            self._marker.sigPositionChanged.connect(lambda *_: self._follow_marker())
        self.add_label(anchor, ((1.0, 0.0), (-1.0, 0.0)), gap=6.0)

    def _follow_marker(self) -> None:
        """Move the text with the marker being dragged, where it was placed beside it."""
        now = self._marker.pos()
        self.label.setPos(self.label.pos() + now - self._marker_at)
        self._marker_at = now

    def parts(self) -> dict:
        position = self._marker.pos()
        return {"anchor": [(float(position.x()), float(position.y()))]}
