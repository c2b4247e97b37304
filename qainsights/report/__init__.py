"""The Monthly Quality Report: its sections as functions, and rendering it to HTML."""

from .formatting import readable
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
    "Headline",
    "accuracy_table",
    "design_of",
    "enforcement_table",
    "headline",
    "latest_complete_month",
    "previous_month",
    "readable",
    "render_report",
    "sampling_statement",
]
