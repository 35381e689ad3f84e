"""The codes of spineviewer's DICOM SR: standard ones where they exist, a private scheme else.

Standard codes come from pydicom's copy of the DICOM content mapping resource (PS3.16):
SNOMED CT (``SCT``) for anatomy, generic measurements, presence and morphology, RadLex
(``RADLEX``) for MR signal and enhancement pattern, DCM for the template structure and
UCUM for units. Concepts no standard scheme has (the ISCM measurements in vertebral
segments, the rim and flame signs ...) use the private coding scheme **SPINEVIEWER**, whose
Coding Scheme Designator is ``99SPINEVIEWER``: PS3.3 section 8.2 reserves designators starting
with ``99`` for private schemes. The SR identifies the scheme in its Coding Scheme
Identification Sequence.

Private code values are at most 16 characters, so that they fit Code Value (SH) rather than
Long Code Value. Every table here maps both ways, so :mod:`.sr_import` reads back what
:mod:`.sr` writes.
"""

from __future__ import annotations

from highdicom.sr import CodedConcept
from pydicom.sr.codedict import codes

from spineviewer.core.levels import LEVEL_NAMES, SegmentRule, disc_name
from spineviewer.core.units import Unit
from spineviewer.core.vocabulary import (
    CysticChange,
    EnhancementPattern,
    Location,
    Morphology,
    Position,
    Presence,
    Signal,
)

SCHEME = "99SPINEVIEWER"
SCHEME_NAME = "SPINEVIEWER"


def private(value: str, meaning: str) -> CodedConcept:
    """A code of the SPINEVIEWER scheme."""
    return CodedConcept(value, SCHEME, meaning)


def coded(code) -> CodedConcept:
    """A pydicom ``Code`` as a highdicom ``CodedConcept``."""
    return CodedConcept(code.value, code.scheme_designator, code.meaning)


def key(concept) -> tuple[str, str]:
    """``(scheme, value)``: what identifies a code, whatever its meaning text (a Code, a
    CodedConcept or a code sequence item)."""
    if hasattr(concept, "scheme_designator"):
        return str(concept.scheme_designator), str(concept.value)
    value = concept.get("CodeValue") or concept.get("LongCodeValue") or concept.get("URNCodeValue")
    return str(concept.CodingSchemeDesignator), str(value)


# Units (UCUM; curly-brace annotations are UCUM's dimensionless units) -------------------------
UNITS: dict[Unit, CodedConcept] = {
    Unit.MM: CodedConcept("mm", "UCUM", "millimeter"),
    Unit.MM2: CodedConcept("mm2", "UCUM", "square millimeter"),
    Unit.MM3: CodedConcept("mm3", "UCUM", "cubic millimeter"),
    Unit.PX: CodedConcept("{pixels}", "UCUM", "pixels"),
    Unit.PX2: CodedConcept("{pixels}2", "UCUM", "square pixels"),
    Unit.PX3: CodedConcept("{pixels}3", "UCUM", "cubic pixels"),
    Unit.SEGMENTS: CodedConcept("{segments}", "UCUM", "vertebral segments"),
    Unit.RATIO: CodedConcept("{ratio}", "UCUM", "ratio"),
}

# What a drawing measures (one NUM per drawing, with its coordinates) ---------------------------
CALIPER_SI = private("caliper-si", "Superior-inferior caliper")
CALIPER_AP = private("caliper-ap", "Anteroposterior caliper")
CALIPER = coded(codes.SCT.Length)
LONG_AXIS = coded(codes.SCT.LongAxis)
SHORT_AXIS = coded(codes.SCT.ShortAxis)
PATH_T2 = private("cord-path-t2", "Cord path along the T2 hyperintensity")
PATH_ENHANCEMENT = private("cord-path-enh", "Cord path along the enhancing lesion")
OUTLINE_ENHANCEMENT = coded(codes.SCT.Area)
OUTLINE_T2 = private("outline-t2", "Area of the T2 hyperintensity")

# The lesion's metrics (names of spineviewer.core.metrics.LesionMetrics) ----------------------
METRICS: dict[str, CodedConcept] = {
    "ap": private("ap", "Anteroposterior size"),
    "transverse": private("transverse", "Transverse size"),
    "si": private("si", "Superior-inferior size"),
    "enhancement_length": private("enh-length", "Length of the enhancing lesion along the cord"),
    "enhancement_segments": private("enh-segments", "Enhancing lesion extent in vertebral segments"),
    "enhancement_segments_fractional": private("enh-segments-fr",
                                               "Enhancing lesion extent in fractional vertebral segments"),
    "t2_length": private("t2-length", "Length of the cord T2 hyperintensity"),
    "t2_segments": private("t2-segments", "Cord T2 hyperintensity extent in vertebral segments"),
    "t2_segments_fractional": private("t2-segments-fr",
                                      "Cord T2 hyperintensity extent in fractional vertebral segments"),
    "t2_enhancement_ratio": private("t2-enh-ratio", "T2 to enhancement extent ratio, segments"),
    "t2_enhancement_ratio_mm": private("t2-enh-ratio-mm", "T2 to enhancement extent ratio, lengths"),
    "volume": coded(codes.SCT.Volume),
    "enhancement_levels_touched": private("enh-levels-touched",
                                          "Enhancing lesion extent in vertebral levels touched"),
    "t2_levels_touched": private("t2-levels-touched",
                                 "Cord T2 hyperintensity extent in vertebral levels touched"),
}
#: How the study counts segments (``*_segments`` and the ratio follow it).
SEGMENT_RULE = private("segment-rule", "Vertebral segment counting rule")
SEGMENT_RULES = {SegmentRule.SPAN: private("segment-rule-span", "Length in vertebral segments, rounded"),
                 SegmentRule.TOUCHED: private("segment-rule-touched", "Vertebral levels touched")}
