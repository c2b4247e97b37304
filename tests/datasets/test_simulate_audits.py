import numpy as np
import pandas as pd
import pytest

from qainsights.audits import load_audits
from qainsights.datasets import EFFECTS, simulate_audits
from qainsights.rates import error_rate


@pytest.fixture(scope="module")
def sim():
    return simulate_audits(seed=11)


def test_same_seed_same_audits_other_seed_other_audits():
    a = simulate_audits(seed=3, weeks=3, audits_per_week=300)
    b = simulate_audits(seed=3, weeks=3, audits_per_week=300)
    c = simulate_audits(seed=4, weeks=3, audits_per_week=300)
    pd.testing.assert_frame_equal(a.audits, b.audits)
    pd.testing.assert_frame_equal(a.answer_key, b.answer_key)
    assert not a.audits["is_error"].equals(c.audits["is_error"])


def test_output_is_a_valid_canonical_table(sim):
    reloaded = load_audits(sim.audits)
    pd.testing.assert_frame_equal(reloaded, sim.audits)


def test_size_and_shape_of_the_year(sim):
    audits = sim.audits
    assert 100_000 <= len(audits) <= 110_000
    assert audits["week"].nunique() == 52
    assert set(audits["site_type"]) == {"in_house", "vendor"}
    assert audits["moderator_id"].nunique() > 400  # tenured roster plus the new-hire cohort
    assert (audits["weight"] > 0).all()
    assert audits.groupby("stratum")["weight"].nunique().gt(1).all()  # varies by week


def test_each_site_serves_its_own_markets(sim):
    from qainsights.datasets._world import MARKETS, SITES

    served = sim.audits.groupby("site")["market"].unique()
    for name, _, _, _, markets in SITES:
        assert sorted(served[name]) == sorted(markets)
    assert set(sim.audits["market"]) == set(MARKETS)


def test_weights_reproduce_decision_volume_shares_of_the_mix_shift(sim):
    # Design: the hard queue's share of decisions moves from 8% to 20% at the mix-shift week.
    key = sim.answer_key.set_index("effect")
    start = key.loc["mix_shift", "start"]
    audits = sim.audits.assign(after=sim.audits["week"] >= start)
    volume = audits.groupby(["after", "queue"])["weight"].sum()
    share = volume / volume.groupby(level="after").transform("sum")
    assert share[(False, "high_risk")] == pytest.approx(0.08, abs=0.01)
    assert share[(True, "high_risk")] == pytest.approx(0.20, abs=0.015)


def test_degraded_segment_rise_is_outside_the_intervals(sim):
    key = sim.answer_key.set_index("effect").loc["site_queue_degradation"]
    audits = sim.audits.assign(after=sim.audits["week"] >= key["start"])
    segment = audits[(audits["site"] == key["site"]) & (audits["queue"] == key["queue"])]
    rates = error_rate(segment, by="after", cluster="moderator_id").set_index("after")
    before, after = rates.loc[False], rates.loc[True]
    assert after["ci_low"] > before["ci_high"]
    # the planted expectation lies inside the interval of the audits it describes
    assert after["ci_low"] <= key["planted"] <= after["ci_high"]


def test_other_planted_effects_show_in_the_data(sim):
    audits, key = sim.audits, sim.answer_key.set_index("effect")
    strict = error_rate(
        audits.assign(strict=audits["auditor_id"] == "QA-07"), by="strict", cluster="moderator_id"
    )
    assert (
        strict.loc[strict["strict"], "ci_low"].item()
        > strict.loc[~strict["strict"], "ci_high"].item()
    )
    start = key.loc["policy_change", "start"]
    hate = audits[audits["policy"] == "hate_speech"].assign(after=lambda d: d["week"] >= start)
    wrong = error_rate(
        hate.assign(wp=hate["error_type"] == "wrong_policy"), by="after", outcome="wp",
        cluster="moderator_id",
    )  # fmt: skip
    assert wrong["rate"].iloc[1] - wrong["rate"].iloc[0] == pytest.approx(0.05, abs=0.015)


def test_training_wave_odds_ratio_is_recovered_against_other_sites(sim):
    # Planted: Lisbon's error odds x 0.6 from the start week. Other effects move every site
    # (guideline change) or other segments, so compare Lisbon's change with the other sites'
    # change (a difference in differences on the odds scale) before the mix shift starts.
    key = sim.answer_key.set_index("effect")
    start, stop = key.loc["training_wave", "start"], key.loc["mix_shift", "start"]
    audits = sim.audits[sim.audits["week"] < stop]
    audits = audits.assign(after=audits["week"] >= start, lisbon=audits["site"] == "Lisbon")
    counts = audits.groupby(["lisbon", "after"])["is_error"].agg(["sum", "count"])
    odds = counts["sum"] / (counts["count"] - counts["sum"])
    ratio = (odds[(True, True)] / odds[(True, False)]) / (
        odds[(False, True)] / odds[(False, False)]
    )
    # log-odds-ratio SE from these counts is about 0.09, so 95 % of seeds fall in about 0.6 x/÷ 1.2
    assert 0.45 < ratio < 0.8


def test_mix_shift_leaves_segment_rates_unchanged_but_moves_the_total():
    sim = simulate_audits(seed=5, effects=["mix_shift"])
    start = sim.answer_key["start"].item()
    audits = sim.audits.assign(after=sim.audits["week"] >= start)
    by_queue = error_rate(audits, by=["queue", "after"], cluster="moderator_id")
    wide = by_queue.pivot(index="queue", columns="after", values=["ci_low", "ci_high"])
    overlap = (wide[("ci_low", True)] <= wide[("ci_high", False)]) & (
        wide[("ci_low", False)] <= wide[("ci_high", True)]
    )
    assert overlap.all()
    total = error_rate(audits, by="after", weight="weight", cluster="moderator_id")["rate"]
    assert total.iloc[1] > total.iloc[0]


def test_no_effects_gives_an_empty_answer_key():
    sim = simulate_audits(seed=1, weeks=4, audits_per_week=100, effects=False)
    assert sim.answer_key.empty
    assert (sim.moderators["cohort"] == "tenured").all()


def test_answer_key_lists_each_effect_once(sim):
    assert sorted(sim.answer_key["effect"]) == sorted(EFFECTS)
    rates = sim.answer_key[sim.answer_key["metric"] == "error_rate"].set_index("effect")
    harmful = rates.drop(index="training_wave")
    assert (harmful["planted"] > harmful["baseline"]).all()
    assert rates.loc["training_wave", "planted"] < rates.loc["training_wave", "baseline"]


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"'effects' parameter of simulate_audits .* Got 'oops'"):
        simulate_audits(effects=["oops"])
    with pytest.raises(
        ValueError, match=r"'weeks' parameter of simulate_audits must be an integer >= 2"
    ):
        simulate_audits(weeks=1)
    with pytest.raises(ValueError, match=r"'audits_per_week' parameter"):
        simulate_audits(audits_per_week=np.float64(100.0))
    with pytest.raises(
        ValueError, match=r"'seed' parameter of simulate_audits must be a non-negative"
    ):
        simulate_audits(seed="a")
