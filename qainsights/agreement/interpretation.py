"""Benchmark bands (Landis-Koch, Altman, Fleiss) with Gwet's probabilistic benchmarking.

Reading a coefficient straight off a scale ignores its uncertainty. Gwet (2014, ch. 6)
instead computes, for every band, the probability that the coefficient lies in it (normal
with the estimate's standard error, truncated to [-1, 1]), accumulates these from the top
band down, and reports the first band whose cumulative probability reaches the confidence
level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._caller import public
from .._validation import check_confidence, check_option
from .results import AgreementResult

__all__ = ["SCALES", "benchmark_bands", "benchmark_label"]

#: Benchmark scales: band names with their lower bounds, from the top band down.
SCALES: dict[str, tuple[tuple[str, float], ...]] = {
    "landis-koch": (
        ("Almost Perfect", 0.8),
        ("Substantial", 0.6),
        ("Moderate", 0.4),
        ("Fair", 0.2),
        ("Slight", 0.0),
        ("Poor", -1.0),
    ),
    "altman": (
        ("Very Good", 0.8),
        ("Good", 0.6),
        ("Moderate", 0.4),
        ("Fair", 0.2),
        ("Poor", -1.0),
    ),
    "fleiss": (("Excellent", 0.75), ("Intermediate to Good", 0.4), ("Poor", -1.0)),
}


@public
def benchmark_bands(
    result: AgreementResult, *, scale: str = "landis-koch", ci: float = 0.95
) -> pd.DataFrame:
    """Probability that a coefficient lies in each band of a benchmark scale.

    Parameters
    ----------
    result : AgreementResult
        A coefficient with its standard error.
    scale : {"landis-koch", "altman", "fleiss"}, default "landis-koch"
        Landis & Koch (1977), Altman (1991) or Fleiss (1981).
    ci : float, default 0.95
        The cumulative probability a band must reach to be selected.

    Returns
    -------
    pandas.DataFrame
        One row per band, top band first: ``band``, ``lower``, ``upper``, ``probability``
        (membership probability), ``cumulative_probability`` (this band or a higher one) and
        ``selected`` (True for the reported band).

    References
    ----------
    Gwet, K. L. (2014). *Handbook of Inter-Rater Reliability*, 4th ed., chapter 6.
    Landis, J. R., & Koch, G. G. (1977). The measurement of observer agreement for
    categorical data. *Biometrics*, 33, 159-174.

    Examples
    --------
    >>> from qainsights.agreement import gwet_ac
    >>> bands = benchmark_bands(gwet_ac(table=[[40, 9], [6, 45]]))
    >>> bands.loc[bands["selected"], "band"].item()
    'Moderate'
    """
    check_option(scale, name="scale", options=tuple(SCALES))
    check_confidence(ci)
    if not (np.isfinite(result.estimate) and np.isfinite(result.se) and result.se > 0):
        raise ValueError(
            "benchmark_bands needs a finite estimate and a positive standard error. Got "
            f"estimate {result.estimate!r} and se {result.se!r}; with a single item or "
            "undefined coefficient there is nothing to benchmark."
        )
    names = [name for name, _ in SCALES[scale]]
    lower = np.array([bound for _, bound in SCALES[scale]])
    upper = np.concatenate([[1.0], lower[:-1]])
    cdf = stats.norm.cdf(np.concatenate([[1.0], lower]), loc=result.estimate, scale=result.se)
    probability = (cdf[:-1] - cdf[1:]) / (cdf[0] - cdf[-1])
    cumulative = np.cumsum(probability)
    selected = np.zeros(len(names), dtype=bool)
    selected[np.argmax(cumulative >= ci - 1e-12)] = True
    return pd.DataFrame(
        {
            "band": names,
            "lower": lower,
            "upper": upper,
            "probability": probability,
            "cumulative_probability": cumulative,
            "selected": selected,
        }
    )


@public
def benchmark_label(
    result: AgreementResult, *, scale: str = "landis-koch", ci: float = 0.95
) -> str:
    """Return the band selected by :func:`benchmark_bands`, or ``""`` when none can be.

    Examples
    --------
    >>> from qainsights.agreement import cohen_kappa
    >>> benchmark_label(cohen_kappa(table=[[20, 5], [10, 15]]), scale="altman")
    'Poor'
    """
    if not (np.isfinite(result.se) and result.se > 0 and np.isfinite(result.estimate)):
        return ""
    bands = benchmark_bands(result, scale=scale, ci=ci)
    return str(bands.loc[bands["selected"], "band"].item())
