"""Pilot tests of opening the store: a failure is explained, retried and quittable."""

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import LoadingIndicator, Static

from cai_tui.widgets.opening import Opening
from screens.clusters import ClustersScreen
from store.clock import PinnedClock
from tests.ui.fresh_store import FileStoreOpener, fresh_app
from tests.ui.pilot_helpers import (
    DEADLINE_SECONDS,
    settle,
    wait_for_screen,
    wait_until,
)

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


@pytest.fixture
def opener(tmp_path: Path, pinned_clock: PinnedClock) -> Iterator[FileStoreOpener]:
    """A real store opener over `cai.db` in the test's folder."""
    opener = FileStoreOpener(tmp_path / "cai.db", pinned_clock)
    yield opener
    opener.close()


@pytest.fixture
def writer(opener: FileStoreOpener) -> Iterator[sqlite3.Connection]:
    """Another writer holding the store file with BEGIN EXCLUSIVE until released."""
    connection = sqlite3.connect(opener.path, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    yield connection
    connection.close()


async def poll(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Wait for `condition` without waiting on workers, which fail on purpose here."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "the dashboard did not get there in time"
        await pilot.pause(0.02)


def opening_text(app: object) -> str:
    """What the opening screen says."""
    assert hasattr(app, "query_one")
    opening = app.query_one(Opening)
    title = opening.query_one("#opening", Static).render()
    problem = opening.query_one("#opening-problem", Static).render()
    return f"{title}\n{problem}"


def enabled_ids(app: object) -> set[str | None]:
    """The ids of the bindings that work on the screen shown."""
    assert hasattr(app, "screen")
    active = app.screen.active_bindings.values()
    return {entry.binding.id for entry in active if entry.enabled}


async def test_a_locked_store_says_why_and_opens_on_retry(
    opener: FileStoreOpener, writer: sqlite3.Connection, tmp_path: Path
) -> None:
    app = fresh_app(opener, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.open_error is not None)
        said = opening_text(app)
        assert "could not be opened" in said
        assert "locked" in said and "Press r to try again" in said
        assert not app.query_one(LoadingIndicator).display
        assert "retry-open" in enabled_ids(app)

        writer.execute("ROLLBACK")
        await pilot.press("r")
        await wait_for_screen(pilot, ClustersScreen)
        assert opener.attempts == 2
        assert app.open_error is None and app.store is not None
        assert "retry-open" not in enabled_ids(app)

        await pilot.press("q")
    assert app.return_code == 0, "quitting after the store opened is a normal exit"


async def test_a_failed_store_is_retried_on_its_own(
    opener: FileStoreOpener, writer: sqlite3.Connection, tmp_path: Path
) -> None:
    app = fresh_app(opener, tmp_path, refresh_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await poll(pilot, lambda: opener.attempts >= 2)
        assert "locked" in opening_text(app)
        writer.execute("ROLLBACK")
        await poll(pilot, lambda: isinstance(app.screen, ClustersScreen))
        await settle(pilot)
        assert app.open_error is None


async def test_quitting_before_the_store_ever_opened_exits_non_zero(
    opener: FileStoreOpener, tmp_path: Path
) -> None:
    opener.path.write_text("these are notes, not a database\n" * 100)
    app = fresh_app(opener, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.open_error is not None)
        assert "not a database" in opening_text(app)

        await pilot.press("r")
        await wait_until(pilot, lambda: opener.attempts == 2)
        await wait_until(pilot, lambda: app.open_error is not None)
        await pilot.press("q")
    assert app.return_code == 1
