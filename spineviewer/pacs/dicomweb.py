"""The DICOMweb client: QIDO-RS queries, WADO-RS retrieve, STOW-RS send (``dicomweb-client``).

Authentication rides on a ``requests`` session (HTTP basic or a bearer token); TLS
certificates are verified unless the node says otherwise. ``dicomweb-client``'s own retries
are turned off, so a server that is down fails within the timeout. Queries (QIDO-RS) and
STOW-RS go through ``dicomweb-client``; a whole series is fetched in one streamed multipart
request (PS3.18 §10.4, Retrieve Series, :mod:`spineviewer.pacs.multipart`) and each part
written as it arrives, in the server's own bytes (``dicomweb-client`` would decode every
instance and the cache re-encode it: twice the time, and files no longer the server's); the
instances missing after an interrupted retrieve are fetched one by one (Retrieve Instance). Every ``requests`` and decoding failure becomes a PacsError naming the node, with
the HTTP status explained (401: the user name or password, 403: refused, 404: not there) and
never the secret.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from spineviewer.pacs.client import (
    InstanceSink, PacsClient, SendReport, check_cancel, checked_page, read_for_sending,
)
from spineviewer.pacs.errors import PacsError
from spineviewer.pacs.multipart import (
    MAX_PART_BYTES, IncompleteMessage, MultipartError, boundary_of, iter_parts,
)
from spineviewer.pacs.query import (
    SERIES_FIELDS, STUDY_FIELDS, SeriesResult, StudyQuery, StudyResult, in_series_order,
    instance_uid, qido_params, series_result, study_result,
)
from spineviewer.pacs.uids import InvalidUid, checked_uid

#: Bytes read from the socket at a time while a series streams in.
CHUNK_BYTES = 1 << 20
#: Instances per STOW-RS request.
STOW_BATCH = 50
#: Results per QIDO-RS page when listing a study's series or a series' instances, and the most
#: a listing may hold (far beyond any real series; a larger answer is taken as an error).
PAGE = 1000
MAX_RESULTS = 100_000

_HTTP_REASONS = {
    400: "refused the request as malformed (HTTP 400)",
    401: "refused the user name or password (HTTP 401)",
    403: "refused access (HTTP 403): the account is not allowed to do this",
    404: "has no such resource (HTTP 404): check the URL and the UID",
    405: "does not allow this operation (HTTP 405)",
    406: "cannot send the data in an acceptable form (HTTP 406)",
    409: "refused the data (HTTP 409)",
    413: "refused the data as too large (HTTP 413)",
    415: "refused the media type (HTTP 415)",
    429: "is busy (HTTP 429): try again later",
    500: "had an internal error (HTTP 500)",
    502: "is unreachable behind its gateway (HTTP 502)",
    503: "is unavailable (HTTP 503)",
    504: "timed out behind its gateway (HTTP 504)",
}


class DicomWebClient(PacsClient):
    """A DICOMweb node (QIDO-RS, WADO-RS, STOW-RS under one base URL)."""

    def __init__(self, node, secret=None, *, timeout: float = 30):
        super().__init__(node, secret, timeout=timeout)
        import requests
        from dicomweb_client.api import DICOMwebClient

        self._session = requests.Session()
        self._session.verify = node.verify_tls
        if node.auth == "basic":
            self._session.auth = (node.username, secret or "")
        elif node.auth == "bearer":
            self._session.headers["Authorization"] = f"Bearer {secret or ''}"
        self._base = node.url.rstrip("/")
        self._timeouts = (min(self.timeout, 10.0), self.timeout)
        self._client = DICOMwebClient(self._base, session=self._session, timeout=self._timeouts)
        self._client.set_http_retry_params(retry=False)

    def close(self) -> None:
        self._session.close()

    @contextmanager
    def _calls(self, what: str):
        """Turn every failure inside into a PacsError naming the node and ``what`` failed."""
        import requests
        import urllib3
        from pydicom.errors import InvalidDicomError

        try:
            yield
        except (PacsError, KeyboardInterrupt, SystemExit):
            raise
        except requests.exceptions.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            reason = _HTTP_REASONS.get(status, f"answered HTTP {status}")
            raise self.error(f"{reason} ({what})") from None
        except requests.exceptions.SSLError:
            raise self.error(f"TLS failed ({what}): the certificate is not trusted or the "
                             "server does not speak https") from None
        except requests.exceptions.Timeout:
            raise self.error(f"did not answer within {self.timeout:g} s ({what})") from None
        except requests.exceptions.ChunkedEncodingError:
            raise self.error(f"closed the connection in the middle of a transfer ({what})") from None
        except requests.exceptions.ConnectionError as exc:
            text = str(exc).lower()
            if "refused" in text:
                reason = "refused the connection: is the server running and the URL right?"
            elif "name or service" in text or "resolve" in text or "nodename" in text:
                reason = "has a host name that cannot be resolved"
            elif "reset" in text or "aborted" in text or "remotedisconnected" in text:
                reason = "closed the connection"
            else:
                reason = "cannot be reached"
            raise self.error(f"{reason} ({what})") from None
        except urllib3.exceptions.ReadTimeoutError:  # read1 of a streamed answer
            raise self.error(f"did not answer within {self.timeout:g} s ({what})") from None
        except (IncompleteMessage, urllib3.exceptions.ProtocolError,
                urllib3.exceptions.IncompleteRead):
            raise self.error(f"closed the connection in the middle of a transfer ({what})") from None
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError):
            raise self.error(f"the request failed ({what})") from None
        except (MultipartError, InvalidUid) as exc:
            raise self.error(f"sent a malformed answer ({what}: {exc})") from None
        except InvalidDicomError:
            raise self.error(f"sent data that is not a DICOM instance ({what})") from None
        except (ValueError, TypeError, KeyError, AttributeError, IndexError):
            raise self.error(f"sent an answer that is not valid DICOMweb ({what})") from None
        except BaseException as exc:  # a decoder on hostile bytes (pydicom, json)
            raise self.error(f"sent data that cannot be decoded ({what}: "
                             f"{type(exc).__name__})") from None

    def echo(self) -> float:
        start = time.perf_counter()
        with self._calls("echo"):
            answer = self._client.search_for_studies(limit=1, fields=["StudyInstanceUID"])
            _json_list(answer)
        return time.perf_counter() - start

    def query_studies(self, query: StudyQuery, *, limit: int = 50, offset: int = 0,
                      cancel: threading.Event | None = None) -> list[StudyResult]:
        limit, offset = checked_page(limit, offset)
        check_cancel(cancel, self, query=True)
        with self._calls("study query"):
            answer = self._client.search_for_studies(
                search_filters=qido_params(query), fields=list(STUDY_FIELDS),
                limit=limit, offset=offset)
            results = [study_result(item) for item in _json_list(answer)]
        check_cancel(cancel, self, query=True)
        return results[:limit]

    def query_series(self, study_uid: str) -> list[SeriesResult]:
        uid = self._uid(study_uid, "StudyInstanceUID")
        with self._calls("series query"):
            series = self._all_pages(
                lambda **page: self._client.search_for_series(uid, fields=list(SERIES_FIELDS), **page),
                series_result, lambda result: result.series_uid)
        return in_series_order(series)

    def query_instances(self, study_uid: str, series_uid: str) -> list[str]:
        study = self._uid(study_uid, "StudyInstanceUID")
        series = self._uid(series_uid, "SeriesInstanceUID")
        with self._calls("instance query"):
            return self._all_pages(
                lambda **page: self._client.search_for_instances(
                    study, series, fields=["SOPInstanceUID"], **page),
                instance_uid, lambda uid: uid)

    def _all_pages(self, search, read, key) -> list:
        """Every result of a QIDO-RS search, page by page (PS3.18 §8.3.4.4: a server may cap an
        answer). Stops at an empty or short page, and at a page with nothing new (a server that
        ignores ``offset`` would otherwise be asked forever); at most :data:`MAX_RESULTS`."""
        found: dict = {}
        while len(found) < MAX_RESULTS:
            page = [read(item) for item in _json_list(search(limit=PAGE, offset=len(found)))]
            new = {key(item): item for item in page if key(item) not in found}
            found.update(new)
            if len(page) < PAGE or not new:
                break
        else:
            raise self.error(f"lists more than {MAX_RESULTS} results for one study or series")
        return list(found.values())

    def fetch_series(self, sink: InstanceSink, study_uid: str, series_uid: str,
                     missing: Sequence[str], *, whole: bool, cancel) -> None:
        what = f"retrieve of series {series_uid}"
        with self._calls(what):
            series = f"{self._base}/studies/{study_uid}/series/{series_uid}"
            if whole:
                self._stream(sink, series, cancel)
                return
            for sop in missing:
                check_cancel(cancel, self)
                self._stream(sink, f"{series}/instances/{checked_uid(sop, 'SOPInstanceUID')}",
                             cancel)

    def _stream(self, sink: InstanceSink, url: str, cancel) -> None:
        """WADO-RS Retrieve Series or Instance, each part written as it arrives, in the
        server's own bytes (``transfer-syntax=*``: as stored, PS3.18 §8.7.3.5.2)."""
        accept = 'multipart/related; type="application/dicom"; transfer-syntax=*'
        # Pixel data gains little from gzip, and a server compressing every instance costs
        # more than it saves on a hospital network (Orthanc: 60 ms instead of 5 per instance).
        headers = {"Accept": accept, "Accept-Encoding": "identity"}
        with self._session.get(url, headers=headers, stream=True,
                               timeout=self._timeouts) as answer:
            answer.raise_for_status()
            boundary = boundary_of(answer.headers.get("Content-Type", ""))
            chunks = _arriving(answer.raw)
            if boundary is None:  # a lone instance sent without the multipart envelope
                sink.add(_bounded(chunks))
                return
            for part in iter_parts(chunks, boundary):
                check_cancel(cancel, self)
                sink.add(part)

    def send(self, paths: Sequence[Path]) -> SendReport:
        report = SendReport()
        datasets = read_for_sending(paths, report)
        for start in range(0, len(datasets), STOW_BATCH):
            batch = datasets[start:start + STOW_BATCH]
            with self._calls("STOW-RS store"):
                answer = self._client.store_instances([ds for _, ds in batch])
            stored, failed = _stow_outcome(answer)
            for path, ds in batch:
                sop = str(ds.SOPInstanceUID)
                if sop in stored:
                    report.stored.append(sop)
                else:
                    report.failed.append((path, failed.get(sop, "not confirmed by the server")))
        return report


