import numpy as np
import pandas as pd
import pytest
from rca_data import random_audits
from statsmodels.stats.proportion import proportion_confint

from qainsights.rca import enforcement_split


def _audits(spec):
    """spec: {policy: (over, under, wrong, correct)}."""
    kinds = ["over_enforcement", "under_enforcement", "wrong_policy", "none"]
    rows = [
        (p, k)
        for p, counts in spec.items()
        for k, c in zip(kinds, counts, strict=True)
        for _ in range(c)
    ]
    return pd.DataFrame(rows, columns=["policy", "error_type"])


def test_counts_rates_and_direction_by_hand():
    audits = _audits({"spam": (30, 5, 2, 63), "violence": (4, 26, 0, 70), "misinfo": (5, 6, 1, 88)})
    table = enforcement_split(audits).table.set_index("policy")
    assert table.loc["spam", ["n", "over", "under", "wrong_policy"]].tolist() == [100, 30, 5, 2]
    assert table.loc["spam", "over_rate"] == pytest.approx(0.30)
    assert table.loc["violence", "under_rate"] == pytest.approx(0.26)
    assert table.loc["spam", "over_share"] == pytest.approx(30 / 35)
    assert table["direction"].to_dict() == {
        "misinfo": "no clear direction",
        "spam": "over-enforcement",
        "violence": "under-enforcement",
    }


def test_share_interval_matches_statsmodels_wilson():
    table = enforcement_split(random_audits(), by=["site", "queue"]).table
    low, high = proportion_confint(table["over"], table["over"] + table["under"], method="wilson")
    np.testing.assert_allclose(table["ci_low"], low, atol=1e-12)
    np.testing.assert_allclose(table["ci_high"], high, atol=1e-12)


def test_rates_add_up_to_the_error_rate():
    audits = random_audits()
    table = enforcement_split(audits, by="site").table.set_index("site")
    errors = audits.groupby("site")["is_error"].mean()
    wrong = table["wrong_policy"] / table["n"]
    np.testing.assert_allclose(table["over_rate"] + table["under_rate"] + wrong, errors)


def test_segment_without_directed_errors_warns():
    audits = _audits({"spam": (3, 1, 0, 10), "ads": (0, 0, 2, 10)})
    with pytest.warns(
        UserWarning, match=r"found 1 segments without over- or under-enforcement errors \('ads'\)"
    ):
        table = enforcement_split(audits).table.set_index("policy")
    assert np.isnan(table.loc["ads", ["over_share", "ci_low", "ci_high"]].astype(float)).all()
    assert table.loc["ads", "direction"] == "no clear direction"


def test_plot_draws_over_right_and_under_left():
    split = enforcement_split(random_audits())
    ax = split.plot()
    widths = np.array([bar.get_width() for bar in ax.patches])
    n = len(split.table)
    np.testing.assert_allclose(widths[:n], split.table["over_rate"])
    np.testing.assert_allclose(widths[n:], -split.table["under_rate"])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == split.table["policy"].tolist()


def test_to_frame_and_input_unchanged():
    audits = random_audits()
    before = audits.copy()
    split = enforcement_split(audits)
    pd.testing.assert_frame_equal(audits, before)
    pd.testing.assert_frame_equal(split.to_frame(), split.table)


def test_bad_arguments():
    audits = random_audits(100)
    with pytest.raises(ValueError, match="The 'by' parameter of enforcement_split must name one"):
        enforcement_split(audits, by=None)
    with pytest.raises(ValueError, match="The 'ci' parameter of enforcement_split"):
        enforcement_split(audits, ci=0)
    with pytest.raises(ValueError, match="enforcement_rates needs column 'vendor'"):
        enforcement_split(audits, by="vendor")
    bad = audits.assign(error_type="oops")
    with pytest.raises(ValueError, match="Found 100 other values: 'oops'"):
        enforcement_split(bad)


def test_empty_frame_is_refused():
    with pytest.raises(ValueError, match="enforcement_rates got no audits: 'audits' has 0 rows"):
        enforcement_split(random_audits(10).iloc[:0])
