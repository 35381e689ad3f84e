"""Drawn annotations: validation at construction and their lengths and areas."""

import math

import numpy as np
import pytest

from spineviewer.core.drawings import (
    Arrow, Bidirectional, Caliper, CaliperRole, Component, CordPath, Outline, TextNote,
)
from spineviewer.core.units import Unit

ON = {"series_instance_uid": "1.2.3.1", "sop_instance_uid": "1.2.3.1.7"}


class TestCaliper:
    def test_length_in_patient_space(self):
        """The length is Euclidean in LPS mm, whatever the plane."""
        caliper = Caliper(endpoints=[(0, 0, 0), (3, 4, 12)], role="si", **ON)
        assert caliper.length == pytest.approx(13.0) and caliper.role is CaliperRole.SI

    def test_points_stored_as_float_tuples(self):
        """Points from numpy become plain float tuples, so the value is hashable and frozen."""
        caliper = Caliper(endpoints=np.array([[0, 0, 0], [0, 0, 5]]), **ON)
        assert caliper.endpoints == ((0.0, 0.0, 0.0), (0.0, 0.0, 5.0))
        hash(caliper)

    def test_each_drawing_gets_its_own_id(self):
        """Ids are generated and unique."""
        a = Caliper(endpoints=[(0, 0, 0), (0, 0, 5)], **ON)
        b = Caliper(endpoints=[(0, 0, 0), (0, 0, 5)], **ON)
        assert a.id != b.id and len(a.id) == 32

    def test_coincident_points_refused(self):
        """A caliper needs two distinct points."""
        with pytest.raises(ValueError, match="two distinct points"):
            Caliper(endpoints=[(1, 2, 3), (1, 2, 3)], **ON)

    def test_three_points_refused(self):
        """A caliper has exactly two points."""
        with pytest.raises(ValueError, match="exactly two"):
            Caliper(endpoints=[(0, 0, 0), (0, 0, 1), (0, 0, 2)], **ON)

    def test_non_finite_refused(self):
        """NaN coordinates are refused."""
        with pytest.raises(ValueError, match="finite"):
            Caliper(endpoints=[(0, 0, 0), (0, math.nan, 1)], **ON)

    def test_unknown_role_refused(self):
        """The role is si or ap."""
        with pytest.raises(ValueError, match="si, ap"):
            Caliper(endpoints=[(0, 0, 0), (0, 0, 1)], role="transverse", **ON)

    def test_image_reference_required(self):
        """The series and SOP instance it was drawn on are required."""
        with pytest.raises(ValueError, match="sop_instance_uid"):
            Caliper(endpoints=[(0, 0, 0), (0, 0, 1)], series_instance_uid="1.2", sop_instance_uid="")

    def test_pixel_unit(self):
        """A drawing on a series without PixelSpacing is marked px."""
        assert Caliper(endpoints=[(0, 0, 0), (0, 0, 1)], unit="px", **ON).unit is Unit.PX


class TestBidirectional:
    def test_lengths(self):
        """Long and short axis lengths."""
        b = Bidirectional(long_axis=[(-4.5, 0, 0), (4.5, 0, 0)], short_axis=[(0, -3.5, 0), (0, 3.5, 0)], **ON)
        assert (b.long_length, b.short_length) == pytest.approx((9.0, 7.0))
        assert len(b.points) == 4

    def test_slightly_oblique_axes_accepted(self):
        """Axes 8 degrees off perpendicular are accepted."""
        angle = math.radians(98)
        short = [(0, 0, 0), (3 * math.cos(angle), 3 * math.sin(angle), 0)]
        Bidirectional(long_axis=[(-5, 0, 0), (5, 0, 0)], short_axis=short, **ON)

    def test_oblique_axes_refused(self):
        """Axes 20 degrees off perpendicular are refused with the angle."""
        angle = math.radians(110)
        short = [(0, 0, 0), (3 * math.cos(angle), 3 * math.sin(angle), 0)]
        with pytest.raises(ValueError, match="20.0 degrees off"):
            Bidirectional(long_axis=[(-5, 0, 0), (5, 0, 0)], short_axis=short, **ON)

    def test_short_longer_than_long_refused(self):
        """The long axis is the longer one."""
        with pytest.raises(ValueError, match="swap"):
            Bidirectional(long_axis=[(0, 0, 0), (3, 0, 0)], short_axis=[(0, 0, 0), (0, 5, 0)], **ON)


class TestCordPath:
    def test_length_along_the_polyline(self):
        """The length follows the polyline, not the chord."""
        path = CordPath(vertices=[(0, 0, 0), (0, 3, -4), (0, 0, -8)], role="t2", **ON)
        assert path.length == pytest.approx(10.0) and path.role is Component.T2

    def test_repeated_vertices_dropped(self):
        """A double click does not add a zero-length piece."""
        path = CordPath(vertices=[(0, 0, 0), (0, 0, 0), (0, 0, -5), (0, 0, -5)], **ON)
        assert len(path.vertices) == 2

    def test_single_point_refused(self):
        """A path needs two distinct points."""
        with pytest.raises(ValueError, match="two distinct"):
            CordPath(vertices=[(0, 0, 0), (0, 0, 0)], **ON)


class TestOutline:
    def test_area_of_an_oblique_square(self):
        """The area is measured in the outline's own plane, oblique or not."""
        tilt = np.array([0, 1, 1]) / math.sqrt(2)
        square = [np.zeros(3), 4 * np.array([1, 0, 0]), 4 * np.array([1, 0, 0]) + 4 * tilt, 4 * tilt]
        assert Outline(vertices=square, **ON).area == pytest.approx(16.0)

    def test_collinear_points_refused(self):
        """Points on one line enclose nothing."""
        with pytest.raises(ValueError, match="area"):
            Outline(vertices=[(0, 0, 0), (1, 0, 0), (2, 0, 0)], **ON)


class TestArrowAndText:
    def test_arrow(self):
        """An arrow keeps tail, head and text."""
        arrow = Arrow(tail=(0, 0, 0), head=(0, 0, 10), text="ISCM", **ON)
        assert arrow.points == ((0.0, 0.0, 0.0), (0.0, 0.0, 10.0))

    def test_empty_text_note_refused(self):
        """A text note needs text."""
        with pytest.raises(ValueError, match="text"):
            TextNote(anchor=(0, 0, 0), text="  ", **ON)
