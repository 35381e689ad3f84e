"""The application shell: start-up, the main window and its menus, opening studies in the
background, the study browser, problems, errors and the File-menu exports.

Reading and annotating are the other two groups (:mod:`spineviewer.gui.reading`,
:mod:`spineviewer.gui.annotation`); the shell composes them and owns no domain state.
"""
