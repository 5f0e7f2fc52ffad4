"""Waiting on the dashboard in Pilot tests: on workers and screens, never on sleeps."""

import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import DataTable

from cai_tui.app import CaiApp

DEADLINE_SECONDS = 10.0


async def settle(pilot: Pilot[None]) -> None:
    """Let every worker finish and every message be handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Poll `condition` between short pauses, failing after a deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "the dashboard did not get there in time"
        await pilot.pause(0.02)
    await settle(pilot)


async def wait_for_screen(pilot: Pilot[None], kind: type) -> None:
    """Wait until the screen on top is of `kind` and has loaded."""
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind))


def column(table: DataTable[object], key: str) -> list[str]:
    """The plain text of one column, top to bottom."""
    return [str(table.get_cell(row, key)) for row in table.rows]


def app_of(pilot: Pilot[None]) -> CaiApp:
    """The pilot's app, typed."""
    app = pilot.app
    assert isinstance(app, CaiApp)
    return app
