"""What leaves spineviewer: study reports, CSV, figures, DICOM SR, anonymized DICOM.

Free of Qt like :mod:`spineviewer.core`: every export works headless, from the command line.
"""
