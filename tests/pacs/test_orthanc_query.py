"""Queries against a real Orthanc, by DICOMweb (QIDO-RS) and DIMSE (C-FIND)."""

from __future__ import annotations

import datetime as dt

import pytest

from spineviewer.pacs.client import connect
from spineviewer.pacs.errors import PacsError
from spineviewer.pacs.nodes import PacsNode
from spineviewer.pacs.query import StudyQuery
from tests.pacs.orthanc import free_port

#: The sample studies (sample_dicom/): patient ID -> (date, number of series, instances).
SAMPLES = {"SVPH0001": (dt.date(2024, 3, 15), 5, 73), "SVPH0003": (dt.date(2024, 5, 8), 5, 112)}


@pytest.fixture(params=["dicomweb", "dimse"])
def client(request, web_node, dimse_node, live_orthanc):
    node = web_node if request.param == "dicomweb" else dimse_node
    with connect(node, live_orthanc.password, timeout=10) as client:
        yield client


def test_echo(client):
    """The node answers an echo (C-ECHO, or a minimal QIDO-RS query)."""
    assert 0 < client.echo() < 10


@pytest.mark.parametrize("patient_id", sorted(SAMPLES))
def test_query_by_patient_id(client, patient_id):
    """A patient ID finds that patient's one study with its date and counts."""
    (study,) = client.query_studies(StudyQuery(patient_id=patient_id))
    date, n_series, n_instances = SAMPLES[patient_id]
    assert (study.patient_id, study.study_date, study.n_series, study.n_instances,
            study.modalities) == (patient_id, date, n_series, n_instances, ("MR",))


@pytest.mark.parametrize("start, end, expected", [
    (dt.date(2024, 3, 1), dt.date(2024, 3, 31), {"SVPH0001"}),
    (dt.date(2024, 4, 1), None, {"SVPH0003"}),
    (None, dt.date(2024, 5, 8), {"SVPH0001", "SVPH0003"}),
    (dt.date(2023, 1, 1), dt.date(2023, 12, 31), set()),
])
def test_query_by_date_range(client, start, end, expected):
    """A date range finds exactly the studies inside it (ends included)."""
    found = client.query_studies(StudyQuery(date_from=start, date_to=end))
    assert {study.patient_id for study in found} == expected


def test_paging(client):
    """limit and offset page through the answers, without overlap."""
    first = client.query_studies(StudyQuery(), limit=1, offset=0)
    second = client.query_studies(StudyQuery(), limit=1, offset=1)
    assert len(first) == len(second) == 1
    assert {first[0].patient_id, second[0].patient_id} == set(SAMPLES)
    assert client.query_studies(StudyQuery(), limit=5, offset=2) == []


def test_series_of_a_study(client):
    """The series of a study come back by series number with their descriptions."""
    (study,) = client.query_studies(StudyQuery(patient_id="SVPH0001"))
    series = client.query_series(study.study_uid)
    assert [s.number for s in series] == [1, 2, 3, 4, 5]
    assert [s.description for s in series] == ["SAG T2 TSE", "SAG T1 TSE", "AX T2 TSE",
                                               "SAG T1 TSE +C", "AX T1 TSE +C"]
    assert sum(s.n_instances for s in series) == 73


def test_wrong_password_is_a_clear_message(web_node, live_orthanc):
    """A refused password names the node and says so; the password is not in the message."""
    with connect(web_node, "wrong-Passw0rd", timeout=10) as client:
        with pytest.raises(PacsError) as raised:
            client.query_studies(StudyQuery(patient_id="SVPH0001"))
    message = str(raised.value)
    assert message.startswith("orthanc-web: ") and "401" in message and "password" in message
    assert "wrong-Passw0rd" not in message and "\n" not in message


def test_unknown_calling_ae_is_rejected(dimse_node, live_orthanc):
    """An AE title the PACS does not know is refused with a message saying what to configure."""
    stranger = PacsNode(**{**dimse_node.to_json(), "calling_ae": "STRANGER"})
    with pytest.raises(PacsError, match="STRANGER"):
        connect(stranger, timeout=10).query_studies(StudyQuery())


@pytest.mark.parametrize("protocol", ["dicomweb", "dimse"])
def test_refused_connection(protocol):
    """Nothing listening: a one-line message naming the node, within the timeout."""
    port = free_port()
    node = (PacsNode(name="down", protocol="dicomweb", url=f"http://127.0.0.1:{port}/dicom-web")
            if protocol == "dicomweb" else
            PacsNode(name="down", protocol="dimse", ae_title="X", host="127.0.0.1", port=port))
    with pytest.raises(PacsError, match=r"^down: .*(refused|reached)"):
        connect(node, timeout=5).echo()


def test_cancelled_query(client):
    """A query whose cancel is set stops (C-FIND: a C-CANCEL) and says it was cancelled."""
    import threading

    from spineviewer.pacs.errors import RetrieveCancelled

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(RetrieveCancelled, match="query cancelled"):
        client.query_studies(StudyQuery(), cancel=cancel)
    assert len(client.query_studies(StudyQuery())) == 2  # the association is usable afterwards


def test_study_list_resolved(client, tmp_path):
    """A study list with a UID, an accession number and an unknown entry: both studies found,
    the unknown one reported."""
    from spineviewer.pacs.worklist import read_study_list, resolve_study_list

    (case1,) = client.query_studies(StudyQuery(patient_id="SVPH0001"))
    path = tmp_path / "list.txt"
    path.write_text(f"{case1.study_uid}\nSVA24000103\nNOSUCH01\n")
    studies, problems = resolve_study_list(client, read_study_list(path))
    assert [s.patient_id for s in studies] == ["SVPH0001", "SVPH0003"]
    assert problems == [f"accession NOSUCH01: not on {client.node.name}"]


def test_silent_dimse_peer_times_out():
    """A port that accepts the connection and never answers: a timeout message, not a hang."""
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        node = PacsNode(name="silent", protocol="dimse", ae_title="X", host="127.0.0.1",
                        port=listener.getsockname()[1])
        with pytest.raises(PacsError, match="^silent: did not answer the association request "
                                            "within 1 s"):
            connect(node, timeout=1).echo()
