"""Helpers of the DICOM export tests: identifying values of a study, a walk over every element,
and the independent validators (dicom3tools ``dciodvfy``, DCMTK ``dsrdump``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pydicom

_DICOM_ROOT = "1.2.840.10008."


def identifying_values(paths) -> dict[str, set[str]]:
    """What identifies the patient in source files, by kind: ``names`` (whole names and their
    parts of 3 letters or more), ``ids``, ``dates`` (YYYYMMDD and YYYY-MM-DD), ``uids``."""
    found = {"names": set(), "ids": set(), "dates": set(), "uids": set()}
    for path in paths:
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        for element in walk(ds):
            value, vr = element.value, element.VR
            if value in (None, ""):
                continue
            values = value if isinstance(value, pydicom.multival.MultiValue) else [value]
            if vr == "PN":
                for name in values:
                    found["names"].add(str(name))
                    found["names"].update(p for p in str(name).replace("=", "^").split("^") if len(p) >= 3)
            elif vr == "DA":
                for date in values:
                    found["dates"].update({str(date), f"{str(date)[:4]}-{str(date)[4:6]}-{str(date)[6:8]}"})
            elif vr == "UI":
                found["uids"].update(str(v) for v in values if not str(v).startswith(_DICOM_ROOT))
            elif element.keyword in ("PatientID", "AccessionNumber", "InstitutionName", "StationName"):
                found["ids"].update(str(v) for v in values)
    found["uids"] -= {pydicom.uid.PYDICOM_IMPLEMENTATION_UID}
    return found


def walk(ds):
    """Every data element of a dataset, inside sequences too (file meta included)."""
    if getattr(ds, "file_meta", None) is not None:
        yield from ds.file_meta
    for element in ds:
        yield element
        if element.VR == "SQ":
            for item in element.value:
                yield from walk(item)


def text_values(ds):
    """``(keyword, text)`` of every element with a textual value, recursively."""
    for element in walk(ds):
        if element.VR in ("SQ", "OB", "OW", "OF", "OD", "OL", "OV", "UN") or element.value in (None, ""):
            continue
        yield element.keyword, str(element.value)


def validators() -> list[str]:
    """The independent validators installed here."""
    return [tool for tool in ("dciodvfy", "dsrdump") if shutil.which(tool)]


def validation_errors(path: Path, tools: list[str]) -> list[str]:
    """Error lines of each validator for one file (warnings are not errors)."""
    errors = []
    if "dciodvfy" in tools:
        run = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
        errors += [f"dciodvfy: {line}" for line in (run.stdout + run.stderr).splitlines()
                   if line.startswith("Error")]
    if "dsrdump" in tools and _is_sr(path):
        run = subprocess.run(["dsrdump", "-v", str(path)], capture_output=True, text=True, check=False)
        if run.returncode != 0:
            errors.append(f"dsrdump exited {run.returncode}")
        errors += [f"dsrdump: {line}" for line in run.stderr.splitlines()
                   if "error" in line.lower() or "warn" in line.lower()]
    return errors


def _is_sr(path: Path) -> bool:
    return pydicom.dcmread(path, stop_before_pixels=True).Modality == "SR"
