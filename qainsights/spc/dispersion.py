"""Over-dispersion test for attribute data, and the p (u) versus Laney p' (u') recommendation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2

from .._caller import public
from .._validation import as_column_list, check_option
from ._assemble import ratio
from ._inputs import build_frame
from .attributes import _check_counts

__all__ = ["overdispersion_test"]


@public
def overdispersion_test(
    data: pd.DataFrame | None = None,
    *,
    defects: Any = None,
    n: Any = None,
    subgroup: Any = None,
    by: str | Sequence[str] | None = None,
    distribution: str = "binomial",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Test whether counts vary more between subgroups than the binomial (Poisson) model allows.

    The statistic is Pearson's chi-square ``sum((x_i - n_i p)^2 / (n_i p (1 - p)))`` (Poisson:
    ``sum((x_i - n_i u)^2 / (n_i u))``) on ``k - 1`` degrees of freedom, where ``p`` or ``u``
    is pooled over the subgroups; for the binomial this is the chi-square test of homogeneity
    of the 2 x k table. At audit scale (hundreds of items per subgroup) real processes almost
    always over-disperse, and a plain p chart then flags most points: the recommendation is
    Laney's chart when the test rejects at ``alpha`` with more variance than expected.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per subgroup (and segment). If None, pass arrays.
    defects, n : str or array-like
        Counts and sizes (``n`` may be omitted for a Poisson test of counts per unit).
    subgroup : str or array-like, optional
        Subgroup keys (checked for duplicates).
    by : str or list of str, optional
        Segment columns: one test per segment, computed together.
    distribution : {"binomial", "poisson"}, default "binomial"
        Model the counts are tested against.
    alpha : float, default 0.05
        Significance level behind the recommendation.

    Returns
    -------
    pandas.DataFrame
        One row per segment: the segment columns, ``distribution``, ``n_subgroups``,
        ``observed_variance`` (sample variance of the counts), ``expected_variance``
        (``mean(n) p (1 - p)`` or ``mean(n) u``), ``dispersion_ratio`` (their ratio, as qcc
        prints it), ``statistic``, ``df``, ``p_value`` and ``recommended_chart``
        (``"laney_p"``/``"p"`` or ``"laney_u"``/``"u"``).

    Examples
    --------
    >>> result = overdispersion_test(defects=[12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 22],
    ...                              n=[50] * 12)
    >>> print(round(result["statistic"][0], 3), result["recommended_chart"][0])
    33.566 laney_p

    References
    ----------
    .. [1] D. B. Laney (2002), "Improved control charts for attributes", *Quality
       Engineering* 14(4), 531-537.
    .. [2] Validated against R's qcc (``qcc.overdispersion.test``) and scipy's
       ``chi2_contingency``.
    """
    check_option(distribution, name="distribution", options=["binomial", "poisson"])
    segments = as_column_list(by)
    sizes = n if n is not None else np.ones(np.shape(defects)) if data is None else None
    stats = {"defects": defects, "n": sizes} if sizes is not None else {"defects": defects}
    frame = build_frame(data, stats=stats, subgroup=subgroup, by=segments)
    if "n" not in frame:
        frame["n"] = 1.0
    names = {
        "defects": defects if isinstance(defects, str) else "defects",
        "n": n if isinstance(n, str) else "n",
    }
    _check_counts(frame, names=names, bounded=distribution == "binomial")
    codes = (
        frame.groupby(segments, sort=False).ngroup().to_numpy()
        if segments
        else np.zeros(len(frame), dtype=np.int64)
    )
    x, size = frame["defects"].to_numpy(), frame["n"].to_numpy()
    count = np.bincount(codes).astype(float)
    rate = ratio(np.bincount(codes, weights=x), np.bincount(codes, weights=size))
    per_unit = rate if distribution == "poisson" else rate * (1.0 - rate)
    expected = size * per_unit[codes]
    statistic = np.bincount(codes, weights=ratio((x - size * rate[codes]) ** 2, expected))
    mean_x = np.bincount(codes, weights=x) / count
    observed = ratio(np.bincount(codes, weights=(x - mean_x[codes]) ** 2), count - 1.0)
    theoretical = np.bincount(codes, weights=size) / count * per_unit
    df = count - 1.0
    p_value = chi2.sf(statistic, np.where(df > 0, df, np.nan))
    kind = "p" if distribution == "binomial" else "u"
    result = (
        frame.drop_duplicates(segments)[segments].reset_index(drop=True)
        if segments
        else (pd.DataFrame(index=[0]))
    )
    dispersion = ratio(observed, theoretical)
    return result.assign(
        distribution=distribution,
        n_subgroups=count.astype(np.int64),
        observed_variance=observed,
        expected_variance=theoretical,
        dispersion_ratio=dispersion,
        statistic=statistic,
        df=df.astype(np.int64),
        p_value=p_value,
        recommended_chart=np.where((p_value < alpha) & (dispersion > 1), f"laney_{kind}", kind),
    )
