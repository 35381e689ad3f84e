"""Ground truth against the pixels: what a reader measures on the images matches it."""

from __future__ import annotations

import numpy as np
import pytest

from tests.phantom.dicom_helpers import (
    bright_region, extent, frame, nearest_slice, read_series, sample, series_number, truth,
)


def _axes(lesion):
    """Unit directions along the cord (down), left-right and AP at a lesion."""
    top = np.array(lesion["enhancement"]["top_lps_mm"])
    bottom = np.array(lesion["enhancement"]["bottom_lps_mm"])
    along = (bottom - top) / np.linalg.norm(bottom - top)
    left = np.array([1.0, 0.0, 0.0])
    ap = np.cross(along, left)
    return along, left, ap / np.linalg.norm(ap)


def _enhancing(ds, lesion, background: float):
    """Pixel centres of the enhancing lesion on one image (half-way threshold)."""
    centre = np.array(lesion["centre_lps_mm"])
    _, _, _, normal, _ = frame(ds)
    on_plane = centre - ((centre - frame(ds)[0]) @ normal) * normal
    peak = float(np.median(sample(ds, [on_plane])))
    radius = max(lesion["si_mm"], lesion["ap_mm"], lesion["transverse_mm"]) / 2 + 4
    return bright_region(ds, on_plane, 0.5 * (peak + background), radius)


def _cord_background(ds, lesion) -> float:
    """T1+C signal of the cord just above and below the lesion."""
    along, _, _ = _axes(lesion)
    centre = np.array(lesion["centre_lps_mm"])
    centre[0] = 0.0
    gap = lesion["si_mm"] / 2 + 5
    return float(np.mean(sample(ds, [centre - gap * along, centre + gap * along])))


def _sagittal_sizes(folder, lesion):
    """SI and AP extents of the enhancement on the sagittal T1+C slice through the lesion."""
    datasets = read_series(folder, series_number(folder, "SAG T1 TSE +C"))
    ds = nearest_slice(datasets, lesion["centre_lps_mm"])
    points = _enhancing(ds, lesion, _cord_background(ds, lesion))
    along, _, ap = _axes(lesion)
    return extent(ds, points, along), extent(ds, points, ap), float(ds.PixelSpacing[0])


def _axial_sizes(folder, lesion):
    """Largest AP and transverse extents of the enhancement over the axial T1+C slices."""
    datasets = read_series(folder, series_number(folder, "AX T1 TSE +C"))
    sagittal = nearest_slice(read_series(folder, series_number(folder, "SAG T1 TSE +C")),
                             lesion["centre_lps_mm"])
    background = _cord_background(sagittal, lesion)
    centre = np.array(lesion["centre_lps_mm"])
    ap_sizes, lr_sizes = [], []
    for ds in datasets:
        ipp, f_row, f_col, normal, _ = frame(ds)
        if abs((centre - ipp) @ normal) > 0.25 * lesion["si_mm"]:
            continue
        points = _enhancing(ds, lesion, background)
        ap_sizes.append(extent(ds, points, f_col))
        lr_sizes.append(extent(ds, points, f_row))
    return max(ap_sizes), max(lr_sizes), float(datasets[0].PixelSpacing[0])


@pytest.mark.parametrize("case, lesion_ids", [(1, [1]), (2, [1]), (3, [1, 2, 3, 4])])
def test_sagittal_sizes_within_one_pixel(case_folder, case, lesion_ids):
    """SI and AP of the enhancing lesion on sagittal T1+C within one pixel of the truth."""
    folder = case_folder(case)
    for lesion_id in lesion_ids:
        lesion = truth(folder)["lesions"][lesion_id - 1]
        si, ap, pixel = _sagittal_sizes(folder, lesion)
        assert si == pytest.approx(lesion["si_mm"], abs=pixel), f"lesion {lesion_id} SI"
        assert ap == pytest.approx(lesion["ap_mm"], abs=pixel), f"lesion {lesion_id} AP"


