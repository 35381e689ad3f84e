"""The ``spineviewer`` command.

``spineviewer [PATH ...]`` opens the reading workstation (with no path: the bundled sample
study); ``spineviewer COMMAND ...`` runs a headless command. Each command is a module of this
package that registers itself in :mod:`spineviewer.cli.registry`; the entry point
(:mod:`spineviewer.cli.entry`) and the top-level help know the commands only from there.
"""

from spineviewer.cli.entry import main

__all__ = ["main"]
