"""Studies from a PACS and findings back to it: DICOMweb (dicomweb-client) and DIMSE
(pynetdicom). Qt-free; network work runs off the GUI thread and every failure becomes a
:class:`~spineviewer.pacs.errors.PacsError` naming the server and the reason.

- :mod:`~spineviewer.pacs.nodes`: :class:`PacsNode`, :class:`NodeStore` (settings + keyring)
- :mod:`~spineviewer.pacs.query`: :class:`StudyQuery`, :class:`StudyResult`, :class:`SeriesResult`
- :mod:`~spineviewer.pacs.client`: :func:`connect`, :class:`PacsClient`, :class:`RetrieveProgress`,
  :class:`SendReport`
- :mod:`~spineviewer.pacs.cache`: :class:`StudyCache` (one folder per StudyInstanceUID, LRU)
- :mod:`~spineviewer.pacs.worklist`: :func:`read_study_list`
"""
