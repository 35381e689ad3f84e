"""Where the reader is in a study, kept across a reload of the same study.

A study retrieved from a PACS is shown as soon as a first series is here, then shown again
when the rest has arrived; the reader should find the layout, the series in each viewport,
the image (by its SOPInstanceUID: slices that arrived later may come before it in the stack),
the window and the active viewport as they left them, and undo should still take back what
they drew meanwhile (:func:`show_again`).
"""

from __future__ import annotations

from dataclasses import dataclass

from spineviewer.gui.reading.viewer_grid import LAYOUTS
from spineviewer.gui.shell.browser import find_stack, stack_key


@dataclass(frozen=True)
class ViewportPosition:
    """One viewport: its stack (browser key), the image shown and its window."""

    key: str
    sop_instance_uid: str
    frame_index: int | None
    slice_index: int
    window: tuple[float, float] | None


@dataclass(frozen=True)
class ReadingPosition:
    """The viewer area: its layout, its active viewport, each viewport's position."""

    layout: str
    active: int
    viewports: tuple[ViewportPosition | None, ...]


def capture(window) -> ReadingPosition:
    """Where the reader is in ``window`` now."""
    grid = window.grid
    positions = []
    for viewport in grid.viewports:
        state = viewport.state
        if state is None:
            positions.append(None)
            continue
        frame = state.stack.frames[state.slice_index]
        positions.append(ViewportPosition(stack_key(state.stack), frame.file.sop_instance_uid,
                                          frame.index, state.slice_index, state.window))
    return ReadingPosition(grid.layout_name, grid.viewports.index(grid.active), tuple(positions))


def show_again(window, result, paths: list[str]) -> None:
    """Show ``result``, a fresh load of the study on screen, where the reader was: the
    position (:func:`capture`, :func:`restore`) and the annotations' undo history are kept."""
    position = capture(window)
    session = window.annotations.session
    document = session.document
    window.show_study(result, paths)
    restore(window, position)
    session.resume(document)


def _viewports(layout: str) -> int:
    rows, columns = LAYOUTS[layout]
    return rows * columns


def restore(window, position: ReadingPosition) -> None:
    """Put ``window``, which shows the study again, back to ``position``.

    What is no longer there is left as the hanging put it, and so is a layout of more
    viewports than the reader had: the series that arrived since get their place.
    """
    grid = window.grid
    if _viewports(position.layout) >= _viewports(grid.layout_name):
        grid.set_layout(position.layout)
    for viewport, saved in zip(grid.viewports, position.viewports):
        if saved is None:
            continue
        stack = find_stack(window.result, saved.key)
        if stack is None:
            continue
        if viewport.state is None or viewport.state.stack is not stack:
            window.show_stack(viewport, saved.key)
        if viewport.state is None:
            continue
        frames = [(f.file.sop_instance_uid, f.index) for f in stack.frames]
        wanted = (saved.sop_instance_uid, saved.frame_index)
        viewport.state.set_slice(frames.index(wanted) if wanted in frames else saved.slice_index)
        if saved.window is not None:
            viewport.state.set_window(saved.window)
    grid.set_active(grid.viewports[position.active])
