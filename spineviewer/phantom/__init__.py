"""Synthetic spine MRI studies with known ground truth.

The phantom generates realistic sagittal and axial MR series of four cases of
intramedullary spinal cord metastasis, as DICOM files with full geometry, together with a
``ground-truth.json`` that gives the true disc points, conus tip, lesion sizes and the
longitudinal extents of enhancement and cord T2 hyperintensity, and a
``reference-annotations.json`` answer key that places a reader's drawings at that truth
(:mod:`spineviewer.phantom.answer_key`). Everything is computed from
a smooth anatomical model in patient DICOM LPS coordinates (mm; x to the patient's left,
y posterior, z superior) and is bit-identical for the same seed and options.

Public API: :data:`CASES`, :func:`case_slug`, :func:`generate_case`,
:func:`generate_benchmark_study`, :data:`TRANSFER_SYNTAXES`; compressed copies of any study in
every syntax spineviewer decodes: :mod:`spineviewer.phantom.compressed` (:data:`COMPRESSIONS`,
:func:`compress`, :func:`compress_folder`). ``python -m spineviewer.phantom`` regenerates the
committed sample studies.
"""

from spineviewer.phantom.benchmark import generate_benchmark_study
from spineviewer.phantom.cases import CaseSpec
from spineviewer.phantom.dicomfile import TRANSFER_SYNTAXES
from spineviewer.phantom.study import CASES, case_slug, generate_case

__all__ = ["CASES", "CaseSpec", "TRANSFER_SYNTAXES", "case_slug", "generate_case",
           "generate_benchmark_study"]
