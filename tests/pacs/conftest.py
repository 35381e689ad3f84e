"""The Orthanc server of the PACS tests: one per session, loaded with the sample studies.

Tests that use it skip with the reason when Orthanc or its DICOMweb plugin is not installed
(a user's machine); ``.ci/run`` installs both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from tests.pacs.orthanc import OUR_AET, ORTHANC_AET, OrthancServer, orthanc_binary


@pytest.fixture(scope="session", autouse=True)
def no_platform_keyring():
    """The null keyring for the whole run: no test writes a password to the real keyring."""
    import keyring
    from keyring.backends import null

    keyring.set_keyring(null.Keyring())


@pytest.fixture(autouse=True)
def private_settings(tmp_path, monkeypatch):
    """PACS settings and the study cache in ``tmp_path``, never in the real home folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*/dicom/*/*") if p.is_file())


@pytest.fixture(scope="session")
def orthanc(tmp_path_factory):
    """A running Orthanc holding both sample studies (started once, stopped at the end)."""
    reason = orthanc_binary()
    if reason:
        pytest.skip(reason)
    server = OrthancServer(tmp_path_factory.mktemp("orthanc"))
    try:
        server.start()
        server.upload(sample_files())
        yield server
    finally:
        server.stop()


@pytest.fixture
def live_orthanc(orthanc):
    """The session's Orthanc, started again if a test stopped it."""
    if not orthanc.running:
        orthanc.start()
    return orthanc


@pytest.fixture
def web_node(live_orthanc):
    from spineviewer.pacs.nodes import PacsNode

    return PacsNode(name="orthanc-web", protocol="dicomweb", url=live_orthanc.dicomweb_url,
                    auth="basic", username=live_orthanc.auth[0])


@pytest.fixture
def dimse_node(live_orthanc):
    from spineviewer.pacs.nodes import PacsNode

    return PacsNode(name="orthanc-dimse", protocol="dimse", ae_title=ORTHANC_AET,
                    host="127.0.0.1", port=live_orthanc.dicom_port, calling_ae=OUR_AET,
                    listen_port=live_orthanc.move_port)
