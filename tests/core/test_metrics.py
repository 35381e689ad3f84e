"""ISCM metrics against hand-built straight and curved spines with known answers.

The straight spine has a disc every 20 mm down the z axis from C2-C3 (z = 0) to L3-L4, so the
level coordinate is ``s = 2 - z / 20`` and a point is placed at a chosen ``s`` exactly.
"""

import datetime as dt
import math
from dataclasses import replace

import numpy as np
import pytest

from spineviewer.core.annotations import (
    Bidirectional, Caliper, CordPath, Lesion, LesionFindings, Outline, PatientFindings,
    StudyAnnotations,
)
from spineviewer.core.levels import Extent, SegmentRule, VertebralLevels, level_index
from spineviewer.core.measurement import Measurement
from spineviewer.core.metrics import (
    axial_sizes, conus_zone_start, lesion_metrics, outline_volume,
    patient_metrics, suggest_location,
)
from spineviewer.core.units import Unit
from spineviewer.core.vocabulary import Location, Multiplicity

H = 20.0
ON = {"series_instance_uid": "1.2.3.1", "sop_instance_uid": "1.2.3.1.7"}


def straight(conus_at=None):
    """Discs every 20 mm from C2-C3 to L3-L4; optional conus tip at level coordinate ``conus_at``."""
    points = [(0.0, 0.0, -H * k) for k in range(21)]
    tip = None if conus_at is None else cord(conus_at)
    return VertebralLevels.from_points(points, anchor=0, anchor_name="C2-C3", conus_tip=tip)


def cord(s, y=8.0):
    """A point in the cord (8 mm behind the disc points) at level coordinate s."""
    return (0.0, y, -H * (s - 2))


def si(s_top, s_bottom, **kw):
    return Caliper(endpoints=[cord(s_top), cord(s_bottom)], role="si", **ON, **kw)


def path(s_top, s_bottom, role="t2", n=5, **kw):
    return CordPath(vertices=[cord(s) for s in np.linspace(s_top, s_bottom, n)], role=role, **ON, **kw)


def metrics(*drawings, levels=None, rule=SegmentRule.SPAN, **findings):
    lesion = Lesion(1, drawings, LesionFindings(**findings))
    return lesion_metrics(lesion, straight() if levels is None else levels, segment_rule=rule)


class TestSizes:
    def test_sagittal_and_axial_ap_take_the_larger(self):
        """AP is the larger of the sagittal AP caliper and the axial AP axis."""
        ap = Caliper(endpoints=[(0, 2, 0), (0, 8, 0)], role="ap", **ON)
        axial = Bidirectional(long_axis=[(-4.5, 5, 0), (4.5, 5, 0)], short_axis=[(0, 1.5, 0), (0, 8.5, 0)], **ON)
        m = metrics(ap, axial, si(10.2, 11.3))
        assert (m.ap.name, m.ap.value, m.ap.unit) == ("ap", pytest.approx(7.0), Unit.MM)
        assert m.transverse.value == pytest.approx(9.0) and m.si.value == pytest.approx(22.0)

    def test_largest_sagittal_ap_wins(self):
        """A sagittal AP larger than the axial one is reported."""
        ap = Caliper(endpoints=[(0, 0, 0), (0, 10, 0)], role="ap", **ON)
        axial = Bidirectional(long_axis=[(-4.5, 5, 0), (4.5, 5, 0)], short_axis=[(0, 1.5, 0), (0, 8.5, 0)], **ON)
        assert metrics(ap, axial).ap.value == pytest.approx(10.0)

    def test_oblique_axial_axes_classified_by_y(self):
        """A long axis 60 degrees from x is closer to y: it is the AP size."""
        u = np.array([math.cos(math.radians(60)), math.sin(math.radians(60)), 0])
        w = np.array([-u[1], u[0], 0])
        b = Bidirectional(long_axis=[-5 * u, 5 * u], short_axis=[-3 * w, 3 * w], **ON)
        assert axial_sizes(b)[:2] == pytest.approx((10.0, 6.0))

    def test_long_axis_30_degrees_from_x_is_transverse(self):
        """A long axis 30 degrees from x is the transverse size."""
        u = np.array([math.cos(math.radians(30)), math.sin(math.radians(30)), 0])
        w = np.array([-u[1], u[0], 0])
        b = Bidirectional(long_axis=[-5 * u, 5 * u], short_axis=[-3 * w, 3 * w], **ON)
        assert axial_sizes(b)[:2] == pytest.approx((6.0, 10.0))

    def test_pixel_drawings_are_labelled_px(self):
        """Sizes from a series without PixelSpacing are in px, never mm."""
        m = metrics(Caliper(endpoints=[(0, 0, 0), (0, 12, 0)], role="ap", unit="px", **ON))
        assert m.ap.unit is Unit.PX and m.as_row()["ap_px"] == pytest.approx(12.0)
        assert "ap_mm" not in m.as_row()

    def test_mm_preferred_over_px(self):
        """A px value is never compared with mm: the mm measurement is reported."""
        mm = Caliper(endpoints=[(0, 0, 0), (0, 5, 0)], role="ap", **ON)
        px = Caliper(endpoints=[(0, 0, 0), (0, 50, 0)], role="ap", unit="px", **ON)
        assert metrics(mm, px).ap == Measurement("ap", 5.0, Unit.MM, (mm.id,))


