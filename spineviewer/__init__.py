"""spineviewer: a reading workstation for spine MRI.

The package is layered: ``core`` (DICOM model, geometry, measurements) and ``export`` never
import Qt; ``gui`` holds the Qt/pyqtgraph views; ``phantom`` generates the sample studies.
"""

from pathlib import Path

__version__ = "0.1.0"

#: The repository root when running from a source checkout (editable install).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESOURCES_DIR = PROJECT_ROOT / "resources"
SAMPLE_DIR = PROJECT_ROOT / "sample_dicom"
