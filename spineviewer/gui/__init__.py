"""The reading workstation's window: Qt and pyqtgraph views over the ``core`` study model.

Views take their model (a :class:`~spineviewer.core.model.Stack`) and a small Qt-side
:class:`~spineviewer.gui.reading.viewport_state.ViewportState` (slice index, window) and render them;
they hold no domain state. Modules whose names do not mention Qt (``hanging``, ``scene``,
``windowing``, ``overlay_text``) are plain Python so they can be tested without a display.

Coordinates
-----------
- Arrays are ``(slice, row, col)``; patient coordinates are DICOM LPS mm.
- A viewport's scene is the image plane in mm: ``x = col * ΔC``, ``y = row * ΔR`` measured from
  the outer corner of pixel (0, 0), y growing downwards (the corner-mm convention of
  :mod:`spineviewer.core.plane`, whose plane type does every conversion between scene mm, pixel
  indices and patient mm). :mod:`spineviewer.gui.reading.scene` adapts it to a viewport's slice.
"""
