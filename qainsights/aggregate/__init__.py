"""The engine boundary: the group-by to sufficient statistics, run on the caller's engine.

Every analysis in qainsights needs the audit rows only through small aggregates: errors and
audits per segment (with sums of weights and of their squares per sampling stratum for the
design-based rates), label counts per rated item for agreement, and counts, sums and sums of
squares per subgroup for charts and capability. The functions here compute those aggregates
with `narwhals <https://narwhals-dev.github.io/narwhals/>`_, so the group-by runs where the
rows live (pandas, polars eager or lazy, a DuckDB relation, a PySpark DataFrame) and only
the aggregate, a pandas DataFrame, comes back. The checks that need the rows (missing
values, outcome values, weights) run on the engine too and report counts and examples.

:func:`scan_audits` opens a folder of Parquet or CSV audit files as a DuckDB relation
without reading it into memory; the aggregates then stream through DuckDB.

On a Spark cluster, pass the Spark DataFrame itself (a classic ``SparkSession`` or Spark
Connect's ``SparkSession.builder.remote(...)``); the group-by runs on the cluster and only
the aggregates come back::

    spark = SparkSession.builder.remote("sc://spark.example.com:15002").getOrCreate()
    audits = spark.read.parquet("s3://quality/audits/2025/")
    error_rate(audits, by=["site", "queue"], weight="weight", strata="stratum")

Statistics that need the rows themselves (capability's normality checks and non-normal
fits, Cohen's and Conger's kappa, which need each rater's labels) take pandas frames.
"""

# ``name as name``: shared with the statistics modules and the report, not public.
from ._engine import check_complete as check_complete
from ._engine import collect as collect
from ._engine import engine_frame as engine_frame
from ._engine import is_engine_frame
from ._engine import on_engine as on_engine
from ._engine import raise_on_bad_values as raise_on_bad_values
from ._errors import error_counts
from ._errors import error_sum_sets as error_sum_sets
from ._errors import error_sums as error_sums
from ._moments import subgroup_moments
from ._ratings import label_counts
from ._ratings import raise_repeated_pairs as raise_repeated_pairs
from ._ratings import rating_rows as rating_rows
from ._scan import SCAN_REQUIRED as SCAN_REQUIRED
from ._scan import scan_audits

__all__ = [
    "error_counts",
    "is_engine_frame",
    "label_counts",
    "scan_audits",
    "subgroup_moments",
]
