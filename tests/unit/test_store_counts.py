"""The deployment counters (migration 0003) always equal a real COUNT.

Lists read their total from `deployment_counts` instead of counting a cluster's
deployments; these tests write deployments every way the store and a bulk loader do,
from several threads with engines of their own (as processes would), and compare
the counters, the totals lists answer and a plain GROUP BY count.
"""

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import Connection, delete, insert, text

from cai_tui.dms.simulator import Simulator
from store.database import WRITE, Database, alembic_config, head_revision
from store.local import LocalStore
from store.models import Cluster, Deployment
from store.schemas import (
    Caller,
    ClusterSpec,
    DeploymentQuery,
    DeploymentSpec,
    Identity,
    TargetSpec,
)
from tests.unit.conftest import StoreFactory, seed_nim

V1 = (TargetSpec(nim="llm", version="v1"),)
NOW = datetime(2026, 3, 2, tzinfo=UTC)
JOIN_TIMEOUT = 120.0

Counts = dict[tuple[str, str], int]


def counters(db: Database) -> Counts:
    """The counters, without those at zero (a group whose last row was deleted)."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT cluster_uid, creator, n FROM deployment_counts WHERE n <> 0")
        )
        return {(cluster, creator): n for cluster, creator, n in rows}


def real_counts(db: Database) -> Counts:
    """The same numbers from the deployments themselves."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT cluster_uid, creator, count(*) FROM deployments "
                "GROUP BY cluster_uid, creator"
            )
        )
        return {(cluster, creator): n for cluster, creator, n in rows}


def create(store: LocalStore, cluster: str, name: str) -> None:
    """One deployment of llm:v1 through the store's whole write workflow."""
    store.create_deployment(cluster, DeploymentSpec(name=name, targets=V1))


def remove(store: LocalStore, cluster: str, name: str) -> None:
    """Deactivate and delete one deployment."""
    store.deactivate(cluster, name)
    store.delete_deployment(cluster, name)


def test_counters_follow_creates_and_deletes(make_store: StoreFactory) -> None:
    # Both write in organization scope (so they share one NIM); the lists below
    # are read in each scope.
    alice = make_store("alice", scope="organization")
    bob = make_store("bob", scope="organization")
    alice.create_cluster(ClusterSpec(name="east"))
    alice.create_cluster(ClusterSpec(name="west"))
    seed_nim(alice, "llm", "v1")
    for n in range(3):
        create(alice, "east", f"a-east-{n}")
    create(alice, "west", "a-west-0")
    for n in range(2):
        create(bob, "east", f"b-east-{n}")
    remove(alice, "east", "a-east-1")
    remove(bob, "east", "b-east-0")
    db = alice.db
    org = alice
    alice, bob = make_store("alice"), make_store("bob")

    assert counters(db) == real_counts(db)
    assert sum(counters(db).values()) == 4

    def total(store: LocalStore, **query: str) -> int:
        return store.list_deployments(DeploymentQuery(**query)).total

    assert total(alice, cluster="east") == 2
    assert total(alice) == 3
    assert total(bob, cluster="east") == 1
    assert total(org, cluster="east") == 3
    assert total(org, cluster="west") == total(org, cluster="west", status="deploying")
    assert total(org) == 4
    assert total(org, search="east") == 3  # a filtered list still counts in SQL
    clusters = {c.name: c.deployment_count for c in org.list_clusters().items}
    assert clusters["east"] == 3 and clusters["west"] == 1
    assert alice.get_cluster("east").deployment_count == 2


def _insert_many(
    connection: Connection,
    cluster_uid: str,
    first: int,
    n: int,
    creator: str | None = None,
) -> None:
    """`n` deployments of three creators in turn (or all of `creator`)."""
    rows = [
        {
            "uid": f"bulk-{cluster_uid[:8]}-{i}",
            "cluster_uid": cluster_uid,
            "name": f"bulk-{i}",
            "namespace": "compoundai",
            "description": "",
            "status": "running",
            "status_changed_at": NOW,
            "creator": creator or f"user-{i % 3}",
            "created_at": NOW,
            "updated_at": NOW,
        }
        for i in range(first, first + n)
    ]
    connection.execute(insert(Deployment), rows)


def _in_threads(*work: Callable[[], None]) -> None:
    """Run each function in a thread of its own, started together; re-raise."""
    failures: list[BaseException] = []
    barrier = threading.Barrier(len(work))

    def run(job: Callable[[], None]) -> None:
        try:
            barrier.wait(JOIN_TIMEOUT)
            job()
        except BaseException as exc:  # handed to the test thread, which re-raises
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    if failures:
        raise failures[0]


