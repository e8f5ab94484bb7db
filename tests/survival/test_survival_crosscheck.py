"""The estimator against two independent implementations, on data where they must agree.

lifelines' AalenJohansenFitter jitters tied event times at random ("Aalen-Johansen cannot deal with
tied times"), so it is compared on tie-free data (continuous random times), with and without delayed
entry (its `entry` argument). scikit-survival's cumulative_incidence_competing_risks counts ties
exactly (one step per distinct time), so it is also compared on data with ties; it has no delayed
entry. Both are compared at the event times, to 1e-9 for the incidence; the variance (Dinse & Larson's
delta method: lifelines' formula, scikit-survival's var_type="Dinse_Approx") and the log(-log)
intervals are compared too.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from analysis.survival.estimator import aalen_johansen

lifelines = pytest.importorskip("lifelines")
nonparametric = pytest.importorskip("sksurv.nonparametric")
K = 5


def tie_free(seed: int, n: int = 400):
    rng = np.random.default_rng(seed)
    T = rng.exponential(18.0, n)
    R = rng.integers(0, K + 1, n)
    R[np.argmax(T)] = 0   # the last time censored: scikit-survival's Dinse_Approx is NaN where n_j = d_j
    R[:K] = np.arange(1, K + 1)   # every route occurs (scikit-survival counts routes as 1..max)
    return T, R


def lifelines_fit(T, R, route, entry=None, variance=True):
    # lifelines computes the variance with a pandas loop per time (quadratic): kept to small samples.
    fitter = lifelines.AalenJohansenFitter(calculate_variance=variance)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # a jitter warning would mean the data had ties: fail loudly
        fitter.fit(T, R, event_of_interest=route, entry=entry)
    return fitter


def test_agrees_with_lifelines_without_ties_large():
    T, R = tie_free(5, 2000)
    fit = aalen_johansen(T, R, n_routes=K)
    for k in range(1, K + 1):
        cif = lifelines_fit(T, R, k, variance=False).cumulative_density_.iloc[:, 0].loc[fit.times].to_numpy()
        assert np.abs(cif - fit.incidence[:, k - 1]).max() <= 1e-9


def test_agrees_with_lifelines_without_ties():
    T, R = tie_free(1, 100)
    fit = aalen_johansen(T, R, n_routes=K)
    assert fit.times.size == (R > 0).sum()   # tie-free indeed
    worst = 0.0
    for k in (1, 2):   # the variance for two routes: lifelines takes about a second per route here
        ref = lifelines_fit(T, R, k)
        cif = ref.cumulative_density_.iloc[:, 0].loc[fit.times].to_numpy()
        worst = max(worst, np.abs(cif - fit.incidence[:, k - 1]).max())
        var = ref.variance_.loc[fit.times].to_numpy()
        np.testing.assert_allclose(fit.variance[:, k - 1], np.nan_to_num(var), rtol=1e-7, atol=1e-12)
        ci = ref.confidence_interval_.loc[fit.times].to_numpy()
        shown = fit.incidence[:, k - 1] > 0   # lifelines gives NaN before the route's first exit
        np.testing.assert_allclose(fit.lower[shown, k - 1], ci[shown].min(axis=1), rtol=1e-7, atol=1e-12)
        np.testing.assert_allclose(fit.upper[shown, k - 1], ci[shown].max(axis=1), rtol=1e-7, atol=1e-12)
    assert worst <= 1e-9, worst


def test_agrees_with_lifelines_with_delayed_entry():
    rng = np.random.default_rng(7)
    T, R = tie_free(7, 100)
    L = rng.uniform(0.0, 15.0, T.size)
    keep = L < T
    T, R, L = T[keep], R[keep], L[keep]
    fit = aalen_johansen(T, R, L, n_routes=K)
    assert fit.delayed and (np.diff(fit.at_risk) > 0).any()   # the risk set does rise here
    for k in range(1, K + 1):
        ref = lifelines_fit(T, R, k, entry=L, variance=k <= 2)
        cif = ref.cumulative_density_.iloc[:, 0].loc[fit.times].to_numpy()
        assert np.abs(cif - fit.incidence[:, k - 1]).max() <= 1e-9
        at_risk = ref.event_table["at_risk"].loc[fit.times].to_numpy()
        np.testing.assert_array_equal(fit.at_risk, at_risk)
        if k > 2:
            continue
        np.testing.assert_allclose(fit.variance[:, k - 1], np.nan_to_num(ref.variance_.loc[fit.times].to_numpy()),
                                   rtol=1e-7, atol=1e-12)


def sksurv_fit(T, R):
    times, cif, ci = nonparametric.cumulative_incidence_competing_risks(R, T, conf_type="log-log",
                                                                         var_type="Dinse_Approx")
    return times, cif, ci


@pytest.mark.parametrize("ties", [False, True])
def test_agrees_with_scikit_survival(ties):
    T, R = tie_free(11, 500)
    if ties:   # whole days, as the package computes them: many tied exits, of different routes
        T = np.floor(T * 30.4375)
        T[np.argmax(T)] += 1.0
    fit = aalen_johansen(T, R, n_routes=K)
    if ties:
        assert fit.events.sum(axis=1).max() >= 3
    times, cif, ci = sksurv_fit(T, R)
    on = np.isin(times, fit.times)
    np.testing.assert_array_equal(times[on], fit.times)
    assert np.abs(cif[1:, on].T - fit.incidence).max() <= 1e-9
    assert np.abs(cif[0, on] - fit.any_incidence).max() <= 1e-9
    np.testing.assert_allclose(fit.lower, np.minimum(ci[1:, 0, on], ci[1:, 1, on]).T, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(fit.upper, np.maximum(ci[1:, 0, on], ci[1:, 1, on]).T, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(fit.any_lower, np.minimum(ci[0, 0, on], ci[0, 1, on]), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(fit.any_upper, np.maximum(ci[0, 0, on], ci[0, 1, on]), rtol=1e-7, atol=1e-12)


def max_differences() -> dict[str, float]:
    """The numbers quoted in the report (run this module as a script)."""
    out = {}
    T, R = tie_free(5, 2000)
    fit = aalen_johansen(T, R, n_routes=K)
    out["lifelines"] = max(np.abs(lifelines_fit(T, R, k, variance=False).cumulative_density_.iloc[:, 0].loc[fit.times].to_numpy()
                                  - fit.incidence[:, k - 1]).max() for k in range(1, K + 1))
    times, cif, _ = sksurv_fit(T, R)
    out["sksurv"] = float(np.abs(cif[1:, np.isin(times, fit.times)].T - fit.incidence).max())
    T2 = np.floor(T * 30.4375)
    fit2 = aalen_johansen(T2, R, n_routes=K)
    times, cif, _ = sksurv_fit(T2, R)
    out["sksurv_with_ties"] = float(np.abs(cif[1:, np.isin(times, fit2.times)].T - fit2.incidence).max())
    return out


if __name__ == "__main__":
    print(max_differences())
