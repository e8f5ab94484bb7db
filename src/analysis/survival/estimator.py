"""The Aalen–Johansen estimator of cumulative incidence for competing routes out of custody.

Why this estimator: a person leaves custody by exactly one route (end of term, pardon, pardon with
expulsion, death in custody, other). "1 - Kaplan–Meier" of one route, treating the others as
censored, answers a question about a world without the other routes and overstates every route.
The Aalen–Johansen estimator gives, for each route k, F_k(t) = P(left by route k by time t), and the
routes add up to the all-route incidence 1 - S(t), where S is the Kaplan–Meier curve of leaving by any
route.

**Data.** Person i is at risk on (L_i, T_i]: T_i is the time of exit (route_i = k >= 1) or of
censoring (route_i = 0, still held when follow-up stops); L_i is the time at which the person enters
the risk set (delayed entry, left truncation). `entry=None` means L_i = -inf for everyone: at risk
from time 0 inclusive, so an exit at time 0 (released on the day of detention) is an event at 0.
A person who enters late is at risk strictly after L_i, so an exit at exactly L_i would not be seen;
the data layer never passes one (it keeps only people still held at the question's start).

**Tied times, exactly.** At each distinct event time t_j, with n_j = #{i: L_i < t_j <= T_i} at risk,
d_kj exits by route k and d_j = sum_k d_kj exits by any route:

    S(t_j)   = S(t_{j-1}) * (1 - d_j / n_j)                    (Kaplan–Meier, all routes)
    F_k(t_j) = F_k(t_{j-1}) + S(t_{j-1}) * d_kj / n_j         (Aalen–Johansen)

All d_j events at t_j are one product-limit step (no jittering, unlike lifelines). A person censored
at t_j is still in n_j: censorings at a tied time are removed after that time's events, the usual
convention (Kaplan & Meier 1958). People entering at L = t_j are not at risk at t_j.

**Number at risk, exact invariant.** Between consecutive event times,
n_{j+1} = n_j - d_j - c_j + e_j, where c_j counts censorings with T in [t_j, t_{j+1}) and e_j
entries with L in [t_j, t_{j+1}). Without delayed entry e_j = 0 and n never rises; with it, n may rise
by exactly e_j. Both counts are returned so a quality gate can verify the identity.

**Variance and intervals.** Var F_k(t) is the delta-method (Greenwood-type) estimator that
lifelines' AalenJohansenFitter computes (its source cites Collett, Modelling Survival Data in Medical
Research, 3rd ed. 2015, p. 411) and scikit-survival computes with var_type="Dinse_Approx" (Dinse &
Larson 1986, Biometrika 73:379, Sect. 4 eq. 6); the delta-method variance of the cumulative incidence
is usually credited to Marubini & Valsecchi (1995). Both libraries agree with this code to rounding
(tests/survival/test_survival_crosscheck.py). It is not the Aalen (1978) variance, scikit-survival's
default:

    Var F_k(t) = sum_{t_j <= t} { [F_k(t) - F_k(t_j)]^2 d_j / (n_j (n_j - d_j))
                                 + S(t_{j-1})^2 d_kj (n_j - d_kj) / n_j^3
                                 - 2 [F_k(t) - F_k(t_j)] S(t_{j-1}) d_kj / n_j^2 }

(a step where everyone at risk leaves, n_j = d_j, has F_k(t) - F_k(t_j) = 0 and its first term is
taken as 0). The 95% pointwise interval is built on the log(-log) scale, which keeps it inside
[0, 1]: F^exp(+z*se) .. F^exp(-z*se) with se = sqrt(Var F) / (F |log F|), as lifelines and
scikit-survival ("log-log") do. For the all-route incidence 1 - S the variance is Greenwood's and the
interval is 1 - (the log(-log) interval of S). Where F is 0 or 1 the interval is that point.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

Z95 = NormalDist().inv_cdf(0.975)


@dataclass(frozen=True)
class CompetingRisksFit:
    """The estimate at every distinct event time (rows), for every route (columns of the 2-D arrays).

    `entered_before`/`removed_before` count entries (finite L < t_0) and censorings (T < t_0) before
    the first event time, so that at_risk[0] = entries before t_0 - censorings before t_0 and the
    invariant above can be checked from the start.
    """

    times: np.ndarray            # (m,) distinct event times, increasing
    at_risk: np.ndarray          # (m,) n_j
    events: np.ndarray           # (m, K) d_kj
    censored: np.ndarray         # (m,) c_j: censorings with T in [t_j, t_{j+1})
    entered: np.ndarray          # (m,) e_j: delayed entries with L in [t_j, t_{j+1})
    survival: np.ndarray         # (m,) S(t_j), all routes
    incidence: np.ndarray        # (m, K) F_k(t_j)
    variance: np.ndarray         # (m, K) Var F_k(t_j)
    lower: np.ndarray            # (m, K)
    upper: np.ndarray            # (m, K)
    any_variance: np.ndarray     # (m,) Greenwood variance of S(t_j) (= of 1 - S)
    any_lower: np.ndarray        # (m,) interval of 1 - S(t_j)
    any_upper: np.ndarray        # (m,)
    entered_before: int
    removed_before: int
    delayed: bool                # some L is finite
    n: int                       # people in the fit
    _entry_sorted: np.ndarray    # sorted L (for the number at risk at any time)
    _exit_sorted: np.ndarray     # sorted T

    @property
    def any_incidence(self) -> np.ndarray:
        """1 - S(t_j): the share who had left by any route."""
        return 1.0 - self.survival

    def at_risk_at(self, t: np.ndarray | float) -> np.ndarray:
        """Number at risk at arbitrary times: #{L < t <= T} = #{L < t} - #{T < t} (as L < T)."""
        t = np.asarray(t, dtype=float)
        return (np.searchsorted(self._entry_sorted, t, "left")
                - np.searchsorted(self._exit_sorted, t, "left")).astype(np.int64)

    def step_index(self, t: np.ndarray | float) -> np.ndarray:
        """Index of the last event time <= t (-1 before the first): the estimate is a right-continuous step."""
        return np.searchsorted(self.times, np.asarray(t, dtype=float), "right") - 1

    def min_at_risk_until(self, t: np.ndarray | float) -> np.ndarray:
        """The smallest risk set behind the estimate at t: over the event times up to t and t itself.

        Without delayed entry this is just the number at risk at t (n never rises); with it, an early
        step taken on a handful of people can stand behind every later value."""
        t = np.atleast_1d(np.asarray(t, dtype=float))
        idx = self.step_index(t)
        running = np.minimum.accumulate(self.at_risk) if self.at_risk.size else self.at_risk
        before = np.where(idx >= 0, running[np.maximum(idx, 0)] if running.size else 0, np.iinfo(np.int64).max)
        return np.minimum(before, self.at_risk_at(t))

    def value_at(self, t: np.ndarray | float) -> dict[str, np.ndarray]:
        """Estimates at arbitrary times (0 before the first event)."""
        t = np.atleast_1d(np.asarray(t, dtype=float))
        idx = self.step_index(t)
        k = self.events.shape[1]

        def take(arr: np.ndarray, fill: float) -> np.ndarray:
            if arr.ndim == 1:
                out = np.full(t.shape, fill)
                out[idx >= 0] = arr[idx[idx >= 0]]
                return out
            out = np.full((t.size, k), fill)
            out[idx >= 0] = arr[idx[idx >= 0]]
            return out

        return {"incidence": take(self.incidence, 0.0), "lower": take(self.lower, 0.0),
                "upper": take(self.upper, 0.0), "variance": take(self.variance, 0.0),
                "any_incidence": take(self.any_incidence, 0.0), "any_lower": take(self.any_lower, 0.0),
                "any_upper": take(self.any_upper, 0.0), "at_risk": self.at_risk_at(t),
                "min_at_risk": self.min_at_risk_until(t)}


