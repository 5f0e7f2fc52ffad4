"""Fixtures of the Pilot tests: the app factory over the replayed store."""

import pytest

from tests.ui.app_factory import make_app

__all__ = ["make_app"]


@pytest.fixture
def anyio_backend() -> str:
    """Pilot runs on asyncio."""
    return "asyncio"
