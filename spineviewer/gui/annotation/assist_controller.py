"""The Assist menu and toolbar: proposals run in the background, and the reader's answer to them.

"Propose levels" runs at once on the sagittal series in the active viewport; "Propose T2
extent" and "Segment lesion" wait for a seed: a click in the cord on a sagittal T2 image, a
click on the enhancing lesion or a box dragged around it on the post-contrast series. Each
runs off the GUI thread (:class:`~spineviewer.gui.shell.background.BackgroundWork`) with the
status bar's progress and Cancel (Esc); a refusal (:class:`~spineviewer.assist.AssistRefusal`)
puts its one sentence in the status bar.

What a proposal gives is stored as *proposed* (:mod:`spineviewer.gui.annotation.assist_results`),
drawn dashed in magenta and left out of every measurement until the reader accepts it: Enter
accepts the selected proposal or, with none selected, everything the last run proposed; Esc
rejects the same. Accepting, rejecting and editing are edits of the annotation document, so
each can be undone.

Coordinates: seeds leave the viewport as patient LPS mm through
:mod:`spineviewer.gui.annotation.slice_projection`.
"""

from __future__ import annotations

import pyqtgraph as pg
from PyQt6 import sip
from PyQt6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QDoubleSpinBox, QLabel, QMenu, QToolBar

from spineviewer.assist import AssistCancelled, AssistRefusal
from spineviewer.gui.annotation import assist_results as results
from spineviewer.gui.annotation.items import PROPOSED_COLOUR
from spineviewer.gui.annotation.layer import check_disc_name
from spineviewer.gui.annotation.mask_layer import MaskLayer
from spineviewer.gui.annotation.slice_projection import from_scene, to_scene
from spineviewer.gui.annotation.tools import TOOL_SPECS, Tool

_MESSAGE_MS = 15000
#: Brush radius the reader starts with, and its limits, mm.
BRUSH_MM, BRUSH_RANGE = 2.0, (0.5, 20.0)


def _progress(task):
    """An algorithm's ``progress`` callback reporting to ``task``: ``(done, total)`` or a
    fraction."""
    def report(*values) -> None:
        if len(values) == 2:
            task.report(int(values[0]), int(values[1]))
        elif values:
            task.report(int(round(float(values[0]) * 100)), 100)
    return report


def _guarded(work):
    """Run ``work(task)`` and tell a refusal or a cancellation from a proposal."""
    def run(task):
        try:
            return "done", work(task)
        except AssistRefusal as exc:
            return "refused", str(exc)
        except AssistCancelled:
            return "cancelled", ""
    return run


