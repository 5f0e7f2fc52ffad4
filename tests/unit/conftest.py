"""Fixtures for the store tests: real databases (SQLite and PostgreSQL) and the
embedded DMS simulator.

The `db_url` fixture runs each store test on a fresh SQLite file, and, when
`CAI_TEST_PG_URL` names a server, on a fresh PostgreSQL database per test module.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cai_tui.dms.simulator import Simulator
from store.clock import PinnedClock, SequentialIds
from store.database import Database
from store.local import LocalStore
from store.schemas import (
    Caller,
    ClusterSpec,
    Identity,
    ImageBuildStatus,
    NimSpec,
    Scope,
    VersionSpec,
)
from tests.conftest import scratch_pg_database

PG_URL = os.environ.get("CAI_TEST_PG_URL", "")

StoreFactory = Callable[..., LocalStore]


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test module, dropped afterwards."""
    with scratch_pg_database("store_test") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL with an empty schema: an SQLite file or a PostgreSQL db."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cai.db'}"
    url: str = request.getfixturevalue("pg_database")
    _wipe(url)
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """The store's database, migrated to the newest schema."""
    database = Database.open(db_url, migrate=True)
    yield database
    database.dispose()


@pytest.fixture
def sim(tmp_path: Path) -> Simulator:
    """The embedded DMS simulator on its own SQLite file."""
    return Simulator(tmp_path / "dms-sim.db", step_seconds=0.0)


@pytest.fixture
def clock() -> PinnedClock:
    """A clock pinned to a fixed time, advanced by hand."""
    from datetime import UTC, datetime

    return PinnedClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))


@pytest.fixture
def make_store(db: Database, sim: Simulator, clock: PinnedClock) -> StoreFactory:
    """Builds a `LocalStore` for an identity and scope over the shared database."""
    ids = SequentialIds()

    def make(
        user: str = "alice",
        org: str = "acme",
        scope: Scope = "user",
        **options: object,
    ) -> LocalStore:
        caller = Caller(identity=Identity(org=org, user=user), scope=scope)
        options.setdefault("clock", clock)
        options.setdefault("new_id", ids)
        dms = options.pop("dms", sim)
        return LocalStore(db, caller, dms, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture
def store(make_store: StoreFactory) -> LocalStore:
    """Alice of acme, in user scope, with a cluster and a built NIM version."""
    alice = make_store()
    alice.create_cluster(ClusterSpec(name="us-west"))
    seed_nim(alice, "llm", "v1")
    seed_nim(alice, "llm", "v2", make_nim=False)
    return alice


def seed_nim(
    store: LocalStore,
    name: str,
    version: str,
    *,
    status: ImageBuildStatus = "success",
    make_nim: bool = True,
) -> None:
    """Create a NIM (optionally) and a version with the given image build status."""
    if make_nim:
        store.create_nim(NimSpec(name=name))
    store.create_version(
        name,
        VersionSpec(
            version=version,
            image_build_status=status,
            manifest={"services": ["Frontend", "Worker"]},
        ),
    )


def _wipe(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
