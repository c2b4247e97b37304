"""Calibration diagnostics against independent computations (pandas, statsmodels, irr)."""

import itertools
import re

import numpy as np
import pandas as pd
import pytest
from agreement_fixtures import COLUMNS, LABELS, session
from reference import agreement as ref
from reference.agreement_data import FLEISS_1971
from reference.rates import modified_wilson
from statsmodels.stats.inter_rater import cohens_kappa
from statsmodels.stats.proportion import proportion_confint

from qainsights.agreement import (
    category_agreement,
    disputed_items,
    pairwise_agreement,
    rater_accuracy,
    rater_confusion,
    rater_enforcement,
)


def test_accuracy_against_standard_matches_pandas_and_statsmodels():
    long, standard = session()
    table = rater_accuracy(long, **COLUMNS, standard=standard).set_index("rater")
    merged = long.assign(correct=long["label"].to_numpy() == standard[long["item_id"]].to_numpy())
    by_rater = merged.groupby("rater_id")["correct"].agg(["sum", "count"])
    table = table.loc[by_rater.index]
    assert table["n_items"].to_dict() == by_rater["count"].to_dict()
    assert table["accuracy"].to_dict() == pytest.approx(
        (by_rater["sum"] / by_rater["count"]).to_dict()
    )
    low, high = proportion_confint(by_rater["sum"], by_rater["count"], method="wilson")
    assert table["ci_low"].to_numpy() == pytest.approx(low.to_numpy(), abs=1e-12)
    assert table["ci_high"].to_numpy() == pytest.approx(high.to_numpy(), abs=1e-12)
    assert set(table["reference"]) == {"standard"}


def test_accuracy_against_leave_one_out_consensus_matches_a_loop():
    long, _ = session(seed=1)
    table = rater_accuracy(long, **COLUMNS).set_index("rater")
    expected = {}
    for (item_id, rater_id), own in long.set_index(["item_id", "rater_id"])["label"].items():
        others = long[(long["item_id"] == item_id) & (long["rater_id"] != rater_id)]["label"]
        if others.empty:
            continue
        tally = others.value_counts()
        modes = set(tally[tally == tally.max()].index)
        score = (own in modes) / len(modes)
        n, k = expected.get(rater_id, (0, 0.0))
        expected[rater_id] = (n + 1, k + score)
    for rater_id, (n, k) in expected.items():
        assert table.loc[rater_id, "n_items"] == n
        assert table.loc[rater_id, "accuracy"] == pytest.approx(k / n, abs=1e-12)
    assert set(table["reference"]) == {"consensus"}


def test_shrinkage_follows_the_method_of_moments_derivation():
    long, standard = session(seed=2, n_items=60)
    table = rater_accuracy(long, **COLUMNS, standard=standard)
    k, n = table["agreements"].to_numpy(), table["n_items"].to_numpy()
    pooled = k.sum() / n.sum()
    # between-rater variance: observed weighted spread minus binomial noise, per effective n
    tau2 = ((n * (k / n - pooled) ** 2).sum() - (len(n) - 1) * pooled * (1 - pooled)) / (
        n.sum() - (n**2).sum() / n.sum()
    )
    assert tau2 > 0
    prior = pooled * (1 - pooled) / tau2 - 1
    assert table["shrunk_accuracy"].to_numpy() == pytest.approx((k + pooled * prior) / (n + prior))
    raw = table["accuracy"].to_numpy()
    shrunk = table["shrunk_accuracy"].to_numpy()
    assert np.all((shrunk - pooled) * (raw - pooled) >= 0)
    assert np.all(np.abs(shrunk - pooled) <= np.abs(raw - pooled))


def test_shrinkage_without_between_rater_variance_gives_the_pooled_accuracy():
    # every rater right on 3 of 4 items: spread is all binomial noise
    wide = pd.DataFrame({"a": [1, 1, 1, 2], "b": [1, 1, 2, 1], "c": [2, 1, 1, 1]})
    standard = pd.Series([1, 1, 1, 1])
    table = rater_accuracy(wide, standard=standard)
    assert table["shrunk_accuracy"].tolist() == pytest.approx([0.75] * 3)


def test_confusion_matches_crosstab():
    long, standard = session(seed=3)
    table = rater_confusion(long, **COLUMNS, standard=standard)
    assert len(table) == 6 * 3 * 3
    one = long[long["rater_id"] == "R2"]
    expected = pd.crosstab(standard[one["item_id"]].to_numpy(), one["label"].to_numpy())
    got = table[table["rater"] == "R2"].pivot(index="standard", columns="label", values="count")
    pd.testing.assert_frame_equal(
        got.loc[expected.index, expected.columns], expected, check_names=False, check_dtype=False
    )
    shares = table.groupby(["rater", "standard"])["share"].sum()
    assert shares.dropna().to_numpy() == pytest.approx(1.0)