def aalen_johansen(duration, route, entry=None, n_routes: int | None = None, z: float = Z95) -> CompetingRisksFit:
    """Fit the Aalen–Johansen estimator (module docstring) without a Python loop over people.

    duration: T_i (exit or censoring time); route: 0 = censored, k = 1..K the route of the exit;
    entry: L_i (-inf or None = at risk from time 0 inclusive); n_routes: K (default: the largest route).
    """
    T = np.asarray(duration, dtype=float)
    R = np.asarray(route, dtype=np.int64)
    L = np.full(T.shape, -np.inf) if entry is None else np.asarray(entry, dtype=float)
    if not (T.shape == R.shape == L.shape) or T.ndim != 1:
        raise ValueError("duration, route and entry must be 1-D arrays of one length")
    if np.isnan(T).any() or np.isnan(L).any():
        raise ValueError("duration and entry must not be NaN")
    if (R < 0).any():
        raise ValueError("route must be 0 (censored) or a positive route number")
    if (L >= T).any():
        raise ValueError("every person must be at risk for some time: entry < duration")
    k = int(n_routes if n_routes is not None else (R.max() if R.size else 0))
    if R.size and R.max() > k:
        raise ValueError(f"route {R.max()} is larger than n_routes={k}")

    is_event = R > 0
    times, inverse = np.unique(T[is_event], return_inverse=True)
    m = times.size
    d = np.bincount(inverse * max(k, 1) + (R[is_event] - 1), minlength=m * max(k, 1)).reshape(m, max(k, 1))[:, :k]
    d = d.astype(float)
    d_all = d.sum(axis=1)

    L_sorted, T_sorted = np.sort(L), np.sort(T)
    n = (np.searchsorted(L_sorted, times, "left") - np.searchsorted(T_sorted, times, "left")).astype(float)

    # Censorings and entries between event times, for the at-risk identity (bins [t_j, t_{j+1})).
    def per_bin(values: np.ndarray) -> np.ndarray:
        if m == 0:
            return np.zeros(0, dtype=np.int64)
        b = np.searchsorted(times, values, "right") - 1
        return np.bincount(b[b >= 0], minlength=m).astype(np.int64)

    censor_times = T[~is_event]
    finite_entries = L[np.isfinite(L)]
    censored = per_bin(censor_times)
    entered = per_bin(finite_entries)
    first = times[0] if m else np.inf
    entered_before = int((L < first).sum())   # -inf entries count as entered before the first event
    removed_before = int((censor_times < first).sum())

    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = d_all / n
        survival = np.cumprod(1.0 - hazard)
        s_prev = np.concatenate(([1.0], survival[:-1]))
        incidence = np.cumsum(s_prev[:, None] * d / n[:, None], axis=0)

        # Delta-method variance, expanded so that every time is done by cumulative sums:
        # sum_j (F(t) - F_j)^2 a_j = F(t)^2 A - 2 F(t) B + C with A = sum a_j, B = sum F_j a_j, C = sum F_j^2 a_j.
        a = np.where(n > d_all, d_all / (n * (n - d_all)), 0.0)
        b = s_prev[:, None] ** 2 * d * (n[:, None] - d) / n[:, None] ** 3
        c = s_prev[:, None] * d / n[:, None] ** 2
        A = np.cumsum(a)[:, None]
        B = np.cumsum(incidence * a[:, None], axis=0)
        C = np.cumsum(incidence ** 2 * a[:, None], axis=0)
        variance = (incidence ** 2 * A - 2 * incidence * B + C + np.cumsum(b, axis=0)
                    - 2 * (incidence * np.cumsum(c, axis=0) - np.cumsum(incidence * c, axis=0)))
        variance = np.maximum(variance, 0.0)   # rounding can leave -1e-18 where the variance is 0
        lower, upper = _loglog_interval(incidence, np.sqrt(variance), z)

        greenwood = np.cumsum(a)
        any_variance = survival ** 2 * greenwood
        s_low, s_high = _loglog_interval(survival, np.sqrt(any_variance), z)
    return CompetingRisksFit(
        times=times, at_risk=n.astype(np.int64), events=d.astype(np.int64), censored=censored, entered=entered,
        survival=survival, incidence=incidence, variance=variance, lower=lower, upper=upper,
        any_variance=any_variance, any_lower=1.0 - s_high, any_upper=1.0 - s_low,
        entered_before=entered_before, removed_before=removed_before, delayed=bool(np.isfinite(L).any()),
        n=int(T.size), _entry_sorted=L_sorted, _exit_sorted=T_sorted)


def _loglog_interval(p: np.ndarray, se: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise interval of a probability p with standard error se on the log(-log p) scale:
    p^exp(z*se/(p|log p|)) .. p^exp(-z*se/(p|log p|)); p itself where p is 0 or 1."""
    inside = (p > 0) & (p < 1)
    safe = np.where(inside, p, 0.5)
    log_p = np.log(safe)
    theta = z * se / (safe * np.abs(log_p))
    lower = np.where(inside, np.exp(log_p * np.exp(theta)), p)
    upper = np.where(inside, np.exp(log_p * np.exp(-theta)), p)
    return lower, upper
