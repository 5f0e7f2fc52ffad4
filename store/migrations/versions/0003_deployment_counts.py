"""Count deployments per cluster and creator, kept exact by triggers.

A list's exact total used to be a COUNT over every deployment of the cluster in
scope: milliseconds on every page of a large store. `deployment_counts` holds that
number per (cluster, creator), which is what both scopes need (user scope reads
one row, organization scope sums a cluster's few rows). Triggers on `deployments`
change it in the very transaction that inserts or deletes a deployment, whoever
writes it, so it stays exact under concurrent writers: SQLite serialises writers,
and PostgreSQL's upsert locks the counter row until the writer commits.

Alembic's batch mode on SQLite rebuilds a table by copying it, which drops its
triggers: a later migration that rebuilds `deployments` must create them again
(`create_triggers` below). The store's tests compare the counters with COUNT.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_TRIGGERS = (
    """
    CREATE TRIGGER deployments_counted_insert AFTER INSERT ON deployments
    BEGIN
        INSERT INTO deployment_counts (cluster_uid, creator, n)
        VALUES (NEW.cluster_uid, NEW.creator, 1)
        ON CONFLICT (cluster_uid, creator) DO UPDATE SET n = n + 1;
    END
    """,
    """
    CREATE TRIGGER deployments_counted_delete AFTER DELETE ON deployments
    BEGIN
        UPDATE deployment_counts SET n = n - 1
        WHERE cluster_uid = OLD.cluster_uid AND creator = OLD.creator;
    END
    """,
    """
    CREATE TRIGGER deployments_counted_move
    AFTER UPDATE OF cluster_uid, creator ON deployments
    WHEN OLD.cluster_uid IS NOT NEW.cluster_uid OR OLD.creator IS NOT NEW.creator
    BEGIN
        UPDATE deployment_counts SET n = n - 1
        WHERE cluster_uid = OLD.cluster_uid AND creator = OLD.creator;
        INSERT INTO deployment_counts (cluster_uid, creator, n)
        VALUES (NEW.cluster_uid, NEW.creator, 1)
        ON CONFLICT (cluster_uid, creator) DO UPDATE SET n = n + 1;
    END
    """,
)

# Statement-level triggers with transition tables: a bulk insert or delete of many
# rows changes each counter once. Each changes its counters one by one in key order,
# so two such statements wait for each other in turn, never in a cycle (a deadlock;
# an UPDATE ... FROM would lock them in whatever order its join produced). A
# transaction that writes the deployments of several creators in several statements
# locks their counters in its own order, and may deadlock with another doing the
# same; PostgreSQL then rolls one back whole, so nothing is miscounted. The store
# writes one deployment per transaction.
POSTGRESQL_TRIGGERS = (
    """
    CREATE FUNCTION deployments_counted_add() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        counted record;
    BEGIN
        FOR counted IN
            SELECT cluster_uid, creator, count(*) AS n FROM added
            GROUP BY cluster_uid, creator ORDER BY cluster_uid, creator
        LOOP
            INSERT INTO deployment_counts (cluster_uid, creator, n)
            VALUES (counted.cluster_uid, counted.creator, counted.n)
            ON CONFLICT (cluster_uid, creator)
            DO UPDATE SET n = deployment_counts.n + EXCLUDED.n;
        END LOOP;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION deployments_counted_remove() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        counted record;
    BEGIN
        FOR counted IN
            SELECT cluster_uid, creator, count(*) AS n FROM removed
            GROUP BY cluster_uid, creator ORDER BY cluster_uid, creator
        LOOP
            UPDATE deployment_counts SET n = n - counted.n
            WHERE cluster_uid = counted.cluster_uid AND creator = counted.creator;
        END LOOP;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER deployments_counted_insert AFTER INSERT ON deployments
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION deployments_counted_add()
    """,
    """
    CREATE TRIGGER deployments_counted_delete AFTER DELETE ON deployments
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION deployments_counted_remove()
    """,
    # Only an update that moves a row to another counter touches them: a status
    # change (every roll out) must not queue on the counter's row lock.
    """
    CREATE FUNCTION deployments_counted_move() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE deployment_counts SET n = n - 1
        WHERE cluster_uid = OLD.cluster_uid AND creator = OLD.creator;
        INSERT INTO deployment_counts (cluster_uid, creator, n)
        VALUES (NEW.cluster_uid, NEW.creator, 1)
        ON CONFLICT (cluster_uid, creator)
        DO UPDATE SET n = deployment_counts.n + 1;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER deployments_counted_move
    AFTER UPDATE OF cluster_uid, creator ON deployments FOR EACH ROW
    WHEN (OLD.cluster_uid IS DISTINCT FROM NEW.cluster_uid
          OR OLD.creator IS DISTINCT FROM NEW.creator)
    EXECUTE FUNCTION deployments_counted_move()
    """,
)


def create_triggers() -> None:
    """The triggers that keep `deployment_counts` exact, for this backend."""
    dialect = op.get_bind().dialect.name
    statements = SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRESQL_TRIGGERS
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    """Apply this change: the table, its backfill, then the triggers."""
    op.create_table(
        "deployment_counts",
        sa.Column("cluster_uid", sa.String(length=36), nullable=False),
        sa.Column("creator", sa.String(length=255), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_uid"],
            ["clusters.uid"],
            name=op.f("fk_deployment_counts_cluster_uid_clusters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "cluster_uid", "creator", name=op.f("pk_deployment_counts")
        ),
    )
    # The backfill and the triggers are in one transaction with the table, so no
    # deployment written meanwhile is missed (PostgreSQL: migrate with writers
    # stopped, as every schema change asks).
    op.execute(
        "INSERT INTO deployment_counts (cluster_uid, creator, n) "
        "SELECT cluster_uid, creator, count(*) FROM deployments "
        "GROUP BY cluster_uid, creator"
    )
    create_triggers()


def downgrade() -> None:
    """Undo this change."""
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "move"):
            op.execute(f"DROP TRIGGER IF EXISTS deployments_counted_{name}")
    else:
        for name in ("insert", "delete", "move"):
            op.execute(
                f"DROP TRIGGER IF EXISTS deployments_counted_{name} ON deployments"
            )
        for name in ("add", "remove", "move"):
            op.execute(f"DROP FUNCTION IF EXISTS deployments_counted_{name}()")
    op.drop_table("deployment_counts")