class TestExtents:
    def test_t2_from_mid_t6_to_the_conus(self):
        """A T2 path from mid-T6 to a conus tip in mid-L1 is 7 segments long and touches T6..L1,
        8 levels; ``t2_segments`` follows the rule, ``t2_levels_touched`` is always 8."""
        t6, l1 = level_index("T6") + 0.5, level_index("L1") + 0.5
        t2 = path(t6, l1)
        m = metrics(t2, levels=straight(conus_at=l1))
        assert m.t2_segments == Measurement("t2_segments", 7, Unit.SEGMENTS, (t2.id,))
        assert m.t2_levels_touched == Measurement("t2_levels_touched", 8, Unit.SEGMENTS, (t2.id,))
        touched = metrics(t2, levels=straight(conus_at=l1), rule=SegmentRule.TOUCHED)
        assert touched.t2_segments == Measurement("t2_segments", 8, Unit.SEGMENTS, (t2.id,))
        assert m.t2_segments_fractional.value == pytest.approx(7.0)
        assert m.t2_length.value == pytest.approx(7 * H)

    def test_enhancement_from_the_si_caliper(self):
        """Without an enhancement path, the SI caliper's endpoints give the enhancing extent."""
        m = metrics(si(10.5, 11.25), rule=SegmentRule.TOUCHED)
        assert (m.enhancement_segments.value, m.level_top, m.level_bottom) == (2, "T4", "T5")
        assert metrics(si(10.5, 11.25)).enhancement_segments.value == 1
        assert m.enhancement_length.value == pytest.approx(0.75 * H)
        assert m.enhancement_segments_fractional.value == pytest.approx(0.75)

    def test_enhancement_path_preferred(self):
        """An enhancement cord path, when drawn, gives the enhancing extent."""
        m = metrics(si(10.5, 11.25), path(10.2, 12.4, role="enhancement"))
        assert m.enhancement_segments.value == 2 and m.enhancement_levels_touched.value == 3
        assert m.level_top == "T4"

    def test_path_drawn_upwards(self):
        """The top is the most cranial point, whichever end was drawn first."""
        assert metrics(path(14.9, 12.1), rule=SegmentRule.TOUCHED).t2_segments.value == 3

    def test_ratios(self):
        """Ratio of segments by the rule (5 / 1 by span, 6 / 2 by levels touched) and of lengths."""
        m = metrics(si(10.5, 11.25), path(8.5, 13.5))
        assert m.t2_enhancement_ratio.value == pytest.approx(5 / 1)
        touched = metrics(si(10.5, 11.25), path(8.5, 13.5), rule=SegmentRule.TOUCHED)
        assert touched.t2_enhancement_ratio.value == pytest.approx(6 / 2)
        assert m.t2_enhancement_ratio_mm.value == pytest.approx(5.0 / 0.75)
        assert m.t2_enhancement_ratio.unit is Unit.RATIO

    def test_pixel_lengths_give_no_mm_ratio(self):
        """A length ratio is only computed from two lengths in mm."""
        m = metrics(si(10.5, 11.25), path(8.5, 13.5, unit="px"))
        assert m.t2_length.unit is Unit.PX and m.t2_enhancement_ratio_mm is None
        assert (m.t2_segments.value, m.t2_levels_touched.value) == (5, 6)

    def test_longest_t2_path_used(self):
        """With two T2 paths, the longest gives the extent."""
        assert metrics(path(8.5, 9.5), path(8.5, 12.5)).t2_segments.value == 4


