"""Trends: the published values of tests/reference/trends.md.

The decomposition's effects are derived by hand in the note and the test; the period
comparisons are checked against statsmodels and scipy at test time.
"""

import numpy as np
import pandas as pd
import statsmodels.api as sm


def glm_dispersion(weekly: pd.DataFrame, *, current: list, audits: str = "n"):
    """Pearson X² / df of statsmodels' binomial GLM with one rate per side, and its residual
    degrees of freedom (the periods' rates with their audits as variance weights; section 1a).
    """
    n = weekly[audits].to_numpy(dtype=float)
    exog = sm.add_constant(weekly["week"].isin(current).astype(float).to_numpy())
    model = sm.GLM(weekly["errors"] / n, exog, family=sm.families.Binomial(), var_weights=n)
    fit = model.fit(scale="X2")
    return fit.scale, fit.df_resid


def shocked_weeks() -> pd.DataFrame:
    """2 sites x 2 queues x 10 weeks of 300 audits (weeks 6-9 current); site a's weeks share
    shocks (logit sd 0.3) and a x q1 rises by 0.6 on the logit scale in the current weeks."""
    rng = np.random.default_rng(11)
    site, queue, week = np.meshgrid(["a", "b"], ["q1", "q2"], np.arange(10), indexing="ij")
    log_odds = np.log(0.08 / 0.92) + np.where(site == "a", rng.normal(0, 0.3, site.shape), 0.0)
    log_odds += 0.6 * ((site == "a") & (queue == "q1") & (week >= 6))
    errors = rng.binomial(300, 1 / (1 + np.exp(-log_odds)))
    return pd.DataFrame({"site": site.ravel(), "queue": queue.ravel(), "week": week.ravel(),
                         "errors": errors.ravel(), "n": 300})  # fmt: skip


DAS_GUPTA_TABLE_2_1 = {
    "black": {"earnings_per_earner": 10930, "share_earning": 0.717892},
    "white": {"earnings_per_earner": 16591, "share_earning": 0.825974},
}
"""Das Gupta, P. (1993), *Standardization and Decomposition of Rates: A User's Manual*, US Bureau
of the Census, Current Population Reports P23-186, Table 2.1: mean earnings of black and white
men aged 18 and over, US 1980, as earnings per earner times the share earning (as reproduced in
the DasGuptR R package's README, example ``eg2.1``)."""
