"""Messages for near misses: a misspelt column, a period that is not a date, dates shown as dates."""

from __future__ import annotations

import pandas as pd
import pytest

from qainsights.rates import error_rate
from qainsights.trends import compare_periods


@pytest.fixture
def weekly():
    return pd.DataFrame(
        {
            "site": ["a", "a", "b", "b"],
            "week": pd.to_datetime(["2026-01-05", "2026-01-12"] * 2),
            "errors": [1, 2, 3, 4],
            "audits": [100] * 4,
        }
    )


def test_a_misspelt_column_gets_the_near_miss():
    audits = pd.DataFrame({"site": ["a", "b"], "is_error": [True, False]})
    with pytest.raises(ValueError, match=r"needs column 'is_eror' .* Did you mean 'is_error'\?$"):
        error_rate(audits, outcome="is_eror")
    with pytest.raises(
        ValueError, match=r"needs column 'vendor' .* rename your column to 'vendor'"
    ):
        error_rate(audits, by="vendor")


def test_a_period_that_is_no_date_names_the_parameter(weekly):
    with pytest.raises(ValueError, match=r"The 'current' parameter of compare_periods must hold "
                       r"dates, as the column 'week' does. Could not read '2026-13-45'"):  # fmt: skip
        compare_periods(
            weekly, by="site", period="week", current="2026-13-45", errors="errors", n="audits"
        )


def test_date_periods_are_listed_as_dates(weekly):
    expected = r"Got '2026-02-02', which is not among the periods '2026-01-05', '2026-01-12'\.$"
    with pytest.raises(ValueError, match=expected):
        compare_periods(
            weekly, by="site", period="week", current="2026-02-02", errors="errors", n="audits"
        )
    with pytest.raises(ValueError, match=r"must not overlap\. Both contain '2026-01-12'\.$"):
        compare_periods(
            weekly, by="site", period="week", current="2026-01-12", baseline="2026-01-12",
            errors="errors", n="audits",
        )  # fmt: skip
