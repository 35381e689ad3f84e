"""Each metric records the drawings its rules chose: the largest caliper, the longest path, the
enhancement outlines of the volume, the lesion of the longest T2 extent."""

import datetime as dt

import pytest

from spineviewer.core.annotations import (
    Bidirectional, Caliper, Lesion, Outline, PatientFindings, StudyAnnotations,
)
from spineviewer.core.levels import VertebralLevels
from spineviewer.core.metrics import drawing_extent, lesion_metrics, patient_metrics
from tests.core.test_metrics import ON, metrics, path, si, straight

AXIAL = {"series_instance_uid": "1.2.3.2", "sop_instance_uid": "1.2.3.2.9"}


def ap(length, **kw):
    return Caliper(endpoints=[(0, 0, -170), (0, length, -170)], role="ap", **ON, **kw)


def axial(ap_mm, transverse_mm):
    """An axial bidirectional caliper: AP along y, transverse along x."""
    long_ap = ap_mm >= transverse_mm
    y_axis = [(0, 0, -170), (0, ap_mm, -170)]
    x_axis = [(-transverse_mm / 2, ap_mm / 2, -170), (transverse_mm / 2, ap_mm / 2, -170)]
    return Bidirectional(long_axis=y_axis if long_ap else x_axis,
                         short_axis=x_axis if long_ap else y_axis, **AXIAL)


def square(z, role="enhancement"):
    return Outline(vertices=[(0, 0, z), (6, 0, z), (6, 8, z), (0, 8, z)], role=role, **AXIAL)


class TestSizes:
    def test_ap_from_the_larger_of_caliper_and_axial(self):
        """The axial AP wins over a shorter sagittal AP caliper, and is the source."""
        caliper, bidirectional = ap(6.0), axial(7.5, 9.0)
        m = metrics(caliper, bidirectional)
        assert m.ap.sources == (bidirectional.id,)
        assert m.transverse.sources == (bidirectional.id,)

    def test_largest_of_several_calipers(self):
        """Of three AP calipers the longest is the source."""
        calipers = ap(5.0), ap(7.0), ap(6.0)
        assert metrics(*calipers).ap.sources == (calipers[1].id,)

    def test_px_caliper_not_the_source_when_mm_exists(self):
        """A longer caliper in px is never compared with mm, so it is not the source."""
        mm, px = ap(5.0), ap(50.0, unit="px")
        assert metrics(mm, px).ap.sources == (mm.id,)


class TestExtents:
    def test_enhancement_from_the_longest_enhancement_path(self):
        """The longest enhancement path gives the enhancement length, segments and fraction."""
        short, long = path(10.2, 10.6, role="enhancement"), path(10.1, 11.4, role="enhancement")
        m = metrics(si(10, 11), short, long)
        assert {m.enhancement_length.sources, m.enhancement_segments.sources,
                m.enhancement_segments_fractional.sources} == {(long.id,)}

    def test_enhancement_from_the_si_caliper_without_a_path(self):
        """Without an enhancement path, the SI caliper is the enhancing extent's source."""
        caliper = si(10.5, 11.25)
        assert metrics(caliper).enhancement_segments.sources == (caliper.id,)

    def test_ratio_from_both_extents_t2_first(self):
        """The T2/enhancement ratios come from the T2 path and the enhancing drawing."""
        caliper, t2 = si(10.5, 11.25), path(8.5, 13.5)
        m = metrics(caliper, t2)
        assert m.t2_enhancement_ratio.sources == (t2.id, caliper.id)
        assert m.t2_enhancement_ratio_mm.sources == (t2.id, caliper.id)


class TestVolume:
    def test_only_enhancement_outlines(self):
        """A T2 outline drawn first is not a source of the enhancing volume."""
        t2 = square(-1.0, role="t2")
        enhancing = [square(0.0), square(-3.0), square(-6.0)]
        assert metrics(t2, *enhancing).volume.sources == tuple(o.id for o in enhancing)


class TestPatient:
    def test_longest_t2_keeps_its_path(self):
        """The patient's longest T2 extent names the T2 path of the lesion it came from."""
        long, short = path(8.5, 15.5), path(3.1, 5.2)
        study = StudyAnnotations("1.2.3", levels=straight(), lesions=(
            Lesion(1, (short,)), Lesion(2, (long,))))
        assert patient_metrics(study).max_t2_segments.sources == (long.id,)

    def test_intervals_come_from_no_drawing(self):
        """Intervals between dates have no source drawing."""
        study = StudyAnnotations("1.2.3", patient=PatientFindings(
            primary_diagnosis_date=dt.date(2010, 1, 1), iscm_presentation_date=dt.date(2012, 1, 1)))
        assert patient_metrics(study).primary_to_presentation.sources == ()


class TestDrawingExtent:
    def test_the_metrics_extent(self):
        """The extent of a path is the one its lesion's T2 segments come from."""
        t2 = path(8.5, 13.5)
        extent = drawing_extent(t2, straight())
        assert extent.segments() == lesion_metrics(Lesion(1, (t2,)), straight()).t2_segments.value
        assert (extent.s_top, extent.s_bottom) == pytest.approx((8.5, 13.5))

    def test_none_without_two_discs(self):
        """No drawing, no levels or one disc: no extent."""
        one = VertebralLevels(straight().discs[:1])
        assert drawing_extent(None, straight()) is None
        assert drawing_extent(path(1, 2), None) is None
        assert drawing_extent(path(1, 2), one) is None
