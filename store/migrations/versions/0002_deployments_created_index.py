"""Index deployments by creation time, for lists sorted newest first.

The API lists deployments by `created_at` by default; without this index a page
of a large store sorted every matching row first.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this change."""
    op.create_index(
        "ix_deployments_created", "deployments", ["created_at", "uid"], unique=False
    )


def downgrade() -> None:
    """Undo this change."""
    op.drop_index("ix_deployments_created", table_name="deployments")
