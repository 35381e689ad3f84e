"""The measurements dock: every lesion's numbers from :mod:`spineviewer.core.metrics`, the
patient summary, and a row per drawing; a click shows the image the value was measured on.

The panel observes the session and recomputes from the stored annotations (patient LPS mm)
each time they change; it never reads the items on screen. Each row knows the drawing that
gave its value (``DRAWING_ROLE``): the first source the core recorded in the row's
:class:`~spineviewer.core.measurement.Measurement`, so the panel never re-applies the metric
rules. The lesion row knows its lesion (``LESION_ROLE``).
With the answer key loaded, a second value column shows the key's numbers for comparison.
Values wrap within their column (a row grows a line rather than cutting a word), so both
columns read whole in a dock beside the images.
"""

from __future__ import annotations

from dataclasses import replace

from PyQt6.QtCore import QRect, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QFont
from PyQt6.QtWidgets import (
    QComboBox, QHBoxLayout, QHeaderView, QLabel, QStyledItemDelegate, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from spineviewer.core.annotations import Lesion, StudyAnnotations
from spineviewer.core.proposals import accepted_levels
from spineviewer.core.edits import set_segment_rule
from spineviewer.core.levels import SegmentRule
from spineviewer.core.measurement import Measurement
from spineviewer.core.metrics import LesionMetrics, PatientMetrics, patient_metrics
from spineviewer.gui.annotation.items import PROPOSED_COLOUR
from spineviewer.gui.annotation.tools.drawing_builders import describe
from spineviewer.gui.annotation.drawing_values import count_text, drawing_value

DRAWING_ROLE = Qt.ItemDataRole.UserRole
LESION_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_ROLE = Qt.ItemDataRole.UserRole + 2
_KEY_COLOUR = QColor("#5cf08a")

#: Rows of a lesion in reading order: machine name, the reader's label, and the
#: :class:`~spineviewer.core.metrics.LesionMetrics` field whose source drawing a click shows
#: (levels and location come from the enhancing extent).
LESION_ROWS = (
    ("ap", "AP", "ap"), ("transverse", "Transverse", "transverse"), ("si", "SI", "si"),
    ("enhancement", "Enhancement", "enhancement_length"), ("t2", "T2 extent", "t2_length"),
    ("ratio", "T2 / enhancement", "t2_enhancement_ratio"),
    ("levels", "Levels", "enhancement_length"), ("location", "Location", "enhancement_length"),
    ("volume", "Volume", "volume"),
)


def _number(m: Measurement | None, digits: int = 1) -> str:
    if m is None:
        return ""
    if isinstance(m.value, int):
        return str(m.value)
    return f"{m.value:.{digits}f}"


def _size(m: Measurement | None) -> str:
    return "" if m is None else f"{m.value:.1f} {m.unit.value}"


def _extent(metrics: LesionMetrics, prefix: str, rule: SegmentRule) -> str:
    segments = getattr(metrics, f"{prefix}_segments")
    length = getattr(metrics, f"{prefix}_length")
    parts = []
    if segments is not None:
        parts.append(count_text(segments.value, rule))
    if length is not None:
        parts.append(f"{length.value:.1f} {length.unit.value}")
    return ", ".join(parts)


def _fraction_tip(metrics: LesionMetrics, prefix: str) -> str:
    fractional = getattr(metrics, f"{prefix}_segments_fractional")
    touched = getattr(metrics, f"{prefix}_levels_touched")
    if fractional is None:
        return ""
    return (f"{fractional.value:.2f} segments from its top to its bottom; "
            f"{count_text(touched.value, SegmentRule.TOUCHED)}")


def lesion_values(metrics: LesionMetrics, rule: SegmentRule = SegmentRule.SPAN) -> dict[str, str]:
    """The text of each row of :data:`LESION_ROWS` for one lesion ('' when not measured);
    extents are counted as ``rule`` counts them."""
    ratio = ""
    if metrics.t2_enhancement_ratio is not None:
        ratio = f"{metrics.t2_enhancement_ratio.value:g}"
        if metrics.t2_enhancement_ratio_mm is not None:
            ratio += f" ({metrics.t2_enhancement_ratio_mm.value:.1f} by length)"
    location = ""
    if metrics.location is not None:
        chosen = metrics.location is not metrics.location_suggested
        location = metrics.location.value + (" (reader)" if chosen else " (suggested)")
    levels = ""
    if metrics.level_top:
        levels = (metrics.level_top if metrics.level_top == metrics.level_bottom
                  else f"{metrics.level_top}–{metrics.level_bottom}")
    return {
        "ap": _size(metrics.ap), "transverse": _size(metrics.transverse), "si": _size(metrics.si),
        "enhancement": _extent(metrics, "enhancement", rule), "t2": _extent(metrics, "t2", rule),
        "ratio": ratio, "levels": levels, "location": location,
        "volume": "" if metrics.volume is None else f"{metrics.volume.value:.0f} {metrics.volume.unit.value}",
    }


def _no_t2_extent(metrics) -> str:
    """Why the patient has no longest T2 extent in segments."""
    if not any(lesion.t2_length is not None for lesion in metrics.lesions):
        return "no T2 path drawn"
    return "mark two discs to count segments"


def source_drawing(metrics: LesionMetrics, field: str) -> str:
    """The id of the drawing a metric was computed from (its first source), '' for none."""
    measurement = getattr(metrics, field)
    return measurement.sources[0] if measurement is not None and measurement.sources else ""


class _WrappingValues(QStyledItemDelegate):
    """Row heights that fit the value columns' text wrapped at their width.

    A tree view asks for a row's height without saying how wide each column is, so wrapped
    text would be cut to one line; here the value columns are measured at their own width.
    The label column is left unwrapped: its width is fitted to its contents.
    """

    def sizeHint(self, option, index):  # noqa: N802 - Qt override
        if index.column() > 0:
            # A rectangle of any positive height: the style wraps only within a valid one.
            option.rect = QRect(0, 0, self.parent().columnWidth(index.column()), 1)
        return super().sizeHint(option, index)


class MeasurementsPanel(QWidget):
    """A tree: the patient summary, then each lesion with its values and its drawings.

    Signals
    -------
    drawingChosen(drawing_id)
        The reader clicked a row whose value comes from a drawing.
    lesionChosen(lesion_id)
        The reader clicked a lesion's row.
    """

    drawingChosen = pyqtSignal(str)
    lesionChosen = pyqtSignal(int)

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.tree = QTreeWidget()
        self.tree.setObjectName("measurementsTree")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["", "Value", "Answer key"])
        self.tree.setRootIsDecorated(True)
        self.tree.setWordWrap(True)
        self.tree.setItemDelegate(_WrappingValues(self.tree))
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # Wider or narrower columns wrap differently: the rows are measured again.
        header.sectionResized.connect(lambda *_: self.tree.doItemsLayout())
        self.tree.setIndentation(12)
        self.rule = QComboBox()
        self.rule.setObjectName("segmentRule")
        for rule in SegmentRule:
            self.rule.addItem(rule.label, rule)
        self.rule.setToolTip("How this study counts an extent in vertebral segments: its length "
                             "in segments, rounded (as the ISCM series counts), or the number of "
                             "levels it touches. Saved with the study's annotations.")
        self.rule.activated.connect(self._rule_chosen)
        rule_row = QHBoxLayout()
        rule_row.setContentsMargins(6, 4, 6, 2)
        rule_row.addWidget(QLabel("Count segments by"))
        rule_row.addWidget(self.rule, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(rule_row)
        layout.addWidget(self.tree)
        self.tree.itemClicked.connect(self._clicked)
        session.changed.connect(self.refresh)
        self.refresh()

    def row(self, lesion_id: int | None, name: str) -> QTreeWidgetItem | None:
        """The row ``name`` of a lesion (a :data:`LESION_ROWS` name or a drawing id), or of
        the patient summary with ``lesion_id=None``."""
        for top in range(self.tree.topLevelItemCount()):
            parent = self.tree.topLevelItem(top)
            if parent.data(0, LESION_ROLE) != lesion_id:
                continue
            for k in range(parent.childCount()):
                child = parent.child(k)
                if name in (child.data(0, NAME_ROLE), child.data(0, DRAWING_ROLE)):
                    return child
        return None

    def value(self, lesion_id: int | None, name: str) -> str:
        """The text in the Value column of :meth:`row` ('' when there is no such row)."""
        item = self.row(lesion_id, name)
        return item.text(1) if item is not None else ""

    def refresh(self) -> None:
        self.tree.clear()
        study = self.session.study
        self.rule.setEnabled(study is not None)
        if study is None:
            self.tree.setColumnHidden(2, True)
            return
        self.rule.setCurrentIndex(self.rule.findData(study.segment_rule))
        reference = self.session.reference
        if reference is not None:
            # The key is compared under the reader's rule, so both columns count alike.
            reference = replace(reference, segment_rule=study.segment_rule)
        self.tree.setColumnHidden(2, reference is None)
        self.tree.headerItem().setText(2, self.session.reference_title or "Answer key")
        metrics = patient_metrics(study)
        key = patient_metrics(reference) if reference is not None else None
        self._patient_rows(study, metrics, key)
        key_metrics = {m.lesion_id: m for m in key.lesions} if key is not None else {}
        current = self.session.current_lesion_id
        for lesion, values in zip(study.lesions, metrics.lesions):
            self._lesion_rows(study, lesion, values, key_metrics.get(lesion.lesion_id),
                              lesion.lesion_id == current)
        for lesion_id, values in key_metrics.items():
            if all(lesion.lesion_id != lesion_id for lesion in study.lesions):
                self._lesion_rows(study, None, values, values, False, only_key=True)
        self.tree.expandAll()

    def _patient_rows(self, study: StudyAnnotations, metrics: PatientMetrics,
                      key: PatientMetrics | None) -> None:
        top = QTreeWidgetItem(["Patient", "", ""])
        top.setData(0, LESION_ROLE, None)
        _bold(top)
        self.tree.addTopLevelItem(top)
        lesions = f"{metrics.n_lesions}" + (f" ({metrics.multiplicity.value})" if metrics.multiplicity else "")
        rule = study.segment_rule
        rows = [("lesions", "Lesions", lesions, str(key.n_lesions) if key else ""),
                ("max_t2_segments", "Longest T2 extent",
                 count_text(metrics.max_t2_segments.value, rule) if metrics.max_t2_segments
                 else _no_t2_extent(metrics),
                 count_text(key.max_t2_segments.value, rule) if key and key.max_t2_segments else "")]
        for name, label in (("primary_to_presentation", "Primary → ISCM presentation"),
                            ("primary_to_diagnosis", "Primary → ISCM diagnosis")):
            value = getattr(metrics, name)
            if value is not None:
                rows.append((name, label, f"{value.value:.2f} years", ""))
        for name, label, value, key_value in rows:
            child = QTreeWidgetItem([label, value, key_value])
            child.setData(0, NAME_ROLE, name)
            _key_colour(child)
            top.addChild(child)

    def _lesion_rows(self, study, lesion: Lesion | None, metrics: LesionMetrics,
                     key: LesionMetrics | None, current: bool, *, only_key: bool = False) -> None:
        values = lesion_values(metrics, study.segment_rule) if not only_key else {}
        key_values = lesion_values(key, study.segment_rule) if key is not None else {}
        title = f"Lesion {metrics.lesion_id}" + ("  (answer key only)" if only_key else "")
        summary = ", ".join(v for v in (values.get("levels"), metrics.location.value if (
            metrics.location and not only_key) else "") if v)
        top = QTreeWidgetItem([title, summary, ""])
        top.setData(0, LESION_ROLE, metrics.lesion_id)
        if current:
            _bold(top)
            top.setText(0, f"▶ {title}")
        self.tree.addTopLevelItem(top)
        for name, label, field in LESION_ROWS:
            value, key_value = values.get(name, ""), key_values.get(name, "")
            if not value and not key_value:
                continue
            child = QTreeWidgetItem([label, value, key_value])
            child.setData(0, NAME_ROLE, name)
            child.setToolTip(2, key_value)
            if name in ("enhancement", "t2") and not only_key:
                child.setToolTip(0, _fraction_tip(metrics, name))
            source = source_drawing(metrics, field) if lesion is not None else ""
            if source:
                child.setData(0, DRAWING_ROLE, source)
                child.setToolTip(1, f"{value}\nClick to show the image it was measured on")
            _key_colour(child)
            top.addChild(child)
        if lesion is None:
            return
        levels = accepted_levels(study)
        for drawing in lesion.annotations:
            # A proposal is listed, in magenta, but counted in no value above until accepted.
            name = f"  {describe(drawing)}" + (" (proposed)" if drawing.proposed else "")
            child = QTreeWidgetItem([name, drawing_value(drawing, levels, named=False,
                                                         segment_rule=study.segment_rule), ""])
            child.setData(0, DRAWING_ROLE, drawing.id)
            child.setForeground(0, QBrush(QColor(PROPOSED_COLOUR if drawing.proposed else "#9aa3ae")))
            tip = ("Proposed: not measured until accepted (Enter)\n" if drawing.proposed else "")
            child.setToolTip(1, f"{tip}{child.text(1)}\nClick to show the image it was drawn on")
            top.addChild(child)

    def _rule_chosen(self, index: int) -> None:
        rule = self.rule.itemData(index)
        study = self.session.study
        if study is not None and rule is not study.segment_rule:
            self.session.apply(set_segment_rule, rule, label=f"count segments by {rule.label}")

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        parent = item.parent()
        lesion_id = (parent if parent is not None else item).data(0, LESION_ROLE)
        drawing_id = item.data(0, DRAWING_ROLE) if parent is not None else ""
        # Choosing a lesion rebuilds this tree: not while Qt is still delivering the click.
        QTimer.singleShot(0, lambda: self._choose(lesion_id, drawing_id))

    def _choose(self, lesion_id, drawing_id) -> None:
        if lesion_id is not None:
            self.lesionChosen.emit(int(lesion_id))
        if drawing_id:
            self.drawingChosen.emit(str(drawing_id))


def _bold(item: QTreeWidgetItem) -> None:
    font = QFont(item.font(0))
    font.setBold(True)
    item.setFont(0, font)


def _key_colour(item: QTreeWidgetItem) -> None:
    item.setForeground(2, QBrush(_KEY_COLOUR))
