"""Annotating: the Qt side of the annotation document (session), the drawing tools, the items
drawn on a slice, disc markers, and the measurements and findings docks.

Every drawing is stored in patient LPS mm by ``core``; this group converts at the scene boundary
and shows what ``core`` computed.
"""
