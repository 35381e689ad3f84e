"""Strokes on the figure canvas and label placement, on tiny synthetic canvases."""

import numpy as np

from spineviewer.export.lettering import Label, Lettering
from spineviewer.export.raster import Canvas, arrowhead


class TestStroke:
    def test_horizontal_line_covers_its_row_only(self):
        """A 1-pixel yellow line along row 10 colours that row and leaves row 20 alone."""
        canvas = Canvas(np.zeros((32, 32, 3)))
        canvas.stroke([(4, 10), (28, 10)], (255, 255, 0), 1.0, halo=0)
        image = canvas.to_uint8()
        assert tuple(image[10, 16]) == (255, 255, 0)
        assert not image[20].any() and not image[10, 0].any()

    def test_dashes_leave_gaps(self):
        """A dashed line has coloured and uncoloured stretches along its length."""
        canvas = Canvas(np.zeros((8, 64, 3)))
        canvas.stroke([(0, 4), (63, 4)], (255, 255, 255), 1.0, dash=(6, 6), halo=0)
        row = canvas.to_uint8()[4, :, 0]
        assert (row == 255).sum() > 20 and (row == 0).sum() > 20

    def test_halo_darkens_around_the_line(self):
        """The dark halo lowers the grey beside a white line on a grey canvas."""
        canvas = Canvas(np.full((16, 16, 3), 0.5))
        canvas.stroke([(2, 8), (14, 8)], (255, 255, 255), 1.0, halo=1.0)
        image = canvas.to_uint8()
        assert image[8, 8, 0] == 255 and image[9, 8, 0] < 100

    def test_ink_records_where_strokes_went(self):
        """The ink mask is set on the stroke and nowhere far from it."""
        canvas = Canvas(np.zeros((16, 16, 3)))
        canvas.stroke([(2, 3), (13, 3)], (255, 0, 0), 1.0, halo=0)
        assert canvas.ink[3, 8] and not canvas.ink[12, 8]


def test_arrowhead_points_at_head():
    """The arrowhead's tip is the head and its base lies towards the tail."""
    tip, left, right = arrowhead((0, 0), (10, 0), 4)
    assert tuple(tip) == (10, 0) and left[0] == right[0] == 6


class TestLettering:
    def test_labels_do_not_overlap(self):
        """Three labels at the same anchor get three separate boxes."""
        lettering = Lettering(200, 100)
        boxes = [lettering.add(Label(text, (100, 50), 12)) for text in ("AP 7.0 mm", "SI 16.0 mm", "T12")]
        for k, a in enumerate(boxes):
            for b in boxes[k + 1:]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]

    def test_label_stays_inside(self):
        """A label anchored at the right edge is placed inside the image."""
        box = Lettering(100, 40).add(Label("a long label", (99, 20), 12))
        assert 0 <= box[0] and box[2] <= 100

    def test_optional_label_left_out_when_crowded(self):
        """A label that is not required is dropped rather than placed over ink."""
        lettering = Lettering(40, 20, ink=np.ones((20, 40), dtype=bool))
        assert lettering.add(Label("T5", (20, 10), 10, required=False)) is None

    def test_extent_measured_by_the_caller(self):
        """A label with its own extent (a viewer's font) gets a box of exactly that size."""
        box = Lettering(200, 100).add(Label("SI 16.0 mm", (100, 50), 0, extent=(90.0, 20.0)))
        assert (box[2] - box[0], box[3] - box[1]) == (90.0, 20.0)

    def test_reach_goes_further(self):
        """With a longer reach a label finds the free place beyond the figure's ten gaps."""
        ink = np.zeros((200, 200), dtype=bool)
        ink[:, 60:150] = True
        near = Label("x", (100, 100), 0, directions=((1.0, 0.0),), extent=(20.0, 10.0), required=False)
        far = Label("x", (100, 100), 0, directions=((1.0, 0.0),), extent=(20.0, 10.0), required=False,
                    reach=(1.0, 3.0, 6.0, 10.0, 15.0))
        assert Lettering(200, 200, ink=ink).add(near) is None
        assert Lettering(200, 200, ink=ink).add(far)[0] >= 150

    def test_leader_only_when_moved_away(self):
        """A leader joins the anchor to the nearest point of a box more than three gaps away."""
        label = Label("x", (10.0, 10.0), 10, gap=4.0)
        assert Lettering.leader(label, (14.0, 5.0, 30.0, 15.0)) is None
        assert Lettering.leader(label, (40.0, 5.0, 60.0, 15.0)) == ((10.0, 10.0), (40.0, 10.0))
