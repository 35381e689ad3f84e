"""The annotation tools a reader picks in the toolbar or with a key, and what each one draws.

One tool is active for every viewport at a time (as on a PACS workstation). With
:attr:`Tool.READ` the mouse reads images (drag = window/level); every other tool turns mouse
input on the image into one gesture (:class:`Gesture`) and then into an edit of the
annotations (:mod:`spineviewer.gui.annotation.tools.drawing_builders`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Gesture(str, Enum):
    """How a tool is drawn with the mouse."""

    NONE = "none"          #: reading: the tools take no input
    POINT = "point"        #: one click
    LINE = "line"          #: press, drag, release
    POLYLINE = "polyline"  #: clicks; double-click or Enter finishes
    POLYGON = "polygon"    #: clicks; double-click or Enter closes the outline
    SEED = "seed"          #: one click, or a drag that draws a box (an assisted proposal's seed)
    PAINT = "paint"        #: press and drag paints a stroke (mask brush and eraser)


class Tool(str, Enum):
    """Every annotation tool."""

    READ = "read"
    LEVELS = "levels"
    CONUS = "conus"
    SI = "si"
    AP = "ap"
    BIDIRECTIONAL = "bidirectional"
    T2_PATH = "t2-path"
    ENHANCEMENT_PATH = "enhancement-path"
    OUTLINE = "outline"
    ARROW = "arrow"
    TEXT = "text"
    ASSIST_T2 = "assist-t2"
    ASSIST_LESION = "assist-lesion"
    BRUSH = "brush"
    ERASER = "eraser"


@dataclass(frozen=True)
class ToolSpec:
    """A tool's button text, key, gesture, status-bar hint and whether it needs a sagittal image."""

    tool: Tool
    label: str
    key: str
    gesture: Gesture
    hint: str
    sagittal_only: bool = False


TOOL_SPECS: dict[Tool, ToolSpec] = {spec.tool: spec for spec in (
    ToolSpec(Tool.READ, "Read", "Esc", Gesture.NONE,
             "Reading: wheel scrolls, drag sets window/level"),
    ToolSpec(Tool.LEVELS, "Levels", "L", Gesture.POINT,
             "Click the posterior margin of each disc on a sagittal image; name the first one. "
             "Drag a marker to move it, right-click it to rename or delete it", sagittal_only=True),
    ToolSpec(Tool.CONUS, "Conus tip", "K", Gesture.POINT,
             "Click the tip of the conus medullaris on a sagittal image", sagittal_only=True),
    ToolSpec(Tool.SI, "SI caliper", "S", Gesture.LINE,
             "Drag from the upper to the lower end of the enhancing lesion (sagittal post-contrast)"),
    ToolSpec(Tool.AP, "AP caliper", "A", Gesture.LINE,
             "Drag across the enhancing lesion, front to back (sagittal post-contrast)"),
    ToolSpec(Tool.BIDIRECTIONAL, "Bidirectional", "B", Gesture.LINE,
             "Drag the long axis of the lesion on an axial post-contrast image; then drag the "
             "ends of the short axis"),
    ToolSpec(Tool.T2_PATH, "T2 path", "T", Gesture.POLYLINE,
             "Click along the cord from the top to the bottom of the T2 hyperintensity; "
             "double-click or Enter finishes, Backspace takes back a point"),
    ToolSpec(Tool.ENHANCEMENT_PATH, "Enhancement path", "E", Gesture.POLYLINE,
             "Click along the cord from the top to the bottom of the enhancement; "
             "double-click or Enter finishes"),
    ToolSpec(Tool.OUTLINE, "Outline", "O", Gesture.POLYGON,
             "Click around the enhancing lesion; double-click or Enter closes the outline"),
    ToolSpec(Tool.ARROW, "Arrow", "Shift+A", Gesture.LINE,
             "Drag from the finding to where the arrow's tail and text go"),
    ToolSpec(Tool.TEXT, "Text", "Shift+T", Gesture.POINT, "Click where the note goes"),
    ToolSpec(Tool.ASSIST_T2, "Propose T2 extent", "Shift+P", Gesture.SEED,
             "Click inside the cord T2 hyperintensity on a sagittal T2 image", sagittal_only=True),
    ToolSpec(Tool.ASSIST_LESION, "Segment lesion", "Shift+G", Gesture.SEED,
             "Click the enhancing lesion on the sagittal post-contrast series, or drag a box "
             "around it", sagittal_only=True),
    ToolSpec(Tool.BRUSH, "Mask brush", "Shift+B", Gesture.PAINT,
             "Paint onto the lesion mask ([ and ] change the brush size); Esc ends"),
    ToolSpec(Tool.ERASER, "Mask eraser", "Shift+E", Gesture.PAINT,
             "Erase from the lesion mask ([ and ] change the size); Esc ends"),
)}

#: Tools of the Assist menu and toolbar (the Annotate toolbar leaves them out).
ASSIST_TOOLS = frozenset({Tool.ASSIST_T2, Tool.ASSIST_LESION, Tool.BRUSH, Tool.ERASER})

#: Tools whose drawings belong to the current lesion (the others are free teaching drawings).
LESION_TOOLS = frozenset({Tool.SI, Tool.AP, Tool.BIDIRECTIONAL, Tool.T2_PATH,
                          Tool.ENHANCEMENT_PATH, Tool.OUTLINE})


def annotation_shortcuts() -> list[tuple[str, str]]:
    """Rows for Help > Keyboard shortcuts: every tool's key, then the editing keys."""
    rows = [(spec.key, f"{spec.label}: {spec.hint}") for spec in TOOL_SPECS.values()]
    return rows + [
        ("N", "New lesion: the next measurements belong to it"),
        ("Click a drawing, Delete", "Delete that drawing"),
        ("Drag a handle", "Edit a drawing (one undo step)"),
        ("Right-click a disc marker", "Rename or delete the disc (levels tool)"),
        ("Shift+L", "Propose levels (discs and conus tip) on the sagittal T2 series"),
        ("Enter / Esc", "Accept / reject the selected proposal, or all of the last one"),
        ("[ / ]", "Smaller / larger mask brush"),
        ("Ctrl+Z", "Undo (Edit menu says what)"),
        ("Ctrl+Shift+Z, Ctrl+Y", "Redo"),
    ]
