"""Text on figures: Pillow's bundled font, outlined letters, labels that do not overlap.

Coordinates are canvas pixels ``(x, y)`` = ``(column, row)``, as in :mod:`.raster`. Text is
drawn white (or in its annotation's colour) with a black outline, so it reads on any tissue.
Only Pillow's own default font is used (a scalable sans serif when Pillow has FreeType, its
bitmap font otherwise), so a figure looks the same on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

Color = tuple[int, int, int]
Box = tuple[float, float, float, float]  # left, top, right, bottom

WHITE: Color = (255, 255, 255)
BLACK: Color = (0, 0, 0)


@lru_cache(maxsize=32)
def font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's default font at ``size`` pixels (its fixed bitmap font without FreeType)."""
    try:
        return ImageFont.load_default(size=max(int(size), 6))
    except (ImportError, OSError):  # pragma: no cover - Pillow built without FreeType
        return ImageFont.load_default()


def outline_width(size: int) -> int:
    """Width of the black outline around letters of ``size`` pixels."""
    return max(1, round(size / 9))


def text_size(text: str, size: int) -> tuple[int, int]:
    """``(width, height)`` in pixels of ``text`` drawn with its outline."""
    left, top, right, bottom = font(size).getbbox(text, stroke_width=outline_width(size))
    return right - left, bottom - top


def draw_text(image: Image.Image, text: str, top_left, size: int, *, color: Color = WHITE,
              outline: Color | None = BLACK) -> Box:
    """Draw ``text`` with its top left corner at ``top_left``; returns its box."""
    typeface = font(size)
    stroke = outline_width(size) if outline is not None else 0
    left, top, right, bottom = typeface.getbbox(text, stroke_width=stroke)
    x, y = float(top_left[0]) - left, float(top_left[1]) - top
    ImageDraw.Draw(image).text((x, y), text, font=typeface, fill=color, stroke_width=stroke,
                               stroke_fill=outline)
    return (float(top_left[0]), float(top_left[1]), float(top_left[0]) + right - left,
            float(top_left[1]) + bottom - top)