class TestCurvedSpine:
    """Discs on a kyphotic arc (radius 150 mm, every 8 degrees), the cord 8 mm behind them."""

    @staticmethod
    def arc(radius, degrees):
        theta = np.radians(degrees)
        return np.column_stack([np.zeros_like(theta), radius * np.cos(theta) - 150, -radius * np.sin(theta)])

    def levels(self):
        discs = self.arc(150, np.arange(-40, 41, 8))
        return VertebralLevels.from_points(discs, anchor=0, anchor_name="T2-T3")

    def test_length_along_the_curve_not_the_chord(self):
        """The T2 length follows the curved cord; the chord is shorter."""
        vertices = self.arc(158, np.linspace(-28, 28, 57))
        lesion = Lesion(1, (CordPath(vertices=vertices, role="t2", **ON),))
        m = lesion_metrics(lesion, self.levels())
        arc_length = 158 * math.radians(56)
        chord = float(np.linalg.norm(vertices[-1] - vertices[0]))
        assert m.t2_length.value == pytest.approx(arc_length, rel=1e-4)
        assert chord < m.t2_length.value - 5

    def test_segments_on_the_curve(self):
        """From the middle of the second level to the middle of the ninth: 7.0 segments long,
        8 levels touched."""
        vertices = self.arc(158, np.linspace(-28, 28, 57))
        m = lesion_metrics(Lesion(1, (CordPath(vertices=vertices, role="t2", **ON),)), self.levels())
        assert (m.t2_segments.value, m.t2_levels_touched.value) == (7, 8)
        assert m.t2_segments_fractional.value == pytest.approx(7.0, abs=1e-9)


