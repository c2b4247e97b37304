"""The files in data_samples/ are exactly what their documented generator writes."""

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from qainsights import load_audits
from qainsights.datasets import SAMPLES, load_sample

FOLDER = Path(__file__).resolve().parents[2] / "data_samples"
sample = cache(load_sample)  # the year of audits takes a second to generate: once per run


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_shipped_sample_matches_its_generator(name):
    path = FOLDER / SAMPLES[name]
    expected = sample(name)
    if path.suffix == ".parquet":
        shipped = load_audits(path)
        pd.testing.assert_frame_equal(shipped, expected)
    else:
        shipped = pd.read_csv(path)
        assert list(shipped.columns) == list(expected.columns)
        assert len(shipped) == len(expected)
        text = expected.select_dtypes(exclude="number").columns.difference(["start"])
        pd.testing.assert_frame_equal(
            shipped[text].astype("str"), expected[text].astype("str"), check_dtype=False
        )


def test_sample_sizes_suit_notebooks():
    assert (FOLDER / "audits.parquet").stat().st_size < 5_000_000
    assert 100_000 <= len(sample("audits")) <= 110_000


def test_unknown_sample_name():
    with pytest.raises(
        ValueError, match=r"'name' parameter of load_sample must be one of 'audits'"
    ):
        load_sample("audit")


def test_convabuse_texts_cover_every_annotated_item_once():
    texts = pd.read_csv(FOLDER / "convabuse_texts.csv")
    ratings = pd.read_csv(FOLDER / "convabuse_calibration.csv")
    assert texts["item_id"].is_unique
    assert set(texts["item_id"]) == set(ratings["item_id"])
    assert texts[["prev_agent", "prev_user", "agent", "user"]].notna().all().all()
