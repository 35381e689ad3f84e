"""Retrieving whole studies from a real Orthanc into the cache: WADO-RS, C-GET and C-MOVE;
every file compared with the original; a study in the cache opens without the server; a server
stopped in the middle of a transfer leaves a partial cache that a later retrieve completes
without fetching again what had arrived."""

from __future__ import annotations

import threading

import numpy as np
import pydicom
import pytest

from spineviewer.core.loader import load_study
from spineviewer.pacs.cache import StudyCache
from spineviewer.pacs.client import connect
from spineviewer.pacs.errors import PacsError, RetrieveCancelled
from spineviewer.pacs.nodes import PacsNode
from tests.conftest import SAMPLES
from tests.pacs.orthanc import free_port

CASE1 = SAMPLES / "case1-breast-t12" / "dicom"
GEOMETRY = ("Rows", "Columns", "PixelSpacing", "ImagePositionPatient", "ImageOrientationPatient",
            "SliceThickness", "SeriesInstanceUID", "FrameOfReferenceUID", "InstanceNumber")


def originals(folder=CASE1) -> dict[str, pydicom.Dataset]:
    return {str(ds.SOPInstanceUID): ds for ds in (pydicom.dcmread(p) for p in folder.glob("*/*"))}


@pytest.fixture(scope="module")
def case1():
    return originals()


@pytest.fixture(params=["wado-rs", "c-get", "c-move"])
def node(request, web_node, dimse_node):
    if request.param == "wado-rs":
        return web_node
    if request.param == "c-get":
        return dimse_node
    return PacsNode(**{**dimse_node.to_json(), "retrieve": "c-move"})


def study_uid(case1) -> str:
    return str(next(iter(case1.values())).StudyInstanceUID)


def test_retrieve_whole_study_identical_to_originals(node, live_orthanc, case1, tmp_path):
    """Every instance arrives with the original's pixels and geometry, and the study loads."""
    cache = StudyCache(tmp_path / "cache")
    reports = []
    with connect(node, live_orthanc.password, timeout=20) as client:
        folder = client.retrieve_study(study_uid(case1), cache, progress=reports.append)
    files = sorted(folder.glob("*/*.dcm"))
    assert len(files) == len(case1) == 73
    for path in files:
        got = pydicom.dcmread(path)
        original = case1[str(got.SOPInstanceUID)]
        assert path.stem == str(got.SOPInstanceUID) and path.parent.name == got.SeriesInstanceUID
        for keyword in GEOMETRY:
            assert got.get(keyword) == original.get(keyword), keyword
        np.testing.assert_array_equal(got.pixel_array, original.pixel_array)
    assert cache.is_complete(study_uid(case1))
    assert reports[-1].study_done == reports[-1].study_total == 73
    first = next(r.first_file for r in reports if r.first_file is not None)
    assert first.is_file() and reports.index(next(r for r in reports if r.first_file)) <= 6
    result = load_study(folder)
    (patient,) = result.patients
    (study,) = patient.studies
    assert study.uid == study_uid(case1) and len(study.series) == 5 and not result.problems


def test_complete_study_opens_without_the_server(web_node, live_orthanc, case1, tmp_path):
    """A complete study in the cache is returned at once, even with the server unreachable."""
    cache = StudyCache(tmp_path / "cache")
    with connect(web_node, live_orthanc.password, timeout=20) as client:
        folder = client.retrieve_study(study_uid(case1), cache)
    down = PacsNode(name="down", protocol="dicomweb", url=f"http://127.0.0.1:{free_port()}/x")
    reports = []
    assert connect(down, timeout=5).retrieve_study(study_uid(case1), cache,
                                                   progress=reports.append) == folder
    assert reports[0].done == 73 and reports[0].first_file.is_file()


def test_unknown_study_is_a_clear_message(web_node, dimse_node, live_orthanc, tmp_path):
    """A study the server does not have: PacsError naming the node and the UID."""
    for node in (web_node, dimse_node):
        with pytest.raises(PacsError, match=rf"^{node.name}: has no study 1\.2\.3\.4"):
            connect(node, live_orthanc.password, timeout=10).retrieve_study(
                "1.2.3.4", StudyCache(tmp_path / node.name))


def test_cancel_keeps_what_arrived(web_node, live_orthanc, case1, tmp_path):
    """Cancelling after a few instances stops the retrieve; the next one completes it."""
    cache = StudyCache(tmp_path / "cache")
    cancel = threading.Event()

    def progress(report):
        if report.study_done >= 5:
            cancel.set()

    with connect(web_node, live_orthanc.password, timeout=20) as client:
        with pytest.raises(RetrieveCancelled):
            client.retrieve_study(study_uid(case1), cache, progress=progress, cancel=cancel)
        assert 5 <= len(cache.files(study_uid(case1))) < 73
        assert not cache.is_complete(study_uid(case1))
        client.retrieve_study(study_uid(case1), cache)
    assert cache.is_complete(study_uid(case1)) and len(cache.files(study_uid(case1))) == 73


@pytest.mark.parametrize("protocol", ["wado-rs", "c-get"])
def test_server_stopped_mid_transfer_then_resume(protocol, web_node, dimse_node, live_orthanc,
                                                 case1, tmp_path):
    """Orthanc killed during a retrieve: a one-line PacsError, a partial cache; after a restart
    the retrieve completes and the files that had arrived are not fetched again."""
    node = web_node if protocol == "wado-rs" else dimse_node
    cache = StudyCache(tmp_path / "cache")
    uid = study_uid(case1)

    def stop_after_some(report):
        if report.study_done >= 3 and live_orthanc.running:
            live_orthanc.kill()

    with pytest.raises(PacsError) as raised:
        connect(node, live_orthanc.password, timeout=10).retrieve_study(
            uid, cache, progress=stop_after_some)
    assert str(raised.value).startswith(f"{node.name}: ") and "\n" not in str(raised.value)
    arrived = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in cache.files(uid)}
    assert 3 <= len(arrived) < 73 and not cache.is_complete(uid)
    for path in arrived:  # every file that has its final name is a whole instance
        assert pydicom.dcmread(path).pixel_array.shape == (
            pydicom.dcmread(path, stop_before_pixels=True).Rows,
            pydicom.dcmread(path, stop_before_pixels=True).Columns)

    live_orthanc.start()
    fetched = []
    with connect(node, live_orthanc.password, timeout=20) as client:
        client.retrieve_study(uid, cache, progress=lambda r: fetched.append(r))
    assert cache.is_complete(uid) and len(cache.files(uid)) == 73
    for path, identity in arrived.items():
        assert (path.stat().st_ino, path.stat().st_mtime_ns) == identity, path
    assert fetched[-1].study_done == 73