class TestLocation:
    T12_L1 = level_index("L1")

    @pytest.mark.parametrize("top, bottom, expected", [
        (3.2, 4.6, Location.CERVICAL),
        (6.5, 7.5, Location.CERVICOTHORACIC),
        (10.2, 11.3, Location.THORACIC),
        (17.5, 18.5, Location.THORACIC_CONUS),
        (18.3, 19.2, Location.CONUS),
    ])
    def test_with_conus_marker(self, top, bottom, expected):
        """Conus tip in mid-L1, 30 mm zone: the zone starts at s = 18.0 (top of T12)."""
        assert metrics(si(top, bottom), levels=straight(conus_at=19.5)).location is expected

    @pytest.mark.parametrize("top, bottom, expected", [
        (17.5, 18.5, Location.THORACIC),
        (18.3, 19.2, Location.THORACIC_CONUS),
        (19.1, 19.6, Location.CONUS),
    ])
    def test_without_conus_marker(self, top, bottom, expected):
        """Without a marker the conus zone starts at the T12-L1 disc."""
        assert metrics(si(top, bottom)).location is expected

    def test_zone_start_with_marker(self):
        """The zone starts 30 mm (1.5 levels of 20 mm) above the tip."""
        assert conus_zone_start(straight(conus_at=19.5)) == pytest.approx(18.0)
        assert conus_zone_start(straight(conus_at=19.5), zone_mm=50) == pytest.approx(17.0)

    def test_zone_start_without_marker(self):
        """No marker: the T12-L1 disc."""
        assert conus_zone_start(straight()) == self.T12_L1

    def test_zone_across_levels_of_different_heights(self):
        """Walking up from the tip uses each level's own height."""
        points = [(0, 0, 0), (0, 0, -20), (0, 0, -60)]  # T11 is 20 mm, T12 is 40 mm high
        levels = VertebralLevels.from_points(points, anchor=0, anchor_name="T10-T11", conus_tip=(0, 0, -50))
        # tip at T12 + 0.75; 30 mm of T12 above it, then 0 mm more: the zone starts at the T11-T12 disc.
        assert conus_zone_start(levels) == pytest.approx(level_index("T12"))
        assert conus_zone_start(levels, zone_mm=40) == pytest.approx(level_index("T11") + 0.5)

    def test_spanning_cervical_to_conus_is_left_to_the_reader(self):
        """An extent from the cervical cord into the conus zone fits no category."""
        assert suggest_location(Extent(5.0, 19.5), 19.0) is None

    def test_override_wins(self):
        """The reader's location replaces the suggestion; the suggestion is kept."""
        m = metrics(si(10.2, 11.3), location_override="conus")
        assert m.location is Location.CONUS and m.location_suggested is Location.THORACIC

    def test_pixel_drawing_ignores_the_mm_zone(self):
        """With an extent in pixels the 30 mm zone cannot be measured: the T12-L1 rule is used."""
        m = metrics(si(17.5, 18.5, unit="px"), levels=straight(conus_at=19.5))
        assert m.location is Location.THORACIC


class TestMissingInputs:
    def test_empty_lesion(self):
        """A lesion with nothing drawn has every metric None."""
        m = metrics()
        assert m.measurements() == [] and m.location is None and m.level_top is None

    def test_no_levels(self):
        """Without levels, sizes are measured and segments are None."""
        m = lesion_metrics(Lesion(1, (si(10, 11), path(9, 12))), None)
        assert m.si.value == pytest.approx(20.0) and m.t2_length is not None
        assert m.enhancement_segments is None and m.t2_enhancement_ratio is None and m.location is None

    def test_one_disc_is_not_enough(self):
        """One disc gives no level coordinate, and no error."""
        one = VertebralLevels.from_points([(0, 0, 0)], anchor=0, anchor_name="T9-T10")
        assert lesion_metrics(Lesion(1, (si(10, 11),)), one).enhancement_segments is None

    def test_degenerate_levels_refused_before_metrics(self):
        """Two discs marked on one point are refused when the levels are built."""
        with pytest.raises(ValueError, match="same place"):
            VertebralLevels.from_points([(0, 0, 0), (0, 0, 0)], anchor=0, anchor_name="T9-T10",
                                        conus_tip=(0, 0, -5))

    def test_no_t2_no_ratio(self):
        """Without a T2 path, no ratios."""
        m = metrics(si(10, 11))
        assert m.t2_segments is None and m.t2_enhancement_ratio is None and m.t2_enhancement_ratio_mm is None

    def test_override_without_drawings(self):
        """The reader's location is reported even with nothing drawn."""
        assert metrics(location_override="cervical").location is Location.CERVICAL


