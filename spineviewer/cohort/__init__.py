"""Many studies at once: the cohort tables and statistics of a case series, and the agreement
between readers (:mod:`~spineviewer.cohort.agreement`); no Qt.

:mod:`~spineviewer.cohort.build` is the entry: it gathers the rows of ``lesions.csv`` and
``patients.csv`` from annotation files and CSV files (:mod:`~spineviewer.cohort.inputs`), checks
every cell against the export contract (:mod:`~spineviewer.cohort.rows`) and the rows against
each other (:mod:`~spineviewer.cohort.consistency`), summarises them
(:mod:`~spineviewer.cohort.summary`, :mod:`~spineviewer.cohort.association`) and writes the
tables (:mod:`~spineviewer.cohort.layout`, :mod:`~spineviewer.cohort.tables`) and figures
(:mod:`~spineviewer.cohort.figures`). Docs: ``docs/cohort.md``.
"""
