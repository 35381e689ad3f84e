"""The domain layer of spineviewer: DICOM scanning, the series model, geometry, pixel volumes.

Pure Python + numpy + pydicom. Nothing here imports Qt or pyqtgraph (a test enforces this), so
the whole domain runs in scripts, batch jobs and tests without a display.

Conventions used throughout ``core``:

- Arrays are ``(slice, row, col)``; a pixel index is ``(row, col)`` and its centre is the sample.
- Patient coordinates are DICOM LPS in mm (x to the patient's left, y posterior, z superior).
- ``pixel -> patient``: ``P = IPP + col*ΔC*F_row + row*ΔR*F_col`` with PixelSpacing ``(ΔR, ΔC)``.
"""

from spineviewer.core.loader import load_study
from spineviewer.core.model import LoadResult, Patient, Series, Stack, Study
from spineviewer.core.problems import Problem

__all__ = ["LoadResult", "Patient", "Problem", "Series", "Stack", "Study", "load_study"]
