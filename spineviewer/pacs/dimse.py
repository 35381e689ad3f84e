"""The DIMSE client: C-ECHO, C-FIND, C-GET / C-MOVE and C-STORE (``pynetdicom``).

Queries use the Study Root information model (PS3.4 C.6.2). Paging: C-FIND has none, so the
first ``offset`` matches are skipped and a C-CANCEL (PS3.7 §9.3.2.3) stops the search once
``limit`` more have arrived. Retrieve is C-GET by default: the PACS sends the images back over
our own association (PS3.4 C.4.3), so nothing has to listen on our side; the PACS must know
our AE title. C-MOVE is there for the PACS that refuse C-GET: the PACS opens an association
to our storage SCP, which listens on ``node.listen_port`` during the retrieve, so the PACS
administrator registers our AE title with this machine's address and that port. A whole
series is asked for at SERIES level; the instances missing after an interrupted retrieve at
IMAGE level, by list of SOPInstanceUIDs. Every association failure, rejection, abort and
failure status becomes a PacsError naming the node.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from collections.abc import Sequence
from pathlib import Path

from spineviewer.pacs.client import (
    InstanceSink, PacsClient, SendReport, check_cancel, checked_page, read_for_sending,
)
from spineviewer.pacs.query import (
    SERIES_FIELDS, SeriesResult, StudyQuery, StudyResult, dimse_identifier, find_identifier,
    in_series_order, instance_uid, series_result, study_result,
)

#: Storage SOP classes we accept on a C-GET (a presentation context each; at most 127 fit).
STORAGE_CLASSES = (
    "MRImageStorage", "EnhancedMRImageStorage", "EnhancedMRColorImageStorage",
    "LegacyConvertedEnhancedMRImageStorage", "MRSpectroscopyStorage", "CTImageStorage",
    "EnhancedCTImageStorage", "LegacyConvertedEnhancedCTImageStorage",
    "PositronEmissionTomographyImageStorage", "EnhancedPETImageStorage",
    "NuclearMedicineImageStorage", "ComputedRadiographyImageStorage",
    "DigitalXRayImageStorageForPresentation", "XRayAngiographicImageStorage",
    "UltrasoundImageStorage", "UltrasoundMultiFrameImageStorage", "SecondaryCaptureImageStorage",
    "MultiFrameGrayscaleByteSecondaryCaptureImageStorage",
    "MultiFrameGrayscaleWordSecondaryCaptureImageStorage",
    "MultiFrameTrueColorSecondaryCaptureImageStorage", "BasicTextSRStorage", "EnhancedSRStorage",
    "ComprehensiveSRStorage", "Comprehensive3DSRStorage", "KeyObjectSelectionDocumentStorage",
    "SegmentationStorage", "ParametricMapStorage", "GrayscaleSoftcopyPresentationStateStorage",
    "SpatialRegistrationStorage", "DeformableSpatialRegistrationStorage", "RawDataStorage",
    "EncapsulatedPDFStorage", "RTStructureSetStorage",
)

#: Transfer syntaxes accepted for those: uncompressed, then the compressions pydicom decodes.
TRANSFER_SYNTAXES = (
    "1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.4.70",
    "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51",
    "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.90",
    "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.5",
)

_FAILURE = {0xA700: "is out of resources", 0xA701: "cannot compute the matches",
            0xA702: "cannot perform the sub-operations", 0xA801: "does not know the move "
            "destination (register our AE title, host and port on the PACS)",
            0xA900: "says the identifier does not match the SOP class",
            0xC000: "cannot process the request", 0x0122: "does not support this SOP class",
            0x0124: "refused the operation (not authorised)"}


class DimseClient(PacsClient):
    """A DIMSE node: AE title, host and port.

    Inside :meth:`session` (a whole retrieve) every C-FIND and C-GET / C-MOVE shares one
    association; outside it each operation opens and releases its own.
    """

    def __init__(self, node, secret=None, *, timeout: float = 30):
        super().__init__(node, secret, timeout=timeout)
        self._shared = None
        self._message_id = 0
        self._sink: InstanceSink | None = None
        self._failures: list = []

    def _next_id(self) -> int:
        self._message_id = self._message_id % 65535 + 1
        return self._message_id

    @contextmanager
    def session(self):
        if self._shared is not None:
            yield
            return
        self._shared = self._open(retrieve=True)
        try:
            yield
        finally:
            assoc, self._shared = self._shared, None
            if assoc.is_established:
                assoc.release()

    def _open(self, *, retrieve: bool):
        """An association for C-FIND, and C-GET (with our storage roles) or C-MOVE."""
        from pynetdicom import build_role, evt
        from pynetdicom.sop_class import (
            StudyRootQueryRetrieveInformationModelFind as Find,
            StudyRootQueryRetrieveInformationModelGet as Get,
            StudyRootQueryRetrieveInformationModelMove as Move,
        )

        if not retrieve:
            return self._associate(self._ae([(Find,)]))
        if self.node.retrieve == "c-move":
            return self._associate(self._ae([(Find,), (Move,)]))
        ae = self._ae([(Find,), (Get,)], for_get=True)
        roles = [build_role(context.abstract_syntax, scp_role=True)
                 for context in ae.requested_contexts if context.abstract_syntax not in (Find, Get)]
        handlers = [(evt.EVT_C_STORE, self._store)]
        return self._associate(ae, ext_neg=roles, evt_handlers=handlers)

    @contextmanager
    def _association(self, *, retrieve: bool = False):
        """The shared association, or one of our own released afterwards."""
        if self._shared is not None:
            yield self._shared
            return
        assoc = self._open(retrieve=retrieve)
        try:
            yield assoc
        finally:
            if assoc.is_established:
                assoc.release()

    def _store(self, event) -> int:
        """C-STORE sub-operations of a C-GET or a C-MOVE: check and write to the cache."""
        sink = self._sink
        if sink is None:
            return 0xA700
        try:
            sink.add(event.encoded_dataset())
        except Exception as exc:  # the PACS gets a failure status; the retrieve reports it
            self._failures.append(exc)
            return 0xA700 if isinstance(exc, OSError) else 0xC000
        return 0x0000

    def _ae(self, contexts=(), *, for_get: bool = False):
        from pynetdicom import AE
        from pynetdicom.sop_class import Verification

        ae = AE(ae_title=self.node.calling_ae)
        ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = self.timeout
        ae.connection_timeout = min(self.timeout, 10.0)
        ae.maximum_pdu_size = 0  # no limit: the PACS sends images in as few PDUs as it likes
        ae.add_requested_context(Verification)
        for context in contexts:
            ae.add_requested_context(*context)
        if for_get:
            for name in STORAGE_CLASSES[: 126 - len(contexts)]:
                ae.add_requested_context(_sop_class(name), TRANSFER_SYNTAXES)
        return ae

    def _associate(self, ae, *, evt_handlers=(), **kwargs):
        from pynetdicom import evt

        opened, answered = [], []
        handlers = [*evt_handlers, (evt.EVT_CONN_OPEN, lambda event: opened.append(True)),
                    (evt.EVT_PDU_RECV, lambda event: answered.append(True))]
        try:
            assoc = ae.associate(self.node.host, self.node.port, ae_title=self.node.ae_title,
                                 evt_handlers=handlers, **kwargs)
        except (OSError, ValueError, RuntimeError) as exc:
            raise self.error(f"cannot start an association ({exc})") from None
        if assoc.is_established:
            return assoc
        if not opened:
            raise self.error(f"cannot be reached at {self.node.host}:{self.node.port} "
                             "(connection refused or no answer)")
        if not answered:
            raise self.error(f"did not answer the association request within {self.timeout:g} s")
        if assoc.is_rejected:
            raise self.error(f"rejected the association: the PACS must know our AE title "
                             f"{self.node.calling_ae!r} and its own {self.node.ae_title!r}")
        if assoc.is_aborted:
            raise self.error(f"aborted the association (does the PACS know our AE title "
                             f"{self.node.calling_ae!r}?)")
        raise self.error(f"cannot be reached at {self.node.host}:{self.node.port} "
                         "(connection refused or no answer)")

    def echo(self) -> float:
        start = time.perf_counter()
        assoc = self._associate(self._ae())
        try:
            status = assoc.send_c_echo()
            self._status(status, "C-ECHO")
        finally:
            assoc.release()
        return time.perf_counter() - start

    def _find(self, identifier, what: str, *, limit: int | None = None, offset: int = 0,
              cancel: threading.Event | None = None) -> list:
        from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind as Find

        found, skipped, cancelled = [], 0, False
        with self._association() as assoc:
            message = self._next_id()
            for status, answer in assoc.send_c_find(identifier, Find, msg_id=message):
                code = self._status(status, what)
                if code not in (0xFF00, 0xFF01):
                    break
                if cancelled:
                    continue
                if skipped < offset:
                    skipped += 1
                elif answer is not None:
                    found.append(answer)
                stop = cancel is not None and cancel.is_set()
                if stop or (limit is not None and len(found) >= limit):
                    assoc.send_c_cancel(message, query_model=Find)
                    cancelled = True
        check_cancel(cancel, self, query=True)
        return found

    def query_studies(self, query: StudyQuery, *, limit: int = 50, offset: int = 0,
                      cancel: threading.Event | None = None) -> list[StudyResult]:
        limit, offset = checked_page(limit, offset)
        answers = self._find(find_identifier(query), "C-FIND of studies", limit=limit,
                             offset=offset, cancel=cancel)
        return [self._parsed(study_result, answer) for answer in answers]

    def query_series(self, study_uid: str) -> list[SeriesResult]:
        identifier = dimse_identifier("SERIES", **dict.fromkeys(SERIES_FIELDS, ""),
                                      StudyInstanceUID=self._uid(study_uid, "StudyInstanceUID"))
        series = [self._parsed(series_result, a) for a in self._find(identifier, "C-FIND of series")]
        return in_series_order(series)

    def query_instances(self, study_uid: str, series_uid: str) -> list[str]:
        identifier = dimse_identifier("IMAGE",
                                      StudyInstanceUID=self._uid(study_uid, "StudyInstanceUID"),
                                      SeriesInstanceUID=self._uid(series_uid, "SeriesInstanceUID"),
                                      SOPInstanceUID="")
        answers = self._find(identifier, "C-FIND of instances")
        return list(dict.fromkeys(self._parsed(instance_uid, a) for a in answers))

    def fetch_series(self, sink: InstanceSink, study_uid: str, series_uid: str,
                     missing: Sequence[str], *, whole: bool, cancel) -> None:
        identifier = dimse_identifier("SERIES" if whole else "IMAGE", StudyInstanceUID=study_uid,
                                      SeriesInstanceUID=series_uid,
                                      **({} if whole else {"SOPInstanceUID": list(missing)}))
        self._sink, self._failures = sink, []
        try:
            if self.node.retrieve == "c-move":
                self._move(identifier, cancel)
            else:
                self._get(identifier, cancel)
        finally:
            self._sink = None

    def _get(self, identifier, cancel) -> None:
        from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelGet as Get

        with self._association(retrieve=True) as assoc:
            message = self._next_id()
            self._run_retrieve(assoc, assoc.send_c_get(identifier, Get, msg_id=message), Get,
                               message, cancel, "C-GET")

    def _move(self, identifier, cancel) -> None:
        from pynetdicom import AE, evt
        from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelMove as Move

        destination = self.node.move_destination or self.node.calling_ae
        scp = AE(ae_title=destination)
        scp.acse_timeout = scp.dimse_timeout = scp.network_timeout = self.timeout
        scp.maximum_pdu_size = 0
        for name in STORAGE_CLASSES:
            scp.add_supported_context(_sop_class(name), TRANSFER_SYNTAXES)
        try:
            server = scp.start_server(("", self.node.listen_port), block=False,
                                      evt_handlers=[(evt.EVT_C_STORE, self._store)])
        except OSError as exc:
            raise self.error(f"our storage SCP cannot listen on port {self.node.listen_port} "
                             f"for C-MOVE ({exc.strerror or exc})") from None
        try:
            with self._association(retrieve=True) as assoc:
                message = self._next_id()
                responses = assoc.send_c_move(identifier, destination, Move, msg_id=message)
                self._run_retrieve(assoc, responses, Move, message, cancel, "C-MOVE")
        finally:
            server.shutdown()

    def _run_retrieve(self, assoc, responses, model, message, cancel, what) -> None:
        failures, cancelled = self._failures, False
        for status, _ in responses:
            code = self._status(status, what, failures)
            if code != 0xFF00:
                if failures:
                    raise failures[0]
                if code not in (0x0000, 0xFE00):
                    raise self.error(f"{what} finished with status 0x{code:04X}: some "
                                     "instances were not sent")
                break
            if cancel is not None and cancel.is_set() and not cancelled:
                assoc.send_c_cancel(message, query_model=model)
                cancelled = True
            if failures:
                raise failures[0]
        check_cancel(cancel, self)

    def send(self, paths: Sequence[Path]) -> SendReport:
        report = SendReport()
        datasets = read_for_sending(paths, report)
        if not datasets:
            return report
        contexts = {}
        for _, ds in datasets:
            syntax = str(ds.file_meta.get("TransferSyntaxUID", "1.2.840.10008.1.2.1"))
            contexts.setdefault(str(ds.SOPClassUID), set()).update({syntax, "1.2.840.10008.1.2.1"})
        if len(contexts) > 120:
            raise self.error("too many kinds of DICOM object in one send (more than 120)")
        assoc = self._associate(self._ae([(sop, sorted(ts)) for sop, ts in contexts.items()]))
        try:
            for path, ds in datasets:
                try:
                    status = assoc.send_c_store(ds)
                except (ValueError, AttributeError, RuntimeError) as exc:
                    report.failed.append((path, f"not sent ({exc})"))
                    continue
                code = int(status.get("Status", -1)) if status is not None else -1
                if code in (0x0000, 0xB000, 0xB006, 0xB007):
                    report.stored.append(str(ds.SOPInstanceUID))
                elif code == -1:
                    raise self.error("lost the association during C-STORE")
                else:
                    report.failed.append((path, f"refused (C-STORE status 0x{code:04X})"))
        finally:
            if assoc.is_established:
                assoc.release()
        return report

    def _status(self, status, what: str, failures=()) -> int:
        """The status code of a response; PacsError for a lost association or a failure."""
        if status is None or "Status" not in status:
            if failures:
                raise failures[0]
            raise self.error(f"lost the association during {what} (the server stopped, "
                             f"or no answer within {self.timeout:g} s)")
        code = int(status.Status)
        if code in (0x0000, 0xFF00, 0xFF01, 0xFE00, 0xB000):
            return code
        reason = _FAILURE.get(code, f"answered status 0x{code:04X}")
        raise self.error(f"{reason} ({what})")

    def _parsed(self, reader, answer):
        try:
            return reader(answer)
        except ValueError as exc:
            raise self.error(f"sent a malformed answer ({exc})") from None


def _sop_class(name: str):
    from pynetdicom import sop_class

    return getattr(sop_class, name)
