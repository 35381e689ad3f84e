"""What the reader records in words: the findings form of a lesion and of a patient.

Every categorical field takes a word of :mod:`spineviewer.core.vocabulary` (given as the Enum
member or as its text, in any case) or None, which means *not assessed*. Values that cannot be
true are refused at construction with a message naming the field; combinations that are
merely unusual (a ring pattern on a lesion marked non-enhancing, dates out of their usual
order) are reported by ``inconsistencies()`` for the form to show, because a reader filling
the form one field at a time passes through such states.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from spineviewer.core.validation import assign, text_value
from spineviewer.core.vocabulary import (
    CysticChange,
    EnhancementPattern,
    LeptomeningealSite,
    Location,
    Morphology,
    Position,
    Presence,
    PrimaryTumor,
    Sex,
    Signal,
    Symptom,
    parse,
)

#: Oldest age accepted, in years.
MAX_AGE_YEARS = 130.0


@dataclass(frozen=True)
class LesionFindings:
    """The per-lesion findings of the ISCM series (None = not assessed).

    Attributes
    ----------
    location_override : Location or None
        The reader's location category; when None the one suggested from the levels is used.
    position : Position or None
        Central, eccentric or exophytic, on axial images.
    morphology, cord_expansion, t2_signal, t1_signal, cystic_change, hemorrhage : vocabulary
        As named; ``hemorrhage`` is intratumoral hemorrhage.
    enhancement : Presence or None
        Gadolinium enhancement.
    enhancement_pattern : EnhancementPattern or None
        Homogeneous, heterogeneous or peripheral ring, for an enhancing lesion.
    rim_sign, flame_sign : Presence or None
        A thin rim of enhancement brighter than the lesion's own, around a non-cystic lesion;
        a flame-shaped ill-defined enhancement at the upper or lower margin.
    leptomeningeal_origin_suspected : Presence or None
        For eccentric or exophytic lesions: ``present`` when the surface component dominates.
    notes : str
    """

    location_override: Location | None = None
    position: Position | None = None
    morphology: Morphology | None = None
    cord_expansion: Presence | None = None
    t2_signal: Signal | None = None
    t1_signal: Signal | None = None
    cystic_change: CysticChange | None = None
    hemorrhage: Presence | None = None
    enhancement: Presence | None = None
    enhancement_pattern: EnhancementPattern | None = None
    rim_sign: Presence | None = None
    flame_sign: Presence | None = None
    leptomeningeal_origin_suspected: Presence | None = None
    notes: str = ""

    def __post_init__(self):
        for name, vocabulary in LESION_VOCABULARY.items():
            assign(self, name, _parse_field(vocabulary, getattr(self, name), name))
        assign(self, "notes", text_value(self.notes, "notes"))

    def inconsistencies(self) -> list[str]:
        """Combinations a reader would want to look at again, as plain sentences."""
        found = []
        if self.enhancement is Presence.ABSENT:
            if self.enhancement_pattern is not None:
                found.append("an enhancement pattern is given but enhancement is absent")
            for sign in ("rim_sign", "flame_sign"):
                if getattr(self, sign) is Presence.PRESENT:
                    found.append(f"the {sign.replace('_', ' ')} is present but enhancement is absent")
        if self.position is Position.CENTRAL and self.leptomeningeal_origin_suspected is not None:
            found.append("leptomeningeal origin is assessed for eccentric or exophytic lesions, "
                         "but the position is central")
        if self.rim_sign is Presence.PRESENT and self.cystic_change in (
                CysticChange.INTRATUMORAL, CysticChange.BOTH):
            found.append("the rim sign describes a non-cystic lesion, but intratumoral cystic "
                         "change is recorded")
        return found


#: The vocabulary of each categorical lesion finding, by field name (``location_override`` is
#: the ``location`` column of lesions.csv).
LESION_VOCABULARY = {
    "location_override": Location, "position": Position, "morphology": Morphology,
    "cord_expansion": Presence, "t2_signal": Signal, "t1_signal": Signal,
    "cystic_change": CysticChange, "hemorrhage": Presence, "enhancement": Presence,
    "enhancement_pattern": EnhancementPattern, "rim_sign": Presence, "flame_sign": Presence,
    "leptomeningeal_origin_suspected": Presence,
}


@dataclass(frozen=True)
class PatientFindings:
    """The per-patient clinical and imaging findings (None = not assessed).

    Attributes
    ----------
    sex : Sex or None
    age_years : float or None
        Age at the reference MRI, 0 to 130.
    primary_tumor : PrimaryTumor or None
    primary_tumor_detail : str
        Free text, e.g. the histology of an ``other`` primary.
    dominant_symptom : Symptom or None
    symptom_duration_weeks : float or None
        Duration of symptoms at clinical presentation, >= 0.
    primary_diagnosis_date, iscm_presentation_date, iscm_diagnosis_date : datetime.date or None
        Given as dates or ISO strings (``"2012-03-31"``). The presentation may precede the
        primary tumour's diagnosis (it did in a fifth of the ISCM series).
    other_cns_spinal_mets, leptomeningeal_mets : Presence or None
        Other CNS or spinal (non-cord) metastases; leptomeningeal metastases.
    leptomeningeal_sites : tuple of LeptomeningealSite
        Where the leptomeningeal metastases are; empty when none or not assessed.
    primary_or_noncns_mets_visible : Presence or None
        Primary tumour or non-CNS metastases visible on the MRI.
    new_iscm_on_followup : Presence or None
    notes : str
    """

    sex: Sex | None = None
    age_years: float | None = None
    primary_tumor: PrimaryTumor | None = None
    primary_tumor_detail: str = ""
    dominant_symptom: Symptom | None = None
    symptom_duration_weeks: float | None = None
    primary_diagnosis_date: dt.date | None = None
    iscm_presentation_date: dt.date | None = None
    iscm_diagnosis_date: dt.date | None = None
    other_cns_spinal_mets: Presence | None = None
    leptomeningeal_mets: Presence | None = None
    leptomeningeal_sites: tuple[LeptomeningealSite, ...] = ()
    primary_or_noncns_mets_visible: Presence | None = None
    new_iscm_on_followup: Presence | None = None
    notes: str = ""

    def __post_init__(self):
        for name, vocabulary in _PATIENT_VOCABULARY.items():
            assign(self, name, _parse_field(vocabulary, getattr(self, name), name))
        assign(self, "age_years", _number(self.age_years, "age_years", 0.0, MAX_AGE_YEARS))
        assign(self, "symptom_duration_weeks",
             _number(self.symptom_duration_weeks, "symptom_duration_weeks", 0.0, None))
        for name in ("primary_diagnosis_date", "iscm_presentation_date", "iscm_diagnosis_date"):
            assign(self, name, _date(getattr(self, name), name))
        if isinstance(self.leptomeningeal_sites, (str, LeptomeningealSite)):
            raise ValueError("leptomeningeal_sites: expected a list of sites, got one value")
        sites = {_parse_field(LeptomeningealSite, s, "leptomeningeal_sites")
                 for s in self.leptomeningeal_sites}
        assign(self, "leptomeningeal_sites", tuple(s for s in LeptomeningealSite if s in sites))
        for name in ("primary_tumor_detail", "notes"):
            assign(self, name, text_value(getattr(self, name), name))

    def inconsistencies(self) -> list[str]:
        """Combinations a reader would want to look at again, as plain sentences."""
        found = []
        if self.leptomeningeal_sites and self.leptomeningeal_mets is Presence.ABSENT:
            found.append("leptomeningeal sites are given but leptomeningeal metastases are absent")
        if (self.iscm_presentation_date and self.iscm_diagnosis_date
                and self.iscm_diagnosis_date < self.iscm_presentation_date):
            found.append("the ISCM diagnosis date is before the ISCM presentation date")
        if self.dominant_symptom is Symptom.ASYMPTOMATIC and self.symptom_duration_weeks:
            found.append("a symptom duration is given but the patient is asymptomatic")
        return found


_PATIENT_VOCABULARY = {
    "sex": Sex, "primary_tumor": PrimaryTumor, "dominant_symptom": Symptom,
    "other_cns_spinal_mets": Presence, "leptomeningeal_mets": Presence,
    "primary_or_noncns_mets_visible": Presence, "new_iscm_on_followup": Presence,
}


def _parse_field(vocabulary, value, name):
    try:
        return parse(vocabulary, value)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None



def _number(value, name: str, low: float, high: float | None) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number, got {value!r}") from None
    if not (number >= low and (high is None or number <= high)):
        bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise ValueError(f"{name}: {value!r} must be {bound}")
    return number


def _date(value, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{name}: {value!r} is not a date; write it as YYYY-MM-DD")
