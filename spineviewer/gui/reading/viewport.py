"""One viewport: a stack's native slices, mouse and keyboard reading, and its overlay.

Native means no resampling: the image is drawn on its own pixel grid, each pixel a
``ΔC x ΔR`` mm rectangle, so pixels are square in mm whatever the PixelSpacing and lengths on
screen are true. Coordinates are those of :mod:`spineviewer.gui.reading.scene` (scene = image plane in
mm, y down).

Reading controls: wheel or Up/Down/PageUp/PageDown/Home/End change slice; left-drag sets the
window (horizontal: width, vertical: level); Ctrl+wheel or right-drag zooms; middle-drag pans;
``F`` fits the image, ``R`` resets window and zoom. Shift+click (or a left click or drag in
crosshair mode) places the 3-D cursor: the viewport reports the patient point and the
cross-reference coordinator (:mod:`spineviewer.gui.reading.cross_reference`) moves the other viewports.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtWidgets import QFrame, QVBoxLayout, QWidget

from spineviewer.gui.reading import scene
from spineviewer.gui.reading.overlay import OverlayContent, ViewportOverlay
from spineviewer.gui.reading.overlay_text import (display_lines, image_lines, patient_lines,
                                          scale_bar_length)
from spineviewer.gui.reading.pixel_store import PixelStore
from spineviewer.gui.reading.reference_lines import ReferenceLayer
from spineviewer.gui.reading.slice_view_box import SliceViewBox
from spineviewer.gui.reading.viewport_state import ViewportState
from spineviewer.gui.reading.window_presets import WindowPreset, preset_window
from spineviewer.gui.reading.windowing import Window, auto_window, dragged_window, window_levels

#: Drag-and-drop type of a stack dragged from the study browser: ``series_uid\nstack_number``.
STACK_MIME = "application/x-spineviewer-stack"
#: What an empty viewport says once a study is open.
EMPTY_MESSAGE = "Drop a series here from the study browser"


class Viewport(QFrame):
    """Shows one :class:`ViewportState` (or nothing) and turns input into state changes.

    Signals
    -------
    activated(viewport)
        The user clicked into or focused the viewport.
    cursorMoved(text)
        Readout under the mouse, two lines: slice, pixel and value; patient mm and level
        ("" when off the image). Sent again whenever what is under a still mouse changes:
        another slice (wheel, keys, linked scrolling), its pixels arriving, or the levels.
    stackDropped(viewport, key)
        A stack was dropped here; ``key`` is the :data:`STACK_MIME` payload.
    stateShown(viewport)
        A new state (or none) is shown.
    sliceChanged(viewport)
        The shown state moved to another slice.
    cursorPlaced(viewport, point)
        The reader placed the 3-D cursor on this image; ``point`` is LPS mm, shape (3,).
    viewChanged(viewport)
        The reader zoomed or panned by hand.
    resized()
        The viewport and its overlay took their new size (text placed over the image must
        keep clear of the overlay's letters where they now are).

    Attributes
    ----------
    level_namer : callable or None
        ``level_namer(point)`` names the vertebral level at an LPS point (``"T11"``) or returns
        None; the readout shows ``level: T11``. Set by whoever knows the levels.
    """

    activated = pyqtSignal(object)
    cursorMoved = pyqtSignal(str)
    stackDropped = pyqtSignal(object, str)
    stateShown = pyqtSignal(object)
    sliceChanged = pyqtSignal(object)
    cursorPlaced = pyqtSignal(object, object)
    viewChanged = pyqtSignal(object)
    resized = pyqtSignal()

    def __init__(self, store: PixelStore, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("viewport")
        self.setProperty("active", False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self._store = store
        self._state: ViewportState | None = None
        self._pixels: np.ndarray | None = None
        self._shown_slice = -1
        self._drag_start: Window | None = None
        self._fitted = True
        self._preview_caption = ""
        self._message = EMPTY_MESSAGE
        self._rect = QRectF()
        #: Where the mouse is over the view (scene pixels), None when it is elsewhere.
        self._hover: QPointF | None = None
        self.show_patient = True
        self.level_namer: Callable[[np.ndarray], str | None] | None = None
        #: ``slice_note(state)``: one more line for the top-left corner (the level an axial
        #: slice cuts), '' for none. Set by whoever knows it; call :meth:`refresh_overlay`.
        self.slice_note: Callable[[ViewportState], str] | None = None
        #: The colour of this viewport's reference lines on the others (``#rrggbb``).
        self.accent = ""
        self._cursor_note = ""

        self.view = pg.GraphicsView(self, background="k")
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.setAcceptDrops(False)
        self.view_box = SliceViewBox()
        self.view.setCentralItem(self.view_box)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view_box.addItem(self.image)
        self.references = ReferenceLayer(self.view_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(self.view)
        self.overlay = ViewportOverlay(self)

        self.view_box.sigScroll.connect(self._scroll)
        self.view_box.sigWindowDrag.connect(self._window_drag)
        self.view_box.sigCursor.connect(self._place_cursor)
        self.view_box.sigRangeChangedManually.connect(self._zoomed_by_hand)
        self.view_box.sigTransformChanged.connect(lambda *_: self._update_overlay())
        self.view_box.sigResized.connect(self._resized)
        self.view.scene().sigMouseMoved.connect(self._mouse_moved)
        store.sliceReady.connect(self._slice_ready)
        store.volumeReady.connect(self._volume_ready)
        self._update_overlay()

    @property
    def state(self) -> ViewportState | None:
        return self._state

    def show_state(self, state: ViewportState | None) -> None:
        """Display ``state`` (its stack at its slice and window); None empties the viewport."""
        if self._state is not None:
            self._state.changed.disconnect(self._render)
            self._state.sliceChanged.disconnect(self._slice_changed)
        self._state = state
        self._preview_caption = ""
        self._pixels, self._shown_slice = None, -1
        self.image.clear()
        self._rect = QRectF(*scene.image_rect(state.stack)) if state is not None else QRectF()
        if state is not None:
            state.changed.connect(self._render)
            state.sliceChanged.connect(self._slice_changed)
        self.fit()
        self._render()
        self.stateShown.emit(self)

    def show_preview(self, pixels: np.ndarray, spacing: tuple[float, float] | None, caption: str) -> None:
        """Show one image before its study is assembled (while the scan goes on)."""
        self.show_state(None)
        self._preview_caption = caption
        spacing_r, spacing_c = spacing or (1.0, 1.0)
        rows, cols = pixels.shape
        self._rect = QRectF(0, 0, cols * spacing_c, rows * spacing_r)
        self.image.setImage(pixels, autoLevels=False, levels=window_levels(auto_window(pixels)))
        self.image.setRect(self._rect)
        self.fit()
        self._update_overlay()

    def set_message(self, message: str) -> None:
        """The notice an empty viewport shows."""
        self._message = message
        self._update_overlay()

    def set_active(self, active: bool) -> None:
        self.setProperty("active", active)
        self.style().unpolish(self)
        self.style().polish(self)

    def set_cursor_note(self, text: str) -> None:
        """Say where the 3-D cursor lies when this image cannot show it ('' for nothing)."""
        if text != self._cursor_note:
            self._cursor_note = text
            self._update_overlay()

    def set_patient_visible(self, visible: bool) -> None:
        self.show_patient = visible
        self._update_overlay()

    def fit(self) -> None:
        """Zoom so the whole image fills the viewport, centred."""
        self._fitted = True
        if not self._rect.isEmpty():
            self.view_box.setRange(self._rect, padding=0.0)
        self._update_overlay()

    def reset(self) -> None:
        """Back to the recommended window and a fitted image."""
        if self._state is not None:
            self._state.reset_window()
        self.fit()

    def apply_preset(self, preset: WindowPreset) -> bool:
        """Set the window of ``preset`` for the slice on screen; False before it is decoded."""
        state = self._state
        if state is None or self._pixels is None or self._shown_slice != state.slice_index:
            return False
        header = state.stack.frames[state.slice_index].window or state.stack.default_window
        state.set_window(preset_window(preset, self._pixels, header))
        return True

    # -- zoom shared with other viewports --------------------------------------------------

    def mm_per_pixel(self) -> float:
        """Scene mm per screen pixel (0 before the view has a size)."""
        return float(self.view_box.viewPixelSize()[0])

    def view_centre(self) -> QPointF:
        """The scene point at the centre of the view."""
        return self.view_box.viewRect().center()

    def set_view(self, centre: QPointF, mm_per_pixel: float) -> None:
        """Show ``mm_per_pixel`` scene mm per screen pixel around scene point ``centre``."""
        width, height = self.view_box.width(), self.view_box.height()
        if mm_per_pixel <= 0 or width <= 0 or height <= 0:
            return
        self._fitted = False
        size_x, size_y = width * mm_per_pixel, height * mm_per_pixel
        self.view_box.setRange(QRectF(centre.x() - size_x / 2, centre.y() - size_y / 2, size_x, size_y),
                               padding=0.0)

    # -- rendering -------------------------------------------------------------------------

    def _render(self) -> None:
        state = self._state
        if state is None:
            self._update_overlay()
            return
        pixels = self._store.slice(state.stack, state.slice_index)
        if pixels is not None:
            if state.window is None:
                state.default_window = auto_window(pixels)
                state.set_window(state.default_window)
                return
            self._pixels, self._shown_slice = pixels, state.slice_index
            self.image.setImage(pixels, autoLevels=False, levels=window_levels(state.window))
            self.image.setRect(self._rect)
        elif self._pixels is not None and state.window is not None:
            self.image.setLevels(window_levels(state.window))
        self._update_overlay()
        self._update_readout()

    def _slice_ready(self, stack, index: int) -> None:
        if self._state is not None and self._state.stack is stack and self._state.slice_index == index:
            self._render()

    def _volume_ready(self, stack) -> None:
        if self._state is not None and self._state.stack is stack:
            self._render()

    def _overlay_content(self) -> OverlayContent:
        state = self._state
        if state is None:
            caption = [self._preview_caption] if self._preview_caption else []
            return OverlayContent(corners={"top_left": caption},
                                  message="" if self._preview_caption else self._message)
        stack = state.stack
        corners = {"top_left": image_lines(state.context, stack, state.slice_index),
                   "bottom_left": display_lines(stack, state.window)}
        note = self.slice_note(state) if self.slice_note is not None else ""
        if note:
            corners["top_left"].append(note)
        if self.show_patient:
            corners["top_right"] = patient_lines(state.context)
        content = OverlayContent(corners=corners, letters=stack.edge_letters(),
                                 scale_unit=scene.length_unit(stack), accent=self.accent,
                                 notice=self._cursor_note)
        if self._shown_slice != state.slice_index:
            content.message = "decoding…"
        units_per_pixel = self.view_box.viewPixelSize()[0]
        if units_per_pixel > 0:
            content.scale_length = scale_bar_length(units_per_pixel, longest_pixels=self.width() / 4)
            content.scale_pixels = content.scale_length / units_per_pixel
        return content

    def _update_overlay(self) -> None:
        self.overlay.set_content(self._overlay_content())

    def refresh_overlay(self) -> None:
        """Paint the corner text and the readout again (what :attr:`slice_note` or
        :attr:`level_namer` says has changed: the annotations did)."""
        self._update_overlay()
        self._update_readout()

    # -- input -----------------------------------------------------------------------------

    def _scroll(self, steps: int) -> None:
        self.activated.emit(self)
        if self._state is not None:
            self._state.step(steps)

    def _window_drag(self, dx: float, dy: float, starting: bool) -> None:
        state = self._state
        if state is None or state.window is None:
            return
        if starting or self._drag_start is None:
            self._drag_start = state.window
            self.activated.emit(self)
        state.set_window(dragged_window(self._drag_start, dx, dy))

    def _zoomed_by_hand(self, *_) -> None:
        self._fitted = False
        self.viewChanged.emit(self)

    def _slice_changed(self, _index: int) -> None:
        self.sliceChanged.emit(self)

    def _place_cursor(self, x: float, y: float) -> None:
        self.activated.emit(self)
        state = self._state
        if state is None or scene.scene_to_pixel(state.stack, x, y) is None:
            return
        point = scene.scene_to_patient(state.stack, state.slice_index, x, y)
        if point is not None:
            self.cursorPlaced.emit(self, point)

    def _resized(self, *_) -> None:
        if self._fitted:
            self.fit()

    def _mouse_moved(self, scene_pos: QPointF) -> None:
        self._hover = QPointF(scene_pos)
        self._update_readout()

    def _update_readout(self) -> None:
        if self._hover is not None:
            self.cursorMoved.emit(self.readout(self.view_box.mapSceneToView(self._hover)))

    def readout(self, point: QPointF) -> str:
        """Status-bar text for a point in scene mm: slice, pixel and value on one line,
        patient position and level on the next."""
        state = self._state
        if state is None:
            return ""
        stack = state.stack
        pixel = scene.scene_to_pixel(stack, point.x(), point.y())
        if pixel is None:
            return ""
        row, col = pixel
        pixel_line = f"Slice {state.slice_index + 1}  row {row}  col {col}"
        if self._pixels is not None and self._shown_slice == state.slice_index:
            pixel_line += f"  value {self._pixels[row, col]:g}"
        patient = scene.scene_to_patient(stack, state.slice_index, point.x(), point.y())
        if patient is None:
            return pixel_line
        x, y, z = patient
        place_line = f"x {x:.1f}  y {y:.1f}  z {z:.1f} mm (LPS)"
        level = self.level_namer(patient) if self.level_namer is not None else None
        if level:
            place_line += f"  level: {level}"
        return f"{pixel_line}\n{place_line}"

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        state, key = self._state, event.key()
        page = max(1, round(state.slice_count / 10)) if state is not None else 1
        steps = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1,
                 Qt.Key.Key_PageUp: -page, Qt.Key.Key_PageDown: page}
        if state is not None and key in steps:
            state.step(steps[key])
        elif state is not None and key == Qt.Key.Key_Home:
            state.set_slice(0)
        elif state is not None and key == Qt.Key.Key_End:
            state.set_slice(state.slice_count - 1)
        elif key == Qt.Key.Key_F:
            self.fit()
            self.viewChanged.emit(self)
        elif key == Qt.Key.Key_R:
            self.reset()
            self.viewChanged.emit(self)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().leaveEvent(event)
        self._hover = None
        self.cursorMoved.emit("")

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        self.activated.emit(self)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.overlay.setGeometry(self.rect())
        self.overlay.raise_()
        self._update_overlay()
        self.resized.emit()

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasFormat(STACK_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not event.mimeData().hasFormat(STACK_MIME):
            event.ignore()
            return
        key = bytes(event.mimeData().data(STACK_MIME)).decode("utf-8")
        event.acceptProposedAction()
        self.stackDropped.emit(self, key)
