"""The four phantom cases: patients, lesions, edema and imaging stations.

Positions along the spine are given as *level coordinates* ``s`` (C1 = 0 ... T1 = 7 ...
T12 = 18, L1 = 19 ... S1 = 24; the fraction is the position within the level, growing
caudally; an integer is the mid-height of the disc above that level). The generator turns
them into arc positions along its own spinal axis; the ground truth is then measured back
from the geometry, so it does not rely on these nominal values.

Qualitative findings use the design's vocabulary (position, morphology, cord expansion,
T2/T1 signal relative to cord, cystic change, hemorrhage, enhancement and its pattern, rim
and flame signs).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Patient:
    """Synthetic patient identity, consistent with the case's age and sex."""

    name: str
    patient_id: str
    sex: str
    age: int
    birth_date: str
    primary_tumour: str
    primary_tumour_text: str
    presenting_symptom: str


@dataclass(frozen=True)
class LesionSpec:
    """One intramedullary metastasis and its cord T2 hyperintensity.

    Attributes
    ----------
    centre_level : float
        Level coordinate of the lesion centre.
    ap_mm, transverse_mm, si_mm : float
        Diameters of the enhancing lesion, mm.
    edema_top_level : float
        Level coordinate of the upper end of the cord T2 hyperintensity.
    edema_bottom_level : float or None
        Level coordinate of its lower end; ``None`` means down to the conus tip.
    x_offset_mm, v_offset_mm : float
        Offset of the lesion centre from the cord centre (left, posterior), mm.
    """

    centre_level: float
    ap_mm: float
    transverse_mm: float
    si_mm: float
    edema_top_level: float
    edema_bottom_level: float | None
    t2_signal: str
    t1_signal: str
    enhancement_pattern: str
    cystic_change: str = "absent"
    position: str = "central"
    x_offset_mm: float = 0.0
    v_offset_mm: float = 0.0
    morphology: str = "well-circumscribed"
    cord_expansion: str = "present"
    hemorrhage: str = "absent"
    enhancement: str = "present"
    rim_sign: str = "absent"
    flame_sign: str = "absent"


@dataclass(frozen=True)
class SagittalProtocol:
    """Sagittal stations: every sagittal series has one stack per station.

    ``stations`` maps a station name to the level coordinates ``(top, bottom)`` whose
    midpoint centres the field of view; rows run head to foot, columns front to back.
    """

    rows: int
    cols: int
    pixel_mm: float
    n_slices: int
    thickness_mm: float
    spacing_mm: float
    stations: tuple[tuple[str, tuple[float, float]], ...]
    anterior_shift_mm: float = 30.0


@dataclass(frozen=True)
class AxialProtocol:
    """One axial block centred on the cord at ``centre_level``, covering ``lesion_ids``."""

    matrix: int
    pixel_mm: float
    n_slices: int
    thickness_mm: float
    spacing_mm: float
    centre_level: float
    lesion_ids: tuple[int, ...]
    anterior_shift_mm: float = 20.0


@dataclass(frozen=True)
class CaseSpec:
    """Everything that defines one phantom case."""

    number: int
    slug: str
    patient: Patient
    study_date: str
    study_time: str
    accession: str
    study_description: str
    lesions: tuple[LesionSpec, ...]
    conus_tip_level: float
    sagittal: SagittalProtocol
    axial: AxialProtocol
    habitus: float = 1.0
    degenerate_discs: frozenset[str] = field(default_factory=frozenset)

    @property
    def solitary(self) -> bool:
        """True for a single intramedullary metastasis."""
        return len(self.lesions) == 1


_SMALL_SAG = dict(cols=192, n_slices=13, thickness_mm=3.0, spacing_mm=3.3)
_SMALL_AX = dict(matrix=192, pixel_mm=0.9375, n_slices=17, thickness_mm=3.5, spacing_mm=3.85)

