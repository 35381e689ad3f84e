"""PACS retrieve benchmark: spineviewer's WADO-RS and C-GET against two peers, in one run.

Generates (once, cached in ``benchmarks/_work/``) the synthetic benchmark study of at least
1,500 files at 512 x 512 (``generate_benchmark_study``), starts a private Orthanc with the
DICOMweb plugin on loopback ports (the test harness, ``tests/pacs/orthanc.py``), uploads the
study through Orthanc's REST API and retrieves it four ways into empty folders:

(a) spineviewer, WADO-RS: ``retrieve_study`` on a DICOMweb node (one streamed multipart
    request per series, each instance written to the cache as it arrives);
(b) spineviewer, C-GET: ``retrieve_study`` on a DIMSE node (one C-GET per series);
(c) ``dicomweb-client`` used naively: list the study's instances, then one
    ``retrieve_instance`` request per instance, each written with ``dcmwrite``; once as it
    comes (``requests`` asks for gzip, which Orthanc then applies to every instance) and once
    with gzip turned off;
(d) Orthanc's own zip archive (``GET /studies/{id}/archive``), streamed to disk and extracted.

For each: files per second over the whole retrieve, and the time until the first file is
available on disk (readable by the viewer: the first image can be shown from then on). Each
method runs ``--repeat`` times (median), in turn, on a warm server.

Run: ``python benchmarks/pacs.py`` (writes the "PACS retrieve" section of ``docs/benchmarks.md``);
``--files 300`` for a smaller study on a slow machine (the section says so).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from load import _files, _study  # noqa: E402
from report import write_section  # noqa: E402

BEGIN, END = "<!-- pacs-benchmark:begin -->", "<!-- pacs-benchmark:end -->"


class Clock:
    """Seconds since the start, and when the first file became available."""

    def __init__(self):
        self.start = time.perf_counter()
        self.first: float | None = None

    def file_ready(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.start

    def total(self) -> float:
        return time.perf_counter() - self.start


def ours(node, password: str, uid: str, out: Path) -> tuple[Clock, int]:
    from spineviewer.pacs.cache import StudyCache
    from spineviewer.pacs.client import connect

    cache = StudyCache(out, limit_bytes=2**62)
    clock = Clock()
    with connect(node, password, timeout=120) as client:
        client.retrieve_study(uid, cache, progress=lambda r: r.first_file and clock.file_ready())
    return clock, len(cache.files(uid))


def naive_dicomweb(url: str, auth, uid: str, out: Path, *, gzip: bool = True) -> tuple[Clock, int]:
    import requests
    from dicomweb_client.api import DICOMwebClient
    from pydicom import dcmwrite

    session = requests.Session()
    session.auth = auth
    if not gzip:
        session.headers["Accept-Encoding"] = "identity"
    client = DICOMwebClient(url, session=session)
    clock = Clock()
    listing = client.search_for_instances(uid, fields=["SeriesInstanceUID"], get_remaining=True)
    count = 0
    for item in listing:
        series, sop = item["0020000E"]["Value"][0], item["00080018"]["Value"][0]
        ds = client.retrieve_instance(uid, series, sop)
        dcmwrite(out / f"{sop}.dcm", ds, enforce_file_format=True)
        count += 1
        clock.file_ready()
    session.close()
    return clock, count


def orthanc_zip(rest: str, auth, uid: str, out: Path) -> tuple[Clock, int]:
    import requests

    clock = Clock()
    (orthanc_id,) = requests.post(f"{rest}/tools/lookup", data=uid, auth=auth, timeout=60).json()
    archive = out / "study.zip"
    with requests.get(f"{rest}/studies/{orthanc_id['ID']}/archive", auth=auth, stream=True,
                      timeout=600) as answer:
        answer.raise_for_status()
        with open(archive, "wb") as handle:
            for chunk in answer.iter_content(1 << 20):
                handle.write(chunk)
    count = 0
    with zipfile.ZipFile(archive) as zipped:
        for member in zipped.infolist():
            if member.is_dir():
                continue
            zipped.extract(member, out / "files")
            count += 1
            clock.file_ready()
    return clock, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1500)
    parser.add_argument("--matrix", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-report", action="store_true", help="print only")
    args = parser.parse_args()

    from tests.pacs.orthanc import ORTHANC_AET, OUR_AET, OrthancServer, orthanc_binary

    reason = orthanc_binary()
    if reason:
        sys.exit(f"cannot run: {reason}")
    import pydicom

    import spineviewer.pacs.dicomweb  # noqa: F401  (imported before the long run starts)
    import spineviewer.pacs.dimse  # noqa: F401
    from spineviewer.pacs.nodes import PacsNode

    load_before = os.getloadavg()[0]
    files = [Path(p) for p in _files(_study(args.files, args.matrix))]
    size = sum(p.stat().st_size for p in files)
    uid = str(pydicom.dcmread(files[0], stop_before_pixels=True).StudyInstanceUID)
    scratch = Path(tempfile.mkdtemp(prefix="spineviewer-pacs-bench-"))
    server = OrthancServer(scratch / "orthanc")
    try:
        server.start()
        start = time.perf_counter()
        server.upload(files)
        upload_s = time.perf_counter() - start
        print(f"uploaded {len(files)} files ({size / 1e6:.0f} MB) in {upload_s:.1f} s")
        web = PacsNode(name="bench-web", protocol="dicomweb", url=server.dicomweb_url,
                       auth="basic", username=server.auth[0])
        dimse = PacsNode(name="bench-dimse", protocol="dimse", ae_title=ORTHANC_AET,
                         host="127.0.0.1", port=server.dicom_port, calling_ae=OUR_AET)
        methods = {
            "spineviewer, WADO-RS (streamed per series)":
                lambda out: ours(web, server.password, uid, out),
            "spineviewer, C-GET (per series)":
                lambda out: ours(dimse, server.password, uid, out),
            "dicomweb-client, one request per instance":
                lambda out: naive_dicomweb(server.dicomweb_url, server.auth, uid, out),
            "dicomweb-client, one request per instance, gzip off":
                lambda out: naive_dicomweb(server.dicomweb_url, server.auth, uid, out, gzip=False),
            "Orthanc zip archive, downloaded then extracted":
                lambda out: orthanc_zip(server.rest, server.auth, uid, out),
        }
        rows = {}
        for name, method in methods.items():
            runs = []
            for _ in range(args.repeat):
                out = scratch / "out"
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir()
                clock, count = method(out)
                total = clock.total()
                if count != len(files):
                    raise SystemExit(f"{name}: {count} files instead of {len(files)}")
                runs.append((total, clock.first))
                print(f"{name}: {total:.1f} s, first file {clock.first:.2f} s", flush=True)
            rows[name] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    load = (load_before, os.getloadavg()[0])
    section = report(rows, len(files), size, args, upload_s, load)
    print(section)
    if not args.no_report:
        write_section(section, BEGIN, END)


def report(rows, n_files, size, args, upload_s, load) -> str:
    ours_web = rows["spineviewer, WADO-RS (streamed per series)"]
    naive = rows["dicomweb-client, one request per instance"]
    naive_plain = rows["dicomweb-client, one request per instance, gzip off"]
    archive = rows["Orthanc zip archive, downloaded then extracted"]
    smaller = "" if args.files >= 1500 else (
        f" A smaller study than the 1,500-file benchmark ({args.files} files), chosen for a slow "
        "machine.")
    lines = [
        BEGIN,
        "## PACS retrieve (`benchmarks/pacs.py`)",
        "",
        f"Study: {n_files} files, {size / 1e6:.0f} MB, {args.matrix} x {args.matrix} "
        f"(synthetic, `generate_benchmark_study`), uploaded to a private Orthanc "
        f"{_orthanc_version()} with its DICOMweb plugin on 127.0.0.1 (upload {upload_s:.0f} s). "
        f"Each method retrieves the whole study into an empty folder; "
        f"{'median of ' + str(args.repeat) + ' runs' if args.repeat > 1 else 'one run each'}, "
        f"in turn, on a warm server. *First file* is when the first instance is on disk, "
        f"readable by the viewer (for the archive: after the download, at the first extracted "
        f"member; Orthanc deflates every file into the zip as it builds it). Machine: "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load[0]:.1f} at the start and {load[1]:.1f} at the end (other work "
        f"running).{smaller}",
        "",
        "| method | total | files per second | first file |",
        "|---|---|---|---|",
    ]
    for name, (total, first) in rows.items():
        lines.append(f"| {name} | {total:.1f} s | {n_files / total:.0f} | {first:.2f} s |")
    lines += [
        "",
        f"Ratios (time of spineviewer's WADO-RS / the peer's, below 1 is faster): naive "
        f"dicomweb-client {ours_web[0] / naive[0]:.2f} (gzip off: "
        f"{ours_web[0] / naive_plain[0]:.2f}), Orthanc archive "
        f"{ours_web[0] / archive[0]:.2f}; first file {ours_web[1]:.2f} s against "
        f"{archive[1]:.2f} s for the archive.",
        END,
    ]
    return "\n".join(lines)


def _orthanc_version() -> str:
    import subprocess

    from tests.pacs.orthanc import ORTHANC
    try:
        out = subprocess.run([ORTHANC, "--version"], capture_output=True, text=True, timeout=10)
        return out.stdout.split()[1]
    except (OSError, IndexError, subprocess.SubprocessError):
        return ""


if __name__ == "__main__":
    main()
