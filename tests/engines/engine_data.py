"""Seeded audit rows and ratings, and the same rows on every engine."""

import numpy as np
import pandas as pd


def audit_rows(size=3000, seed=7):
    """Seeded audit rows: 3 sites x 2 queues x 8 weeks, strata and weights, a shift in week 8."""
    rng = np.random.default_rng(seed)
    site = rng.choice(["Dublin", "Manila", "Austin"], size)
    queue = rng.choice(["reports", "proactive"], size)
    week = rng.integers(1, 9, size)
    rate = 0.05 + 0.04 * (site == "Manila") + 0.06 * ((site == "Austin") & (week == 8))
    stratum = np.char.add(site.astype(str), np.char.add("|", queue.astype(str)))
    weight = np.where(queue == "reports", 12.5, 40.0) * rng.uniform(0.8, 1.2, size)
    return pd.DataFrame(
        {
            "site": site,
            "queue": queue,
            "week": week,
            "is_error": rng.random(size) < rate,
            "stratum": stratum,
            "weight": weight,
        }
    )


def ratings_rows(items=300, seed=11):
    """Long ratings: 4 raters, labels 1-3, about 10 % of ratings missing."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 4, items)
    item = np.repeat(np.arange(items), 4)
    rater = np.tile(["r1", "r2", "r3", "r4"], items)
    label = np.where(rng.random(items * 4) < 0.8, truth[item], rng.integers(1, 4, items * 4))
    label = np.where(rng.random(items * 4) < 0.1, np.nan, label)
    return pd.DataFrame({"item": item, "rater": rater, "label": label})


def to_polars(frame):
    import polars as pl

    return pl.from_pandas(frame)


def to_polars_lazy(frame):
    return to_polars(frame).lazy()


def to_duckdb(frame):
    import duckdb

    connection = duckdb.connect()
    return connection.from_arrow(to_polars(frame).to_arrow())


ENGINES = {"polars": to_polars, "polars_lazy": to_polars_lazy, "duckdb": to_duckdb}
