"""Alembic environment: runs migrations on the connection `store.database` hands over.

Configured in code (no alembic.ini), so it works from an installed wheel. SQLite
gets batch mode, since it cannot alter most constraints in place.
"""

from alembic import context
from sqlalchemy import Connection, create_engine

from store.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    """Migrate the given connection, or one opened from `sqlalchemy.url`."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as opened:
        _run(opened)
    engine.dispose()


run()
