"""Mutants of the real-DICOM corpus, and the loader's contract checked on each of them.

A mutant is a small folder written from one corpus file: the file truncated, with bytes
flipped (anywhere, or in its header), with bytes appended after its data, with one attribute set
to a hostile value by pydicom (NumberOfFrames 2**31 - 1, Rows halved, a NaN rescale, a zero
orientation, another transfer syntax ...), next to a corrupted copy with the same
SOPInstanceUID, or packed in a zip under a name that leaves the archive. Every mutant is made
from a seeded ``random.Random``, so a run is reproducible from its seed.

The contract (:func:`check_mutant`): ``load_study`` and ``Stack.volume()`` raise nothing, every
file is in a stack or in the problems, and the ``info --json`` report is strict JSON.

``tests/core/test_fuzz.py`` runs a few hundred mutants in the suite. The long run is this
module's command line (see ``docs/reliability.md``)::

    python -m tests.core.fuzz_mutants --mutants 5000 --seed 1 --memory-gb 2
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import signal
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections import Counter
from pathlib import Path

import pydicom
from pydicom.uid import (
    DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, ExplicitVRLittleEndian,
    ImplicitVRLittleEndian, JPEG2000Lossless, RLELossless,
)

from spineviewer.core.headers import read_header
from spineviewer.core.loader import load_study
from spineviewer.core.sources import FileSource
from spineviewer.export.info import report_dict

#: Corpus files larger than this are not mutated (keeps a mutant's decode in milliseconds).
MAX_SOURCE_BYTES = 600_000

_HUGE = "1e300"
#: keyword -> hostile values written by pydicom.
SEMANTIC = {
    "NumberOfFrames": [2147483647, 50_000_000, 0, -1, 3],
    "Rows": ["half", "double", 0, 1, 65535],
    "Columns": ["half", "double", 0, 1, 65535],
    "BitsAllocated": [0, 1, 7, 12, 64],
    "BitsStored": [0, 40, 1],
    "SamplesPerPixel": [0, 3, 4],
    "PixelRepresentation": [1, 7],
    "PhotometricInterpretation": ["RGB", "PALETTE COLOR", "YBR_FULL_422", ""],
    "RescaleSlope": ["nan", "inf", "-inf", _HUGE, "0"],
    "RescaleIntercept": ["nan", "inf", "1e308", "-1e30"],
    "SliceThickness": ["nan", "inf", "-1", "0"],
    "PixelSpacing": [["0", "0"], ["nan", "1"], [_HUGE, _HUGE], ["-1", "1"], ["1"]],
    "ImageOrientationPatient": [[0] * 6, [1, 0, 0, 1, 0, 0], [_HUGE, 0, 0, 0, _HUGE, 0],
                                ["nan", 0, 0, 0, 1, 0], [1, 0, 0]],
    "ImagePositionPatient": [["nan", 0, 0], [_HUGE, _HUGE, _HUGE], ["inf", 0, 0], [0]],
    "WindowWidth": ["nan", "0", "-5", _HUGE],
    "WindowCenter": ["nan", "inf"],
    "TransferSyntaxUID": [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian,
                          RLELossless, JPEG2000Lossless, DeflatedExplicitVRLittleEndian],
    "delete": ["Rows", "PixelData", "SOPInstanceUID", "ImageOrientationPatient", "BitsAllocated"],
}

KINDS = ("truncate", "flip", "flip-header", "append", "semantic", "duplicate", "zip")


def corpus_sources(corpus: Path) -> list[Path]:
    """Corpus files that load as images today and are small enough to mutate quickly."""
    chosen = []
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        if path.stat().st_size <= MAX_SOURCE_BYTES and read_header(FileSource(str(path)))[0]:
            chosen.append(path)
    return chosen


def _flip(data: bytes, rng: random.Random, *, within: int | None = None) -> bytes:
    out = bytearray(data)
    span = min(len(out), within or len(out))
    for _ in range(rng.randint(1, 16)):
        position = rng.randrange(span)
        out[position] ^= 1 << rng.randrange(8)
    return bytes(out)


def _set(ds: pydicom.Dataset, keyword: str, value) -> None:
    if keyword == "delete":
        if value in ds:
            delattr(ds, value)
    elif keyword == "TransferSyntaxUID":
        ds.file_meta.TransferSyntaxUID = value
    elif value in ("half", "double"):
        current = int(ds.get(keyword, 2) or 2)
        setattr(ds, keyword, max(1, current // 2) if value == "half" else min(65535, current * 2))
    else:
        setattr(ds, keyword, value)


def _semantic(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    keyword = rng.choice(sorted(SEMANTIC))
    value = rng.choice(SEMANTIC[keyword])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(io.BytesIO(data), force=True)
        per_frame = ds.get("PerFrameFunctionalGroupsSequence")
        target = ds
        if per_frame and keyword in ("ImagePositionPatient", "ImageOrientationPatient") and rng.random() < 0.5:
            item = rng.choice(list(per_frame))
            sequence = "PlanePositionSequence" if keyword == "ImagePositionPatient" else "PlaneOrientationSequence"
            target = item[sequence][0] if sequence in item else item
        _set(target, keyword, value)
        out = io.BytesIO()
        try:
            ds.save_as(out, enforce_file_format=False)
        except Exception:  # noqa: BLE001 - a value pydicom cannot write: keep the file as it was
            return data, f"semantic {keyword}={value!r} (unwritable, unchanged)"
    return out.getvalue(), f"semantic {keyword}={value!r}"


def write_mutant(source: Path, folder: Path, rng: random.Random) -> str:
    """Write one mutant of ``source`` into the empty ``folder``; returns what was done."""
    data = source.read_bytes()
    kind = rng.choice(KINDS)
    if kind == "truncate":
        cut = rng.randrange(len(data))
        (folder / "mutant").write_bytes(data[:cut])
        return f"truncate at {cut}"
    if kind in ("flip", "flip-header"):
        (folder / "mutant").write_bytes(_flip(data, rng, within=4096 if kind == "flip-header" else None))
        return kind
    if kind == "append":
        extra = bytes(65536) if rng.random() < 0.5 else rng.randbytes(65536)
        (folder / "mutant").write_bytes(data + extra)
        return "append 64 KB"
    if kind == "semantic":
        mutated, what = _semantic(data, rng)
        (folder / "mutant").write_bytes(mutated)
        return what
    if kind == "duplicate":
        (folder / "original").write_bytes(data)
        (folder / "copy").write_bytes(_flip(data, rng) if rng.random() < 0.5 else data)
        return "duplicate SOPInstanceUID"
    name = rng.choice(["IM1", "DIR/IM1", "../IM1", "/abs/IM1", "a/../../IM1"])
    with zipfile.ZipFile(folder / "mutant.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return f"zip member {name}"


def _expected_names(folder: Path) -> set[str]:
    names = set()
    for path in folder.iterdir():
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                names.update(f"{path}!{member}" for member in archive.namelist())
        else:
            names.add(str(path))
    return names


def check_mutant(folder: Path) -> dict:
    """Load ``folder`` (its archive, for a zip mutant: a zip inside a folder is one file) and
    check the contract; returns counts, raises AssertionError if broken."""
    archives = list(folder.glob("*.zip"))
    result = load_study(archives[0] if archives else folder)
    stacks = list(result.iter_stacks())
    for stack in stacks:
        volume = stack.volume()
        assert volume is not None and volume.shape == stack.shape, folder
    in_stacks = {name for stack in stacks for name in stack.files}
    problems = result.all_problems()
    accounted = in_stacks | {problem.path for problem in problems}
    missing = _expected_names(folder) - accounted
    assert not missing, f"neither in a stack nor in the problems: {sorted(missing)}"
    json.loads(json.dumps(report_dict(result), allow_nan=False))
    return {"stacks": len(stacks), "loaded": len(in_stacks),
            "errors": sum(p.kind.value == "error" for p in problems),
            "skipped": sum(p.kind.value == "skipped" for p in problems)}


class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang("no answer within the mutant's time budget")


def run(corpus: Path, *, mutants: int, seed: int, budget_s: int = 60) -> dict:
    """The long fuzz: ``mutants`` mutants, each checked; failures are collected, not raised."""
    rng = random.Random(seed)
    sources = corpus_sources(corpus)
    totals: Counter = Counter()
    kinds: Counter = Counter()
    failures, slowest = [], (0.0, "")
    signal.signal(signal.SIGALRM, _alarm)
    with tempfile.TemporaryDirectory() as work:
        for index in range(mutants):
            source = rng.choice(sources)
            folder = Path(work) / f"m{index:05d}"
            folder.mkdir()
            what = write_mutant(source, folder, rng)
            kinds[what.split()[0]] += 1
            started = time.perf_counter()
            signal.alarm(budget_s)
            try:
                totals.update(check_mutant(folder))
                totals["passed"] += 1
            except (AssertionError, Exception, BaseException) as exc:  # noqa: BLE001 - recorded
                if isinstance(exc, KeyboardInterrupt):
                    raise
                failures.append({"mutant": index, "source": str(source.relative_to(corpus)),
                                 "mutation": what, "error": traceback.format_exception_only(exc)[-1].strip()})
            finally:
                signal.alarm(0)
            elapsed = time.perf_counter() - started
            slowest = max(slowest, (elapsed, f"{source.relative_to(corpus)}: {what}"))
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()
    return {"seed": seed, "mutants": mutants, "sources": len(sources), "kinds": dict(kinds), **totals,
            "failures": failures, "slowest_s": round(slowest[0], 2), "slowest": slowest[1]}


def main(argv: list[str] | None = None) -> int:
    """Run the long fuzz and print its figures as JSON; status 1 when a mutant broke the contract."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "dicom-corpus")
    parser.add_argument("--mutants", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--memory-gb", type=float, default=2.0,
                        help="address-space limit of this process (resource.setrlimit RLIMIT_AS)")
    args = parser.parse_args(argv)
    limit = int(args.memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    started = time.perf_counter()
    figures = run(args.corpus, mutants=args.mutants, seed=args.seed)
    figures["seconds"] = round(time.perf_counter() - started, 1)
    figures["memory_limit_gb"] = args.memory_gb
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures, indent=2))
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
