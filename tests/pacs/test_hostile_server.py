"""A DICOMweb server that answers garbage: every answer becomes a one-line PacsError naming the
node, and nothing is written outside the cache folder."""

from __future__ import annotations

import io
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage

from spineviewer.pacs.cache import StudyCache
from spineviewer.pacs.client import connect
from spineviewer.pacs.errors import PacsError
from spineviewer.pacs.nodes import PacsNode
from spineviewer.pacs.query import StudyQuery

STUDY, SERIES, SOP = "1.2.826.0.1.3680043.8.498.10", "1.2.826.0.1.3680043.8.498.11", "1.2.3.4.5"
JSON = "application/dicom+json"


def uid_json(tag: str, uid: str) -> dict:
    return {tag: {"vr": "UI", "Value": [uid]}}


def instance(sop=SOP, study=STUDY) -> bytes:
    """A small MR instance, as a file (with a chosen, possibly hostile, SOPInstanceUID)."""
    with warnings.catch_warnings():  # pydicom warns of the invalid UIDs these tests want
        warnings.simplefilter("ignore")
        return _instance(sop, study)


def _instance(sop, study) -> bytes:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = MRImageStorage
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3"
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID, ds.SOPInstanceUID = MRImageStorage, sop
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, SERIES
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def multipart(*parts: bytes) -> tuple[str, bytes]:
    boundary = "spineviewer-test-boundary"
    body = b"".join(b"--" + boundary.encode() + b"\r\nContent-Type: application/dicom\r\n\r\n"
                    + part + b"\r\n" for part in parts) + b"--" + boundary.encode() + b"--\r\n"
    return f'multipart/related; type="application/dicom"; boundary={boundary}', body


#: A route that holds its answer until the test releases it (``FakeServer.released``).
HOLD = "hold"


class FakeServer:
    """``routes``: (path without query) -> (status, content type, body), or :data:`HOLD` for
    an answer held back until ``released`` is set (bounded: 30 s)."""

    def __init__(self):
        self.routes: dict = {}
        self.released = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                answer = owner.routes.get(self.path.split("?")[0], (404, "text/plain", b"no"))
                if answer == HOLD:
                    owner.released.wait(30)
                    answer = (200, JSON, b"[]")
                status, kind, body, *cut = answer
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:cut[0]] if cut else body)
                if cut:  # the server stops in the middle of the answer
                    self.wfile.flush()
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.node = PacsNode(name="hostile", protocol="dicomweb",
                             url=f"http://127.0.0.1:{self.httpd.server_port}/dicom-web")

    def study_with(self, instance_uids, series_body: tuple[str, bytes]) -> None:
        import json
        base = f"/dicom-web/studies/{STUDY}/series"
        self.routes[base] = (200, JSON, json.dumps([uid_json("0020000E", SERIES)]).encode())
        self.routes[f"{base}/{SERIES}/instances"] = (
            200, JSON, json.dumps([uid_json("00080018", u) for u in instance_uids]).encode())
        kind, body = series_body
        self.routes[f"{base}/{SERIES}"] = (200, kind, body)


@pytest.fixture(scope="module")
def fake_server():
    fake = FakeServer()
    yield fake
    fake.released.set()
    fake.httpd.shutdown()
    fake.httpd.server_close()


@pytest.fixture
def server(fake_server):
    """The module's fake server with no routes yet (and no answer held back)."""
    fake_server.routes.clear()
    fake_server.released.clear()
    yield fake_server
    fake_server.released.set()


@pytest.mark.parametrize("body", [b'[{"0020000D": ', b'"a string"', b"[1, 2]", b"\xff\xfe\x00garbage",
                                  b'[{"0020000D": {"Value": ["../../etc/passwd"]}}]'])
def test_malformed_study_answer(server, body):
    """Broken JSON, JSON of the wrong shape, a path as a UID: a one-line error naming the node."""
    server.routes["/dicom-web/studies"] = (200, JSON, body)
    with pytest.raises(PacsError) as raised:
        connect(server.node, timeout=5).query_studies(StudyQuery())
    assert str(raised.value).startswith("hostile: ") and "\n" not in str(raised.value)


@pytest.mark.parametrize("status, expected", [(401, "user name or password"), (403, "refused access"),
                                              (404, "no such resource"), (500, "internal error"),
                                              (418, "HTTP 418")])
