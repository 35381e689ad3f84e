"""How the reader annotates from the main window: the Annotate toolbar and menu, the Edit menu
(undo, redo, delete), the lesion selector, the measurements and findings docks, File > Export
CSV…, File > Open answer key… and File > Compare with another reader…; the Assist menu
(:mod:`spineviewer.gui.annotation.assist_controller`).

One :class:`AnnotationControls` per main window creates the
:class:`~spineviewer.gui.annotation.session.AnnotationSession`, the shared
:class:`~spineviewer.gui.annotation.tools.tool_state.ToolState` and an
:class:`~spineviewer.gui.annotation.layer.AnnotationLayer` on every viewport, and opens the
session whenever the window shows a study.
"""

from __future__ import annotations

from PyQt6.QtCore import QObject, Qt
from PyQt6.QtGui import QAction, QActionGroup, QKeySequence
from PyQt6.QtWidgets import (
    QComboBox, QDockWidget, QFileDialog, QLabel, QMenu, QMessageBox, QToolBar,
)

from spineviewer.core.annotation_file import study_folder
from spineviewer.core.proposals import accepted_levels
from spineviewer.core.edits import find_annotation, remove_annotation, remove_lesion
from spineviewer.core.model import LoadResult
from spineviewer.core.annotations import Segmentation
from spineviewer.core.masks import segmentation_stack
from spineviewer.core.stack_geometry import owning_slice, stack_geometry
from spineviewer.gui.annotation.assist_controller import AssistController
from spineviewer.gui.annotation.layer import AnnotationLayer
from spineviewer.gui.annotation.session import AnnotationSession
from spineviewer.gui.shell.browser import stack_key
from spineviewer.gui.shell.csv_export import CsvExportDialog, export_study_csv
from spineviewer.gui.annotation.findings_form import FindingsForm
from spineviewer.gui.annotation.measurements_panel import MeasurementsPanel
from spineviewer.gui.annotation.slice_projection import level_at_point, level_on_slice
from spineviewer.gui.annotation.tools import ASSIST_TOOLS, TOOL_SPECS, Tool
from spineviewer.gui.annotation.tools.drawing_builders import describe
from spineviewer.gui.annotation.tools.tool_state import ToolState

_MESSAGE_MS = 12000
#: Width of the measurements and findings docks, pixels.
DOCK_WIDTH = 340


