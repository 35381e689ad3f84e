"""The annotations on one viewport: drawings of the displayed slice, disc markers, tool input.

Coordinates: the session holds patient LPS mm; this layer projects what belongs to the
displayed slice into the viewport's scene (image plane in mm) and brings finished gestures and
moved handles back through :mod:`spineviewer.gui.reading.scene`, once per edit.

A drawing is shown on the image it was drawn on (its SOPInstanceUID, see
:func:`~spineviewer.core.stack_geometry.owning_slice`). Calipers also show faintly, dashed
and without their value, on the two neighbouring slices, so a reader scrolling past finds
them; only the slice they were drawn on has handles. A proposed drawing (``proposed=True``,
from Assist) is drawn dashed in magenta and labelled "proposed" until the reader accepts it;
lesion masks are drawn by :mod:`spineviewer.gui.annotation.mask_layer`. The layer holds no
annotations: it rebuilds its items from the session whenever the session, the slice or the
tool changes.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, QPoint, QRectF, Qt
from PyQt6.QtWidgets import QMenu

from spineviewer.core.annotations import (
    Arrow, Bidirectional, Caliper, Component, CordPath, Drawing, Outline, Segmentation, TextNote,
)
from spineviewer.core.proposals import accepted_levels
from spineviewer.core.edits import (
    add_annotation, add_disc, find_annotation, move_disc, remove_disc, rename_disc,
    replace_annotation, set_conus_tip,
)
from spineviewer.core.disc_naming import name_changes, nearest_disc, spacing_warnings
from spineviewer.core.levels import VertebralLevels, disc_name, parse_disc_name
from spineviewer.core.stack_geometry import owning_slice
from spineviewer.gui.reading import scene
from spineviewer.gui.reading.viewport_state import follow_changes
from spineviewer.gui.annotation.items import (
    PROPOSED_COLOUR, BidirectionalItem, DrawingItem, DrawingStyle, LineItem, NoteItem, PathItem,
)
from spineviewer.gui.annotation.drawing_values import drawing_value
from spineviewer.gui.annotation.label_layout import TextPlacer, letter_boxes
from spineviewer.gui.annotation.level_markers import CONUS_NAME, LevelMarkers
from spineviewer.gui.annotation.name_prompt import NamePrompt
from spineviewer.gui.annotation.slice_projection import from_scene, shows_levels, to_scene
from spineviewer.gui.annotation.tools import ASSIST_TOOLS, LESION_TOOLS, Gesture, Tool, ToolSpec
from spineviewer.gui.annotation.tools.gestures import ToolInput
from spineviewer.gui.annotation.tools.drawing_builders import (
    describe, edited_drawing, new_drawing, short_axis_after_long_moved,
    short_axis_after_short_moved,
)

MEASURE_COLOUR = "#ffe34d"
T2_COLOUR = "#4dd8ff"
TEACHING_COLOUR = "#f4f4f4"
ANSWER_KEY_COLOUR = "#5cf08a"
GHOST_COLOUR = "#b8a850"
#: Margin around the image where tools still take clicks, mm.
_INPUT_MARGIN = 20.0


def drawing_colour(drawing: Drawing) -> str:
    if isinstance(drawing, CordPath) and drawing.role is Component.T2:
        return T2_COLOUR
    if isinstance(drawing, (Arrow, TextNote)):
        return TEACHING_COLOUR
    return MEASURE_COLOUR


def check_disc_name(text: str) -> str:
    """'' for a valid disc name, else the reason it is not one."""
    try:
        parse_disc_name(text)
    except ValueError as exc:
        return str(exc)
    return ""


class AnnotationLayer(QObject):
    """Draws the session's annotations on ``viewport`` and edits them with ``tools``."""

    def __init__(self, viewport, session, tools, parent: QObject | None = None):
        super().__init__(parent or viewport)
        self.viewport, self.session, self.tools = viewport, session, tools
        self.view_box = viewport.view_box
        #: The Assist controller: seeds and brush strokes go to it (None: no Assist menu).
        self.assist = None
        self.input = ToolInput(self._active_spec, self._gesture_finished,
                               lambda points, done: self.assist and self.assist.painted(self, points, done))
        self.view_box.addItem(self.input)
        self.view_box.addItem(self.input.preview)
        self.items: dict[str, DrawingItem] = {}
        self._other_items: list[DrawingItem] = []
        self.levels = LevelMarkers(self.view_box, self)
        self.levels.moved.connect(self._marker_moved)
        self.levels.dragging.connect(self._fit_labels)
        self.placer = TextPlacer(self.view_box)
        self.levels.menuRequested.connect(self._marker_menu)
        self.prompt: NamePrompt | None = None
        self.context_menu: QMenu | None = None
        self._state = None
        self._shown = None
        session.changed.connect(self.refresh)
        tools.toolChanged.connect(lambda _: self._tool_changed())
        tools.selectionChanged.connect(self._select)
        viewport.view.scene().sigMouseMoved.connect(self._hover)
        self.view_box.sigRangeChanged.connect(self._fit_labels)
        # The view's range changes before the overlay (and its letters) takes the new size.
        viewport.resized.connect(self._fit_labels)
        viewport.installEventFilter(self)
        self.refresh()

    # -- what is shown ---------------------------------------------------------------------

    @property
    def stack_and_slice(self):
        state = self.viewport.state
        return (state.stack, state.slice_index) if state is not None else (None, -1)

    def refresh(self, *, force: bool = False) -> None:
        """Rebuild the items when the session, the slice, the stack or the tool changed."""
        state = self.viewport.state
        if state is not self._state:
            self._state = follow_changes(self._state, state, self.refresh)
            self.input.cancel()
        study, reference = self.session.study, self.session.reference
        # What is on screen: the objects by identity (the annotations are immutable, a change
        # is a new object), the rest by value.
        shown = ((state, study, reference),
                 (state.slice_index if state is not None else -1, self.tools.tool,
                  self.session.current_lesion_id))
        if not force and self._shown is not None and shown[1] == self._shown[1] and all(
                a is b for a, b in zip(shown[0], self._shown[0])):
            return
        self._shown = shown
        self._clear()
        if state is None or study is None or not state.stack.has_geometry:
            return
        stack, index = state.stack, state.slice_index
        x, y, width, height = scene.image_rect(stack)
        self.input.set_rect(QRectF(x - _INPUT_MARGIN, y - _INPUT_MARGIN,
                                   width + 2 * _INPUT_MARGIN, height + 2 * _INPUT_MARGIN))
        several = len(study.lesions) > 1
        counted = accepted_levels(study)
        for lesion in study.lesions:
            prefix = f"#{lesion.lesion_id} " if several else ""
            for drawing in lesion.annotations:
                self._show(drawing, prefix, counted)
        for drawing in study.annotations:
            self._show(drawing, "", counted)
        if reference is not None:
            for drawing in reference.all_drawings():
                self._show(drawing, "key ", reference.levels, reference=True)
        series = state.context.series if state.context is not None else None
        if shows_levels(stack, study.frame_of_reference_uid,
                        series.frame_of_reference_uid if series is not None else ""):
            editable = self.tools.tool in (Tool.LEVELS, Tool.CONUS)
            self.levels.show(stack, index, study.levels, editable=editable)
            if reference is not None:
                self.levels.show(stack, index, reference.levels, editable=False,
                                 colour=ANSWER_KEY_COLOUR, reference=True)
        self._fit_labels()

    def _clear(self) -> None:
        for item in list(self.items.values()) + self._other_items:
            item.remove()
        self.items.clear()
        self._other_items.clear()
        self.levels.clear()
        self.placer.clear()

    def _show(self, drawing: Drawing, prefix: str, levels, *, reference: bool = False) -> None:
        stack, index = self.stack_and_slice
        on = None if isinstance(drawing, Segmentation) else owning_slice(stack, drawing)
        if on is None:
            return
        if on == index:
            if reference:
                style = DrawingStyle(ANSWER_KEY_COLOUR, dashed=True, editable=False)
            elif drawing.proposed:
                style, prefix = DrawingStyle(PROPOSED_COLOUR, dashed=True), prefix + "proposed "
            else:
                style = DrawingStyle(drawing_colour(drawing))
            item = self._item(drawing, style, prefix + drawing_value(drawing, levels))
        elif abs(on - index) == 1 and isinstance(drawing, (Caliper, Bidirectional)):
            colour = ANSWER_KEY_COLOUR if reference else GHOST_COLOUR
            item = self._item(drawing, DrawingStyle(colour, width=1.0, dashed=True,
                                                    editable=False, label=False), "")
        else:
            return
        if item.style.editable:
            self.items[drawing.id] = item
            item.edited.connect(self._edited)
            item.clicked.connect(self.tools.select)
            item.set_selected(drawing.id == self.tools.selected)
        else:
            self._other_items.append(item)

    def _item(self, drawing: Drawing, style: DrawingStyle, label: str) -> DrawingItem:
        stack, index = self.stack_and_slice
        points = lambda values: to_scene(stack, index, values)  # noqa: E731
        args = (drawing.id, self.view_box, style, label)
        if isinstance(drawing, Caliper):
            return LineItem(*args, points(drawing.endpoints))
        if isinstance(drawing, Arrow):
            return LineItem(*args, points((drawing.head, drawing.tail)), field="arrow", arrow=True)
        if isinstance(drawing, Bidirectional):
            return BidirectionalItem(*args, points(drawing.long_axis), points(drawing.short_axis))
        if isinstance(drawing, (CordPath, Outline)):
            return PathItem(*args, points(drawing.vertices), closed=isinstance(drawing, Outline))
        return NoteItem(*args, points((drawing.anchor,))[0])

    def _fit_labels(self, *_) -> None:
        """Place the viewport's text in one go, clear of each other, of the markers and of the
        drawn lines: the values and the conus tip first, then the disc names, of which one
        with no room left is left out (its neighbours name the level)."""
        drawings = list(self.items.values()) + self._other_items
        values = [text for text in (item.view_text() for item in drawings) if text is not None]
        texts = sorted(values + self.levels.view_texts(), key=lambda text: not text.required)
        self.placer.place(texts,
                          lines=[line for item in drawings for line in item.lines],
                          reserved=self.levels.marker_boxes() + letter_boxes(self.viewport))

    def _select(self, drawing_id: str) -> None:
        for key, item in self.items.items():
            item.set_selected(key == drawing_id)

    def _tool_changed(self) -> None:
        self.input.cancel()
        self.refresh()

    # -- editing drawings ------------------------------------------------------------------

    def _edited(self, drawing_id: str, parts: dict) -> None:
        stack, index = self.stack_and_slice
        study = self.session.study
        try:
            drawing, _ = find_annotation(study, drawing_id)
        except KeyError:
            self.refresh(force=True)
            return
        parts = dict(parts)
        if isinstance(drawing, Bidirectional):
            moved = parts.pop("moved")
            if moved == "long":
                parts["short_axis"] = short_axis_after_long_moved(
                    to_scene(stack, index, drawing.long_axis), to_scene(stack, index, drawing.short_axis),
                    parts["long_axis"])
            else:
                parts["short_axis"] = short_axis_after_short_moved(parts["long_axis"], parts["short_axis"])
        try:
            changed = edited_drawing(drawing, stack, index, parts)
        except ValueError as exc:
            self.session.message.emit(f"Cannot move the {describe(drawing)}: {exc}")
            self.refresh(force=True)
            return
        self.tools.select(drawing_id)
        if changed == drawing or not self.session.apply(
                replace_annotation, changed, label=f"move {describe(drawing)}"):
            self.refresh(force=True)

    # -- tool input ------------------------------------------------------------------------

    def _active_spec(self) -> ToolSpec | None:
        spec = self.tools.spec
        if spec.gesture is Gesture.NONE or self.viewport.state is None or self.session.study is None:
            return None
        return spec

    def _gesture_finished(self, points, screen_pos) -> None:
        stack, index = self.stack_and_slice
        spec = self.tools.spec
        if spec.sagittal_only and stack.plane != "sagittal":
            self.session.message.emit(f"{spec.label}: click on a sagittal image")
            return
        tool = spec.tool
        at = self._local(screen_pos)
        if tool in ASSIST_TOOLS:
            if self.assist is not None:
                self.assist.seed_given(self, points)
        elif tool is Tool.LEVELS:
            self._disc_clicked(from_scene(stack, index, points)[0], at)
        elif tool is Tool.CONUS:
            if self.session.apply(set_conus_tip, from_scene(stack, index, points)[0],
                                  label="mark the conus tip"):
                self.tools.back()
        elif tool in (Tool.ARROW, Tool.TEXT):
            self._ask_text(tool, points, at)
        else:
            self._add(tool, points)

    def _add(self, tool: Tool, points, text: str = "") -> None:
        stack, index = self.stack_and_slice
        try:
            drawing = new_drawing(tool, stack, index, points, text=text)
        except ValueError as exc:
            self.session.message.emit(f"{self.tools.spec.label}: {exc}")
            return
        label = f"add {describe(drawing)}"
        if tool in LESION_TOOLS:
            done = self.session.add_to_lesion(drawing, label=label)
        else:
            done = self.session.apply(add_annotation, drawing, label=label)
        if done:
            self.tools.select(drawing.id)

    def _ask_text(self, tool: Tool, points, at: QPoint) -> None:
        question = "Text of the arrow (may be empty)" if tool is Tool.ARROW else "Text of the note"
        required = tool is Tool.TEXT
        self.open_prompt(question, lambda t: "Write some text" if required and not t else "",
                          lambda text: self._add(tool, points, text), at)

    # -- levels ----------------------------------------------------------------------------

    def _disc_clicked(self, point, at: QPoint) -> None:
        study = self.session.study
        if study.levels is None or not study.levels.discs:
            def name_first(text: str) -> None:
                name = disc_name(parse_disc_name(text))
                self.session.apply(add_disc, point, name=name, label=f"mark disc {name}")

            self.open_prompt("Name this disc (for example T12-L1); the others are named by counting",
                              check_disc_name, name_first, at)
            return
        try:
            marked = add_disc(study, point)
        except ValueError as exc:
            self.session.message.emit(f"Cannot mark a disc here: {exc}")
            return
        name = nearest_disc(marked.levels.discs, point).name
        if self.session.apply(lambda _: marked, label=f"mark disc {name}"):
            self._report_naming(study.levels, marked.levels)

    def _report_naming(self, before: VertebralLevels, after: VertebralLevels) -> None:
        """Tell the reader which discs counting renamed and where the spacing looks wrong."""
        notes = []
        changes = name_changes(before, after)
        if changes:
            notes.append("renamed by counting: " + ", ".join(f"{old} → {new}" for old, new in changes))
        notes.extend(spacing_warnings(after))
        self._say(notes)

    def _say(self, notes: list[str]) -> None:
        if notes:
            message = "; ".join(notes)
            self.session.message.emit(message[0].upper() + message[1:])

    def _marker_moved(self, name: str, x: float, y: float) -> None:
        stack, index = self.stack_and_slice
        point = from_scene(stack, index, [(x, y)])[0]
        if name == CONUS_NAME:
            done = self.session.apply(set_conus_tip, point, label="move the conus tip")
        else:
            done = self.session.apply(move_disc, name, point, label=f"move disc {name}")
        if not done:
            self.refresh(force=True)

    def _marker_menu(self, name: str, screen_pos) -> None:
        menu = QMenu(self.viewport)
        if name == CONUS_NAME:
            menu.addAction("Delete the conus tip",
                           lambda: self.session.apply(set_conus_tip, None, label="delete the conus tip"))
        else:
            menu.addAction(f"Rename {name}…", lambda: self._rename(name))
            menu.addAction(f"Delete {name}",
                           lambda: self.session.apply(remove_disc, name, label=f"delete disc {name}"))
        self.context_menu = menu
        menu.popup(screen_pos.toPoint() if hasattr(screen_pos, "toPoint") else screen_pos)

    def _rename(self, name: str) -> None:
        marker = self.levels.markers.get(name)
        at = QPoint(20, 20)
        if marker is not None:
            at = self.viewport.view.mapFromScene(marker.mapToScene(0, 0))

        def renamed(text: str) -> None:
            new = disc_name(parse_disc_name(text))
            if self.session.apply(rename_disc, name, new, label=f"rename disc {name} to {new}"):
                self._say(list(spacing_warnings(self.session.study.levels)))

        self.open_prompt(f"New name of {name} (the others are counted from it)", check_disc_name,
                          renamed, at, text=name)

    # -- prompts, keys, hover --------------------------------------------------------------

    def _local(self, screen_pos) -> QPoint:
        if screen_pos is None:
            return QPoint(20, 20)
        return self.viewport.mapFromGlobal(screen_pos.toPoint())

    def open_prompt(self, question, check, done, at: QPoint, *, text: str = "") -> None:
        if self.prompt is not None:
            self.prompt.hide()
            self.prompt.deleteLater()
        prompt = NamePrompt(question, check, self.viewport, text=text)
        self.prompt = prompt

        def finished(*_):
            if self.prompt is prompt:
                self.prompt = None
            self.viewport.setFocus()

        prompt.accepted.connect(done)
        prompt.accepted.connect(finished)
        prompt.cancelled.connect(finished)
        prompt.open_at(at)

    def _hover(self, scene_pos) -> None:
        if self.input.busy:
            point = self.view_box.mapSceneToView(scene_pos)
            self.input.hover((float(point.x()), float(point.y())))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        key = event.key()
        busy = self.input.busy
        handles = (key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Backspace) and busy
                   or key == Qt.Key.Key_Escape and (busy or self.tools.tool is not Tool.READ))
        if not handles:
            return False
        event.accept()
        if kind == QEvent.Type.KeyPress:
            if key == Qt.Key.Key_Escape:
                if busy:
                    self.input.cancel()
                else:
                    self.tools.set_tool(Tool.READ)
            elif key == Qt.Key.Key_Backspace:
                self.input.take_back()
            else:
                self.input.finish()
        return True
