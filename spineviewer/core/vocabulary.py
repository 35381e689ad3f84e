"""The findings vocabulary: the categories a reader records for a lesion and a patient.

The words are those of the ISCM case series the product follows (its Table 2 and the clinical
review), written lowercase with hyphens so that a CSV cell, a JSON value and an Enum value are
the same string. ``None`` (an empty cell) always means *not assessed*, never *absent*: absence
is a finding of its own (``Presence.ABSENT``).
"""

from __future__ import annotations

import re
from enum import Enum
from typing import TypeVar


class Location(str, Enum):
    """Craniocaudal location of a lesion, from its enhancing extent."""

    CERVICAL = "cervical"
    CERVICOTHORACIC = "cervicothoracic"
    THORACIC = "thoracic"
    THORACIC_CONUS = "thoracic-conus"
    CONUS = "conus"


class Position(str, Enum):
    """Position within the cord on axial images."""

    CENTRAL = "central"
    ECCENTRIC = "eccentric"
    EXOPHYTIC = "exophytic"


class Morphology(str, Enum):
    """Margins of the lesion."""

    WELL_CIRCUMSCRIBED = "well-circumscribed"
    ILL_DEFINED = "ill-defined"


class Presence(str, Enum):
    """A finding seen or looked for and not seen."""

    PRESENT = "present"
    ABSENT = "absent"


class Signal(str, Enum):
    """Signal intensity relative to the normal spinal cord."""

    HYPERINTENSE = "hyperintense"
    HYPOINTENSE = "hypointense"
    ISOINTENSE = "isointense"


class CysticChange(str, Enum):
    """Nonenhancing fluid signal on T1 and T2: absent, or where it lies."""

    ABSENT = "absent"
    INTRATUMORAL = "intratumoral"
    PERITUMORAL = "peritumoral"
    BOTH = "both"


class EnhancementPattern(str, Enum):
    """Pattern of gadolinium enhancement of an enhancing lesion."""

    HOMOGENEOUS = "homogeneous"
    HETEROGENEOUS = "heterogeneous"
    PERIPHERAL_RING = "peripheral-ring"


class PrimaryTumor(str, Enum):
    """Primary malignancy; ``other`` goes with a free-text detail."""

    LUNG = "lung"
    BREAST = "breast"
    MELANOMA = "melanoma"
    CNS = "cns"
    RENAL = "renal"
    OTHER = "other"


class Symptom(str, Enum):
    """Dominant presenting symptom that led to the spine MRI."""

    WEAKNESS = "weakness"
    SENSORY = "sensory"
    BOWEL_BLADDER = "bowel-bladder"
    PAIN = "pain"
    ASYMPTOMATIC = "asymptomatic"


class LeptomeningealSite(str, Enum):
    """Anatomical site of leptomeningeal metastases (any combination may be recorded)."""

    CORD_CONUS = "cord-conus"
    CAUDA_EQUINA = "cauda-equina"
    CUL_DE_SAC = "cul-de-sac"


class Multiplicity(str, Enum):
    """One intramedullary metastasis or several on the reference MRI."""

    SOLITARY = "solitary"
    MULTIPLE = "multiple"


class Sex(str, Enum):
    """Patient sex as DICOM PatientSex writes it (F, M, O)."""

    F = "F"
    M = "M"
    O = "O"  # noqa: E741 - the DICOM code for "other"


E = TypeVar("E", bound=Enum)

_SEPARATORS = re.compile(r"[\s_/]+")


def parse(vocabulary: type[E], value) -> E | None:
    """The member of ``vocabulary`` that ``value`` names, or None when it is empty.

    Parameters
    ----------
    vocabulary : Enum subclass
        One of the vocabularies of this module.
    value : str, member or None
        The word, in any case; spaces, underscores and slashes count as hyphens, so
        ``"Peripheral ring"`` and ``"bowel/bladder"`` are accepted. ``None`` or a blank string
        means not assessed.

    Raises
    ------
    ValueError
        When the word is not in the vocabulary; the message lists the allowed words.
    """
    if value is None or isinstance(value, vocabulary):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{vocabulary.__name__}: expected a word, got {value!r}")
    word = _SEPARATORS.sub("-", value.strip()).lower()
    if not word:
        return None
    for member in vocabulary:
        if member.value.lower() == word:
            return member
    allowed = ", ".join(member.value for member in vocabulary)
    raise ValueError(f"{vocabulary.__name__}: {value!r} is not one of {allowed} (or empty)")
