"""Fixtures for the API tests: the real server on loopback over a real store."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from cai_tui.dms.simulator import Simulator
from cai_tui.server.app import create_app
from store.clock import SequentialIds, system_clock
from store.database import Database
from store.schemas import Scope
from tests.conftest import Replayed, scratch_pg_database
from tests.servers import running_server


@dataclass
class Api:
    """A running CAI API server, its database and its DMS simulator."""

    url: str
    db: Database
    sim: Simulator
    stack: ExitStack

    def client(self, org: str = "acme", user: str = "alice", **kw: Any) -> httpx.Client:
        """An HTTP client sending this identity's headers."""
        headers = {"Nv-Ngc-Org": org, "Nv-Actor-Id": user, **kw.pop("headers", {})}
        client = httpx.Client(base_url=self.url, headers=headers, timeout=30, **kw)
        return self.stack.enter_context(client)


StartApi = Callable[..., Api]


@pytest.fixture
def start_api(tmp_path: Path) -> Iterator[StartApi]:
    """Starts API servers; each over the store at `url` (default a fresh file)."""
    with ExitStack() as stack:

        def start(
            scope: Scope = "user",
            *,
            token: str | None = None,
            url: str | None = None,
            sim_path: Path | None = None,
        ) -> Api:
            db = Database.open(url or f"sqlite:///{tmp_path / 'cai.db'}", migrate=True)
            stack.callback(db.dispose)
            sim = Simulator(sim_path or tmp_path / "dms-sim.db", step_seconds=0.0)
            app = create_app(
                db,
                dms=sim,
                scope=scope,
                clock=system_clock,
                new_id=SequentialIds(),
                token=token,
            )
            base_url = stack.enter_context(running_server(app))
            return Api(base_url, db, sim, stack)

        yield start


@pytest.fixture
def api(start_api: StartApi) -> Api:
    """A server in user scope over a fresh SQLite store."""
    return start_api()


@pytest.fixture
def replayed_copy(request: pytest.FixtureRequest) -> Replayed:
    """A private copy of the replayed store of the backend named by the parameter.

    Parametrize indirectly with `sqlite` or `postgres` (default `sqlite`).
    """
    backend = getattr(request, "param", "sqlite")
    fixture = "replayed_sqlite" if backend == "sqlite" else "replayed_pg"
    replayed: Replayed = request.getfixturevalue(fixture)
    return replayed


@pytest.fixture
def empty_pg() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; its URL."""
    with scratch_pg_database("api_test") as url:
        yield url
