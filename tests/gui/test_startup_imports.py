"""What the window imports before it opens: not the analysis libraries the Assist tools use."""

import os
import subprocess
import sys


def test_main_window_does_not_import_the_assist_algorithms():
    """scipy.signal (0.4 s, through skimage's polygon simplification) and the Assist
    algorithms are imported when a proposal is first made, not at start-up."""
    code = ("import sys; import spineviewer.gui.shell.main_window; "
            "print(sorted(m for m in ('scipy.signal', 'spineviewer.assist.levels', "
            "'spineviewer.assist.lesion') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
