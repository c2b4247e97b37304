"""calibration_session: its parts and what its charts draw."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from agreement_fixtures import COLUMNS, session

from qainsights.agreement import (
    CalibrationResult,
    agreement_summary,
    calibration_session,
    pairwise_agreement,
    rater_accuracy,
)


@pytest.fixture(scope="module")
def with_standard():
    long, standard = session(seed=5)
    return long, standard, calibration_session(long, **COLUMNS, standard=standard, top=5)


def test_parts_are_the_single_analyses(with_standard):
    long, standard, result = with_standard
    assert isinstance(result, CalibrationResult)
    assert result.reference == "standard"
    pd.testing.assert_frame_equal(result.coefficients, agreement_summary(long, **COLUMNS))
    expected = rater_accuracy(long, **COLUMNS, standard=standard)
    expected = expected.sort_values("accuracy", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(result.to_frame(), expected)
    assert len(result.disputed) == 5
    assert result.confusion is not None
    assert "<h4>Calibration session: raters</h4>" in result._repr_html_()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.reference = "consensus"


def test_without_standard_uses_consensus():
    long, _ = session(seed=6)
    result = calibration_session(long, **COLUMNS)
    assert result.reference == "consensus"
    assert result.confusion is None
    assert set(result.raters["reference"]) == {"consensus"}


def test_forest_plot_draws_the_accuracies(with_standard):
    _, _, result = with_standard
    ax = result.plot()
    points = np.asarray(ax.collections[-1].get_offsets())
    # one dot per rater at its accuracy, the first table row at the top
    assert points[:, 0] == pytest.approx(result.raters["accuracy"].to_numpy())
    assert points[0, 1] == points[:, 1].max()
    pooled = result.raters["agreements"].sum() / result.raters["n_items"].sum()
    assert ax.lines[0].get_xdata()[0] == pytest.approx(pooled)
    labels = {t.get_position()[1]: t.get_text() for t in ax.get_yticklabels()}
    assert [labels[y] for y in points[:, 1]] == result.raters["rater"].tolist()


@pytest.mark.parametrize("value", ["kappa", "agreement"])
def test_heatmap_draws_the_pairwise_matrix(with_standard, value):
    long, _, result = with_standard
    ax = result.plot_pairs(value=value)
    pairs = pairwise_agreement(long, **COLUMNS)
    raters = sorted(pairs["rater_a"].unique())
    drawn = ax.collections[0].get_array().reshape(len(raters), len(raters))
    for row in pairs.sample(6, random_state=1).itertuples():
        cell = drawn[raters.index(row.rater_a), raters.index(row.rater_b)]
        assert cell == pytest.approx(getattr(row, value))
    assert np.ma.is_masked(drawn[0, 0]) or np.isnan(drawn[0, 0])
    assert [t.get_text() for t in ax.get_xticklabels()] == raters
    written = {float(t.get_text()) for t in ax.texts}
    assert round(getattr(pairs.iloc[0], value), 2) in written


def test_session_leaves_inputs_unchanged():
    long, standard = session(seed=7)
    copy, standard_copy = long.copy(), standard.copy()
    calibration_session(long, **COLUMNS, standard=standard)
    pd.testing.assert_frame_equal(long, copy)
    pd.testing.assert_series_equal(standard, standard_copy)