@pytest.mark.parametrize("case, lesion_ids", [(1, [1]), (2, [1]), (3, [2, 3])])
def test_axial_sizes_within_one_pixel(case_folder, case, lesion_ids):
    """AP and transverse of the enhancing lesion on axial T1+C within one pixel."""
    folder = case_folder(case)
    for lesion_id in lesion_ids:
        lesion = truth(folder)["lesions"][lesion_id - 1]
        ap, transverse, pixel = _axial_sizes(folder, lesion)
        assert ap == pytest.approx(lesion["ap_mm"], abs=pixel), f"lesion {lesion_id} AP"
        assert transverse == pytest.approx(lesion["transverse_mm"], abs=pixel)


def test_case2_size_is_the_reported_one(case_folder):
    """Case 2 is the reported 5.9 x 5.3 x 14.8 mm lesion at T10-T11."""
    lesion = truth(case_folder(2))["lesions"][0]
    assert (lesion["ap_mm"], lesion["transverse_mm"], lesion["si_mm"]) == (5.9, 5.3, 14.8)
    assert (lesion["level_top"], lesion["level_bottom"]) == ("T10", "T11")
    assert lesion["location"] == "thoracic"
    # Centred on the T10-T11 disc: one segment long, as the report says, touching two levels.
    assert (lesion["enhancement"]["segments"], lesion["enhancement"]["levels_touched"]) == (1, 2)
    assert lesion["t2_signal"] == "hyperintense"


def _t2_profile(folder, extent_truth, margin: float = 15.0):
    """T2 signal along the cord chord from above the top to below the bottom, with the
    positions (mm from the top point) of the samples."""
    ds = nearest_slice(read_series(folder, series_number(folder, "SAG T2 TSE")),
                       extent_truth["top_lps_mm"])
    top, bottom = np.array(extent_truth["top_lps_mm"]), np.array(extent_truth["bottom_lps_mm"])
    along = (bottom - top) / np.linalg.norm(bottom - top)
    offsets = np.arange(-margin, np.linalg.norm(bottom - top) + margin, 0.1)
    return offsets, sample(ds, top + offsets[:, None] * along), float(ds.PixelSpacing[0])


def _crossings(offsets, values, level):
    above = values > level
    first, last = np.argmax(above), len(above) - 1 - np.argmax(above[::-1])
    return offsets[first], offsets[last]


def test_case2_edema_ends_match(case_folder):
    """The cord T2 hyperintensity starts and ends where the truth says (case 2)."""
    folder = case_folder(2)
    t2 = truth(folder)["lesions"][0]["t2"]
    offsets, values, pixel = _t2_profile(folder, t2, margin=10.0)
    normal_cord = np.median(values[offsets < -3])
    edema = np.median(values[(offsets > 5) & (offsets < 20)])
    start, end = _crossings(offsets, values, 0.5 * (normal_cord + edema))
    assert start == pytest.approx(0.0, abs=pixel)
    assert end == pytest.approx(t2["length_mm"], abs=pixel)


def test_case1_edema_from_t6_to_the_conus(case_folder):
    """Case 1: T2 hyperintensity from T6 to the conus tip, enhancement at T12 only."""
    folder = case_folder(1)
    data = truth(folder)
    lesion = data["lesions"][0]
    assert lesion["level_top"] == lesion["level_bottom"] == "T12"
    assert lesion["enhancement"]["segments"] == lesion["enhancement"]["levels_touched"] == 1
    assert (lesion["t2"]["segments"], lesion["t2"]["levels_touched"]) == (7, 8)
    assert (lesion["t2_enhancement_ratio"], lesion["t2_enhancement_ratio_touched"]) == (7, 8)
    assert int(lesion["t2"]["s_top"]) == 12
    assert lesion["t2"]["bottom_lps_mm"] == data["conus_tip_lps_mm"]
    assert lesion["location"] == "thoracic-conus"
    assert (lesion["t2_signal"], lesion["t1_signal"]) == ("hypointense", "hypointense")
    offsets, values, pixel = _t2_profile(folder, lesion["t2"])
    normal_cord = np.median(values[offsets < -4])
    edema = np.median(values[(offsets > 10) & (offsets < 40)])
    start, _ = _crossings(offsets, values, 0.5 * (normal_cord + edema))
    assert start == pytest.approx(0.0, abs=pixel)


