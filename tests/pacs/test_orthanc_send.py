"""Sending findings back: the DICOM SR of a sample study stored by STOW-RS and by C-STORE,
then found on the server by query; files that are not DICOM are reported, not sent."""

from __future__ import annotations

import pydicom
import pytest
import requests

from spineviewer.export.sr import write_sr
from spineviewer.export.study_input import load_images, study_annotations
from spineviewer.pacs.client import connect
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def sr_file(tmp_path_factory):
    """The SR of sample case 1 with its answer key's findings."""
    source = SAMPLES / "case1-breast-t12"
    result = load_images(source)
    annotations, _ = study_annotations(None, source, result, required=True, answer_key=True)
    return write_sr(result, annotations, tmp_path_factory.mktemp("sr") / "report.dcm")


@pytest.mark.parametrize("protocol", ["stow-rs", "c-store"])
def test_send_sr_and_find_it(protocol, web_node, dimse_node, live_orthanc, sr_file, tmp_path):
    """The SR is stored; a query finds it in its study as an SR series holding its instance."""
    node = web_node if protocol == "stow-rs" else dimse_node
    sr = pydicom.dcmread(sr_file, stop_before_pixels=True)
    not_dicom = tmp_path / "notes.txt"
    not_dicom.write_text("not DICOM")
    client = connect(node, live_orthanc.password, timeout=20)
    try:
        report = client.send([sr_file, not_dicom])
        assert report.stored == [str(sr.SOPInstanceUID)]
        assert [(p.name, reason) for p, reason in report.failed] == [
            ("notes.txt", "not a DICOM file with SOP class and instance UIDs")]
        series = [s for s in client.query_series(str(sr.StudyInstanceUID)) if s.modality == "SR"]
        assert [s.series_uid for s in series] == [str(sr.SeriesInstanceUID)]
        assert client.query_instances(str(sr.StudyInstanceUID), series[0].series_uid) == [
            str(sr.SOPInstanceUID)]
    finally:
        client.close()
        _delete(live_orthanc, str(sr.SOPInstanceUID))


def _delete(orthanc, sop_uid: str) -> None:
    """Remove the instance again, so the other tests see the sample studies as committed."""
    found = requests.post(f"{orthanc.rest}/tools/lookup", data=sop_uid, auth=orthanc.auth,
                          timeout=10).json()
    for item in found:
        requests.delete(f"{orthanc.rest}/instances/{item['ID']}", auth=orthanc.auth, timeout=10)