CASE_LIST: tuple[CaseSpec, ...] = (
    CaseSpec(
        number=1, slug="case1-breast-t12",
        patient=Patient("PHANTOM^BREAST", "SVPH0001", "F", 60, "19631107", "breast",
                        "breast carcinoma", "weakness"),
        study_date="20240315", study_time="091200", accession="SVA24000101",
        study_description="MR THORACIC AND LUMBAR SPINE W/WO CONTRAST",
        lesions=(LesionSpec(18.6, 7.0, 8.0, 16.0, 12.35, None, t2_signal="hypointense",
                            t1_signal="hypointense", enhancement_pattern="homogeneous"),),
        conus_tip_level=19.67,
        sagittal=SagittalProtocol(rows=320, pixel_mm=1.4,
                                  stations=(("thoracolumbar", (10.0, 25.2)),), **_SMALL_SAG),
        axial=AxialProtocol(centre_level=18.6, lesion_ids=(1,), **_SMALL_AX),
        habitus=1.15, degenerate_discs=frozenset({"L4-L5", "L5-S1"}),
    ),
    CaseSpec(
        number=2, slug="case2-pnet-t10-t11",
        patient=Patient("PHANTOM^PNET", "SVPH0002", "M", 45, "19781120", "other",
                        "pancreatic neuroendocrine tumour", "weakness"),
        study_date="20240412", study_time="143000", accession="SVA24000102",
        study_description="MR THORACIC SPINE W/WO CONTRAST",
        lesions=(LesionSpec(17.0, 5.9, 5.3, 14.8, 15.35, 18.6, t2_signal="hyperintense",
                            t1_signal="isointense", enhancement_pattern="homogeneous"),),
        conus_tip_level=19.5,
        sagittal=SagittalProtocol(rows=288, cols=192, pixel_mm=1.25, n_slices=15,
                                  thickness_mm=3.0, spacing_mm=3.3,
                                  stations=(("thoracolumbar", (12.0, 22.5)),)),
        axial=AxialProtocol(matrix=256, pixel_mm=0.75, n_slices=19, thickness_mm=3.0,
                            spacing_mm=3.3, centre_level=17.0, lesion_ids=(1,)),
        degenerate_discs=frozenset({"L5-S1"}),
    ),
    CaseSpec(
        number=3, slug="case3-lung-multiple",
        patient=Patient("PHANTOM^LUNG", "SVPH0003", "M", 73, "19500605", "lung",
                        "lung adenocarcinoma", "asymptomatic"),
        study_date="20240508", study_time="101500", accession="SVA24000103",
        study_description="MR CERVICAL AND THORACIC SPINE W/WO CONTRAST",
        lesions=(
            LesionSpec(1.55, 6.0, 7.0, 10.0, 0.75, 3.4, t2_signal="hyperintense",
                       t1_signal="isointense", enhancement_pattern="homogeneous"),
            LesionSpec(10.4, 5.0, 6.0, 8.0, 9.4, 11.45, t2_signal="hyperintense",
                       t1_signal="isointense", enhancement_pattern="homogeneous"),
            LesionSpec(11.0, 5.5, 6.5, 9.0, 10.15, 12.6, t2_signal="isointense",
                       t1_signal="isointense", enhancement_pattern="heterogeneous"),
            LesionSpec(17.5, 6.0, 7.0, 12.0, 16.3, 18.7, t2_signal="hyperintense",
                       t1_signal="isointense", enhancement_pattern="homogeneous",
                       position="eccentric", x_offset_mm=1.6),
        ),
        conus_tip_level=19.6,
        sagittal=SagittalProtocol(rows=256, pixel_mm=1.25, stations=(
            ("cervical", (-3.4, 11.3)), ("thoracic", (8.3, 20.6))), **_SMALL_SAG),
        axial=AxialProtocol(centre_level=10.7, lesion_ids=(2, 3), **_SMALL_AX),
        degenerate_discs=frozenset({"C5-C6", "C6-C7", "L3-L4", "L4-L5", "L5-S1"}),
    ),
    CaseSpec(
        number=4, slug="case4-renal-c5-cystic",
        patient=Patient("PHANTOM^RENAL", "SVPH0004", "M", 55, "19680921", "renal",
                        "renal cell carcinoma", "pain"),
        study_date="20240603", study_time="113000", accession="SVA24000104",
        study_description="MR CERVICAL SPINE W/WO CONTRAST",
        lesions=(LesionSpec(4.5, 8.0, 9.0, 14.0, 2.35, 6.6, t2_signal="hyperintense",
                            t1_signal="isointense", enhancement_pattern="peripheral ring",
                            cystic_change="intratumoral"),),
        conus_tip_level=19.5,
        sagittal=SagittalProtocol(rows=320, cols=256, pixel_mm=0.8, n_slices=15,
                                  thickness_mm=3.0, spacing_mm=3.3,
                                  stations=(("cervical", (-1.5, 9.5)),), anterior_shift_mm=18.0),
        axial=AxialProtocol(matrix=256, pixel_mm=0.625, n_slices=19, thickness_mm=3.0,
                            spacing_mm=3.3, centre_level=4.5, lesion_ids=(1,),
                            anterior_shift_mm=10.0),
        degenerate_discs=frozenset({"C5-C6"}),
    ),
)