def test_case3_four_lesions_at_their_levels(case_folder):
    """Case 3: lesions at C2, T4, T4-T5 and T11, each with its own edema; the axial block
    covers the T4 and T4-T5 lesions."""
    data = truth(case_folder(3))
    levels = [(l["level_top"], l["level_bottom"]) for l in data["lesions"]]
    assert levels == [("C2", "C2"), ("T4", "T4"), ("T4", "T5"), ("T11", "T11")]
    assert [l["location"] for l in data["lesions"]] == ["cervical", "thoracic", "thoracic",
                                                         "thoracic"]
    assert all(l["t2"]["segments"] >= l["enhancement"]["segments"] for l in data["lesions"])
    assert data["patient"]["iscm"] == "multiple"
    axial = [s for s in data["series"] if s["plane"] == "axial"]
    assert all(s["covers_lesions"] == [2, 3] for s in axial)


def test_case4_ring_enhancement_around_a_cyst(case_folder):
    """Case 4: the C5 lesion enhances at its rim, not in its T2-bright, T1-dark centre."""
    folder = case_folder(4)
    lesion = truth(folder)["lesions"][0]
    centre = np.array(lesion["centre_lps_mm"])
    along, left, ap = _axes(lesion)
    images = {d: nearest_slice(read_series(folder, series_number(folder, d)), centre)
              for d in ("SAG T2 TSE", "SAG T1 TSE", "SAG T1 TSE +C")}
    rim = centre + 0.85 * (lesion["si_mm"] / 2) * along
    cord = centre + (lesion["si_mm"] / 2 + 8) * along
    t1c = images["SAG T1 TSE +C"]
    assert sample(t1c, [rim])[0] > 1.5 * sample(t1c, [centre])[0]
    assert sample(t1c, [rim])[0] > 1.5 * sample(t1c, [cord])[0]
    assert sample(images["SAG T2 TSE"], [centre])[0] > 1.3 * sample(images["SAG T2 TSE"], [cord])[0]
    assert sample(images["SAG T1 TSE"], [centre])[0] < 0.6 * sample(images["SAG T1 TSE"], [cord])[0]
    assert (lesion["cystic_change"], lesion["enhancement_pattern"], lesion["location"]) == (
        "intratumoral", "peripheral ring", "cervical")


def test_discs_lie_on_the_back_of_the_column(case_folder):
    """Each disc point sits on the posterior disc margin: dark annulus just in front of it,
    bright canal (CSF, epidural fat) just behind it, on the sagittal T2."""
    folder = case_folder(1)
    data = truth(folder)
    datasets = read_series(folder, series_number(folder, "SAG T2 TSE"))
    checked = 0
    for disc in data["discs"]:
        point = np.array(disc["point_lps_mm"])
        try:
            ds = nearest_slice(datasets, point)
        except ValueError:
            continue
        _, f_row, _, _, _ = frame(ds)
        front, behind = sample(ds, [point - 2.0 * f_row, point + 2.5 * f_row])
        assert behind > 1.5 * front, disc["name"]
        checked += 1
    assert checked >= 12


@pytest.mark.parametrize("case", [1, 2, 3, 4])
def test_extents_end_clear_of_level_boundaries(case_folder, case):
    """No top or bottom lies within 0.05 level of a disc, so segment counts do not hinge on
    sub-millimetre differences between implementations of the level coordinate."""
    for lesion in truth(case_folder(case))["lesions"]:
        for key in ("enhancement", "t2"):
            for end in ("s_top", "s_bottom"):
                s = lesion[key][end]
                assert abs(s - round(s)) > 0.05, (lesion["lesion_id"], key, end, s)
