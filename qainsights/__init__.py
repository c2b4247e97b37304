"""qainsights: quality insights for Trust & Safety operations."""

__version__ = "0.1.0"
