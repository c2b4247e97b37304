"""Exact latest-point tests of the c and u charts (gamma-Poisson predictive tail).

Reference: the predictive probabilities integrated numerically here,
P(x' = k) = integral of Poisson(k; n lambda) Gamma(lambda; X + 1/2, rate N) d lambda
(Jeffreys' prior; Gelman et al., Bayesian Data Analysis, section 2.6), with scipy's quad,
then twice the smaller tail.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from qainsights.spc import control_charts
from qainsights.spc.gammapoisson import poisson_predictive_p_value


def _integrated_p(x, n, history_x, history_n):
    def pmf(k):
        density = stats.gamma(history_x + 0.5, scale=1 / history_n).pdf
        return integrate.quad(lambda lam: stats.poisson.pmf(k, n * lam) * density(lam), 0,
                              np.inf, epsabs=1e-13)[0]  # fmt: skip

    below = sum(pmf(k) for k in range(x + 1))
    above = 1 - below + pmf(x)
    return min(1.0, 2 * min(below, above))


@pytest.mark.parametrize(
    ("x", "n", "history_x", "history_n"),
    [(2, 1.0, 10, 20.0), (0, 5.0, 3, 100.0), (7, 40.0, 12, 500.0), (1, 2.0, 0, 50.0)],
)
def test_tail_matches_the_integrated_predictive(x, n, history_x, history_n):
    got = poisson_predictive_p_value(np.array([float(x)]), np.array([n]),
                                     np.array([float(history_x)]), np.array([history_n]))  # fmt: skip
    assert got[0] == pytest.approx(_integrated_p(x, n, history_x, history_n), rel=1e-6)


def test_empty_history_gives_nan():
    got = poisson_predictive_p_value(np.array([1.0]), np.array([1.0]), np.array([0.0]),
                                     np.array([0.0]))  # fmt: skip
    assert np.isnan(got[0])


def test_u_and_c_scans_use_the_exact_tail_of_the_latest_week():
    data = pd.DataFrame(
        {
            "site": ["A"] * 6 + ["B"] * 6,
            "week": list(range(1, 7)) * 2,
            "defects": [1, 0, 2, 1, 0, 3, 4, 6, 5, 3, 4, 5],
            "audits": [20, 25, 20, 30, 25, 20, 50, 50, 60, 40, 50, 50],
        }
    )
    u = control_charts(data, by="site", chart="u", subgroup="week", defects="defects", n="audits",
                       rules="limits").segments.set_index("site")  # fmt: skip
    # A: 3 defects in 20 audits after 4 in 120; B: 5 in 50 after 22 in 250
    assert u.loc["A", "p_value"] == pytest.approx(_integrated_p(3, 20.0, 4, 120.0), rel=1e-6)
    assert u.loc["B", "p_value"] == pytest.approx(_integrated_p(5, 50.0, 22, 250.0), rel=1e-6)
    c = control_charts(data, by="site", chart="c", subgroup="week", defects="defects",
                       rules="limits").segments.set_index("site")  # fmt: skip
    # per subgroup: A 3 after 4 in 5 subgroups, B 5 after 22 in 5
    assert c.loc["A", "p_value"] == pytest.approx(_integrated_p(3, 1.0, 4, 5.0), rel=1e-6)
    assert c.loc["B", "p_value"] == pytest.approx(_integrated_p(5, 1.0, 22, 5.0), rel=1e-6)