class AssistController(QObject):
    """The Assist menu, its toolbar and its keys in one main window.

    Attributes
    ----------
    running : Task or None
        The proposal being computed.
    last_run : list of str
        Ids of what the last finished run proposed ('levels' for proposed levels).
    """

    def __init__(self, window, controls):
        super().__init__(window)
        self.window, self.controls = window, controls
        self.session, self.tools = controls.session, controls.tools
        self.running = None
        self.naming_point = None
        self._answering = False
        self.last_run: list[str] = []
        self.masks = [MaskLayer(layer, self) for layer in controls.layers]
        for layer in controls.layers:
            layer.assist = self
            layer.viewport.installEventFilter(self)
        self._build()
        self.tools.toolChanged.connect(self._tool_changed)
        self.session.changed.connect(self._session_changed)
        self._session_changed()

    # -- construction ----------------------------------------------------------------------

    def _action(self, menu: QMenu, text: str, slot, shortcut: str = "", *, tip: str) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        self.window.addAction(action)
        return action

    def _build(self) -> None:
        bar = self.window.menuBar()
        view = next((a for a in bar.actions() if a.text().replace("&", "") == "View"), None)
        menu = QMenu("A&ssist", self.window)
        bar.insertMenu(view, menu) if view is not None else bar.addMenu(menu)
        self.menu = menu
        self.levels_action = self._action(
            menu, "Propose &levels", self.propose_levels, "Shift+L",
            tip="Find the discs (and, on T2, the conus tip) on the sagittal T2 or T1 series")
        t2, lesion = TOOL_SPECS[Tool.ASSIST_T2], TOOL_SPECS[Tool.ASSIST_LESION]
        self.t2_action = self._action(menu, "Propose &T2 extent…", lambda: self._seed(Tool.ASSIST_T2),
                                      t2.key, tip=t2.hint)
        self.lesion_action = self._action(menu, "Se&gment lesion…", lambda: self._seed(Tool.ASSIST_LESION),
                                          lesion.key, tip=lesion.hint)
        menu.addSeparator()
        self.accept_action = self._action(menu, "&Accept the proposal\tEnter", self.accept,
                                          tip="Accept the selected proposal, or all of the last one")
        self.reject_action = self._action(menu, "&Reject the proposal\tEsc", self.reject,
                                          tip="Remove the selected proposal, or all of the last one")
        menu.addSeparator()
        brush, eraser = TOOL_SPECS[Tool.BRUSH], TOOL_SPECS[Tool.ERASER]
        self.brush_action = self._action(menu, "Mask &brush", lambda: self.tools.set_tool(Tool.BRUSH),
                                         brush.key, tip=brush.hint)
        self.eraser_action = self._action(menu, "Mask &eraser", lambda: self.tools.set_tool(Tool.ERASER),
                                          eraser.key, tip=eraser.hint)
        for action in (self.brush_action, self.eraser_action, self.t2_action, self.lesion_action):
            action.setCheckable(True)
        for action, text in ((self.levels_action, "Propose levels"), (self.t2_action, "Propose T2"),
                             (self.lesion_action, "Segment lesion"), (self.accept_action, "Accept"),
                             (self.reject_action, "Reject"), (self.brush_action, "Brush"),
                             (self.eraser_action, "Eraser")):
            action.setIconText(text)

        toolbar = QToolBar("Assist", self.window)
        toolbar.setObjectName("assistToolbar")
        toolbar.setMovable(False)
        # Beside the reading tools in the first row: the Annotate row has no room left.
        annotate = self.controls.toolbar
        self.window.removeToolBarBreak(annotate)
        self.window.insertToolBar(annotate, toolbar)
        self.window.insertToolBarBreak(annotate)
        toolbar.addActions([self.levels_action, self.t2_action, self.lesion_action])
        toolbar.addSeparator()
        toolbar.addActions([self.accept_action, self.reject_action])
        toolbar.addSeparator()
        toolbar.addActions([self.brush_action, self.eraser_action])
        self.brush_size = QDoubleSpinBox()
        self.brush_size.setObjectName("brushSize")
        self.brush_size.setRange(*BRUSH_RANGE)
        self.brush_size.setDecimals(1)
        self.brush_size.setSingleStep(0.5)
        self.brush_size.setValue(BRUSH_MM)
        self.brush_size.setSuffix(" mm")
        self.brush_size.setToolTip("Brush radius ([ smaller, ] larger)")
        toolbar.addWidget(QLabel(" Brush "))
        toolbar.addWidget(self.brush_size)
        self.toolbar = toolbar
        for text, step in (("Smaller brush", -0.5), ("Larger brush", 0.5)):
            action = QAction(text, self.window)
            action.setShortcut(QKeySequence("[" if step < 0 else "]"))
            action.triggered.connect(lambda _=False, s=step: self.brush_size.stepBy(int(s / 0.5)))
            self.window.addAction(action)

    # -- running ---------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, _MESSAGE_MS)

    def _run(self, label: str, work, answered) -> None:
        """Compute ``work(task)`` in the background; ``answered(value)`` gets the proposal."""
        if self.running is not None:
            self.say(f"{self.running.label} is still running: wait, or press Esc to cancel it")
            return
        if not self.session.is_open:
            self.say("Open a study first")
            return

        document = self.session.document

        def done(outcome) -> None:
            self.running = None
            kind, value = outcome
            if kind == "refused":
                self.say(f"{label}: {value}")
            elif kind == "cancelled" or task.cancelled():
                self.say(f"{label}: cancelled")
            elif self.session.document is not document:
                self.say(f"{label}: left out, another study is open now")
            else:
                answered(value)

        def failed(reason: str) -> None:
            self.running = None
            self.say(f"{label} failed: {reason}")

        self.say(f"{label}…")
        task = self.window.work.submit(_guarded(work), label=label, on_done=done, on_failed=failed)
        self.running = task

    def propose_levels(self) -> None:
        stacks = results.level_stacks(self.window)
        if not stacks:
            self.say("Propose levels: show a sagittal series in the active viewport first")
            return
        self._run("Proposing levels",
                  lambda task: results.propose_levels(stacks, task.cancel, _progress(task)),
                  lambda proposal: results.show_levels(self, proposal))

    def _seed(self, tool: Tool) -> None:
        if not self.session.is_open:
            self.say("Open a study first")
            self._tool_changed(self.tools.tool)
            return
        self.tools.set_tool(tool)

    def seed_given(self, layer, points) -> None:
        """A seed clicked (one scene point) or a box dragged (two corners) on ``layer``'s
        slice, with :attr:`Tool.ASSIST_T2` or :attr:`Tool.ASSIST_LESION`."""
        stack, index = layer.stack_and_slice
        tool = self.tools.tool
        wrong = results.wrong_series(tool is Tool.ASSIST_T2, layer.viewport.state)
        if wrong:
            self.say(wrong)  # the tool stays: the reader clicks the right image next
            return
        # Reading again, so Enter and Esc answer the proposal when it comes.
        self.tools.set_tool(Tool.READ)
        patient = from_scene(stack, index, points)
        if tool is Tool.ASSIST_T2:
            self._run("Proposing the T2 extent",
                      lambda task: results.propose_t2(stack, patient[0], task.cancel, _progress(task)),
                      lambda proposal: results.show_t2(self, stack, proposal))
            return
        seed, box = results.seed_and_box(patient)
        self._run("Segmenting the lesion",
                  lambda task: results.segment(stack, seed, box, task.cancel, _progress(task)),
                  lambda segmentation: results.show_lesion(self, stack, segmentation))

    def painted(self, layer, points, done: bool) -> None:
        """A brush or eraser stroke on ``layer``'s slice."""
        self.masks[self.controls.layers.index(layer)].paint(
            points, self.brush_size.value(), erase=self.tools.tool is Tool.ERASER, done=done)

    def ask_disc_name(self, proposal, named) -> None:
        """Discs were found but none could be named: show them, and ask the reader to name
        the highlighted one (the others are counted from it)."""
        layer = next((l for l in self.controls.layers if l.viewport is self.window.grid.active),
                     self.controls.layers[0])
        stack, index = layer.stack_and_slice
        if stack is None:
            return
        middle = len(proposal.discs) // 2
        #: The disc the reader is asked to name (LPS), while the question is open.
        self.naming_point = proposal.discs[middle].point
        markers = []
        for k, disc in enumerate(proposal.discs):
            x, y = to_scene(stack, index, [disc.point])[0]
            marker = pg.TargetItem(pos=(x, y), size=15 if k == middle else 9, movable=False,
                                   pen=pg.mkPen(PROPOSED_COLOUR, width=2.5 if k == middle else 1.5),
                                   brush=pg.mkBrush(0, 0, 0, 0))
            marker.setZValue(135)
            layer.view_box.addItem(marker)
            markers.append(marker)
        x, y = to_scene(stack, index, [proposal.discs[middle].point])[0]
        view = layer.viewport.view
        on_view = view.mapFromScene(layer.view_box.mapViewToScene(QPointF(x, y)))
        circled = layer.viewport.mapFromGlobal(view.viewport().mapToGlobal(on_view))
        # The question goes in the half of the viewport away from the circled disc (the
        # prompt keeps itself inside the viewport).
        below = circled.y() < layer.viewport.height() // 2
        at = QPoint(0, layer.viewport.height() if below else 0)

        def clear(*_) -> None:
            self.naming_point = None
            # A window closing deletes the circles before the question: nothing left to remove.
            for marker in markers:
                if not sip.isdeleted(marker) and marker.scene() is not None:
                    layer.view_box.removeItem(marker)
            markers.clear()

        def cancelled() -> None:
            clear()
            self.say("Levels not proposed: one disc needs a name to count the others from")

        layer.open_prompt(f"{len(proposal.discs)} discs found, none named: name the circled "
                           "one (for example T12-L1); the others are counted from it",
                           check_disc_name, lambda text: (clear(), named(text, middle)), at)
        layer.prompt.cancelled.connect(cancelled)
        # Another question replacing this one takes the circles with it.
        layer.prompt.destroyed.connect(clear)
        self.say("Name the circled disc; the others are counted from it")

    # -- the reader's answer ---------------------------------------------------------------

    def _answered_ids(self) -> list[str]:
        selected = self.tools.selected
        pending = results.pending(self.session.study)
        if selected and selected in pending:
            return [selected]
        last = [item for item in self.last_run if item in pending]
        return last or pending

    def accept(self) -> bool:
        ids = self._answered_ids()
        if not ids:
            self.say("There is no proposal to accept")
            return False
        if results.accept(self, ids):
            self.say(f"Accepted: {results.describe_ids(self.session.study, ids)}, measured "
                     "now (Ctrl+Z takes it back)")
        return True

    def reject(self) -> bool:
        ids = self._answered_ids()
        if not ids:
            return False
        text = results.describe_ids(self.session.study, ids)
        if results.reject(self, ids):
            self.tools.select("")
            self.say(f"Rejected: {text} (Ctrl+Z brings it back)")
        return True

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        """Enter and Esc answer a proposal when no gesture, prompt or tool wants them.

        Only a key pressed while the viewport had the focus counts (Qt first asks the focused
        widget with a ShortcutOverride): the Enter that closes a prompt over the viewport,
        passed on to it, accepts nothing."""
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        key = event.key()
        if key not in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
            return False
        if kind == QEvent.Type.ShortcutOverride:
            busy = any(layer.input.busy or layer.prompt is not None for layer in self.controls.layers)
            self._answering = (not busy and self.tools.tool is Tool.READ and self.running is None
                               and bool(results.pending(self.session.study)))
            if self._answering:
                event.accept()
            return self._answering
        answering, self._answering = self._answering, False
        if answering:
            self.accept() if key != Qt.Key.Key_Escape else self.reject()
        return answering

    # -- observing -------------------------------------------------------------------------

    def _tool_changed(self, tool: Tool) -> None:
        for action, own in ((self.t2_action, Tool.ASSIST_T2), (self.lesion_action, Tool.ASSIST_LESION),
                            (self.brush_action, Tool.BRUSH), (self.eraser_action, Tool.ERASER)):
            action.setChecked(tool is own)

    def _session_changed(self) -> None:
        study = self.session.study
        pending = bool(results.pending(study))
        self.accept_action.setEnabled(pending)
        self.reject_action.setEnabled(pending)
        for action in (self.levels_action, self.t2_action, self.lesion_action, self.brush_action,
                       self.eraser_action):
            action.setEnabled(self.session.is_open)
