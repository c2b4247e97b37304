import pandas as pd
import pytest

from qainsights.datasets import simulate_calibration


def test_deterministic_and_complete_without_missingness():
    a = simulate_calibration(seed=2, n_items=50, missing=0.0)
    b = simulate_calibration(seed=2, n_items=50, missing=0.0)
    pd.testing.assert_frame_equal(a.ratings, b.ratings)
    assert a.ratings.groupby("item_id").size().eq(8).all()
    assert list(a.ratings.columns) == ["session", "item_id", "rater_id", "label"]


def test_planted_raters_recover_their_accuracy():
    cal = simulate_calibration(seed=0, n_items=4000, missing=0.0)
    merged = cal.ratings.merge(cal.standard, on="item_id", suffixes=("", "_standard"))
    merged["correct"] = merged["label"] == merged["label_standard"]
    accuracy = merged.groupby("rater_id")["correct"].mean()
    assert accuracy["R03"] == pytest.approx(0.70, abs=0.03)
    assert accuracy["R01"] == pytest.approx(0.90, abs=0.02)
    clean = merged[merged["label_standard"] == "no_violation"]
    hate = clean.groupby("rater_id")["label"].apply(lambda s: (s == "hate_speech").mean())
    # R07: 12% forced to hate_speech, plus 1/4 of its 10% random errors on the rest.
    assert hate["R07"] == pytest.approx(0.12 + 0.88 * 0.1 / 4, abs=0.02)


def test_missing_share_and_sessions():
    cal = simulate_calibration(seed=1, n_items=600, missing=0.25)
    assert len(cal.ratings) / (600 * 8) == pytest.approx(0.75, abs=0.02)
    assert cal.ratings.groupby("session")["item_id"].nunique().tolist() == [200, 200, 200]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_raters": 5}, r"'n_raters' parameter of simulate_calibration must be an integer >= 8"),
        ({"missing": 1.0}, r"'missing' parameter .* \[0, 1\)"),
        ({"categories": ["a", "b"]}, r"'categories' parameter .* including 'hate_speech'"),
        ({"prevalence": [1, 0]}, r"'prevalence' parameter .* one per category"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_calibration(**kwargs)
