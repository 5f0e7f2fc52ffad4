"""The world of the roll-out Pilot tests: a replayed store, its simulator, an app.

The simulator is reached either in process or over HTTP (`cai-tui dms serve`'s app
on loopback); either way the test holds the simulator itself, to inject failures
and to check what the DMS holds afterwards.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.pilot import Pilot

from cai_tui.app import CaiApp, Setup
from cai_tui.dms.http_client import HttpDeploymentManager
from cai_tui.dms.sim_server import create_app
from cai_tui.dms.simulator import Simulator
from cai_tui.settings import load_settings
from screens.deployment import DeploymentScreen
from screens.deployments import DeploymentsScreen
from store.clock import PinnedClock, SequentialIds
from store.database import Database
from store.dms import DeploymentManager
from store.local import LocalStore
from store.schemas import Caller, DeploymentDetail
from tests.conftest import Replayed
from tests.servers import running_server
from tests.ui.app_factory import ops_oncall
from tests.ui.pilot_helpers import settle, wait_for_screen, wait_until

SIZE = (120, 36)
CLUSTER = "us-west-h100"
CANARY = "trtllm-agg-router-canary-6"
NIM = "trtllm-agg-router"
FAILED_BUILD = "jc616i76bofbcixg"


@dataclass
class World:
    """Everything a roll-out test drives and checks."""

    sim: Simulator
    dms: DeploymentManager
    database: Database
    clock: PinnedClock
    tmp_path: Path
    read_only: bool = False

    def store(self, caller: Caller | None = None) -> LocalStore:
        """A store over the same data, as another session would open it."""
        return LocalStore(
            self.database,
            caller or ops_oncall(),
            self.dms,
            clock=self.clock,
            new_id=SequentialIds("33333333"),
        )

    def app(self, *, read_only: bool = False) -> CaiApp:
        """The dashboard over this world, as the command line builds it."""
        settings = load_settings(
            cai_org="nv-inference",
            cai_user="ops-oncall",
            cai_refresh_seconds=3600,
            cai_read_only=read_only,
            cai_log_file=str(self.tmp_path / "cai-tui.log"),
        )

        def opener(caller: Caller) -> LocalStore:
            return LocalStore(
                self.database,
                caller,
                self.dms,
                clock=self.clock,
                new_id=SequentialIds("22222222"),
                read_only=read_only,
            )

        return CaiApp(Setup(settings, opener, ops_oncall()), clock=self.clock)

    def live_names(self) -> set[str]:
        """Names of the resources the DMS holds now."""
        return {r.name for r in self.sim.resources()}

    def deployment(self, name: str = CANARY) -> DeploymentDetail:
        """The deployment as the store has it now."""
        return self.store().get_deployment(CLUSTER, name)


@pytest.fixture(params=["embedded", "http"])
def world(
    request: pytest.FixtureRequest,
    replayed_sqlite: Replayed,
    pinned_clock: PinnedClock,
    tmp_path: Path,
) -> Iterator[World]:
    """The replayed store with its simulator, in process or over HTTP."""
    yield from _world(replayed_sqlite, pinned_clock, tmp_path, str(request.param))


@pytest.fixture
def http_world(
    replayed_sqlite: Replayed, pinned_clock: PinnedClock, tmp_path: Path
) -> Iterator[World]:
    """The replayed store with its simulator served over HTTP on loopback."""
    yield from _world(replayed_sqlite, pinned_clock, tmp_path, "http")


@pytest.fixture
def embedded_world(
    replayed_sqlite: Replayed, pinned_clock: PinnedClock, tmp_path: Path
) -> Iterator[World]:
    """The replayed store with its simulator in process."""
    yield from _world(replayed_sqlite, pinned_clock, tmp_path, "embedded")


def _world(
    replayed: Replayed, clock: PinnedClock, tmp_path: Path, dms_kind: str
) -> Iterator[World]:
    sim = Simulator(replayed.sim_path, step_seconds=3.0, clock=clock)
    database = Database.open(replayed.url)
    try:
        if dms_kind == "http":
            with running_server(create_app(sim)) as url:
                dms = HttpDeploymentManager(url, timeout=5.0)
                yield World(sim, dms, database, clock, tmp_path)
        else:
            yield World(sim, sim, database, clock, tmp_path)
    finally:
        database.dispose()


async def open_deployment(pilot: Pilot[None], name: str = CANARY) -> DeploymentScreen:
    """From the first screen, open a deployment with the keys: d, then enter."""
    await wait_until(
        pilot, lambda: pilot.app.screen_stack[-1].__class__.__name__ == "ClustersScreen"
    )
    await pilot.press("d")
    await wait_for_screen(pilot, DeploymentsScreen)
    screen = pilot.app.screen
    assert isinstance(screen, DeploymentsScreen)
    row = next(r for r in screen.page.items if r.name == name)
    table = screen.query_one("#deployments")
    assert hasattr(table, "move_cursor") and hasattr(table, "get_row_index")
    table.move_cursor(row=table.get_row_index(row.uid))
    await pilot.press("enter")
    await wait_for_screen(pilot, DeploymentScreen)
    deployment = pilot.app.screen
    assert isinstance(deployment, DeploymentScreen)
    await wait_until(pilot, lambda: deployment.detail is not None)
    await settle(pilot)
    return deployment
