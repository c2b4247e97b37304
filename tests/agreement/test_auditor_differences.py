"""Each auditor against the others on the same moderators (Mantel-Haenszel strata of moderators)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from qainsights.agreement import auditor_differences


def three_moderators():
    # A finds 1/4, 2/4, 3/4 errors; B finds 0/4, 1/4, 1/4 in the same moderators' work.
    return pd.DataFrame(
        {
            "moderator_id": np.repeat(["m1", "m2", "m3"], 8),
            "auditor_id": np.tile(np.repeat(["A", "B"], 4), 3),
            "is_error": [1, 0, 0, 0]
            + [0] * 4
            + [1, 1, 0, 0, 1, 0, 0, 0]
            + [1, 1, 1, 0, 1, 0, 0, 0],
        }
    )


def test_hand_derivation():
    # Each moderator is a stratum of 8 audits, 4 by A and 4 by B: weights n_a n_o / N = 2.
    # A's errors k_a = 1, 2, 3 and the others' k_o = 0, 1, 1.
    # Mantel-Haenszel risk difference: sum w (k_a/4 - k_o/4) / sum w = (1 + 1 + 2)/4 / 3 = 1/3.
    # Sato (1989): P = sum (16 k_o - 16 k_a + 0) / 64 = (-1 - 1 - 2) / 4 = -1;
    # Q = sum (k_a (4 - k_o) + k_o (4 - k_a)) / 16 = (4 + 8 + 10) / 16 = 1.375;
    # var = (RD P + Q) / W^2 = (-1/3 + 1.375) / 36.
    # CMH: O - E = sum k_a - 4 K/8 = 0.5 + 0.5 + 1 = 2; V = sum 16 K (8 - K) / (64 * 7)
    # = (7 + 15 + 16) / 28 = 38/28; z = 2 / sqrt(38/28).
    row = auditor_differences(three_moderators()).set_index("auditor_id").loc["A"]
    assert row["pairs"] == 3
    assert row["unpaired"] == 0
    assert row["n"] == 12
    assert row["n_others"] == 12
    assert row["difference"] == pytest.approx(1 / 3)
    assert row["rate"] == pytest.approx(0.5)
    assert row["rate_others"] == pytest.approx(1 / 6)
    # The interval takes the larger of Sato's variance and the test-based sum V / W^2 =
    # (38/28) / 36, here the latter.
    assert (38 / 28) / 36 > (-1 / 3 + 1.375) / 36
    half = 1.959964 * np.sqrt((38 / 28) / 36)  # qnorm(0.975) = 1.959964
    assert row["ci_low"] == pytest.approx(1 / 3 - half, abs=1e-6)
    assert row["ci_high"] == pytest.approx(1 / 3 + half, abs=1e-6)
    z = 2 / np.sqrt(38 / 28)
    assert row["z"] == pytest.approx(z)
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(z), rel=1e-9)


def simulated(seed=1, moderators=60, auditors=5):
    rng = np.random.default_rng(seed)
    n = 3000
    audits = pd.DataFrame(
        {
            "moderator_id": rng.choice([f"m{i}" for i in range(moderators)], n),
            "auditor_id": rng.choice([f"a{i}" for i in range(auditors)], n),
        }
    )
    strict = np.where(audits["auditor_id"] == "a0", 0.06, 0.0)
    return audits.assign(is_error=rng.random(n) < 0.08 + strict)


def test_agrees_with_statsmodels_cmh_and_sato_written_out():
    from statsmodels.stats.contingency_tables import StratifiedTable

    audits = simulated()
    found = auditor_differences(audits, ci=0.9).set_index("auditor_id")
    for name in ["a0", "a3"]:
        tables, w, wd, p_sum, q_sum, v_sum = [], [], [], 0.0, 0.0, 0.0
        for _, work in audits.groupby("moderator_id"):  # one stratum at a time
            by_me = work[work["auditor_id"] == name]["is_error"]
            by_others = work[work["auditor_id"] != name]["is_error"]
            if len(by_me) and len(by_others):
                a, n1 = by_me.sum(), len(by_me)
                c, n0 = by_others.sum(), len(by_others)
                total = n1 + n0
                tables.append([[a, n1 - a], [c, n0 - c]])
                w.append(n1 * n0 / total)
                wd.append(n1 * n0 / total * (a / n1 - c / n0))
                p_sum += (n1**2 * c - n0**2 * a + n1 * n0 * (n0 - n1) / 2) / total**2
                q_sum += (a * (n0 - c) + c * (n1 - a)) / (2 * total)
                errors = a + c
                v_sum += n1 * n0 * errors * (total - errors) / (total**2 * (total - 1))
        rd = sum(wd) / sum(w)
        se = np.sqrt(max(rd * p_sum + q_sum, v_sum) / sum(w) ** 2)
        reference = StratifiedTable(np.array(tables, dtype=float).transpose(1, 2, 0))
        cmh = reference.test_null_odds(correction=False)
        row = found.loc[name]
        assert row["pairs"] == len(tables)
        assert row["difference"] == pytest.approx(rd)
        assert row["z"] ** 2 == pytest.approx(cmh.statistic)
        assert row["p_value"] == pytest.approx(cmh.pvalue)
        z90 = stats.norm.ppf(0.95)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((rd - z90 * se, rd + z90 * se))
    assert found["q_value"].notna().all()
    assert found.index[0] == "a0"  # largest difference first


def test_unpaired_moderators_are_counted_and_left_out():
    audits = pd.concat(
        [
            three_moderators(),
            pd.DataFrame(
                {"moderator_id": ["m4"] * 3, "auditor_id": ["A"] * 3, "is_error": [1, 1, 1]}
            ),
        ],
        ignore_index=True,
    )
    row = auditor_differences(audits).set_index("auditor_id").loc["A"]
    assert row["unpaired"] == 1
    assert row["pairs"] == 3
    assert row["difference"] == pytest.approx(1 / 3)


def test_too_few_pairs_gives_nan_with_a_warning():
    audits = three_moderators()
    one_pair = audits[audits["moderator_id"] == "m1"]
    with pytest.warns(UserWarning, match="no interval or test for 2 auditor"):
        found = auditor_differences(one_pair)
    assert found["ci_low"].isna().all()
    assert found["p_value"].isna().all()
    assert found["difference"].notna().all()


def test_row_order_and_input_unchanged():
    audits = simulated(seed=2)
    before = audits.copy()
    shuffled = audits.sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(auditor_differences(audits), auditor_differences(shuffled))
    pd.testing.assert_frame_equal(audits, before)


def test_bad_input():
    audits = three_moderators()
    with pytest.raises(ValueError, match="needs column 'auditor'"):
        auditor_differences(audits, auditor="auditor")
    with pytest.raises(ValueError, match="missing value in column 'moderator_id'"):
        auditor_differences(
            audits.assign(moderator_id=audits["moderator_id"].where(audits.index > 0))
        )
    with pytest.raises(ValueError, match="must hold True/False"):
        auditor_differences(audits.assign(is_error="yes"))
    with pytest.raises(ValueError, match="'ci' parameter of auditor_differences"):
        auditor_differences(audits, ci=95)
    with pytest.raises(TypeError, match="'audits' parameter of auditor_differences"):
        auditor_differences(audits.to_dict())
