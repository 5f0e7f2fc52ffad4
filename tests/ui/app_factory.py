"""Builds the dashboard the way the command line does, over a replayed store."""

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import pytest

from cai_tui.app import CaiApp, Setup
from cai_tui.settings import load_settings
from store.clock import PinnedClock
from store.interface import Store
from store.schemas import Caller, Identity, Scope


class MakeApp(Protocol):
    """Builds a CaiApp for a caller (None: start on the Scope screen)."""

    def __call__(self, caller: Caller | None = None) -> CaiApp: ...


def ops_oncall(scope: Scope = "user") -> Caller:
    """The nv-inference on-call user, who owns a few deployments of the fixture."""
    return Caller(identity=Identity(org="nv-inference", user="ops-oncall"), scope=scope)


@pytest.fixture
def make_app(
    replayed_store_factory: Callable[[Caller], Store],
    pinned_clock: PinnedClock,
    tmp_path: Path,
) -> MakeApp:
    """An app factory: replayed store, pinned clock, no auto refresh during a test."""
    settings = load_settings(
        cai_store="cai.db",
        cai_org="nv-inference",
        cai_user="ops-oncall",
        cai_refresh_seconds=3600,
        cai_log_file=str(tmp_path / "cai-tui.log"),
    )

    def make(caller: Caller | None = None) -> CaiApp:
        return CaiApp(
            Setup(settings, replayed_store_factory, caller), clock=pinned_clock
        )

    return make
