"""A connection to one PACS node: echo, query, retrieve into the cache, send.

:func:`connect` gives the client of a node's protocol (DICOMweb through ``dicomweb-client``,
DIMSE through ``pynetdicom``); both share :meth:`PacsClient.retrieve_study`, which fetches a
study series by series into a :class:`~spineviewer.pacs.cache.StudyCache`:

1. a study the cache holds complete opens at once, without asking the server;
2. otherwise the server lists the study's series and each series' instances;
3. instances already in the cache are kept (a previous retrieve was interrupted), the others
   are fetched, each written atomically as it arrives, so the first image can be shown while
   the rest comes (``progress`` names the first file) and an interruption loses nothing that
   arrived;
4. when every listed instance is there, the manifest marks the study complete.

Every instance is checked before it is written (it must be DICOM, belong to the study asked
for, and carry valid UIDs), since a server's answer is hostile until proven otherwise. Every
failure is a :class:`~spineviewer.pacs.errors.PacsError` naming the node.
"""

from __future__ import annotations

import io
import threading
from contextlib import nullcontext
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spineviewer.pacs.cache import StudyCache
from spineviewer.pacs.errors import PacsError, RetrieveCancelled
from spineviewer.pacs.nodes import PacsNode
from spineviewer.pacs.query import SeriesResult, StudyQuery, StudyResult
from spineviewer.pacs.uids import checked_uid

#: Largest file :meth:`PacsClient.send` reads (a multi-frame study object rarely exceeds 1 GB).
MAX_SEND_BYTES = 2 * 1024**3
#: Most results one query page returns.
MAX_LIMIT = 1000


@dataclass
class RetrieveProgress:
    """Where a retrieve stands, reported after each instance and at each series' start.

    Attributes
    ----------
    series_uid : str
        The series being fetched.
    done : int
        Instances of that series in the cache (fetched now or before).
    total : int or None
        Instances the server lists for the series.
    first_file : Path or None
        The first file of the study available in the cache (set from the first report on that
        has one): a viewer can show it while the rest arrives.
    study_done, study_total : int, int or None
        The same counts for the whole study.
    """

    series_uid: str
    done: int
    total: int | None
    first_file: Path | None = None
    study_done: int = 0
    study_total: int | None = None


@dataclass
class SendReport:
    """What :meth:`PacsClient.send` stored: SOPInstanceUIDs accepted, files refused with why."""

    stored: list[str] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.stored) and not self.failed


