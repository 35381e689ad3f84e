"""The study browser: patient > study > series (> stack) with plane, slice count, thumbnail.

Each series shows its thumbnail (middle slice), its number and description, and on a second
line its plane, slice count and matrix, so the dock can stay narrow.

Double-click a series to show it in the active viewport, or drag it onto any viewport. Items
carry a key (``series_uid\\nstack_number``) rather than the stack itself; the main window
resolves it in the open study.
"""

from __future__ import annotations

from PyQt6.QtCore import QMimeData, QSize, Qt, pyqtSignal
from PyQt6.QtGui import QIcon, QPixmap
from PyQt6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QWidget

from spineviewer.core.model import LoadResult, Series, Stack
from spineviewer.gui.shell.background import BackgroundWork
from spineviewer.gui.reading.overlay_text import format_date, format_person_name
from spineviewer.gui.reading.scene import length_unit, pixel_spacing
from spineviewer.gui.shell.thumbnails import THUMBNAIL_SIZE, stack_thumbnail
from spineviewer.gui.reading.viewport import STACK_MIME

_KEY_ROLE = Qt.ItemDataRole.UserRole


def stack_key(stack: Stack) -> str:
    """The browser's and drag-and-drop's name for a stack."""
    return f"{stack.series_uid}\n{stack.number}"


def find_stack(result: LoadResult | None, key: str) -> Stack | None:
    """The stack a :func:`stack_key` names in ``result``."""
    if result is None or "\n" not in key:
        return None
    series_uid, number = key.rsplit("\n", 1)
    series = result.series_by_uid(series_uid)
    if series is None:
        return None
    return next((s for s in series.stacks if str(s.number) == number), None)


def _stack_line(stack: Stack) -> str:
    slices, rows, cols = stack.shape
    return f"{stack.plane} · {slices} slice{'s' if slices != 1 else ''} · {cols}×{rows}"


def _describe_stack(stack: Stack) -> str:
    slices, rows, cols = stack.shape
    spacing_r, spacing_c = pixel_spacing(stack)
    unit = length_unit(stack).value
    lines = [f"{stack.plane}, {slices} slices of {cols} x {rows}",
             f"pixel {spacing_c:.2f} x {spacing_r:.2f} {unit}, slices {stack.geometry.spacing[2]:.2f} mm apart"]
    lines += stack.notes
    return "\n".join(lines)


class StudyBrowser(QTreeWidget):
    """Tree of the open study; emits ``stackActivated(key)`` on double-click or Enter."""

    stackActivated = pyqtSignal(str)

    def __init__(self, work: BackgroundWork, parent: QWidget | None = None):
        super().__init__(parent)
        self._work = work
        self._generation = 0
        self.setObjectName("studyBrowser")
        self.setColumnCount(1)
        self.setHeaderHidden(True)
        self.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformRowHeights(False)
        self.setAlternatingRowColors(False)
        self.setIndentation(14)
        self.itemActivated.connect(self._activated)

    def set_result(self, result: LoadResult | None) -> None:
        """Show ``result`` (None: empty) and start making thumbnails in the background."""
        self._generation += 1
        self.clear()
        if result is None:
            return
        for patient in result.patients:
            name = format_person_name(patient.name) or "(no name)"
            patient_item = QTreeWidgetItem([f"{name}   {patient.id}".rstrip()])
            self.addTopLevelItem(patient_item)
            for study in patient.studies:
                title = "  ".join(p for p in (format_date(study.date), study.description) if p)
                study_item = QTreeWidgetItem([title or "(undated study)"])
                patient_item.addChild(study_item)
                for series in study.series:
                    study_item.addChild(self._series_item(series))
                study_item.setExpanded(True)
            patient_item.setExpanded(True)

    def _series_item(self, series: Series) -> QTreeWidgetItem:
        number = f"{series.number}  " if series.number is not None else ""
        main = series.stacks[0]
        if len(series.stacks) > 1:
            planes = sorted({stack.plane for stack in series.stacks})
            details = f"{' / '.join(planes)} · {series.n_images} images in {len(series.stacks)} stacks"
        else:
            details = _stack_line(main)
        item = QTreeWidgetItem([f"{number}{series.description or '(no description)'}\n{details}"])
        item.setData(0, _KEY_ROLE, stack_key(main))
        item.setToolTip(0, _describe_stack(main))
        self._request_thumbnail(item, main)
        if len(series.stacks) > 1:
            for stack in series.stacks:
                child = QTreeWidgetItem([f"stack {stack.number}\n{_stack_line(stack)}"])
                child.setData(0, _KEY_ROLE, stack_key(stack))
                child.setToolTip(0, _describe_stack(stack))
                item.addChild(child)
                self._request_thumbnail(child, stack)
        return item

    def _request_thumbnail(self, item: QTreeWidgetItem, stack: Stack) -> None:
        generation = self._generation

        def show(image) -> None:
            if generation == self._generation:
                item.setIcon(0, QIcon(QPixmap.fromImage(image)))

        self._work.submit(lambda task: stack_thumbnail(stack), label="thumbnail",
                          reported=False, on_done=show)

    def _activated(self, item: QTreeWidgetItem, column: int) -> None:
        key = item.data(0, _KEY_ROLE)
        if key:
            self.stackActivated.emit(key)

    def mimeData(self, items) -> QMimeData:  # noqa: N802 - Qt override
        data = QMimeData()
        keys = [item.data(0, _KEY_ROLE) for item in items if item.data(0, _KEY_ROLE)]
        if keys:
            data.setData(STACK_MIME, keys[0].encode("utf-8"))
        return data

    def key_items(self) -> list[QTreeWidgetItem]:
        """Every item that names a stack, in tree order."""
        found = []

        def walk(item: QTreeWidgetItem) -> None:
            if item.data(0, _KEY_ROLE):
                found.append(item)
            for k in range(item.childCount()):
                walk(item.child(k))

        for k in range(self.topLevelItemCount()):
            walk(self.topLevelItem(k))
        return found
