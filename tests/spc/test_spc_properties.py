import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from qainsights.spc import p_chart, u_chart

counts = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 40)), min_size=3, max_size=40).map(
    lambda pairs: pd.DataFrame([(d, d + extra) for d, extra in pairs], columns=["d", "n"])
)


@settings(max_examples=30, deadline=None)
@given(data=counts, seed=st.integers(0, 10_000), laney=st.booleans())
def test_p_chart_invariants(data, seed, laney):
    data = data.assign(week=np.arange(len(data)))
    if data["d"].sum() in (0, data["n"].sum()):
        return  # p-bar of 0 or 1 is the documented no-limits case
    kwargs = {"defects": "d", "n": "n", "subgroup": "week", "rules": "nelson", "laney": laney}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        chart = p_chart(data, **kwargs)
    table = chart.table
    if not (table["sigma"] > 0).all():
        return  # Laney sigma_z of 0 (identical z-scores): no limits, documented and warned
    # Limits bracket the centre and stay within [0, 1]; p-bar is the pooled proportion.
    assert (table["lcl"] <= table["center"]).all()
    assert (table["center"] <= table["ucl"]).all()
    assert table["lcl"].min() >= 0
    assert table["ucl"].max() <= 1
    assert np.allclose(table["center"], data["d"].sum() / data["n"].sum())
    # Reordering the rows changes nothing.
    shuffled = data.sample(frac=1, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        again = p_chart(shuffled, **kwargs)
    pd.testing.assert_frame_equal(table, again.table)
    pd.testing.assert_frame_equal(chart.signals, again.signals)


@settings(max_examples=20, deadline=None)
@given(data=counts, factor=st.integers(2, 5))
def test_u_chart_rate_scale(data, factor):
    # Multiplying counts and exposure by the same factor leaves u-bar unchanged and narrows
    # the limits by sqrt(factor) (Poisson: sigma_i = sqrt(u-bar / n_i)).
    if data["d"].sum() == 0:
        return
    base = u_chart(defects=data["d"], n=data["n"], rules=None).table
    scaled = u_chart(defects=data["d"] * factor, n=data["n"] * factor, rules=None).table
    np.testing.assert_allclose(scaled["center"], base["center"])
    np.testing.assert_allclose(scaled["sigma"], base["sigma"] / np.sqrt(factor))
