"""Agreement statistics against values published or worked out by hand, not recomputed here."""

import math

import numpy as np
import pytest

from spineviewer.cohort.agreement_stats import bland_altman, icc, kappa

#: Shrout & Fleiss (1979), Table 2: six targets rated by four judges.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9],
                 [6, 2, 4, 7]]

SIGNAL = ("hypointense", "isointense", "hyperintense")


class TestIcc:
    def test_shrout_fleiss_example(self):
        """Shrout & Fleiss (1979), Table 4: ICC(2,1) = 0.29, ICC(3,1) = 0.71.

        The 95% CIs are those R's psych::ICC prints for the same data (its documented
        example): ICC2 0.019 to 0.76, ICC3 0.34 to 0.95.
        """
        result = icc(SHROUT_FLEISS)
        assert (result.n, result.k) == (6, 4)
        assert result.icc_2_1 == pytest.approx(0.29, abs=0.005)
        assert result.icc_3_1 == pytest.approx(0.71, abs=0.005)
        assert result.icc_2_1_ci95 == pytest.approx((0.019, 0.76), abs=0.005)
        assert result.icc_3_1_ci95 == pytest.approx((0.34, 0.95), abs=0.005)

    def test_consistency_ignores_a_constant_offset(self):
        """A reader who adds 2 to every value is consistent but does not agree absolutely.

        Ratings (1, 3), (2, 4), (3, 5): row means 2, 3, 4 give MSR = 2 * (1 + 0 + 1) / 2 = 2;
        reader means 2 and 4 give MSC = 3 * (1 + 1) / 1 = 6; no residual, MSE = 0. So
        ICC(3,1) = (MSR - MSE) / (MSR + MSE) = 1 and
        ICC(2,1) = (MSR - MSE) / (MSR + MSE + 2 (MSC - MSE) / 3) = 2 / (2 + 4) = 1/3.
        """
        result = icc([[1, 3], [2, 4], [3, 5]])
        assert result.icc_3_1 == pytest.approx(1.0)
        assert result.icc_2_1 == pytest.approx(1 / 3)

    @pytest.mark.parametrize("ratings", [np.ones((1, 2)), np.full((2, 2), 2.0), np.empty((0, 2))],
                             ids=["one-lesion", "all-equal", "none"])
    def test_not_estimable_is_none(self, ratings):
        """No lesion, one lesion, or every value the same gives None, not NaN."""
        result = icc(ratings)
        assert result.icc_2_1 is None and result.icc_3_1 is None
        assert result.icc_2_1_ci95 is None


class TestBlandAltman:
    def test_hand_computed_limits(self):
        """Differences 1, 0, 2, -1: mean 0.5, SD sqrt(5/3) = 1.29099, limits 0.5 -+ 2.53035."""
        result = bland_altman([10, 12, 14, 16], [11, 12, 16, 15])
        assert result.n == 4
        assert result.mean_difference == pytest.approx(0.5)
        assert result.sd_difference == pytest.approx(math.sqrt(5 / 3))
        assert result.lower_limit == pytest.approx(-2.030349, abs=1e-6)
        assert result.upper_limit == pytest.approx(3.030349, abs=1e-6)

    def test_one_pair_has_a_difference_but_no_limits(self):
        """One pair gives its difference; limits need an SD, so two pairs."""
        result = bland_altman([5.0], [6.5])
        assert result.mean_difference == pytest.approx(1.5)
        assert result.lower_limit is None and result.sd_difference is None


class TestKappa:
    def test_cohen_two_by_two(self):
        """Table [[20, 5], [10, 15]] of 50 lesions: po = 35/50 = 0.70; marginals 25/25 and
        30/20 give pe = (25*30 + 25*20) / 50**2 = 0.50; kappa = (0.70 - 0.50) / 0.50 = 0.40."""
        rows = ([("present", "present")] * 20 + [("present", "absent")] * 5
                + [("absent", "present")] * 10 + [("absent", "absent")] * 15)
        result = kappa(rows, ("present", "absent"), readers=2)
        assert result.statistic == "cohen"
        assert result.kappa == pytest.approx(0.40)
        assert result.percent_agreement == pytest.approx(70.0)
        low, high = result.ci95
        assert low < 0.40 < high

    def test_linear_weights_on_an_ordered_scale(self):
        """Ratings (hypo, hypo), (hypo, iso), (iso, iso), (hyper, hyper); weights 1, 1/2, 0 by
        distance. po_w = (1 + 0.5 + 1 + 1) / 4 = 0.875; rows 1/2, 1/4, 1/4, columns 1/4, 1/2,
        1/4 give pe_w = 0.25 + 0.1875 + 0.125 = 0.5625; kappa_w = 0.3125 / 0.4375 = 5/7.
        Unweighted: po = 3/4, pe = 0.3125, kappa = 0.4375 / 0.6875 = 7/11."""
        rows = [("hypointense", "hypointense"), ("hypointense", "isointense"),
                ("isointense", "isointense"), ("hyperintense", "hyperintense")]
        weighted = kappa(rows, SIGNAL, readers=2, ordered=True)
        assert weighted.statistic == "cohen-linear"
        assert weighted.kappa == pytest.approx(5 / 7)
        assert weighted.ci95[1] <= 1.0
        assert kappa(rows, SIGNAL, readers=2).kappa == pytest.approx(7 / 11)
        assert weighted.percent_agreement == pytest.approx(75.0)

    def test_fleiss_published_example(self):
        """Fleiss (1971): 10 subjects, 14 raters, 5 categories; kappa = 0.210."""
        counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
                  [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
                  [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
        words = ("a", "b", "c", "d", "e")
        rows = [[w for w, c in zip(words, row) for _ in range(c)] for row in counts]
        result = kappa(rows, words, readers=14)
        assert result.statistic == "fleiss"
        assert result.kappa == pytest.approx(0.210, abs=0.0005)
        assert result.percent_agreement == pytest.approx(10.0)

    def test_one_category_only_is_not_estimable(self):
        """Every rating 'absent': agreement 100%, kappa undefined (None)."""
        result = kappa([("absent", "absent")] * 3, ("present", "absent"), readers=2)
        assert result.kappa is None and result.ci95 is None
        assert result.percent_agreement == pytest.approx(100.0)
