"""The local store's database: migrations, constraints kept by the database itself,
and the clear errors of a file that cannot be used."""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import IntegrityError

from store.database import Database, head_revision, upgrade
from store.errors import SchemaOutdated, Unavailable
from store.models import Cluster, CompoundNim, CompoundNimVersion, Deployment, Revision

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def _cluster(uid: str, org: str, name: str) -> dict[str, object]:
    return {
        "uid": uid,
        "organization": org,
        "name": name,
        "description": "",
        "kube_config": "",
        "creator": "u",
        "created_at": NOW,
        "updated_at": NOW,
    }


def _deployment(uid: str, cluster: str, name: str) -> dict[str, object]:
    return {
        "uid": uid,
        "cluster_uid": cluster,
        "name": name,
        "namespace": "compoundai",
        "description": "",
        "status": "deploying",
        "creator": "u",
        "created_at": NOW,
        "updated_at": NOW,
    }


def _revision(uid: str, deployment: str, status: str) -> dict[str, object]:
    return {
        "uid": uid,
        "deployment_uid": deployment,
        "status": status,
        "reason": "",
        "creator": "u",
        "created_at": NOW,
        "updated_at": NOW,
    }


def test_schema_is_at_head_after_open(db: Database) -> None:
    db.check_schema()
    with db.read() as session:
        version = session.execute(text("SELECT version_num FROM alembic_version"))
        assert version.scalar_one() == head_revision()


def test_names_are_unique_in_the_database(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.execute(insert(Cluster), [_cluster("c1", "acme", "west")])
        connection.execute(insert(Cluster), [_cluster("c2", "other", "west")])
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(insert(Cluster), [_cluster("c3", "acme", "west")])

    with db.engine.begin() as connection:
        connection.execute(insert(Deployment), [_deployment("d1", "c1", "api")])
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(insert(Deployment), [_deployment("d2", "c1", "api")])

    nim = {
        "organization": "acme",
        "name": "llm",
        "description": "",
        "labels": [],
        "creator": "u",
        "created_at": NOW,
        "updated_at": NOW,
    }
    with db.engine.begin() as connection:
        connection.execute(insert(CompoundNim), [{"uid": "n1", **nim}])
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(insert(CompoundNim), [{"uid": "n2", **nim}])

    version = {
        "nim_uid": "n1",
        "version": "v1",
        "description": "",
        "labels": [],
        "image_build_status": "success",
        "creator": "u",
        "created_at": NOW,
        "updated_at": NOW,
    }
    with db.engine.begin() as connection:
        connection.execute(insert(CompoundNimVersion), [{"uid": "v1", **version}])
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(insert(CompoundNimVersion), [{"uid": "v2", **version}])


def test_one_active_revision_per_deployment(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.execute(insert(Cluster), [_cluster("c1", "acme", "west")])
        connection.execute(insert(Deployment), [_deployment("d1", "c1", "api")])
        connection.execute(
            insert(Revision),
            [
                _revision("r1", "d1", "active"),
                _revision("r2", "d1", "inactive"),
                _revision("r3", "d1", "inactive"),
            ],
        )
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(insert(Revision), [_revision("r4", "d1", "active")])


def test_deleting_a_deployment_cascades_to_its_revisions(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.execute(insert(Cluster), [_cluster("c1", "acme", "west")])
        connection.execute(insert(Deployment), [_deployment("d1", "c1", "api")])
        connection.execute(insert(Revision), [_revision("r1", "d1", "inactive")])
        connection.execute(text("DELETE FROM deployments WHERE uid = 'd1'"))
        left = connection.execute(text("SELECT count(*) FROM deployment_revisions"))
        assert left.scalar_one() == 0


def test_sqlite_store_makes_its_folder_and_uses_wal(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'deep' / 'er' / 'cai.db'}")
    try:
        with db.read() as session:
            mode = session.execute(text("PRAGMA journal_mode")).scalar_one()
            keys = session.execute(text("PRAGMA foreign_keys")).scalar_one()
        assert (mode, keys) == ("wal", 1)
    finally:
        db.dispose()


def test_a_file_that_is_not_a_database_is_unavailable(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"these are my notes, not a database\n" * 200)
    with pytest.raises(Unavailable) as caught:
        Database.open(f"sqlite:///{junk}")
    assert str(junk) in caught.value.message
    assert "not a database" in caught.value.message
    assert "Traceback" not in caught.value.message


def test_a_locked_store_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "cai.db"
    Database.open(f"sqlite:///{path}").dispose()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    db = Database.open(f"sqlite:///{path}", migrate=False, busy_timeout=0.2)
    try:
        with pytest.raises(Unavailable) as caught, db.write() as session:
            session.execute(text("DELETE FROM clusters"))
        assert "another writer" in caught.value.message
        assert str(path) in caught.value.message
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.dispose()


@pytest.mark.postgres
def test_postgres_is_not_migrated_on_open(pg_database: str) -> None:
    engine = create_engine(pg_database, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()

    with pytest.raises(SchemaOutdated) as caught:
        Database.open(pg_database)
    assert "cai-tui db upgrade" in caught.value.message

    assert head_revision() in upgrade(pg_database)
    Database.open(pg_database).dispose()


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE users (id INTEGER, name TEXT)")
    before = other.read_bytes()

    with pytest.raises(Unavailable) as caught:
        Database.open(f"sqlite:///{other}")
    assert "another program (users)" in caught.value.message
    assert str(other) in caught.value.message
    with pytest.raises(Unavailable):
        upgrade(f"sqlite:///{other}")
    assert other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"], "no WAL file"


def test_upgrade_says_where_the_schema_came_from(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cai.db'}"
    first = upgrade(url)
    assert f"from schema none to {head_revision()}" in first
    assert f"already at {head_revision()}" in upgrade(url)


@pytest.mark.postgres
def test_a_postgres_database_of_another_program_is_not_migrated(
    pg_database: str,
) -> None:
    engine = create_engine(pg_database, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
        connection.execute(text("CREATE TABLE invoices (id integer)"))
    try:
        with pytest.raises(Unavailable) as caught:
            upgrade(pg_database)
        assert "another program (invoices)" in caught.value.message
        with engine.connect() as connection:
            tables = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
            assert list(tables) == ["invoices"]
    finally:
        engine.dispose()