class InstanceSink:
    """Checks and writes the instances of one study as they arrive, and reports progress."""

    def __init__(self, client: "PacsClient", cache: StudyCache, study_uid: str,
                 progress: Callable[[RetrieveProgress], None] | None, study_total: int | None):
        self.client, self.cache, self.study_uid = client, cache, study_uid
        self.progress = progress
        self.first_file: Path | None = None
        self.study_total = study_total
        self.study_done = 0
        self.series_uid = ""
        self.series_done = 0
        self.series_total: int | None = None
        self.lock = threading.Lock()

    def start_series(self, series_uid: str, done: int, total: int | None) -> None:
        self.series_uid, self.series_done, self.series_total = series_uid, done, total
        self.study_done += done
        if done and self.first_file is None:
            files = self.cache.files(self.study_uid)
            self.first_file = files[0] if files else None
        self.report()

    def add(self, data: bytes) -> Path:
        """Check one instance (a DICOM file's bytes, as the server sent them) and write it."""
        import pydicom

        try:
            ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True, specific_tags=[
                "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"])
            uids = [str(ds.get(keyword, "")) for keyword in
                    ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")]
        except BaseException as exc:  # pydicom's decoder on hostile bytes
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            raise self.client.error("sent data that is not a DICOM instance") from None
        try:
            study = checked_uid(uids[0], "StudyInstanceUID")
            series = checked_uid(uids[1], "SeriesInstanceUID")
            sop = checked_uid(uids[2], "SOPInstanceUID")
        except ValueError as exc:
            raise self.client.error(f"sent an instance with a bad UID ({exc})") from None
        if study != self.study_uid:
            raise self.client.error(f"sent an instance of another study ({study})")
        if self.series_uid and series != self.series_uid:
            raise self.client.error(f"sent an instance of another series ({series})")
        try:
            path = self.cache.write_instance(study, series, sop, data)
        except OSError as exc:
            raise self.client.error(f"cannot write to the cache {self.cache.root} "
                                    f"({exc.strerror or exc})") from None
        with self.lock:
            if self.first_file is None:
                self.first_file = path
            self.series_done += 1
            self.study_done += 1
        self.report()
        return path

    def report(self) -> None:
        if self.progress is not None:
            self.progress(RetrieveProgress(self.series_uid, self.series_done, self.series_total,
                                           self.first_file, self.study_done, self.study_total))


class PacsClient:
    """The operations of a PACS node; :func:`connect` gives the one of the node's protocol."""

    def __init__(self, node: PacsNode, secret: str | None = None, *, timeout: float = 30):
        if not 0 < timeout <= 3600:
            raise ValueError(f"the timeout is from 0 to 3600 s, got {timeout!r}")
        self.node, self.timeout = node, float(timeout)
        self._secret = secret

    def __repr__(self) -> str:  # never the secret
        return f"{type(self).__name__}({self.node.name!r}, {self.node.address!r})"

    def error(self, reason: str) -> PacsError:
        """A PacsError naming this node."""
        return PacsError(self.node.name, reason)

    def _uid(self, value: str, what: str) -> str:
        """``value`` checked as a UID; a PacsError naming this node when it is not one."""
        try:
            return checked_uid(value, what)
        except ValueError as exc:
            raise self.error(str(exc)) from None

    def close(self) -> None:
        """Release what the client holds (an HTTP session)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- implemented per protocol -----------------------------------------------------------
    def echo(self) -> float:
        """Check the node answers; returns the round-trip time in seconds."""
        raise NotImplementedError

    def query_studies(self, query: StudyQuery, *, limit: int = 50, offset: int = 0,
                      cancel: threading.Event | None = None) -> list[StudyResult]:
        """The studies matching ``query``, results ``offset`` to ``offset + limit``."""
        raise NotImplementedError

    def query_series(self, study_uid: str) -> list[SeriesResult]:
        """The series of a study, by series number."""
        raise NotImplementedError

    def query_instances(self, study_uid: str, series_uid: str) -> list[str]:
        """The SOPInstanceUIDs of a series."""
        raise NotImplementedError

    def find_by_accession(self, accession: str) -> list[StudyResult]:
        """The studies with this accession number (a worklist entry)."""
        return self.query_studies(StudyQuery(accession=accession), limit=MAX_LIMIT)

    def fetch_series(self, sink: InstanceSink, study_uid: str, series_uid: str,
                     missing: Sequence[str], *, whole: bool,
                     cancel: threading.Event | None) -> None:
        """Fetch the ``missing`` instances of a series (all of it when ``whole``) into ``sink``."""
        raise NotImplementedError

    def send(self, paths: Sequence[Path]) -> SendReport:
        """Store DICOM files on the node (STOW-RS or C-STORE)."""
        raise NotImplementedError

    # ---- shared ---------------------------------------------------------------------------
    def retrieve_study(self, study_uid: str, cache: StudyCache, *,
                       progress: Callable[[RetrieveProgress], None] | None = None,
                       cancel: threading.Event | None = None,
                       protect: Callable[[str], bool] | None = None) -> Path:
        """Fetch a study into ``cache`` and return its folder (see the module's docstring).

        ``progress`` is called from the thread doing the transfer (for C-GET, pynetdicom's).
        Once the study is complete the cache is brought within its limit
        (:meth:`~spineviewer.pacs.cache.StudyCache.evict`), sparing this study, annotated
        studies and those ``protect`` names. Raises PacsError when the server fails (what
        arrived stays: a later call resumes), :class:`RetrieveCancelled` when ``cancel`` is set.
        """
        uid = self._uid(study_uid, "StudyInstanceUID")
        if cache.is_complete(uid):
            cache.touch(uid)
            if progress is not None:
                files = cache.files(uid)
                progress(RetrieveProgress("", len(files), len(files), files[0] if files else None,
                                          len(files), len(files)))
            return cache.folder(uid)
        with self.session():
            return self._retrieve(uid, cache, progress, cancel, protect)

    def session(self):
        """A context in which several operations share one connection (an association)."""
        return nullcontext()

    def _retrieve(self, uid, cache, progress, cancel, protect) -> Path:
        series = self.query_series(uid)
        if not series:
            raise self.error(f"has no study {uid}")
        counts = [one.n_instances for one in series]
        total = sum(counts) if None not in counts else None
        folder = cache.begin(uid)
        sink = InstanceSink(self, cache, uid, progress, total)
        listing = {}
        for one in series:
            check_cancel(cancel, self)
            series_uid = one.series_uid
            if one.n_instances and not cache.instances(uid, series_uid):
                # A series not begun: fetched whole at once, listed only if it came short.
                sink.start_series(series_uid, 0, one.n_instances)
                self.fetch_series(sink, uid, series_uid, (), whole=True, cancel=cancel)
                got = cache.instances(uid, series_uid)
                if len(got) >= one.n_instances:
                    listing[series_uid] = sorted(got)
                    cache.record_series(uid, series_uid, len(got))
                    continue
                sink.study_done -= len(got)  # counted again below
            check_cancel(cancel, self)
            # Listed just before it is fetched, so the first image comes after one listing.
            expected = listing[series_uid] = self.query_instances(uid, series_uid)
            have = cache.instances(uid, series_uid)
            missing = [sop for sop in expected if sop not in have]
            cache.record_series(uid, series_uid, len(expected))
            sink.start_series(series_uid, len(expected) - len(missing), len(expected))
            if missing:
                self.fetch_series(sink, uid, series_uid, missing,
                                  whole=len(missing) == len(expected), cancel=cancel)
            check_cancel(cancel, self)
            still = [sop for sop in expected if sop not in cache.instances(uid, series_uid)]
            if still:
                raise self.error(f"did not send {len(still)} of the {len(expected)} instances "
                                 f"of series {series_uid}")
        cache.mark_complete(uid, {s: len(v) for s, v in listing.items()})
        cache.evict(protect=lambda other: other == uid or (protect is not None and protect(other)))
        return folder


def checked_page(limit: int, offset: int) -> tuple[int, int]:
    """``limit`` and ``offset`` of a study query, refused (ValueError) out of range."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be from 1 to {MAX_LIMIT}, got {limit!r}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError(f"offset must be 0 or more, got {offset!r}")
    return limit, offset


def check_cancel(cancel: threading.Event | None, client: PacsClient, *,
                 query: bool = False) -> None:
    """Raise :class:`RetrieveCancelled` when ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise RetrieveCancelled(client.node.name, "query cancelled" if query else
                                "retrieve cancelled; what arrived stays in the cache")


def files_to_send(paths: Iterable) -> list[Path]:
    """``paths`` with each folder replaced by the files in it, recursively (an anonymized copy),
    passing over hidden files and spineviewer's own companion files (annotations, answer key)."""
    from spineviewer.core.sources import walk_folder

    files = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            files.append(path)
            continue
        files += [Path(p) for p in walk_folder(path)]
    return files


def read_for_sending(paths: Iterable, report: SendReport):
    """The DICOM datasets of ``paths`` (regular files under :data:`MAX_SEND_BYTES`); the
    others go to ``report.failed`` with the reason."""
    import pydicom

    datasets = []
    for raw in paths:
        path = Path(raw)
        try:
            if not path.is_file():
                report.failed.append((path, "not a regular file"))
                continue
            if path.stat().st_size > MAX_SEND_BYTES:
                report.failed.append((path, "larger than 2 GB"))
                continue
            ds = pydicom.dcmread(path)
            checked_uid(str(ds.SOPInstanceUID), "SOPInstanceUID")
            checked_uid(str(ds.SOPClassUID), "SOPClassUID")
        except OSError as exc:
            report.failed.append((path, exc.strerror or "cannot be read"))
            continue
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            report.failed.append((path, "not a DICOM file with SOP class and instance UIDs"))
            continue
        datasets.append((path, ds))
    return datasets


def connect(node: PacsNode, secret: str | None = None, *, timeout: float = 30) -> PacsClient:
    """The client of ``node``'s protocol (nothing is sent until a method is called)."""
    if node.protocol == "dicomweb":
        from spineviewer.pacs.dicomweb import DicomWebClient
        return DicomWebClient(node, secret, timeout=timeout)
    from spineviewer.pacs.dimse import DimseClient
    return DimseClient(node, secret, timeout=timeout)