def test_counters_stay_exact_under_concurrent_writers(
    db_url: str, db: Database, tmp_path: Path
) -> None:
    """Store writes and bulk inserts and deletes, from four engines at once."""
    caller = Caller(identity=Identity(org="acme", user="ops"), scope="organization")
    first = LocalStore(db, caller, Simulator(tmp_path / "sim.db", step_seconds=0))
    first.create_cluster(ClusterSpec(name="east"))
    seed_nim(first, "llm", "v1")
    with db.engine.connect() as connection:
        cluster_uid = connection.execute(
            text("SELECT uid FROM clusters WHERE name = 'east'")
        ).scalar_one()

    # Each worker has its own Database: its own engine and connections, and on
    # SQLite its own writer lock, so they meet only in the database, as processes.
    opened: list[Database] = []

    def own_db() -> Database:
        other = Database.open(db_url, migrate=False)
        opened.append(other)
        return other

    def store_writer(prefix: str) -> Callable[[], None]:
        def work() -> None:
            sim = Simulator(tmp_path / f"sim-{prefix}.db", step_seconds=0)
            store = LocalStore(own_db(), caller, sim)
            for n in range(4):
                create(store, "east", f"{prefix}-{n}")
            remove(store, "east", f"{prefix}-0")

        return work

    def bulk_writer(first_row: int) -> Callable[[], None]:
        def work() -> None:
            engine = own_db().engine.execution_options(**{WRITE: True})
            # One creator per transaction: the driver sends a bulk insert as one
            # statement per row, and a transaction changing several counters in
            # an order of its own may deadlock with another (see migration 0003).
            for batch in range(5):
                with engine.begin() as connection:
                    first = first_row + batch * 10
                    creator = f"user-{batch % 3}"
                    _insert_many(connection, cluster_uid, first, 10, creator)
            with engine.begin() as connection:
                connection.execute(
                    delete(Deployment).where(
                        Deployment.uid.in_(
                            [
                                f"bulk-{cluster_uid[:8]}-{first_row + i}"
                                for i in range(7)
                            ]
                        )
                    )
                )

        return work

    try:
        _in_threads(
            store_writer("s1"),
            store_writer("s2"),
            bulk_writer(0),
            bulk_writer(1000),
        )
    finally:
        for other in opened:
            other.dispose()

    assert real_counts(db) == counters(db)
    assert sum(counters(db).values()) == 2 * 3 + 2 * (50 - 7)
    assert first.list_deployments(DeploymentQuery(cluster="east")).total == 92


def test_counters_survive_a_cluster_delete_and_a_moved_row(db: Database) -> None:
    """Rows moved to another creator, or deleted with their cluster, are counted."""
    with db.engine.begin() as connection:
        for uid in ("c1", "c2"):
            connection.execute(
                insert(Cluster),
                [
                    {
                        "uid": uid,
                        "organization": "acme",
                        "name": uid,
                        "description": "",
                        "kube_config": "",
                        "creator": "ops",
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                ],
            )
        _insert_many(connection, "c1", 0, 6)
        _insert_many(connection, "c2", 0, 3)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE deployments SET creator = 'user-9' WHERE name = 'bulk-0'")
        )
        connection.execute(
            text("UPDATE deployments SET status = 'failed' WHERE name = 'bulk-1'")
        )
    assert counters(db) == real_counts(db)
    assert counters(db)[("c1", "user-9")] == 1
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM clusters WHERE uid = 'c2'"))
    assert counters(db) == real_counts(db)
    assert all(cluster == "c1" for cluster, _ in counters(db))


def _migrate(db: Database, revision: str, down: bool = False) -> None:
    config = alembic_config()
    with db.engine.connect() as connection:
        config.attributes["connection"] = connection.execution_options(**{WRITE: True})
        if down:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)
        connection.commit()


def test_the_migration_backfills_the_counters(db: Database) -> None:
    """Deployments written before 0003 are counted by it; downgrading removes it."""
    _migrate(db, "0002", down=True)
    with db.engine.begin() as connection:
        connection.execute(
            insert(Cluster),
            [
                {
                    "uid": "c1",
                    "organization": "acme",
                    "name": "c1",
                    "description": "",
                    "kube_config": "",
                    "creator": "ops",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            ],
        )
        _insert_many(connection, "c1", 0, 7)
    _migrate(db, "head")
    assert db.schema_revision() == head_revision()
    assert (
        counters(db)
        == real_counts(db)
        == {
            ("c1", "user-0"): 3,
            ("c1", "user-1"): 2,
            ("c1", "user-2"): 2,
        }
    )
    with db.engine.begin() as connection:
        _insert_many(connection, "c1", 7, 2)
    assert counters(db) == real_counts(db)
