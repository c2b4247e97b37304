"""The quality mart: the quality cube on the data's engine, its derived tables, the published
mart (DuckDB, Parquet, Tableau Hyper) and the interactive dashboard.

A monthly job reduces the audit rows once (:func:`quality_cube`) and writes the cube and the
tables derived from it (:func:`publish`); the dashboard and BI tools read the mart.
"""

from .cube import CUBE_KEYS, quality_cube
from .dashboard import dashboard_data, write_dashboard
from .derived import cube_rates, derived_tables, effective_weekly
from .findings import findings_frame, publish_findings
from .store import Published, publish, read_mart

__all__ = [
    "CUBE_KEYS",
    "Published",
    "cube_rates",
    "dashboard_data",
    "derived_tables",
    "effective_weekly",
    "findings_frame",
    "publish",
    "publish_findings",
    "quality_cube",
    "read_mart",
    "write_dashboard",
]
