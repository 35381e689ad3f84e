"""Reading native slices: viewports, their overlay, windowing, the hanging protocol and
cross-referencing between viewports through patient space.

Coordinates: arrays are ``(slice, row, col)``; patient points are DICOM LPS mm; a viewport's scene
is its image plane in mm, converted by :mod:`spineviewer.gui.reading.scene` only (an adapter of
the core plane type, :mod:`spineviewer.core.plane`).
"""