def wrap(text: str, size: int, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` pixels (a longer word keeps its line)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and text_size(candidate, size)[0] > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


_DIAGONALS = ((0.7, -0.7), (-0.7, -0.7), (0.7, 0.7), (-0.7, 0.7))


@dataclass
class Label:
    """A piece of text waiting for a place near its anchor."""

    text: str
    anchor: tuple[float, float]
    size: int
    color: Color = WHITE
    #: Preferred directions ``(dx, dy)`` from the anchor, best first.
    directions: tuple[tuple[float, float], ...] = ((1.0, 0.0), (-1.0, 0.0), (0.0, -1.0), (0.0, 1.0))
    gap: float = 4.0
    #: False: leave the label out when it finds no free place (instead of covering another).
    required: bool = True
    #: ``(width, height)`` of text measured by whoever draws it (a viewer's own font), in the
    #: lettering's pixels; None: Pillow's default font at ``size``, as figures draw it.
    extent: tuple[float, float] | None = None
    #: The distances tried from the anchor, in gaps, nearest first.
    reach: tuple[float, ...] = (1.0, 3.0, 6.0, 10.0)


@dataclass
class Lettering:
    """Places labels beside their anchors, inside the image and clear of each other.

    Figures place and draw their labels with it; the viewer places its own text with it too
    (each label's measured ``extent``, in screen pixels) and draws it itself.

    Each label tries its directions (then the diagonals) in order at growing distances and
    takes the first place that is inside the image and overlaps neither a label placed before
    nor the ``ink`` (the drawn lines); when none is free, it takes the least crowded one. A
    label that ends up away from its anchor gets a thin leader line to it.
    """

    width: int
    height: int
    margin: float = 2.0
    placed: list[tuple[Label, Box]] = field(default_factory=list)
    #: Pixels (rows, cols) that labels must not cover, such as drawn lines; None for none.
    ink: np.ndarray | None = None

    def reserve(self, box: Box) -> None:
        """Keep other labels out of ``box`` (a panel letter, a scale bar)."""
        self.placed.append((Label("", (0.0, 0.0), 1), box))

    def add(self, label: Label) -> Box | None:
        """Find a place for ``label`` and keep it; returns its box (None when a label that is
        not required found no free place and was left out)."""
        w, h = label.extent or text_size(label.text, label.size)
        directions = label.directions
        if label.required:
            directions = directions + _DIAGONALS
        candidates = [self._box(label, direction, w, h, distance)
                      for distance in (label.gap * k for k in label.reach)
                      for direction in directions]
        box = next((b for b in candidates if self._inside(b) and not self._overlaps(b)), None)
        if box is None:
            if not label.required:
                return None
            box = min((self._clamped(b) for b in candidates), key=self._crowding)
        self.placed.append((label, box))
        return box

    def draw(self, image: Image.Image) -> None:
        """Draw every placed label onto ``image``, with a thin leader line to its anchor when it
        had to move away from it."""
        draw = ImageDraw.Draw(image)
        for label, box in self.placed:
            leader = self.leader(label, box)
            if leader is not None:
                draw.line(leader, fill=label.color, width=1)
        for label, box in self.placed:
            if label.text:
                draw_text(image, label.text, box[:2], label.size, color=label.color)

    @staticmethod
    def leader(label: Label, box: Box) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The line from a label's anchor to the nearest point of its ``box`` when the label
        had to move more than three gaps away from it (None otherwise, and for a label that
        was not required or has no text)."""
        if not label.text or not label.required:
            return None
        near = (min(max(label.anchor[0], box[0]), box[2]), min(max(label.anchor[1], box[1]), box[3]))
        if np.hypot(near[0] - label.anchor[0], near[1] - label.anchor[1]) <= 3 * label.gap:
            return None
        return (label.anchor[0], label.anchor[1]), near

    def _box(self, label: Label, direction, w: float, h: float, distance: float) -> Box:
        dx, dy = np.asarray(direction, dtype=float) / max(np.hypot(*direction), 1e-9)
        reach = abs(dx) * w / 2 + abs(dy) * h / 2 + distance
        cx, cy = label.anchor[0] + dx * reach, label.anchor[1] + dy * reach
        return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    def _inside(self, box: Box) -> bool:
        m = self.margin
        return box[0] >= m and box[1] >= m and box[2] <= self.width - m and box[3] <= self.height - m

    def _overlaps(self, box: Box) -> bool:
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
               for _, b in self.placed):
            return True
        if self.ink is None:
            return False
        x0, y0 = max(int(box[0]), 0), max(int(box[1]), 0)
        return bool(self.ink[y0:int(np.ceil(box[3])) + 1, x0:int(np.ceil(box[2])) + 1].any())

    def _crowding(self, box: Box) -> float:
        """How much of ``box`` is covered by other labels and by ink, in pixels."""
        covered = sum(max(0.0, min(box[2], b[2]) - max(box[0], b[0])) *
                      max(0.0, min(box[3], b[3]) - max(box[1], b[1])) for _, b in self.placed)
        if self.ink is not None:
            x0, y0 = max(int(box[0]), 0), max(int(box[1]), 0)
            covered += float(self.ink[y0:int(np.ceil(box[3])) + 1, x0:int(np.ceil(box[2])) + 1].sum())
        return covered

    def _clamped(self, box: Box) -> Box:
        w, h = box[2] - box[0], box[3] - box[1]
        x = min(max(box[0], self.margin), max(self.width - self.margin - w, self.margin))
        y = min(max(box[1], self.margin), max(self.height - self.margin - h, self.margin))
        return (x, y, x + w, y + h)


def sideways(a, b) -> tuple[tuple[float, float], ...]:
    """The two directions across segment ``a``-``b`` (the right or lower one first), then the
    two along it: where a caliper's value goes, beside its middle and off the line, in figures
    and in the viewer alike."""
    along = np.subtract(b, a, dtype=float)
    length = float(np.hypot(*along))
    along = along / length if length > 1e-9 else np.array([1.0, 0.0])
    normal = np.array([-along[1], along[0]])
    if normal[0] < 0 or (normal[0] == 0 and normal[1] < 0):
        normal = -normal
    return tuple(tuple(float(v) for v in d) for d in (normal, -normal, along, -along))
