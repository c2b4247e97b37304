"""Engine fixtures (the spark marker is registered in pyproject.toml)."""

import pytest

from .engine_data import ENGINES


@pytest.fixture(params=list(ENGINES))
def engine(request):
    """A function turning a pandas frame into the same rows on another engine."""
    pytest.importorskip(request.param.split("_")[0])
    return ENGINES[request.param]