MAXIMUM = coded(codes.SCT.Maximum)

# The lesion group ---------------------------------------------------------------------------
LESION = coded(codes.SCT.Lesion)
SPINAL_CORD = coded(codes.SCT.SpinalCord)
LEVELS_GROUP = "Vertebral levels"
OTHER_GROUP = "Other measurements"
LEVEL_TOP = private("level-top", "Upper vertebral level of the enhancing lesion")
LEVEL_BOTTOM = private("level-bottom", "Lower vertebral level of the enhancing lesion")
LANDMARK = private("landmark", "Vertebral level landmark")
CONUS_TIP = private("conus-tip", "Tip of the conus medullaris")


def vertebra(index: int) -> CodedConcept:
    """The SNOMED CT code of a vertebra (level index: C1 = 0), SPINEVIEWER for the sacrum's."""
    name = LEVEL_NAMES[index]
    code = getattr(codes.SCT, f"{name}Vertebra", None)
    return coded(code) if code is not None else private(name, f"{name} vertebra")


def disc(lower_index: int) -> CodedConcept:
    """The SNOMED CT code of the disc above a level (``C2C3Disc`` ...), SPINEVIEWER otherwise."""
    name = disc_name(lower_index)
    code = getattr(codes.SCT, name.replace("-", "") + "Disc", None)
    return coded(code) if code is not None else private(name, f"{name} disc")


VERTEBRAE = {key(vertebra(i)): i for i in range(len(LEVEL_NAMES))}
DISCS = {key(disc(i)): i for i in range(1, len(LEVEL_NAMES))}

# Qualitative findings: concept name and coded value of each word ------------------------------
PRESENT, ABSENT = coded(codes.SCT.Present), coded(codes.SCT.Absent)
_PRESENCE = {Presence.PRESENT: PRESENT, Presence.ABSENT: ABSENT}
_SIGNAL = {Signal.HYPERINTENSE: coded(codes.RADLEX.Hyperintense),
           Signal.HYPOINTENSE: coded(codes.RADLEX.Hypointense),
           Signal.ISOINTENSE: coded(codes.RADLEX.Isointense)}

#: LesionFindings field: (concept name, {vocabulary word: coded value}).
FINDINGS: dict[str, tuple[CodedConcept, dict]] = {
    "position": (private("position", "Position in the cord"), {
        Position.CENTRAL: coded(codes.SCT.Central), Position.ECCENTRIC: coded(codes.SCT.Eccentric),
        Position.EXOPHYTIC: private("exophytic", "Exophytic")}),
    "morphology": (private("morphology", "Lesion margins"), {
        Morphology.WELL_CIRCUMSCRIBED: coded(codes.SCT.CircumscribedLesion),
        Morphology.ILL_DEFINED: coded(codes.SCT.IndistinctLesion)}),
    "cord_expansion": (private("cord-expansion", "Cord expansion"), _PRESENCE),
    "t2_signal": (private("t2-signal", "T2 signal relative to the cord"), _SIGNAL),
    "t1_signal": (private("t1-signal", "T1 signal relative to the cord"), _SIGNAL),
    "cystic_change": (private("cystic-change", "Cystic change"), {
        CysticChange.ABSENT: ABSENT,
        CysticChange.INTRATUMORAL: private("cyst-intra", "Intratumoral cystic change"),
        CysticChange.PERITUMORAL: private("cyst-peri", "Peritumoral cystic change"),
        CysticChange.BOTH: private("cyst-both", "Intratumoral and peritumoral cystic change")}),
    "hemorrhage": (coded(codes.SCT.Hemorrhage), _PRESENCE),
    "enhancement": (private("enhancement", "Gadolinium enhancement"), _PRESENCE),
    "enhancement_pattern": (coded(codes.RADLEX.EnhancementPattern), {
        EnhancementPattern.HOMOGENEOUS: coded(codes.DCM.Homogeneous),
        EnhancementPattern.HETEROGENEOUS: coded(codes.RADLEX.Heterogeneous),
        EnhancementPattern.PERIPHERAL_RING: private("peripheral-ring", "Peripheral ring enhancement")}),
    "rim_sign": (private("rim-sign", "Rim sign"), _PRESENCE),
    "flame_sign": (private("flame-sign", "Flame sign"), _PRESENCE),
    "leptomeningeal_origin_suspected": (private("lepto-origin", "Leptomeningeal origin suspected"),
                                        _PRESENCE),
}
LOCATION = private("location", "Location category")
LOCATIONS = {location: private(location.value, location.value.replace("-", " ").capitalize())
             for location in Location}