class TestVolume:
    @staticmethod
    def rectangle(z, w=6.0, h=8.0, **kw):
        return Outline(vertices=[(0, 0, z), (w, 0, z), (w, h, z), (0, h, z)], **ON, **kw)

    def test_stack_of_outlines(self):
        """Five 6 x 8 mm outlines 3 mm apart: 5 x 48 x 3 = 720 mm3."""
        volume = outline_volume([self.rectangle(3.0 * k) for k in range(5)])
        assert (volume.value, volume.unit) == (pytest.approx(720.0), Unit.MM3)

    def test_in_lesion_metrics(self):
        """The lesion's volume comes from its outlines."""
        assert metrics(*[self.rectangle(3.0 * k) for k in range(3)]).volume.value == pytest.approx(432.0)

    def test_one_outline_gives_no_volume(self):
        """One slice has an area, not a volume."""
        assert outline_volume([self.rectangle(0.0)]) is None

    def test_two_outlines_on_one_plane_add_up(self):
        """Two parts on one slice add their areas."""
        parts = [self.rectangle(0.0), self.rectangle(0.0, w=-6.0), self.rectangle(2.0)]
        assert outline_volume(parts).value == pytest.approx((96 + 48) * 2.0)

    def test_non_parallel_outlines_give_none(self):
        """Outlines on crossing planes do not make a stack."""
        sagittal = Outline(vertices=[(0, 0, 0), (0, 5, 0), (0, 5, 5), (0, 0, 5)], **ON)
        assert outline_volume([self.rectangle(0.0), sagittal]) is None

    def test_pixel_outlines_give_px3(self):
        """Outlines in pixels give a volume in px3."""
        assert outline_volume([self.rectangle(0.0, unit="px"), self.rectangle(1.0, unit="px")]).unit is Unit.PX3


class TestPatientMetrics:
    def study(self, n_lesions=2, **patient):
        lesions = [Lesion(1, (si(10.5, 11.25), path(8.5, 15.5))), Lesion(2, (si(3.2, 3.4), path(3.1, 5.2)))]
        return StudyAnnotations("1.2.3", levels=straight(), lesions=tuple(lesions[:n_lesions]),
                                patient=PatientFindings(**patient))

    def test_multiple_and_longest_t2(self):
        """Two lesions: multiple; the longest T2 extent is the patient's."""
        study = self.study()
        p = patient_metrics(study)
        assert (p.n_lesions, p.multiplicity) == (2, Multiplicity.MULTIPLE)
        longest = study.lesions[0].of_kind(CordPath)[0]
        assert p.max_t2_segments == Measurement("max_t2_segments", 7, Unit.SEGMENTS, (longest.id,))
        touched = patient_metrics(replace(study, segment_rule=SegmentRule.TOUCHED))
        assert touched.max_t2_segments.value == 8
        assert [m.lesion_id for m in p.lesions] == [1, 2]

    def test_solitary(self):
        """One lesion: solitary."""
        assert patient_metrics(self.study(1)).multiplicity is Multiplicity.SOLITARY

    def test_no_lesion(self):
        """No lesion: multiplicity and T2 extent not available."""
        p = patient_metrics(self.study(0))
        assert p.multiplicity is None and p.max_t2_segments is None

    def test_intervals_in_years(self):
        """Days / 365.25, two decimals."""
        p = patient_metrics(self.study(primary_diagnosis_date="2010-01-01",
                                       iscm_presentation_date="2012-01-01",
                                       iscm_diagnosis_date="2012-03-15"))
        assert p.primary_to_presentation == Measurement("primary_to_presentation", 2.0, Unit.YEARS)
        assert p.primary_to_diagnosis.value == round((dt.date(2012, 3, 15) - dt.date(2010, 1, 1)).days / 365.25, 2)
        assert p.primary_to_presentation.key == "primary_to_presentation_years"

    def test_iscm_before_primary_is_negative(self):
        """When the ISCM presented first, the interval is negative."""
        p = patient_metrics(self.study(primary_diagnosis_date="2012-07-01", iscm_presentation_date="2012-01-01"))
        assert p.primary_to_presentation.value == pytest.approx(-0.5, abs=0.01)

    def test_missing_dates(self):
        """Without both dates, no interval."""
        p = patient_metrics(self.study(primary_diagnosis_date="2012-07-01"))
        assert p.primary_to_presentation is None and p.primary_to_diagnosis is None