class AnnotationControls(QObject):
    """The annotation controls of one main window.

    Attributes
    ----------
    session : AnnotationSession
    tools : ToolState
    layers : list of AnnotationLayer
        One per viewport, in the grid's order.
    tool_actions : dict
        Tool -> its checkable QAction.
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.session = AnnotationSession(self)
        self.tools = ToolState(self)
        self.layers = [AnnotationLayer(viewport, self.session, self.tools)
                       for viewport in window.grid.viewports]
        for viewport, layer in zip(window.grid.viewports, self.layers):
            viewport.stateShown.connect(lambda _, layer=layer: layer.refresh())
            viewport.slice_note = self._slice_note
        window.set_level_namer(self._level_at)
        self.measurements = MeasurementsPanel(self.session)
        self.findings = FindingsForm(self.session)
        self.measurements_dock = self._dock("Measurements", self.measurements)
        self.findings_dock = self._dock("Findings", self.findings)
        # One column of tabs beside the images: they keep most of the width.
        window.tabifyDockWidget(self.measurements_dock, self.findings_dock)
        self.measurements_dock.raise_()
        window.resizeDocks([self.measurements_dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        self._build_toolbar()
        self._build_menus()
        self.session.message.connect(self.say)
        self.findings.refused.connect(self.say)
        self.session.changed.connect(self._session_changed)
        self.tools.toolChanged.connect(self._tool_changed)
        self.measurements.drawingChosen.connect(self.show_drawing)
        self.measurements.lesionChosen.connect(self.session.set_current_lesion)
        self._session_changed()
        self.assist = AssistController(window, self)

    # -- construction ----------------------------------------------------------------------

    def _dock(self, title: str, widget) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(f"{title.lower()}Dock")
        dock.setWidget(widget)
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    def _action(self, text: str, slot, shortcuts=(), *, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(lambda _=False: slot())
        self.window.addAction(action)
        return action

    def _build_toolbar(self) -> None:
        self.window.addToolBarBreak()
        bar = QToolBar("Annotate", self.window)
        bar.setObjectName("annotateToolbar")
        bar.setMovable(False)
        self.window.addToolBar(bar)
        self.toolbar = bar
        group = QActionGroup(self)
        group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        self.tool_group = group
        self.tool_actions: dict[Tool, QAction] = {}
        for tool, spec in TOOL_SPECS.items():
            if tool in ASSIST_TOOLS:
                continue  # in the Assist menu and toolbar
            shortcuts = () if tool is Tool.READ else (spec.key,)
            action = self._action(spec.label, lambda t=tool: self.tools.set_tool(t), shortcuts,
                                  tip=f"{spec.label} ({spec.key}): {spec.hint}")
            action.setCheckable(True)
            group.addAction(action)
            bar.addAction(action)
            self.tool_actions[tool] = action
            if tool in (Tool.READ, Tool.CONUS, Tool.ENHANCEMENT_PATH):
                bar.addSeparator()
        self.tool_actions[Tool.READ].setChecked(True)
        bar.addSeparator()
        bar.addWidget(QLabel(" Lesion "))
        self.lesion_box = QComboBox()
        self.lesion_box.setObjectName("lesionSelector")
        self.lesion_box.setMinimumContentsLength(9)
        self.lesion_box.setToolTip("The lesion new measurements belong to")
        self.lesion_box.activated.connect(
            lambda i: self.session.set_current_lesion(self.lesion_box.itemData(i)))
        bar.addWidget(self.lesion_box)
        self.new_lesion_action = self._action("New lesion", self.session.new_lesion, ("N",),
                                              tip="New lesion (N): the next measurements belong to it")
        bar.addAction(self.new_lesion_action)

    def _build_menus(self) -> None:
        bar = self.window.menuBar()
        view = next((a for a in bar.actions() if a.text().replace("&", "") == "View"), None)
        edit, annotate = QMenu("&Edit", self.window), QMenu("&Annotate", self.window)
        for menu in (edit, annotate):
            if view is not None:
                bar.insertMenu(view, menu)
            else:
                bar.addMenu(menu)
        self.undo_action = self._action("&Undo", self.session.undo, ("Ctrl+Z",))
        self.redo_action = self._action("&Redo", self.session.redo, ("Ctrl+Shift+Z", "Ctrl+Y"))
        self.delete_action = self._action("&Delete the selected drawing", self.delete_selected,
                                          ("Delete", "Backspace"))
        self.delete_lesion_action = self._action("Delete the current &lesion", self.delete_lesion)
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        edit.addActions([self.delete_action, self.new_lesion_action, self.delete_lesion_action])
        annotate.addActions(list(self.tool_actions.values()))
        annotate.addSeparator()
        annotate.addAction(self.measurements_dock.toggleViewAction())
        annotate.addAction(self.findings_dock.toggleViewAction())

        file_menu = bar.actions()[0].menu()
        quit_action = next((a for a in file_menu.actions() if "Quit" in a.text()), None)
        self.export_action = self._action("&Export CSV…", self.ask_export)
        self.answer_key_action = self._action("Open answer &key…", self.toggle_answer_key)
        self.other_reader_action = self._action("Compare with another &reader…",
                                                self.ask_other_reader)
        separator = QAction(self.window)
        separator.setSeparator(True)
        for action in (self.export_action, self.answer_key_action, self.other_reader_action,
                       separator):
            file_menu.insertAction(quit_action, action)

    # -- study -----------------------------------------------------------------------------

    def study_shown(self, result: LoadResult | None, paths: list[str]) -> None:
        """Open the annotations of the study the window now shows (or close them)."""
        self.tools.select("")
        if result is None or not result.patients or not result.patients[0].studies:
            if self.session.is_open:
                self.session.close()
            return
        patient = result.patients[0]
        folder = study_folder(paths)
        if folder is None:
            self.session.close()
            return
        message = self.session.open(folder, patient.studies[-1], patient)
        if self.session.put_aside is not None:
            box = QMessageBox(QMessageBox.Icon.Warning, "Annotation file put aside", message,
                              QMessageBox.StandardButton.Ok, self.window)
            box.setModal(False)
            box.show()
            self.put_aside_box = box

    # -- actions ---------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, _MESSAGE_MS)

    def delete_selected(self) -> None:
        study, selected = self.session.study, self.tools.selected
        if study is None or not selected:
            self.say("Click a drawing to select it, then press Delete")
            return
        try:
            drawing, _ = find_annotation(study, selected)
        except KeyError:
            self.tools.select("")
            return
        if self.session.apply(remove_annotation, selected, label=f"delete {describe(drawing)}"):
            self.tools.select("")

    def delete_lesion(self) -> None:
        lesion_id = self.session.current_lesion_id
        if lesion_id is None:
            self.say("There is no lesion to delete")
            return
        self.session.apply(remove_lesion, lesion_id, label=f"delete lesion {lesion_id}")

    def ask_export(self) -> None:
        study = self.session.study
        if study is None:
            self.say("Open a study first")
            return
        folder = self.session.path.parent if self.session.path is not None else None
        dialog = CsvExportDialog(folder, self.window)
        self.export_dialog = dialog
        if dialog.exec() != CsvExportDialog.DialogCode.Accepted:
            return
        self.export(dialog.folder.text().strip(), pseudonym=dialog.chosen_pseudonym)

    def export(self, folder, *, pseudonym: str | None = None) -> None:
        try:
            lesions, patients = export_study_csv(self.session.study, folder, pseudonym=pseudonym)
        except (OSError, ValueError) as exc:
            self.say(f"The CSV tables could not be written to {folder}: {exc}")
            return
        self.say(f"Wrote {lesions} and {patients.name}")

    def toggle_answer_key(self) -> None:
        if self.session.reference is not None:
            title = self.session.reference_title
            self.session.hide_answer_key()
            self.say(f"{title} hidden")
            return
        self.say(self.session.load_answer_key())

    def ask_other_reader(self) -> None:
        """Pick another reader's annotation file of this study to show beside one's own."""
        folder = str(self.session.path.parent) if self.session.path else ""
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Another reader's annotations of this study", folder,
            "spineviewer annotations (*.json)")
        if path:
            self.say(self.session.load_other_reader(path))

    def show_drawing(self, drawing_id: str) -> None:
        """Show the slice a drawing was drawn on: in a viewport already showing its stack, else
        in one showing the same plane, else in the active one; and select the drawing."""
        study, result = self.session.study, self.window.result
        if study is None:
            return
        try:
            drawing, lesion_id = find_annotation(study, drawing_id)
        except KeyError:
            return
        found = next(((s, i) for s in (result.iter_stacks() if result else ())
                      if (i := _slice_of(s, drawing)) is not None), None)
        if found is None:
            self.say(f"The image this {describe(drawing)} was drawn on is not in the open study")
            return
        stack, index = found
        grid = self.window.grid
        visible = [v for v in grid.visible_viewports() if v.state is not None]
        viewport = next((v for v in visible if v.state.stack is stack), None)
        if viewport is None:
            viewport = next((v for v in visible if v.state.stack.plane == stack.plane), grid.active)
            self.window.show_stack(viewport, stack_key(stack))
        viewport.state.set_slice(index)
        grid.set_active(viewport)
        if lesion_id is not None:
            self.session.set_current_lesion(lesion_id)
        self.tools.select(drawing_id)

    # -- observing -------------------------------------------------------------------------

    def _session_changed(self) -> None:
        session = self.session
        history = session.history
        self.undo_action.setEnabled(bool(history and history.can_undo))
        self.redo_action.setEnabled(bool(history and history.can_redo))
        self.undo_action.setText(f"&Undo {history.undo_label}" if history and history.can_undo else "&Undo")
        self.redo_action.setText(f"&Redo {history.redo_label}" if history and history.can_redo else "&Redo")
        for action in (self.export_action, self.answer_key_action, self.other_reader_action,
                       self.new_lesion_action, self.delete_lesion_action):
            action.setEnabled(session.is_open)
        title = session.reference_title
        self.answer_key_action.setText(
            "Open answer &key…" if session.reference is None
            else "Hide the answer &key" if title == "Answer key" else f"Hide {title}")
        study = session.study
        self.lesion_box.blockSignals(True)
        self.lesion_box.clear()
        if study is None or not study.lesions:
            self.lesion_box.addItem("(none yet)", None)
        else:
            for lesion in study.lesions:
                self.lesion_box.addItem(f"Lesion {lesion.lesion_id}", lesion.lesion_id)
            self.lesion_box.setCurrentIndex(max(0, self.lesion_box.findData(session.current_lesion_id)))
        self.lesion_box.blockSignals(False)
        for viewport in self.window.grid.viewports:
            viewport.refresh_overlay()

    def _tool_changed(self, tool: Tool) -> None:
        if tool in self.tool_actions:
            self.tool_actions[tool].setChecked(True)
        elif self.tool_group.checkedAction() is not None:
            self.tool_group.checkedAction().setChecked(False)
        self.say(TOOL_SPECS[tool].hint)

    def _level_at(self, point) -> str | None:
        study = self.session.study
        return level_at_point(accepted_levels(study), point) if study is not None else None

    def _slice_note(self, state) -> str:
        """The level an axial slice cuts, for its corner text."""
        study = self.session.study
        if study is None or state is None or state.stack.plane != "axial":
            return ""
        level = level_on_slice(accepted_levels(study), state.stack, state.slice_index)
        return f"Level {level}" if level else ""


def _slice_of(stack, drawing) -> int | None:
    """The slice of ``stack`` to show a drawing on: a mask's slice through its centre (it
    names its stack by its first slice), another drawing's own image."""
    if isinstance(drawing, Segmentation):
        if segmentation_stack([stack], drawing) is None:
            return None
        return stack_geometry(stack).nearest(drawing.centre)
    return owning_slice(stack, drawing)
