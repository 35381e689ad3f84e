"""A private Orthanc server for the tests and the benchmark: loopback ports, a temporary
storage folder, a generated configuration (HTTP basic authentication, DICOMweb plugin, a
DIMSE port that knows only our AE title), started and stopped by the caller.

Nothing depends on a system Orthanc service: the binary is run directly with its own
configuration file, and :func:`orthanc_binary` says why the tests skip when it is absent.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import requests

ORTHANC = os.environ.get("SPINEVIEWER_ORTHANC", "/usr/sbin/Orthanc")
DICOMWEB_PLUGIN = os.environ.get("SPINEVIEWER_ORTHANC_DICOMWEB",
                                 "/usr/share/orthanc/plugins/libOrthancDicomWeb.so")
ORTHANC_AET = "ORTHANCTEST"
OUR_AET = "SPINEVIEWER"
USER = "radiologist"
#: Seconds Orthanc gets to answer after starting, and to stop after SIGTERM.
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15


def orthanc_binary() -> str | None:
    """The reason the Orthanc tests cannot run here, or None when they can."""
    if not (Path(ORTHANC).is_file() and os.access(ORTHANC, os.X_OK)):
        return f"needs Orthanc at {ORTHANC} (Debian packages orthanc and orthanc-dicomweb)"
    if not Path(DICOMWEB_PLUGIN).exists():
        return f"needs the Orthanc DICOMweb plugin at {DICOMWEB_PLUGIN} (package orthanc-dicomweb)"
    return None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OrthancServer:
    """One Orthanc process with its own storage folder under ``workdir``."""

    def __init__(self, workdir: Path, *, move_port: int | None = None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.http_port, self.dicom_port = free_port(), free_port()
        self.move_port = move_port or free_port()
        self.password = secrets.token_urlsafe(12)
        self.process: subprocess.Popen | None = None
        self.config = self.workdir / "orthanc.json"
        self.config.write_text(json.dumps(self.configuration(), indent=2))

    @property
    def rest(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def dicomweb_url(self) -> str:
        return f"{self.rest}/dicom-web"

    @property
    def auth(self) -> tuple[str, str]:
        return USER, self.password

    def configuration(self) -> dict:
        """The configuration file's content (the README shows the same keys)."""
        storage = str(self.workdir / "storage")
        return {
            "Name": "spineviewer-test",
            "StorageDirectory": storage, "IndexDirectory": storage,
            "Plugins": [DICOMWEB_PLUGIN],
            "HttpPort": self.http_port, "RemoteAccessAllowed": False,
            "AuthenticationEnabled": True, "RegisteredUsers": {USER: self.password},
            "DicomServerEnabled": True, "DicomAet": ORTHANC_AET, "DicomPort": self.dicom_port,
            "DicomCheckCalledAet": True, "DicomCheckModalityHost": True,
            "DicomAlwaysAllowEcho": False, "DicomAlwaysAllowStore": False,
            "DicomModalities": {"spineviewer": {
                "AET": OUR_AET, "Host": "127.0.0.1", "Port": self.move_port,
                "AllowEcho": True, "AllowFind": True, "AllowGet": True, "AllowMove": True,
                "AllowStore": True}},
            "DicomWeb": {"Enable": True, "Root": "/dicom-web/", "EnableWado": True,
                         "Ssl": False, "StudiesMetadata": "MainDicomTags"},
            "StableAge": 1, "SaveJobs": False, "ConcurrentJobs": 1,
            "DicomScpTimeout": 10, "DicomScuTimeout": 10,
        }

    def start(self) -> "OrthancServer":
        """Start Orthanc and wait (bounded) until its REST API answers."""
        log = open(self.workdir / "orthanc.log", "ab")
        self.process = subprocess.Popen([ORTHANC, str(self.config)], stdout=log,
                                        stderr=subprocess.STDOUT, cwd=self.workdir)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Orthanc exited with status {self.process.returncode}; "
                                   f"see {self.workdir / 'orthanc.log'}")
            try:
                if requests.get(f"{self.rest}/system", auth=self.auth, timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            try:  # between two asks, return at once if Orthanc exits
                self.process.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
        self.stop()
        raise RuntimeError(f"Orthanc did not answer within {START_TIMEOUT_S} s")

    def stop(self) -> None:
        """Terminate Orthanc and wait for it; killed if it does not stop in time."""
        process, self.process = self.process, None
        if process is None:
            return
        try:
            process.terminate()
            process.wait(timeout=STOP_TIMEOUT_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT_S)

    def kill(self) -> None:
        """Kill Orthanc at once, as a crash or a power cut would (SIGKILL, then wait)."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def upload(self, paths) -> list[str]:
        """POST each DICOM file to ``/instances``; returns Orthanc's instance ids."""
        ids = []
        with requests.Session() as session:
            session.auth = self.auth
            for path in paths:
                answer = session.post(f"{self.rest}/instances", data=Path(path).read_bytes(),
                                      headers={"Content-Type": "application/dicom"}, timeout=30)
                answer.raise_for_status()
                ids.append(answer.json()["ID"])
        return ids

    def remove_storage(self) -> None:
        shutil.rmtree(self.workdir / "storage", ignore_errors=True)
