"""Opening a local store's database: engines, sessions, schema checks and upgrades.

An SQLite file migrates itself when opened; a shared PostgreSQL database is migrated
only by `cai-tui db upgrade` (`upgrade`), and opening an older one says so. Nothing
connects at import time.
"""

import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from store.errors import SchemaOutdated, Unavailable

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
WRITE = "cai_write"
"""Execution option that makes an SQLite transaction take the write lock at BEGIN."""
POOL_SIZE = 8
"""Connections an engine keeps open: more than the API server runs requests at once
(`cai_tui.server.app`), so a request never waits for one."""
POOL_OVERFLOW = 16
"""Connections opened beyond `POOL_SIZE` when more are needed at once (a write's
DMS calls record what they created from threads of their own)."""


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations (no alembic.ini)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest schema revision this program knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return head or ""


class Database:
    """One database of a local store: a lazily made engine and its sessions.

    Shared by every `LocalStore` of a process (the API server makes one store per
    request over one `Database`).
    """

    def __init__(self, url: URL, *, busy_timeout: float = 10.0) -> None:
        self.url = url
        self.busy_timeout = busy_timeout
        self._engine: Engine | None = None
        self._writer = threading.Lock()
        """Held by this process's SQLite writer: the others queue on it in turn,
        instead of polling SQLite's write lock (its busy handler sleeps and
        retries, so under load most writers sleep while the lock is free)."""
        self.default_cluster_orgs: set[str] = set()
        """Organizations whose `default` cluster is known to exist."""

    @classmethod
    def open(
        cls, url: str, *, migrate: bool | None = None, busy_timeout: float = 10.0
    ) -> "Database":
        """Open the database at `url`, checking (or, for SQLite, bringing) its schema.

        `migrate` defaults to True for SQLite and False elsewhere; a schema that is
        not current and not migrated raises `SchemaOutdated`.
        """
        db = cls(_parse(url), busy_timeout=busy_timeout)
        if migrate is None:
            migrate = db.is_sqlite
        if db.is_sqlite:
            db._prepare_file()
        try:
            # A current schema needs no write lock: a store another writer holds
            # still opens, and its readers go on.
            if not migrate or db.schema_revision() != head_revision():
                if migrate:
                    db.upgrade()
                else:
                    db.check_schema()
        except Exception:
            db.dispose()
            raise
        return db

    @property
    def is_sqlite(self) -> bool:
        """Whether this is an SQLite database."""
        return self.url.get_backend_name() == "sqlite"

    @property
    def file(self) -> Path | None:
        """The SQLite file, if this is one."""
        database = self.url.database
        if not self.is_sqlite or not database or database == ":memory:":
            return None
        return Path(database)

    def describe(self) -> str:
        """Where the data lives, without a password."""
        if self.file is not None:
            return f"SQLite {self.file}"
        return self.url.render_as_string(hide_password=True)

    @property
    def engine(self) -> Engine:
        """The engine, made on first use."""
        if self._engine is None:
            self._engine = self._make_engine()
        return self._engine

    def dispose(self) -> None:
        """Close every pooled connection."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for a short read; nothing it changes is kept."""
        # Closing (not rolling back) keeps loaded rows readable after the block.
        with self.translate_errors(), Session(self.engine) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one short write transaction, committed on success.

        On SQLite, one writer of this process at a time; writers of other
        processes still wait on SQLite's own lock (`busy_timeout`).
        """
        engine = self.engine.execution_options(**{WRITE: True})
        with (
            self.translate_errors(),
            self._one_writer(),
            Session(engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def _one_writer(self) -> Iterator[None]:
        if not self.is_sqlite:
            yield  # PostgreSQL writers lock only the rows they change
            return
        if not self._writer.acquire(timeout=self.busy_timeout):
            raise Unavailable(
                f"the store {self.describe()} is locked: another writer holds it; "
                "try again in a moment"
            )
        try:
            yield
        finally:
            self._writer.release()

    @contextmanager
    def translate_errors(self) -> Iterator[None]:
        """Turn a database failure into `Unavailable` with a short reason and fix."""
        try:
            yield
        except OperationalError as exc:
            raise self._unavailable(exc) from None
        except DBAPIError as exc:
            if exc.connection_invalidated or _reason(exc).startswith("file is"):
                raise self._unavailable(exc) from None
            raise

    def upgrade(self) -> None:
        """Bring the schema to the newest revision. A database that holds another
        program's tables and no schema of this one is refused, untouched."""
        config = alembic_config()
        with self.translate_errors(), self.engine.connect() as connection:
            if MigrationContext.configure(connection).get_current_revision() is None:
                self._refuse_foreign(inspect(connection).get_table_names())
            connection = connection.execution_options(**{WRITE: True})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        log.info("schema of %s is at revision %s", self.describe(), head_revision())

    def schema_revision(self) -> str | None:
        """The schema revision the database is at (None when it has none)."""
        with self.translate_errors(), self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def check_schema(self) -> None:
        """Raise `SchemaOutdated` unless the schema is at the newest revision."""
        current = self.schema_revision()
        if current != head_revision():
            found = current or "none"
            raise SchemaOutdated(
                f"the database {self.describe()} has schema revision {found}, this "
                f"program needs {head_revision()}: run `cai-tui db upgrade`"
            )

    def _prepare_file(self) -> None:
        path = self.file
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise Unavailable(
                f"cannot create the folder of the store {path}: {exc.strerror}; "
                "choose another CAI_STORE"
            ) from None
        if path.exists() and not path.is_file():
            raise Unavailable(
                f"the store {path} is not a file: choose another CAI_STORE"
            )
        if path.exists() and path.stat().st_size > 0:
            # Before the engine's first connection switches the file to WAL.
            self._refuse_foreign(_sqlite_tables(path))

    def _refuse_foreign(self, tables: Iterable[str]) -> None:
        """Refuse a database whose tables are another program's: no schema revision
        of this one, yet tables."""
        names = sorted(t for t in tables if not t.startswith("sqlite_"))
        if not names or "alembic_version" in names:
            return
        shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
        raise Unavailable(
            f"the store {self.describe()} holds tables of another program ({shown}) "
            "and no cai-tui schema; it was left as it is: point CAI_STORE at a "
            "cai-tui store or at a new file"
        )

    def _make_engine(self) -> Engine:
        pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
        if not self.is_sqlite:
            return create_engine(self.url, pool_pre_ping=True, **pool)
        engine = create_engine(
            self.url, connect_args={"timeout": self.busy_timeout}, **pool
        )
        busy_ms = int(self.busy_timeout * 1000)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Transactions are begun by hand below, so the driver must not.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Connection) -> None:
            # A writer takes the lock at BEGIN, so writers queue on busy_timeout
            # instead of failing when a read lock cannot be upgraded.
            writing = connection.get_execution_options().get(WRITE, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

        return engine

    def _unavailable(self, exc: SQLAlchemyError) -> Unavailable:
        reason = _reason(exc)
        where = self.describe()
        if "locked" in reason or "busy" in reason:
            return Unavailable(
                f"the store {where} is locked: another writer holds it; "
                "try again in a moment"
            )
        if "not a database" in reason or "file is" in reason:
            return Unavailable(
                f"the store {where} is not a database ({reason}): point CAI_STORE "
                "at a cai-tui database or a new file"
            )
        if self.is_sqlite:
            return Unavailable(
                f"cannot use the store {where} ({reason}): check that the file "
                "and its folder are readable and writable"
            )
        return Unavailable(
            f"cannot reach the database {where} ({reason}): check that it runs "
            "and CAI_STORE is right"
        )


def upgrade(url: str) -> str:
    """Migrate the database at `url` to the newest schema; return a summary line."""
    db = Database(_parse(url))
    try:
        if db.is_sqlite:
            db._prepare_file()
        before = db.schema_revision()
        db.upgrade()
    finally:
        db.dispose()
    head = head_revision()
    if before == head:
        return f"store {db.describe()} was already at {head}, the latest schema"
    return (
        f"store {db.describe()} migrated from schema {before or 'none'} to {head}, "
        "the latest schema"
    )


def _sqlite_tables(path: Path) -> list[str]:
    """The tables of an SQLite file, read without changing it; none when it is not
    an SQLite database (opening it then says so)."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return [name for (name,) in rows]
    except sqlite3.Error:
        return []
    finally:
        connection.close()


SCHEMES = (
    "a file path, sqlite:///PATH or postgresql+psycopg://USER@HOST/DB (a local "
    "store), or http(s)://HOST:PORT (a CAI API)"
)


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except Exception:
        raise Unavailable(
            f"`{url}` is not a database URL: CAI_STORE takes {SCHEMES}"
        ) from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        # psycopg 3 is the driver that ships with cai-tui; a plain
        # postgresql:// URL means it.
        return parsed.set(drivername="postgresql+psycopg")
    if (backend, driver) not in (("sqlite", ""), ("sqlite", "pysqlite")):
        shown = parsed.render_as_string(hide_password=True)
        raise Unavailable(
            f"the database URL `{shown}` is not supported: CAI_STORE takes {SCHEMES}"
        )
    return parsed


def _reason(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0][:200] if str(original) else ""
