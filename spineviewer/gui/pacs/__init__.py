"""The PACS link in the window: servers in the preferences, query and retrieve, send back, a
worklist of studies on a PACS.

The work is :mod:`spineviewer.pacs` (Qt-free, the same code as ``spineviewer pacs``); these
modules ask, run it off the GUI thread (:mod:`spineviewer.gui.shell.background`) and show what
happened, every failure as one line naming the server.
"""
