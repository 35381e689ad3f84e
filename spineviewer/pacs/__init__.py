"""Studies from a PACS and findings back to it: DICOMweb (dicomweb-client) and DIMSE
(pynetdicom). Qt-free; network work runs off the GUI thread and every failure becomes a
:class:`~spineviewer.pacs.errors.PacsError` naming the server and the reason."""
