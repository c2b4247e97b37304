"""Former name of :mod:`qainsights.standardization`, kept for one release.

Its function warns at each call (``FutureWarning``) and names the new spelling.
"""

from __future__ import annotations

from .standardization import standardised_rates

__all__ = ["standardised_rates"]