def _json_list(answer) -> list[dict]:
    if not isinstance(answer, list) or not all(isinstance(item, dict) for item in answer):
        raise ValueError("not a list of DICOM JSON objects")
    return answer


def _arriving(raw) -> Iterator[bytes]:
    """The answer's bytes as soon as they arrive (``read1``: never waiting for a full chunk,
    so an instance is written when its part is in, and nothing that arrived is lost when the
    server stops mid-transfer)."""
    while True:
        data = raw.read1(CHUNK_BYTES)
        if not data:
            return
        yield data


def _bounded(chunks) -> bytes:
    """The whole body of a single-part answer, refused beyond :data:`MAX_PART_BYTES`."""
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > MAX_PART_BYTES:
            raise ValueError(f"an instance is larger than {MAX_PART_BYTES} bytes")
    return bytes(body)


def _stow_outcome(answer) -> tuple[set[str], dict[str, str]]:
    """SOPInstanceUIDs stored and those refused (with the reason) from a STOW-RS response."""
    stored, failed = set(), {}
    for item in answer.get("ReferencedSOPSequence", []) or []:
        uid = str(item.get("ReferencedSOPInstanceUID", ""))
        if uid:
            stored.add(uid)
    for item in answer.get("FailedSOPSequence", []) or []:
        uid = str(item.get("ReferencedSOPInstanceUID", ""))
        code = item.get("FailureReason")
        failed[uid] = f"refused by the server (failure reason {code})" if code is not None else "refused"
    return stored, failed