def test_http_errors_explained(server, status, expected):
    """Each HTTP failure status is named with what it means to the user."""
    server.routes["/dicom-web/studies"] = (status, "text/plain", b"Traceback: secret internals")
    with pytest.raises(PacsError, match=expected) as raised:
        connect(server.node, timeout=5).query_studies(StudyQuery())
    assert "Traceback" not in str(raised.value)


def test_no_answer_within_the_timeout(server):
    """A server that does not answer in time: a timeout message, not a hang."""
    server.routes["/dicom-web/studies"] = HOLD
    with pytest.raises(PacsError, match="did not answer within 1 s"):
        connect(server.node, timeout=1).query_studies(StudyQuery())


@pytest.mark.parametrize("sop", ["../../../outside", "1.2/../../x", "/tmp/x"])
def test_path_like_instance_uid_in_listing(server, tmp_path, sop):
    """An instance listing whose SOPInstanceUID is a path is refused before any file is written."""
    server.study_with([sop], multipart(instance()))
    with pytest.raises(PacsError, match="not a valid DICOM UID"):
        connect(server.node, timeout=5).retrieve_study(STUDY, StudyCache(tmp_path / "cache"))
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == []


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI:UserWarning")
@pytest.mark.parametrize("part, expected", [
    (b"this is not DICOM at all", "not a DICOM instance"),
    (instance(sop="../../../outside"), "bad UID"),
    (instance(study="1.2.999"), "another study"),
])
def test_hostile_instance_never_written(server, tmp_path, part, expected):
    """A part that is not DICOM, has a path as its UID or belongs to another study is refused,
    and nothing is written anywhere: not in the cache, not beside it."""
    server.study_with([SOP], multipart(part))
    cache = StudyCache(tmp_path / "cache")
    with pytest.raises(PacsError, match=expected):
        connect(server.node, timeout=5).retrieve_study(STUDY, cache)
    assert [p for p in tmp_path.rglob("*") if p.is_file() and p.name.endswith(".dcm")] == []
    assert not cache.is_complete(STUDY)


def test_well_formed_instance_is_kept(server, tmp_path):
    """The same fake server sending a proper instance fills the cache: the refusals above are
    about the content, not the server."""
    server.study_with([SOP], multipart(instance()))
    cache = StudyCache(tmp_path / "cache")
    folder = connect(server.node, timeout=5).retrieve_study(STUDY, cache)
    assert [p.relative_to(folder).as_posix() for p in folder.rglob("*.dcm")] == [f"{SERIES}/{SOP}.dcm"]
    assert cache.is_complete(STUDY)


def test_series_that_comes_short_is_completed_instance_by_instance(server, tmp_path):
    """A series announced with 2 instances whose whole-series answer holds 1: the series is
    listed and the missing instance fetched on its own."""
    import json

    second = "1.2.3.4.6"
    server.study_with([SOP, second], multipart(instance()))
    base = f"/dicom-web/studies/{STUDY}/series"
    series = {**uid_json("0020000E", SERIES), "00201209": {"vr": "IS", "Value": [2]}}
    server.routes[base] = (200, JSON, json.dumps([series]).encode())
    server.routes[f"{base}/{SERIES}/instances/{second}"] = (200, *multipart(instance(sop=second)))
    cache = StudyCache(tmp_path / "cache")
    connect(server.node, timeout=5).retrieve_study(STUDY, cache)
    assert cache.instances(STUDY, SERIES) == {SOP, second} and cache.is_complete(STUDY)


def test_connection_lost_within_a_series(server, tmp_path):
    """The server stops in the middle of a series: the instances that arrived whole are kept,
    the one cut short is not, and the message says the transfer was cut."""
    sops = [f"1.2.3.4.{k}" for k in range(1, 4)]
    kind, body = multipart(*(instance(sop=sop) for sop in sops))
    server.study_with(sops, (kind, body))
    base = f"/dicom-web/studies/{STUDY}/series/{SERIES}"
    second_part_end = body.index(b"--spineviewer-test-boundary", body.index(b"1.2.3.4.2"))
    server.routes[base] = (200, kind, body, second_part_end + 40)
    cache = StudyCache(tmp_path / "cache")
    with pytest.raises(PacsError, match="closed the connection in the middle of a transfer"):
        connect(server.node, timeout=5).retrieve_study(STUDY, cache)
    assert cache.instances(STUDY, SERIES) == {"1.2.3.4.1", "1.2.3.4.2"}
    assert not cache.is_complete(STUDY)
