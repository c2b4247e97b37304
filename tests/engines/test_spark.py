"""The notebook-level analyses on a PySpark DataFrame (local mode) equal the pandas ones.

Oracle: the pandas path of each function (validated against references in tests/reference/).
One Spark session for the module; skipped with the reason when pyspark or Java is missing.
"""

import shutil

import pandas as pd
import pytest

from qainsights.agreement import krippendorff_alpha
from qainsights.rates import error_rate
from qainsights.spc import control_charts
from qainsights.trends import explain_change

from .engine_data import audit_rows, ratings_rows

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="pyspark is not installed")
    if shutil.which("java") is None:
        pytest.skip("Spark local mode needs a Java runtime (java not found on PATH)")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("qainsights-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session
    session.stop()


def to_spark(session, frame):
    """A Spark DataFrame of ``frame``'s rows, through Arrow (not through pandas)."""
    import pyarrow as pa

    return session.createDataFrame(pa.Table.from_pandas(frame, preserve_index=False))


def same(left, right):
    pd.testing.assert_frame_equal(
        left.reset_index(drop=True),
        right.reset_index(drop=True),
        check_dtype=False,
        check_exact=False,
        rtol=1e-12,
        atol=1e-15,
    )


def test_the_same_analysis_on_spark(spark):
    rows = audit_rows(size=1500)
    frame = to_spark(spark, rows)
    design = {"by": ["site", "queue"], "weight": "weight", "strata": "stratum"}
    same(error_rate(frame, **design), error_rate(rows, **design))
    charts = {"by": "site", "chart": "laney_p", "subgroup": "week", "outcome": "is_error"}
    same(control_charts(frame, **charts).segments, control_charts(rows, **charts).segments)
    change = {"by": ["site", "queue"], "period": "week", "current": 8}
    got, expected = explain_change(frame, **change), explain_change(rows, **change)
    same(got.explanation, expected.explanation)
    same(got.segments, expected.segments)


def test_krippendorff_alpha_on_spark(spark):
    ratings = ratings_rows(items=120)
    names = {"item": "item", "rater": "rater", "label": "label", "level": "ordinal"}
    got = krippendorff_alpha(to_spark(spark, ratings), **names)
    same(got.to_frame(), krippendorff_alpha(ratings, **names).to_frame())
