"""The Monthly Quality Report: its sections as functions, and rendering it to HTML."""

from .exports import neutralise_formulas as neutralise_formulas  # former name, warns
from .exports import neutralize_formulas, suppress_small_cells, write_csv, write_excel
from .findings import Finding, actions_table
from .formatting import readable
from .monthly import SECTIONS, MonthlyReport, build_monthly_report
from .render import render_report
from .sections import (
    Headline,
    accuracy_table,
    design_of,
    enforcement_table,
    headline,
    latest_complete_month,
    previous_month,
    sampling_statement,
)

__all__ = [
    "SECTIONS",
    "Finding",
    "Headline",
    "MonthlyReport",
    "accuracy_table",
    "actions_table",
    "build_monthly_report",
    "design_of",
    "enforcement_table",
    "headline",
    "latest_complete_month",
    "neutralize_formulas",
    "previous_month",
    "readable",
    "render_report",
    "sampling_statement",
    "suppress_small_cells",
    "write_csv",
    "write_excel",
]
