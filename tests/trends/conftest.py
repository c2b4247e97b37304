"""The simulated audit year shared by the trends tests (built once per session)."""

import pytest

from qainsights.datasets import simulate_audits


@pytest.fixture(scope="session")
def simulated():
    return simulate_audits(seed=2026)
