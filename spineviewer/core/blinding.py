"""Blinded reading: a stable pseudonym per study, a reproducible shuffled order, a blinded model.

In a reader study the reader must not see who a patient is or when the study was made (a
date reveals follow-up order), and should not read the studies in the order they were
acquired. The pseudonym of a study is a keyed hash (HMAC-SHA-256) of its StudyInstanceUID, so
it is the same every time the study is opened with the same key, and cannot be recomputed from
the UID by someone without the key. The shuffled order sorts studies by a hash of the seed and
the UID: it is reproducible from the seed alone, and a study found later in a background scan
takes its place without moving the others.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from spineviewer.core.model import LoadResult, Patient, Study

#: Hexadecimal digits of a pseudonym: 16**6 values make a clash unlikely in a series of hundreds.
PSEUDONYM_DIGITS = 6


def new_key() -> str:
    """A random key for :func:`pseudonym` (kept in the reader's settings)."""
    return secrets.token_hex(16)


def new_seed() -> int:
    """A random seed for :func:`shuffled_rank` (shown to the reader and kept)."""
    return secrets.randbelow(1_000_000)


def pseudonym(study_uid: str, key: str) -> str:
    """``"Case 3F9A2C"``: the label a blinded reader sees for the study ``study_uid``."""
    digest = hmac.new(key.encode("utf-8"), study_uid.encode("utf-8"), hashlib.sha256)
    return f"Case {digest.hexdigest()[:PSEUDONYM_DIGITS].upper()}"


def shuffled_rank(study_uid: str, seed: int) -> str:
    """A sort key that puts studies in a random order fixed by ``seed``."""
    return hashlib.sha256(f"{seed}:{study_uid}".encode()).hexdigest()


def blinded(result: LoadResult, label: str) -> LoadResult:
    """``result`` as a blinded reader may see it: every patient named ``label``, no patient
    ID, birth date, study date or time, or accession number.

    The series (and their stacks) are the same objects, so a view that finds a stack's context
    in the blinded result finds the one it shows. Study descriptions are kept: they name the
    examination, not the patient.
    """
    patients = []
    for patient in result.patients:
        studies = [Study(study.uid, "", "", study.description, "", study.series)
                   for study in patient.studies]
        patients.append(Patient("", label, "", patient.sex, studies))
    return LoadResult(patients=patients, problems=result.problems)
