"""What was sent where: the record of objects of a study stored to a PACS node.

A :class:`Sent` is kept in the study's annotations (``StudyAnnotations.sent``), so whoever opens
the annotation file sees which report, segmentation or anonymized copy left the workstation,
for which server and when. It is a record of a fact, not part of the reading: undo does not
take it back (:meth:`spineviewer.core.document.AnnotationDocument.record_sent`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from spineviewer.core.validation import assign, enum_value

#: Most records a study keeps; the oldest are dropped beyond it (a file stays small).
MAX_SENT = 200


class SentObject(Enum):
    """The kinds of object a study's reading sends to a PACS."""

    SR = "sr"                   # the DICOM SR of the measurements
    SEG = "seg"                 # the DICOM SEG of the segmented lesions
    ANONYMIZED = "anonymized"   # the anonymized copy of the study


@dataclass(frozen=True)
class Sent:
    """One sending of objects of a study to a PACS node.

    Attributes
    ----------
    what : SentObject
    node : str
        The node's name in the workstation's list of PACS servers.
    address : str
        Where it was: the DICOMweb base URL, or ``AE@host:port`` for DIMSE (a node can be
        renamed or removed later; the address says where the objects went).
    time : str
        ISO 8601 UTC timestamp of the end of the sending.
    study_instance_uid : str
        The study the objects were stored in: the study itself for an SR or a SEG, the new
        StudyInstanceUID of an anonymized copy.
    instances : int
        How many objects the server accepted.
    """

    what: SentObject
    node: str
    address: str
    time: str
    study_instance_uid: str
    instances: int

    def __post_init__(self):
        assign(self, "what", enum_value(SentObject, self.what, "sent: what"))
        for name in ("node", "address", "time", "study_instance_uid"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"sent: {name} must be non-empty text, got {value!r}")
        try:
            dt.datetime.fromisoformat(self.time)
        except ValueError:
            raise ValueError(f"sent: time {self.time!r} is not an ISO 8601 timestamp") from None
        if isinstance(self.instances, bool) or not isinstance(self.instances, int) or self.instances < 1:
            raise ValueError(f"sent: instances must be a whole number from 1, got {self.instances!r}")
