"""The estimator on cases worked out by hand (the arithmetic is in the comments), and on a published
worked example.

Notation: n = number at risk at t (L < t <= T), d_k = exits by route k at t, d = all exits at t,
S(t) = S(t-) (1 - d/n), F_k(t) = F_k(t-) + S(t-) d_k / n.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.survival.checks import at_risk_consistent, at_risk_identity
from analysis.survival.estimator import Z95, aalen_johansen

INF = -np.inf


def test_ties_are_one_step_and_censorings_at_a_tied_time_leave_after_the_events():
    # person:   1    2    3    4    5    6
    T = [2.0, 2.0, 2.0, 4.0, 5.0, 7.0]
    R = [1, 2, 0, 1, 0, 2]   # 1 = end of term, 2 = pardon, 0 = still held (censored)
    fit = aalen_johansen(T, R, n_routes=2)
    # t=2: all 6 at risk (the one censored at 2 is still counted); d1 = 1, d2 = 1, d = 2.
    #      S = 1 - 2/6 = 2/3;  F1 = 1 * 1/6 = 1/6;  F2 = 1/6.
    #      (Removing the censoring first would give n = 5 and F1 = 1/5: the convention matters.)
    # t=4: persons 4, 5, 6 at risk: n = 3; d1 = 1.  S = 2/3 * 2/3 = 4/9;  F1 = 1/6 + 2/3 * 1/3 = 7/18.
    # t=5: person 5 censored (no step).
    # t=7: person 6 alone: n = 1; d2 = 1.  S = 0;  F2 = 1/6 + 4/9 * 1 = 11/18.   F1 + F2 = 1 = 1 - S.
    np.testing.assert_array_equal(fit.times, [2.0, 4.0, 7.0])
    np.testing.assert_array_equal(fit.at_risk, [6, 3, 1])
    np.testing.assert_array_equal(fit.events, [[1, 1], [1, 0], [0, 1]])
    np.testing.assert_allclose(fit.survival, [2 / 3, 4 / 9, 0.0], atol=1e-15)
    np.testing.assert_allclose(fit.incidence, [[1 / 6, 1 / 6], [7 / 18, 1 / 6], [7 / 18, 11 / 18]], atol=1e-15)
    np.testing.assert_allclose(fit.incidence.sum(axis=1), 1 - fit.survival, atol=1e-15)
    # Variance of F1 at t=2 (one step, F(t) - F(t_j) = 0): S(t-)^2 d1 (n - d1) / n^3 = 1 * 1 * 5 / 216.
    assert fit.variance[0, 0] == pytest.approx(5 / 216, abs=1e-15)
    # Its interval on the log(-log) scale: se = sqrt(5/216) / (1/6 * |log 1/6|), F^exp(+-1.96 se).
    se = np.sqrt(5 / 216) / (1 / 6 * abs(np.log(1 / 6)))
    assert fit.lower[0, 0] == pytest.approx((1 / 6) ** np.exp(Z95 * se), abs=1e-15)
    assert fit.upper[0, 0] == pytest.approx((1 / 6) ** np.exp(-Z95 * se), abs=1e-15)
    assert 0 < fit.lower[0, 0] < 1 / 6 < fit.upper[0, 0] < 1
    # Censorings between event times: one at 2 (in [2, 4)), one at 5 (in [4, 7)).
    np.testing.assert_array_equal(fit.censored, [1, 1, 0])
    assert at_risk_consistent(fit)


def test_delayed_entry_enters_the_risk_set_after_the_time_already_served():
    # person:  a     b     c    d    e         (L = months already served when the question starts)
    L = [INF, INF, 2.0, 5.0, INF]
    T = [3.0, 6.0, 4.0, 8.0, 8.0]
    R = [1, 0, 2, 1, 2]
    fit = aalen_johansen(T, R, L, n_routes=2)
    # t=3: a, b, c (2 < 3 <= 4), e at risk; d (enters at 5) not yet: n = 4; d1 = 1 (a).
    #      S = 3/4;  F1 = 1/4.
    # t=4: b, c, e: n = 3; d2 = 1 (c).  S = 3/4 * 2/3 = 1/2;  F2 = 3/4 * 1/3 = 1/4.
    # t=5: d enters (n rises from 2 to 3); t=6: b censored (n back to 2).
    # t=8: d, e: n = 2; d1 = 1 (d), d2 = 1 (e).  S = 0;  F1 = 1/4 + 1/2 * 1/2 = 1/2;  F2 = 1/4 + 1/4 = 1/2.
    np.testing.assert_array_equal(fit.at_risk, [4, 3, 2])
    np.testing.assert_allclose(fit.incidence, [[1 / 4, 0], [1 / 4, 1 / 4], [1 / 2, 1 / 2]], atol=1e-15)
    np.testing.assert_allclose(fit.survival, [3 / 4, 1 / 2, 0.0], atol=1e-15)
    np.testing.assert_array_equal(fit.at_risk_at([4.5, 5.5, 6.5]), [2, 3, 2])   # rises only by an entry
    # The exact invariant n_{j+1} = n_j - d_j - c_j + e_j: 3 = 4 - 1 - 0 + 0; 2 = 3 - 1 - 1 (b) + 1 (d).
    np.testing.assert_array_equal(fit.censored, [0, 1, 0])
    np.testing.assert_array_equal(fit.entered, [0, 1, 0])
    assert fit.entered_before == 4 and fit.removed_before == 0   # a, b, e from the start; c at 2
    assert at_risk_identity(fit).height == 0 and at_risk_consistent(fit)
    # The smallest risk set behind the estimate at 6.5: min(n at 3 = 4, n at 4 = 3, at risk at 6.5 = 2) = 2;
    # at 6 itself b (censored at 6) is still at risk: min(4, 3, 3) = 3.
    np.testing.assert_array_equal(fit.min_at_risk_until([6.0, 6.5]), [3, 2])


def test_an_entry_at_an_event_time_is_not_at_risk_at_it():
    # f enters at 3 (L = 3): at risk on (3, 9], so not at the exit at 3, but at the one at 4.
    L = [INF, INF, 2.0, 3.0]
    T = [3.0, 6.0, 4.0, 9.0]
    R = [1, 0, 2, 0]
    fit = aalen_johansen(T, R, L, n_routes=2)
    np.testing.assert_array_equal(fit.at_risk, [3, 3])   # t=3: first three; t=4: b, c, f
    # F1(3) = 1/3; S(3) = 2/3; F2(4) = 2/3 * 1/3 = 2/9.
    np.testing.assert_allclose(fit.incidence[-1], [1 / 3, 2 / 9], atol=1e-15)


def test_an_exit_on_the_day_of_detention_is_an_event_at_time_zero():
    fit = aalen_johansen([0.0, 1.0, 2.0], [1, 0, 2], n_routes=2)
    # t=0: n = 3, d1 = 1: F1 = 1/3, S = 2/3.  t=2: n = 1, d2 = 1: F2 = 2/3 * 1 = 2/3.
    np.testing.assert_allclose(fit.incidence[-1], [1 / 3, 2 / 3], atol=1e-15)
    assert fit.value_at(-0.5)["incidence"][0].tolist() == [0.0, 0.0]


def test_refuses_what_it_cannot_estimate():
    with pytest.raises(ValueError):
        aalen_johansen([1.0, 2.0], [1, 0], [1.0, 0.0])   # entry == exit: never at risk
    with pytest.raises(ValueError):
        aalen_johansen([1.0, np.nan], [1, 0])
    with pytest.raises(ValueError):
        aalen_johansen([1.0, 2.0], [3, 0], n_routes=2)


def test_published_worked_example_satagopan_2004():
    """Satagopan JM, Ben-Porat L, Berwick M, Robson M, Kutler D, Auerbach AD. A note on competing risks
    in survival data analysis. British Journal of Cancer 2004;91(7):1229-1235, doi:10.1038/sj.bjc.6602102,
    Table 2: the cumulative incidence of breast-cancer death, step by step, for nine listed patients
    of a data set of 305 (times in months; E = breast-cancer death, CR = other death, C = alive).

    The printed numbers at risk (305, 304, 302, 301, 300, 298, 297 at 0, 10, 16, 18, 23, 26, 27) fix
    the other 296 patients: none leaves before 27 months (305 - 1 censored at 7 = 304, ...), so they
    are given a censoring time after 27, which changes nothing up to 27.
    The paper prints percentages to one decimal, and its cumulative incidence column is the running
    sum of the rounded increments (0.3 + 0.3 + ...), so the test compares what was printed at the
    precision it was printed: exact counts; S(t) and S(t-) to 0.05 points; each increment rounds to
    0.3 %; the cumulative incidence within the rounding of the sum (0.05 points per summed term).
    """
    listed = [(7, 0), (10, 1), (14, 0), (16, 1), (18, 2), (23, 1), (24, 0), (26, 2), (27, 1)]
    T = np.array([t for t, _ in listed] + [60.0] * 296)
    R = np.array([r for _, r in listed] + [0] * 296)
    fit = aalen_johansen(T, R, n_routes=2)
    # Step 1: every event time, all causes.
    np.testing.assert_array_equal(fit.times, [10, 16, 18, 23, 26, 27])
    np.testing.assert_array_equal(fit.at_risk, [304, 302, 301, 300, 298, 297])
    printed_survival = [99.7, 99.3, 99.0, 98.7, 98.3, 98.0]
    np.testing.assert_allclose(100 * fit.survival, printed_survival, atol=0.05)
    # Step 2: breast-cancer deaths at 10, 16, 23, 27.
    rows = np.flatnonzero(fit.events[:, 0] > 0)
    np.testing.assert_array_equal(fit.times[rows], [10, 16, 23, 27])
    lagged = np.concatenate(([1.0], fit.survival[:-1]))[rows]
    np.testing.assert_allclose(100 * lagged, [100.0, 99.7, 99.0, 98.3], atol=0.05)
    increments = np.diff(np.concatenate(([0.0], fit.incidence[rows, 0])))
    assert [round(100 * x, 1) for x in increments] == [0.3, 0.3, 0.3, 0.3]
    printed_cif = np.array([0.3, 0.6, 0.9, 1.2])
    assert np.all(np.abs(100 * fit.incidence[rows, 0] - printed_cif) <= 0.05 * np.arange(1, 5) + 1e-12)
    # Unrounded: 1/304 + (303/304)/302 + ... = 1.320 % at 27 months.
    assert 100 * fit.incidence[rows[-1], 0] == pytest.approx(1.3202, abs=5e-4)
