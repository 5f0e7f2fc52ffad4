"""Fixtures shared by every tier: the fixture history replayed once, copied per test.

Replaying `tests/fixtures/cai-requests.jsonl` costs seconds, so each backend replays
it once per session into a template (an SQLite file pair, or a PostgreSQL template
database) with fixed ids and a clock pinned to each line's time; a test gets a copy.
"""

import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from store.clock import PinnedClock, SequentialIds
from store.interface import Store
from store.schemas import Caller, Scope

# Times the dashboard shows in local time come out the same on every machine.
os.environ["TZ"] = "UTC"
time.tzset()

FIXTURES = Path(__file__).parent / "fixtures"
HISTORY = FIXTURES / "cai-requests.jsonl"
PG_URL = os.environ.get("CAI_TEST_PG_URL", "")

AFTER_HISTORY = datetime(2026, 4, 5, 12, 0, tzinfo=UTC)
"""The time the tests look at the replayed data: after the last line of the history."""

StoreFactory = Callable[[Caller], Store]


@contextmanager
def scratch_pg_database(prefix: str, template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database on the test server (a copy of `template` when
    given), dropped on the way out; its URL. Skips without `CAI_TEST_PG_URL`."""
    if not PG_URL:
        pytest.skip("CAI_TEST_PG_URL is not set")
    from sqlalchemy import create_engine, make_url, text

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class Replayed:
    """A store filled by replaying the fixture history, and its simulator file."""

    url: str
    sim_path: Path
    unmet: tuple[str, ...]
    """The lines whose expectation was not met (empty when all are)."""


def replay_history(url: str, sim_path: Path) -> Replayed:
    """Replay the fixture history in process into the store at `url`."""
    from cai_tui.dms.simulator import Simulator
    from cai_tui.replay import in_process, load_requests, replay
    from cai_tui.server.app import create_app
    from store.database import Database

    clock = PinnedClock()
    ids = SequentialIds()
    database = Database.open(url, migrate=True)
    simulator = Simulator(sim_path, step_seconds=3.0, clock=clock, new_id=ids)
    app = create_app(database, dms=simulator, scope="user", clock=clock, new_id=ids)
    try:
        with in_process(app) as send:
            outcomes = replay(
                load_requests(HISTORY), send, before=lambda line: clock.pin(line.at)
            )
    finally:
        database.dispose()
    unmet = tuple(o.describe() for o in outcomes if not o.met)
    return Replayed(url, sim_path, unmet)


@pytest.fixture(scope="session")
def replayed_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Replayed:
    """The fixture history replayed once into an SQLite file (do not write to it)."""
    folder = tmp_path_factory.mktemp("replayed-sqlite")
    return replay_history(f"sqlite:///{folder / 'cai.db'}", folder / "dms-sim.db")


@pytest.fixture
def replayed_sqlite(replayed_sqlite_template: Replayed, tmp_path: Path) -> Replayed:
    """A private copy of the replayed SQLite store and its simulator file."""
    template = Path(replayed_sqlite_template.url.removeprefix("sqlite:///"))
    folder = tmp_path / "replayed"
    folder.mkdir()
    for source in (template, replayed_sqlite_template.sim_path):
        for suffix in ("", "-wal", "-shm"):
            path = source.with_name(source.name + suffix)
            if path.exists():
                shutil.copy2(path, folder / path.name)
    return Replayed(
        f"sqlite:///{folder / template.name}",
        folder / replayed_sqlite_template.sim_path.name,
        replayed_sqlite_template.unmet,
    )


@pytest.fixture(scope="session")
def replayed_pg_template(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Replayed]:
    """The fixture history replayed once into a PostgreSQL template database."""
    folder = tmp_path_factory.mktemp("replayed-pg")
    with scratch_pg_database("replayed_tpl") as url:
        yield replay_history(url, folder / "dms-sim.db")


@pytest.fixture
def replayed_pg(replayed_pg_template: Replayed, tmp_path: Path) -> Iterator[Replayed]:
    """A private copy (a database made from the template) of the replayed store."""
    from sqlalchemy import make_url

    template = make_url(replayed_pg_template.url).database
    sim_path = tmp_path / "dms-sim.db"
    shutil.copy2(replayed_pg_template.sim_path, sim_path)
    with scratch_pg_database("replayed", template=template) as url:
        yield Replayed(url, sim_path, replayed_pg_template.unmet)


@pytest.fixture
def pinned_clock() -> PinnedClock:
    """A clock pinned after the end of the fixture history."""
    return PinnedClock(AFTER_HISTORY)


@pytest.fixture
def replayed_store_factory(
    replayed_sqlite: Replayed, pinned_clock: PinnedClock
) -> Iterator[StoreFactory]:
    """Opens the replayed SQLite store for a caller, as the dashboard does."""
    from cai_tui.dms.simulator import Simulator
    from store.database import Database
    from store.local import LocalStore

    database = Database.open(replayed_sqlite.url)
    simulator = Simulator(
        replayed_sqlite.sim_path,
        step_seconds=3.0,
        clock=pinned_clock,
        new_id=SequentialIds("11111111"),
    )

    def open_store(caller: Caller) -> Store:
        return LocalStore(
            database,
            caller,
            simulator,
            clock=pinned_clock,
            new_id=SequentialIds("22222222"),
        )

    yield open_store
    database.dispose()


@contextmanager
def serving_replayed(
    replayed: Replayed, clock: PinnedClock, scope: Scope = "user"
) -> Iterator[str]:
    """Serve the CAI API over a replayed store on loopback; yield its URL.

    The server runs on the pinned clock the local-store fixtures use, so a remote
    store over it answers as a local one over the same copy would; its ids come
    from sequences of its own, so that both may write to the same copy.
    """
    from cai_tui.dms.simulator import Simulator
    from cai_tui.server.app import create_app
    from store.database import Database
    from tests.servers import running_server

    database = Database.open(replayed.url)
    simulator = Simulator(
        replayed.sim_path,
        step_seconds=3.0,
        clock=clock,
        new_id=SequentialIds("44444444"),
    )
    app = create_app(
        database,
        dms=simulator,
        scope=scope,
        clock=clock,
        new_id=SequentialIds("33333333"),
    )
    try:
        with running_server(app) as url:
            yield url
    finally:
        database.dispose()


@pytest.fixture
def replayed_api(replayed_sqlite: Replayed, pinned_clock: PinnedClock) -> Iterator[str]:
    """The CAI API over a private copy of the replayed SQLite store; its URL."""
    with serving_replayed(replayed_sqlite, pinned_clock) as url:
        yield url


@pytest.fixture
def remote_store_factory(replayed_api: str) -> Iterator[StoreFactory]:
    """Opens a remote store on the replayed API for a caller, as the dashboard does.

    The scope is the server's (user); the caller's own scope is not sent.
    """
    from store.remote import RemoteStore

    opened: list[Store] = []

    def open_store(caller: Caller) -> Store:
        store = RemoteStore(replayed_api, caller.identity)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Put the root logger back as it was: `setup_logging` replaces its handlers."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