def test_category_agreement_matches_irr_on_fleiss_1971():
    table = category_agreement(FLEISS_1971)
    # irr::kappam.fleiss(diagnoses, detail = TRUE)
    assert table["kappa"].to_numpy() == pytest.approx(ref.K2_CATEGORY_KAPPA, abs=5e-7)
    assert table["share"].sum() == pytest.approx(1.0)


def test_specific_agreement_for_two_raters():
    # 2 x 2 table [[a, b], [c, d]]: positive specific agreement 2a / (2a + b + c)
    a, b, c, d = 20, 5, 10, 15
    pairs = [[1, 1]] * a + [[1, 0]] * b + [[0, 1]] * c + [[0, 0]] * d
    table = category_agreement(np.array(pairs)).set_index("category")
    assert table.loc[1, "specific_agreement"] == pytest.approx(2 * a / (2 * a + b + c))
    assert table.loc[0, "specific_agreement"] == pytest.approx(2 * d / (2 * d + b + c))


def test_category_agreement_unused_category_is_nan():
    table = category_agreement(counts=[[2, 0, 0], [1, 1, 0]], categories=["ok", "spam", "hate"])
    assert np.isnan(table.loc[2, "specific_agreement"])
    assert np.isnan(table.loc[2, "kappa"])


def test_disputed_items_ranking():
    wide = pd.DataFrame(
        {"r1": ["ok", "spam", "ok", "ok"], "r2": ["ok", "ok", "ok", np.nan],
         "r3": ["ok", "hate", "spam", np.nan]},
        index=["a", "b", "c", "d"],
    )  # fmt: skip
    table = disputed_items(wide)
    # b: all three differ (0 agreeing pairs of 6); c: 2 of 6; a: 6 of 6; d has one rating
    assert table["item"].tolist() == ["b", "c", "a"]
    assert table["agreement"].tolist() == pytest.approx([0.0, 1 / 3, 1.0])
    assert table.loc[1, ["modal_label", "runner_up_label"]].tolist() == ["ok", "spam"]
    assert table.loc[1, "modal_share"] == pytest.approx(2 / 3)
    assert len(disputed_items(wide, top=1)) == 1


def test_pairwise_agreement_matches_cohen_per_pair():
    long, _ = session(seed=4)
    pairs = pairwise_agreement(long, **COLUMNS)
    wide = long.pivot(index="item_id", columns="rater_id", values="label")
    assert len(pairs) == 6 * 5
    for row in pairs.sample(8, random_state=0).itertuples():
        both = wide[[row.rater_a, row.rater_b]].dropna()
        table = pd.crosstab(both[row.rater_a], both[row.rater_b]).reindex(
            index=LABELS, columns=LABELS, fill_value=0
        )
        assert row.n_items == len(both)
        assert row.agreement == pytest.approx((both[row.rater_a] == both[row.rater_b]).mean())
        assert row.kappa == pytest.approx(cohens_kappa(table.to_numpy()).kappa, abs=1e-12)


def test_calibration_errors():
    long, standard = session()
    n_hate = int((standard[long["item_id"].unique()] == "hate").sum())
    with pytest.raises(
        ValueError,
        match=re.escape(f"rater_accuracy found {n_hate} standard label(s) that are not categories of the "
                        "ratings: 'nudity'. Pass 'categories=' listing every label."),
    ):  # fmt: skip
        rater_accuracy(long, **COLUMNS, standard=standard.replace({"hate": "nudity"}))
    with pytest.raises(ValueError, match="rater_accuracy found no rated item in 'standard'"):
        rater_accuracy(long, **COLUMNS, standard={"x": "ok"})
    with pytest.raises(ValueError, match="The 'ci' parameter of rater_accuracy"):
        rater_accuracy(long, **COLUMNS, ci=0)
    with pytest.raises(ValueError, match="rater_confusion needs column 'rater' in 'data'"):
        rater_confusion(long, item="item_id", rater="rater", label="label", standard=standard)


def test_calibration_inputs_unchanged():
    long, standard = session()
    long_copy, standard_copy = long.copy(), standard.copy()
    rater_accuracy(long, **COLUMNS, standard=standard)
    rater_accuracy(long, **COLUMNS)
    rater_confusion(long, **COLUMNS, standard=standard)
    rater_confusion(long, **COLUMNS)
    rater_enforcement(long, **COLUMNS, standard=standard, benign=["ok"])
    rater_enforcement(long, **COLUMNS, benign=["ok"])
    category_agreement(long, **COLUMNS)
    disputed_items(long, **COLUMNS)
    pairwise_agreement(long, **COLUMNS)
    pd.testing.assert_frame_equal(long, long_copy)
    pd.testing.assert_series_equal(standard, standard_copy)


