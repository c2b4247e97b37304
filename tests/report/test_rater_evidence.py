"""The calibration finding names a rater only where a test against the other raters says so."""

from math import comb
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests

from qainsights.report.findings import rater_evidence
from qainsights.report.section_findings import calibration_findings


def _raters(agreements, n_items=300):
    return pd.DataFrame({"rater": [f"R{i}" for i in range(len(agreements))],
                         "n_items": n_items, "agreements": agreements})  # fmt: skip


def _mid_p(agreed, items, total_agreed, total_items):
    """P(X < agreed) + P(X = agreed) / 2 for X hypergeometric, summed in integers (math.comb)."""

    def probability(j):
        return (comb(total_agreed, j) * comb(total_items - total_agreed, items - j)
                / comb(total_items, items))  # fmt: skip

    return sum(probability(j) for j in range(agreed)) + probability(agreed) / 2


def test_each_rater_is_tested_against_the_others_and_q_values_are_bh():
    # Oracle: the one-sided mid-p of Fisher's exact test of each rater's agreements against the
    # other raters', summed from binomial coefficients, and statsmodels' multipletests(fdr_bh);
    # the mid-p is below Fisher's p (scipy) by half the probability of the table itself.
    agreements = [262, 255, 265, 259, 250, 268, 240, 264]
    raters = _raters(agreements, n_items=[300, 290, 310, 300, 280, 305, 300, 295])
    original = raters.copy()
    table = rater_evidence(raters)
    n = raters["n_items"].to_numpy()
    a = np.asarray(agreements)
    expected = [_mid_p(int(a[g]), int(n[g]), int(a.sum()), int(n.sum())) for g in range(len(a))]
    np.testing.assert_allclose(table["p_value"], expected, rtol=1e-9)
    fisher = fisher_exact([[a[6], n[6] - a[6]], [a.sum() - a[6], n.sum() - n[6] - (a.sum() - a[6])]],
                          alternative="less").pvalue  # fmt: skip
    assert table["p_value"].iloc[6] < fisher
    np.testing.assert_allclose(table["others_accuracy"], (a.sum() - a) / (n.sum() - n))
    np.testing.assert_allclose(table["q_value"], multipletests(expected, method="fdr_bh")[1])
    assert table["below_others"].tolist() == list(table["q_value"] < 0.05)
    pd.testing.assert_frame_equal(raters, original)


def test_a_clear_shortfall_is_named_and_one_within_chance_is_not():
    # 7 raters at 262 of 300 and one at 250: its mid-p times 8 is the smallest BH q-value
    # (the other raters' p-values are large), above 0.05: nobody is named. At 225 of 300 the
    # rater is named.
    assert 8 * _mid_p(250, 300, 7 * 262 + 250, 2400) > 0.05
    quiet = calibration_findings(SimpleNamespace(raters=_raters([262] * 7 + [250]),
                                                 reference="standard"))  # fmt: skip
    assert [f.priority for f in quiet] == ["low"]
    named = calibration_findings(SimpleNamespace(raters=_raters([262] * 7 + [225]),
                                                 reference="standard"))  # fmt: skip
    assert named[0].priority == "medium"
    assert "Rater(s) 'R7' agree with the standard separably less often" in named[0].finding
    assert "false discovery rate 5% over the 8 raters" in named[0].finding


def test_bad_input_names_the_column():
    with pytest.raises(ValueError, match="rater_evidence needs column 'agreements' in 'raters'"):
        rater_evidence(pd.DataFrame({"rater": ["a"], "n_items": [10]}))
