"""Published reference values the tests check against, one module per topic.

Each ``tests/reference/<topic>.py`` holds the numbers of ``tests/reference/<topic>.md``: the
Markdown note keeps the prose (the sources, the derivations, where sources disagree and which one
qainsights follows); the module holds every number once, each constant followed by a docstring
that names its source (book, edition and table, or the package, version and call that printed
it); ``tests/reference/<topic>_data.py`` holds published data sets the tests of several
directories share. Tests import the values (``from reference import agreement as ref``;
``tests`` is on the import path through ``pythonpath`` in pyproject.toml) instead of typing them
again.
``tests/test_reference_values.py`` checks that every constant names its source and that the
tests do not retype the values.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    """One printed estimate with what the source printed beside it (None: not printed)."""

    estimate: float
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    pa: float | None = None
    pe: float | None = None
