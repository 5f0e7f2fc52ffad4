"""Fixtures of the snapshot tests: the app factory over a store at a stable path.

The header shows where the store lives, so the pictures need a path that is the
same on every run: the replayed copy is opened by a relative path from its folder.
"""

from collections.abc import Callable
from pathlib import Path

import pytest

from store.clock import PinnedClock, SequentialIds
from store.interface import Store
from store.schemas import Caller
from tests.conftest import Replayed
from tests.ui.app_factory import make_app

__all__ = ["make_app"]


@pytest.fixture
def replayed_store_factory(
    replayed_sqlite: Replayed,
    pinned_clock: PinnedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[Caller], Store]:
    """Opens the replayed SQLite copy as `cai.db`, relative to its own folder."""
    from cai_tui.dms.simulator import Simulator
    from store.database import Database
    from store.local import LocalStore

    store_file = Path(replayed_sqlite.url.removeprefix("sqlite:///"))
    monkeypatch.chdir(store_file.parent)
    simulator = Simulator(
        Path(replayed_sqlite.sim_path.name),
        step_seconds=3.0,
        clock=pinned_clock,
        new_id=SequentialIds("11111111"),
    )

    def open_store(caller: Caller) -> Store:
        database = Database.open(f"sqlite:///{store_file.name}")
        return LocalStore(
            database,
            caller,
            simulator,
            clock=pinned_clock,
            new_id=SequentialIds("22222222"),
        )

    return open_store


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs keep their cursor as it is instead of blinking: a blink would draw
    it, or not, by the time the picture is taken."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None, raising=False)
