"""The dashboard on a remote store: the CAI API on loopback over the replayed history.

The navigation tests of `test_navigation` run again here, unchanged, with the app
factory opening a `RemoteStore` (on SQLite, and on PostgreSQL where it runs). A
remote store's scope is the server's, so the tests that ask for organization scope
get a server in organization scope.
Then: a write through the dashboard, and a server that goes away and comes back.
"""

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from cai_tui.app import CaiApp, Setup
from cai_tui.settings import load_settings
from screens.clusters import ClustersScreen
from screens.deployment import DeploymentScreen
from screens.deployments import DeploymentsScreen
from screens.error import ErrorScreen
from store.clock import PinnedClock
from store.remote import RemoteStore
from store.schemas import Caller, Scope
from tests.conftest import Replayed, StoreFactory, serving_replayed
from tests.ui.app_factory import MakeApp, ops_oncall
from tests.ui.pilot_helpers import app_of, wait_for_screen, wait_until
from tests.ui.test_navigation import (
    SIZE,
    table_of,
    test_filter_by_name,
    test_help_lists_screen_and_global_keys,
    test_nims_to_versions_to_deployments_of_a_version,
    test_organization_scope_shows_the_whole_organization,
    test_paging_moves_one_page_at_a_time,
    test_scope_to_clusters_to_deployment_and_back,
    test_sort_by_column_both_ways,
    test_status_filter_cycles,
    test_user_scope_shows_only_own_deployments,
)

pytestmark = pytest.mark.anyio
ORGANIZATION_SCOPED = {
    "test_organization_scope_shows_the_whole_organization",
    "test_paging_moves_one_page_at_a_time",
}
"""Tests that need a server in organization scope."""

