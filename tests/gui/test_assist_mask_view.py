"""The mask brush's footprint and the mask outline, in scene mm (pixel corner at 0, 0)."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.measure import label

from spineviewer.gui.annotation.mask_view import outline, stroke_disks


class TestStrokeDisks:
    def test_a_dab_is_a_circle_in_mm_on_oblong_pixels(self):
        """A 4 mm brush on 0.5 x 1.0 mm pixels covers about pi * 16 mm2, as many rows as
        twice as many columns."""
        covered = stroke_disks((80, 40), [(20.0, 20.0)], 4.0, (0.5, 1.0))
        area = covered.sum() * 0.5 * 1.0
        assert area == pytest.approx(np.pi * 16, rel=0.15)
        rows, cols = np.nonzero(covered)
        assert np.ptp(rows) + 1 == pytest.approx(2 * (np.ptp(cols) + 1), abs=2)

    def test_a_fast_stroke_leaves_no_gap(self):
        """Two points 30 mm apart give one connected band, 2 mm wide, from one to the other."""
        covered = stroke_disks((20, 60), [(5.0, 10.0), (35.0, 10.0)], 1.0, (1.0, 1.0))
        assert label(covered).max() == 1
        assert covered[9, 5] and covered[9, 34] and not covered[9, 40]

    def test_a_small_brush_still_paints_the_pixel_under_it(self):
        """A brush smaller than a pixel paints that pixel."""
        covered = stroke_disks((10, 10), [(3.5, 6.5)], 0.1, (1.0, 1.0))
        assert covered.sum() == 1 and covered[6, 3]

    def test_a_stroke_off_the_image_paints_nothing(self):
        assert not stroke_disks((10, 10), [(-30.0, -30.0)], 2.0, (1.0, 1.0)).any()


class TestOutline:
    def test_a_square_is_outlined_halfway_between_pixel_centres(self):
        """A 3 x 3 pixel square at rows 2-4, cols 5-7 of 2 mm pixels: one closed line whose
        extent is that of the pixel centres widened by half a pixel."""
        mask = np.zeros((10, 12), dtype=bool)
        mask[2:5, 5:8] = True
        (line,) = outline(mask, (2.0, 2.0))
        assert np.allclose(line[0], line[-1])
        x, y = line[:, 0], line[:, 1]
        assert (x.min(), x.max()) == pytest.approx((10.0, 16.0))
        assert (y.min(), y.max()) == pytest.approx((4.0, 10.0))

    def test_two_regions_two_lines(self):
        mask = np.zeros((10, 10), dtype=bool)
        mask[1:3, 1:3] = mask[6:9, 6:9] = True
        assert len(outline(mask, (1.0, 1.0))) == 2