def test_enforcement_rates_match_pandas_and_statsmodels():
    long, standard = session(seed=8)
    table = rater_enforcement(long, **COLUMNS, standard=standard, benign="ok")
    truth = standard[long["item_id"]].to_numpy()
    given = long["label"].to_numpy()
    kinds = {
        "over_enforcement": (truth == "ok", given != "ok"),
        "under_enforcement": (truth != "ok", given == "ok"),
        "wrong_policy": (truth != "ok", (given != "ok") & (given != truth)),
    }
    for row in table.itertuples():
        base, error = kinds[row.error]
        mine = long["rater_id"].to_numpy() == row.rater
        n, k = int((mine & base).sum()), int((mine & base & error).sum())
        assert (row.n_items, row.errors) == (n, k)
        low, high = modified_wilson(k, n)
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), abs=1e-12)


def test_enforcement_errors_and_empty_cells():
    long, standard = session(seed=8)
    with pytest.raises(
        ValueError, match=re.escape("The 'benign' parameter of rater_enforcement must name a")
    ):
        rater_enforcement(long, **COLUMNS, standard=standard, benign="no_violation")
    clean = pd.Series("ok", index=standard.index)
    with pytest.warns(UserWarning, match="got n = 0"):
        table = rater_enforcement(long, **COLUMNS, standard=clean, benign="ok")
    assert table.loc[table["error"] == "under_enforcement", "rate"].isna().all()


def consensus_confusion_by_loop(long):
    """(rater, consensus, label) -> count: each tied modal label of the others gets 1 / ties."""
    expected = {}
    for (item_id, rater_id), own in long.set_index(["item_id", "rater_id"])["label"].items():
        others = long[(long["item_id"] == item_id) & (long["rater_id"] != rater_id)]["label"]
        tally = others.value_counts()
        modes = list(tally[tally == tally.max()].index) if len(tally) else []
        for mode in modes:
            key = (rater_id, mode, own)
            expected[key] = expected.get(key, 0.0) + 1 / len(modes)
    return expected


def test_confusion_against_leave_one_out_consensus_matches_a_loop():
    long, _ = session(seed=9)
    table = rater_confusion(long, **COLUMNS)
    assert "standard" not in table.columns
    expected = consensus_confusion_by_loop(long)
    got = table.set_index(["rater", "consensus", "label"])["count"]
    assert got.to_dict() == pytest.approx({key: expected.get(key, 0.0) for key in got.index})
    # its diagonal is what rater_accuracy scores against the same consensus
    diagonal = table[table["consensus"] == table["label"]].groupby("rater")["count"].sum()
    accuracy = rater_accuracy(long, **COLUMNS).set_index("rater")["agreements"]
    assert diagonal.to_dict() == pytest.approx(accuracy.to_dict())


def test_enforcement_against_leave_one_out_consensus_matches_a_loop():
    long, _ = session(seed=9)
    table = rater_enforcement(long, **COLUMNS, benign="ok").set_index(["rater", "error"])
    expected = consensus_confusion_by_loop(long)
    kinds = {
        "over_enforcement": (lambda ref: ref == "ok", lambda ref, own: own != "ok"),
        "under_enforcement": (lambda ref: ref != "ok", lambda ref, own: own == "ok"),
        "wrong_policy": (lambda ref: ref != "ok", lambda ref, own: own not in ("ok", ref)),
    }
    for rater_id, (error, (base, wrong)) in itertools.product(
        long["rater_id"].unique(), kinds.items()
    ):
        cells = {(ref, own): c for (r, ref, own), c in expected.items() if r == rater_id}
        n = sum(c for (ref, _), c in cells.items() if base(ref))
        k = sum(c for (ref, own), c in cells.items() if base(ref) and wrong(ref, own))
        row = table.loc[(rater_id, error)]
        assert (row["n_items"], row["errors"]) == pytest.approx((n, k))
        low, high = modified_wilson(k, n)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-12)


def test_consensus_needs_another_rating_of_the_item():
    # each item rated once: nobody to compare with, so nothing is counted
    long = pd.DataFrame(
        {"item_id": [1, 2, 3], "rater_id": ["a", "b", "a"], "label": ["ok", "spam", "spam"]}
    )
    table = rater_confusion(long, **COLUMNS)
    assert (table["count"] == 0).all()
    assert table["share"].isna().all()
    with pytest.warns(UserWarning, match="got n = 0"):
        enforcement = rater_enforcement(long, **COLUMNS, benign="ok")
    assert enforcement["rate"].isna().all()