__all__ = [
    "test_filter_by_name",
    "test_help_lists_screen_and_global_keys",
    "test_nims_to_versions_to_deployments_of_a_version",
    "test_organization_scope_shows_the_whole_organization",
    "test_paging_moves_one_page_at_a_time",
    "test_scope_to_clusters_to_deployment_and_back",
    "test_sort_by_column_both_ways",
    "test_status_filter_cycles",
    "test_user_scope_shows_only_own_deployments",
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def remote_api(
    request: pytest.FixtureRequest, pinned_clock: PinnedClock
) -> Iterator[str]:
    """The CAI API over a copy of the replayed store of either backend; its URL."""
    fixture = "replayed_sqlite" if request.param == "sqlite" else "replayed_pg"
    replayed: Replayed = request.getfixturevalue(fixture)
    test = getattr(request.node, "originalname", "")
    scope: Scope = "organization" if test in ORGANIZATION_SCOPED else "user"
    with serving_replayed(replayed, pinned_clock, scope) as url:
        yield url


def remote_factory(url: str) -> StoreFactory:
    """Opens a remote store on `url` for a caller (the scope is the server's)."""

    def open_store(caller: Caller) -> RemoteStore:
        return RemoteStore(url, caller.identity)

    return open_store


def app_factory(url: str, clock: PinnedClock, log_dir: Path) -> MakeApp:
    """Builds the dashboard as the command line does with `CAI_STORE=<url>`."""
    settings = load_settings(
        cai_store=url,
        cai_org="nv-inference",
        cai_user="ops-oncall",
        cai_refresh_seconds=3600,
        cai_log_file=str(log_dir / "cai-tui.log"),
    )

    def make(caller: Caller | None = None) -> CaiApp:
        return CaiApp(Setup(settings, remote_factory(url), caller), clock=clock)

    return make


@pytest.fixture
def make_app(remote_api: str, pinned_clock: PinnedClock, tmp_path: Path) -> MakeApp:
    """The app factory of `test_navigation`, on a remote store."""
    return app_factory(remote_api, pinned_clock, tmp_path)


async def test_the_header_names_the_api_and_the_server_scope(
    make_app: MakeApp, remote_api: str
) -> None:
    app = make_app(ops_oncall("organization"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        assert app_of(pilot).store is not None
        assert f"the CAI API at {remote_api}" in app.sub_title
        assert "user scope" in app.title, "the server's scope, not the asked one"


async def test_a_deployment_is_deactivated_through_the_api(make_app: MakeApp) -> None:
    app = make_app(ops_oncall())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        store = app_of(pilot).store
        assert store is not None
        running = [
            row
            for row in store.list_deployments().items
            if row.active_revision_uid is not None
        ]
        assert running, "ops-oncall has a deployment with an active revision"
        target = running[0]

        await pilot.press("a")
        await wait_for_screen(pilot, DeploymentsScreen)
        table = table_of(app.screen)
        table.move_cursor(row=table.get_row_index(target.uid))
        await pilot.press("enter")
        await wait_for_screen(pilot, DeploymentScreen)

        # The write itself goes through the store the screens use, as the write
        # modals do; the screen then shows what the server answers.
        store.deactivate(
            target.cluster, target.name, expected_active=target.active_revision_uid
        )
        await pilot.press("r")
        await wait_until(
            pilot,
            lambda: (
                store.get_deployment(target.cluster, target.name).status == "terminated"
            ),
        )
        revisions = table_of(app.screen, "#revisions")
        await wait_until(pilot, lambda: "active" not in _statuses(revisions))


def _statuses(table: Any) -> list[str]:
    return [str(table.get_cell(row, "status")) for row in table.rows]


class Restartable:
    """A server on one fixed loopback port that a test can stop and start again."""

    def __init__(self, app: Any) -> None:
        self.app = app
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        probe.bind(("127.0.0.1", 0))
        self.port: int = probe.getsockname()[1]
        probe.close()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Listen on the port and serve until `stop`."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        config = uvicorn.Config(self.app, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and close the port."""
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(10)


@pytest.fixture
def restartable(replayed_sqlite: Replayed, pinned_clock: PinnedClock) -> Iterator[Any]:
    """The replayed API on a port that outlives a restart of the server."""
    from cai_tui.dms.simulator import Simulator
    from cai_tui.server.app import create_app
    from store.clock import SequentialIds
    from store.database import Database

    database = Database.open(replayed_sqlite.url)
    simulator = Simulator(
        replayed_sqlite.sim_path, step_seconds=3.0, clock=pinned_clock
    )
    app = create_app(
        database,
        dms=simulator,
        scope="user",
        clock=pinned_clock,
        new_id=SequentialIds("55555555"),
    )
    server = Restartable(app)
    server.start()
    yield server
    server.stop()
    database.dispose()


async def test_a_server_that_goes_away_and_comes_back(
    restartable: Restartable, pinned_clock: PinnedClock, tmp_path: Path
) -> None:
    app = app_factory(restartable.url, pinned_clock, tmp_path)(ops_oncall())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        shown = table_of(app.screen).row_count
        assert shown >= 2

        restartable.stop()
        await pilot.press("r")
        await wait_for_screen(pilot, ErrorScreen)
        message = str(app.screen.query_one("#error-message").render())
        assert f"the CAI API at {restartable.url} is unreachable" in message
        assert "retried" in message
        assert "not updated since" in app.sub_title

        # The next refresh that gets an answer closes the modal by itself.
        restartable.start()
        app._refresh_visible_screen()
        await wait_for_screen(pilot, ClustersScreen)
        await wait_until(pilot, lambda: "not updated" not in app.sub_title)
        table = table_of(app.screen)
        await pilot.press("r")
        await wait_until(pilot, lambda: table.row_count == shown)
        assert not isinstance(app.screen, ErrorScreen)

        # A second outage is new: shown at once, not held back as a repeat.
        restartable.stop()
        await pilot.press("r")
        await wait_for_screen(pilot, ErrorScreen)
        assert "not updated since" in app.sub_title


async def test_a_scope_the_server_does_not_apply_gets_a_notice(
    remote_store_factory: StoreFactory, pinned_clock: PinnedClock, tmp_path: Path
) -> None:
    """Asking for organization scope of a user-scope server: told, and shown user."""
    settings = load_settings(cai_store="http://127.0.0.1:1", cai_refresh_seconds=3600)
    asked = ops_oncall("organization")
    app = CaiApp(Setup(settings, remote_store_factory, asked), clock=pinned_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        assert "user scope" in app.title
        messages = [n.message for n in app._notifications]
        assert any(
            "applies user scope, not the organization scope" in m for m in messages
        )


async def test_the_scope_screen_shows_a_remote_store_and_no_choice(
    remote_store_factory: StoreFactory,
) -> None:
    """The startup screen names the CAI API (no password) and leaves the scope."""
    from textual.widgets import Label, RadioSet

    from screens.scope import ScopeScreen

    settings = load_settings(
        cai_store="http://ops:secret@127.0.0.1:8181", cai_refresh_seconds=3600
    )
    app = CaiApp(Setup(settings, remote_store_factory))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ScopeScreen)
        store = app.screen.query_one("#store", Label)
        assert str(store.content) == "Store: the CAI API at http://ops@127.0.0.1:8181"
        assert app.screen.query_one(RadioSet).disabled


async def test_with_a_token_the_scope_screen_asks_for_no_identity(
    remote_store_factory: StoreFactory,
) -> None:
    """A server that knows the user by its token: org and user are not typed."""
    from textual.widgets import Input

    from screens.scope import ScopeScreen

    settings = load_settings(
        cai_store="http://127.0.0.1:8181",
        cai_api_token="t0ken",
        cai_refresh_seconds=3600,
    )
    app = CaiApp(Setup(settings, remote_store_factory))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ScopeScreen)
        assert app.screen.query_one("#org", Input).disabled
        assert app.screen.query_one("#user", Input).disabled
        await pilot.press("enter")
        await wait_for_screen(pilot, ClustersScreen)
