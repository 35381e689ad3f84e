"""``spineviewer pacs`` against a real Orthanc: nodes (no secret in argv or in the settings),
echo, query (table and JSON), get into a folder, send; failures as one line."""

from __future__ import annotations

import json

import pydicom
import pytest

from spineviewer.cli.entry import main
from spineviewer.cli.pacs import SECRET_ENV
from tests.conftest import SAMPLES
from tests.pacs.orthanc import ORTHANC_AET, OUR_AET

CASE1 = SAMPLES / "case1-breast-t12" / "dicom"


@pytest.fixture
def nodes(live_orthanc, tmp_path, monkeypatch):
    """Both protocols' nodes added by the command, settings in a private config folder."""
    monkeypatch.setenv(SECRET_ENV, live_orthanc.password)
    assert main(["pacs", "nodes", "add", "web", "--dicomweb", live_orthanc.dicomweb_url,
                 "--auth", "basic", "--username", live_orthanc.auth[0]]) == 0
    assert main(["pacs", "nodes", "add", "dimse", "--dimse",
                 f"{ORTHANC_AET}@127.0.0.1:{live_orthanc.dicom_port}", "--calling-ae", OUR_AET]) == 0
    return tmp_path / "config" / "spineviewer" / "pacs.json"


def test_nodes_listed_without_secret(nodes, live_orthanc, capsys):
    """The nodes are listed; the password is in neither the settings file nor the output."""
    capsys.readouterr()
    assert main(["pacs", "nodes"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"dimse: dimse {ORTHANC_AET}@127.0.0.1:{live_orthanc.dicom_port} as {OUR_AET}, c-get",
        f"web: dicomweb {live_orthanc.dicomweb_url} (basic authentication)"]
    assert live_orthanc.password not in nodes.read_text()


@pytest.mark.parametrize("node", ["web", "dimse"])
def test_echo_and_query(nodes, node, capsys):
    """echo answers; query by patient ID and date prints the study, --json gives its fields."""
    assert main(["pacs", "echo", node]) == 0
    assert main(["pacs", "query", node, "--patient-id", "SVPH0001", "--from", "2024-03-01",
                 "--to", "2024-03-31"]) == 0
    out = capsys.readouterr().out
    assert "answered in" in out and "SVPH0001" in out and out.rstrip().endswith("1 study")
    assert main(["pacs", "query", node, "--from", "2024-04-01", "--json"]) == 0
    (study,) = json.loads(capsys.readouterr().out)
    assert (study["patient_id"], study["study_date"], study["n_instances"]) == (
        "SVPH0003", "2024-05-08", 112)


def test_get_into_a_folder_then_again(nodes, tmp_path, capsys):
    """get writes the study to DIR/<uid>; a second get finds it complete and fetches nothing."""
    uid = str(pydicom.dcmread(next(CASE1.glob("*/*")), stop_before_pixels=True).StudyInstanceUID)
    assert main(["pacs", "get", "web", uid, "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.count("series ") == 5 and out.rstrip().endswith(f"{uid}: 73 instances")
    assert len(list((tmp_path / "out" / uid).glob("*/*.dcm"))) == 73
    assert main(["pacs", "get", "dimse", uid, "--out", str(tmp_path / "out")]) == 0
    assert "series " not in capsys.readouterr().out


def test_send_reports_what_was_refused(nodes, tmp_path, capsys):
    """send stores DICOM files and names the file it could not send, with status 1."""
    junk = tmp_path / "junk.dcm"
    junk.write_bytes(b"junk")
    original = next(CASE1.glob("*/*"))
    assert main(["pacs", "send", "dimse", str(original), str(junk)]) == 1
    out = capsys.readouterr().out
    assert f"not sent: {junk}: not a DICOM file" in out and "1 instance(s) stored" in out


def test_failures_are_one_line(nodes, live_orthanc, monkeypatch, capsys):
    """A wrong password, an unknown node: one line on stderr, status 1, no secret shown."""
    monkeypatch.setenv(SECRET_ENV, "not-the-Passw0rd")
    assert main(["pacs", "query", "web", "--patient-id", "X"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("spineviewer pacs: web: refused the user name or password (HTTP 401)")
    assert err.count("\n") == 1 and "not-the-Passw0rd" not in err
    assert main(["pacs", "echo", "nowhere"]) == 1
    assert "no PACS node 'nowhere' (known: dimse, web)" in capsys.readouterr().err


def test_remove_node(nodes, capsys):
    """remove forgets the node."""
    assert main(["pacs", "nodes", "remove", "web"]) == 0
    capsys.readouterr()
    main(["pacs", "nodes"])
    assert "web:" not in capsys.readouterr().out


def test_send_an_anonymized_copy_folder(nodes, live_orthanc, tmp_path, capsys):
    """An anonymized copy sent as a folder: every image stored, its annotation file passed
    over; the PACS then finds the pseudonymous patient."""
    import requests

    out = tmp_path / "anon"
    assert main(["anonymize", str(CASE1.parent), str(out), "--pseudonym", "TEACH01",
                 "--answer-key"]) == 0
    assert list(out.rglob("*.spineviewer.json"))
    try:
        assert main(["pacs", "send", "web", str(out)]) == 0
        assert "web: 73 instance(s) stored" in capsys.readouterr().out
        assert main(["pacs", "query", "dimse", "--patient-id", "TEACH01", "--json"]) == 0
        (study,) = json.loads(capsys.readouterr().out)
        assert (study["patient_name"], study["n_instances"]) == ("TEACH01", 73)
    finally:  # removed again: the other tests see the two sample studies only
        found = requests.post(f"{live_orthanc.rest}/tools/find", auth=live_orthanc.auth,
                              json={"Level": "Patient", "Query": {"PatientID": "TEACH01"}},
                              timeout=10).json()
        for patient in found:
            requests.delete(f"{live_orthanc.rest}/patients/{patient}", auth=live_orthanc.auth,
                            timeout=10)


def test_get_a_study_list(nodes, tmp_path, capsys):
    """get --list retrieves every study of a list (accession numbers here) and reports the
    entry it could not find, with status 1."""
    listing = tmp_path / "reading.csv"
    listing.write_text("case,AccessionNumber\n1,SVA24000101\n2,SVA24000103\n3,NOSUCH01\n")
    assert main(["pacs", "get", "dimse", "--list", str(listing), "--out", str(tmp_path / "o")]) == 1
    out = capsys.readouterr().out
    assert "not found: accession NOSUCH01: not on dimse" in out
    finished = [line.rsplit(": ", 1)[1] for line in out.splitlines() if line.startswith("/")]
    assert finished == ["73 instances", "112 instances"]
    assert len(list((tmp_path / "o").glob("*/*/*.dcm"))) == 185
