"""Each auditor against the others on the same moderators (paired t on moderator differences)."""

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
    # Differences 1/4, 1/4, 1/2: mean 1/3, sd sqrt(1/48), se sqrt(1/48)/sqrt(3) = 1/12,
    # t = (1/3)/(1/12) = 4 on 2 df. t(0.975, 2) = 4.302653 (t table), so the interval is
    # 1/3 -/+ 4.302653/12. Two-sided p on 2 df: P(|T| > t) = 1 - t/sqrt(t^2 + 2)
    # = 1 - 4/sqrt(18) = 0.0571910.
    row = auditor_differences(three_moderators()).set_index("auditor_id").loc["A"]
    assert row["pairs"] == 3
    assert row["unpaired"] == 0
    assert row["n"] == 12
    assert row["n_others"] == 12
    assert row["difference"] == pytest.approx(1 / 3)
    assert row["rate"] == pytest.approx(0.5)
    assert row["rate_others"] == pytest.approx(1 / 6)
    assert row["t"] == pytest.approx(4.0)
    assert row["df"] == 2
    assert row["ci_low"] == pytest.approx(1 / 3 - 4.302653 / 12, abs=1e-6)
    assert row["ci_high"] == pytest.approx(1 / 3 + 4.302653 / 12, abs=1e-6)
    assert row["p_value"] == pytest.approx(1 - 4 / np.sqrt(18), abs=1e-7)


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


def test_agrees_with_scipy_paired_t():
    audits = simulated()
    found = auditor_differences(audits, ci=0.9).set_index("auditor_id")
    for name in ["a0", "a3"]:
        # The per-moderator rates written out one moderator at a time.
        mine, others = [], []
        for _, work in audits.groupby("moderator_id"):
            by_me = work[work["auditor_id"] == name]["is_error"]
            by_others = work[work["auditor_id"] != name]["is_error"]
            if len(by_me) and len(by_others):
                mine.append(by_me.mean())
                others.append(by_others.mean())
        reference = stats.ttest_rel(mine, others)
        interval = reference.confidence_interval(confidence_level=0.9)
        row = found.loc[name]
        assert row["pairs"] == len(mine)
        assert row["t"] == pytest.approx(reference.statistic)
        assert row["p_value"] == pytest.approx(reference.pvalue)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((interval.low, interval.high))
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
