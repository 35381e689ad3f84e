"""Sagittal acquisition variants of a phantom case: their geometry (no rendering)."""

from __future__ import annotations

import numpy as np
import pytest

from spineviewer.phantom.variants import SagittalVariant, variant_stacks, write_sagittal_variant


class TestVariantStacks:
    def test_as_the_case(self):
        """The default variant is the case's own sagittal stations."""
        (stack,) = variant_stacks(2, SagittalVariant())
        assert (stack.rows, stack.cols, stack.n_slices) == (288, 192, 15)
        assert stack.pixel_spacing == (1.25, 1.25)

    def test_tilt_turns_the_slices_in_their_plane(self):
        """A tilt keeps the slices sagittal and their field centred where it was."""
        (plain,) = variant_stacks(4, SagittalVariant())
        (tilted,) = variant_stacks(4, SagittalVariant(tilt_deg=12.0))
        assert np.allclose(np.abs(tilted.normal), (1.0, 0.0, 0.0))
        assert np.degrees(np.arccos(np.dot(plain.f_col, tilted.f_col))) == pytest.approx(12.0)

        def centre(stack):
            d_r, d_c = stack.pixel_spacing
            return (np.array(stack.positions[0]) + 0.5 * (stack.cols - 1) * d_c * np.array(stack.f_row)
                    + 0.5 * (stack.rows - 1) * d_r * np.array(stack.f_col))

        assert np.allclose(centre(plain), centre(tilted), atol=1e-3)

    def test_pixel_size_keeps_the_field(self):
        (stack,) = variant_stacks(1, SagittalVariant(pixel_mm=1.2))
        assert stack.pixel_spacing == (1.2, 1.2)
        assert stack.rows * 1.2 == pytest.approx(320 * 1.4, abs=1.2)

    def test_stations_moved_by_levels(self):
        plain = variant_stacks(3, SagittalVariant())
        lower = variant_stacks(3, SagittalVariant(shift_levels=2.0))
        assert len(lower) == 2
        assert all(b.positions[0][2] < a.positions[0][2] - 30.0 for a, b in zip(plain, lower))

    def test_bad_options(self, tmp_path):
        with pytest.raises(ValueError):
            write_sagittal_variant(1, tmp_path, SagittalVariant(tilt_deg=60.0))
