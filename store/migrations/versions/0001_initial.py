"""Initial schema: clusters, deployments, revisions, targets, NIMs, operations.

Revision ID: 0001
Revises: none
Create Date: 2026-12-04 16:13:46.850577
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this change."""

    op.create_table(
        "clusters",
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("organization", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kube_config", sa.Text(), nullable=False),
        sa.Column("creator", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_clusters")),
        sa.UniqueConstraint(
            "organization", "name", name=op.f("uq_clusters_organization_name")
        ),
    )
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.create_index(
            "ix_clusters_org_created",
            ["organization", "created_at", "uid"],
            unique=False,
        )

    op.create_table(
        "compound_nims",
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("organization", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("creator", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_compound_nims")),
        sa.UniqueConstraint(
            "organization", "name", name=op.f("uq_compound_nims_organization_name")
        ),
    )
    op.create_table(
        "leftover_resources",
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("namespace", sa.String(length=63), nullable=False),
        sa.Column("deployment", sa.String(length=63), nullable=False),
        sa.Column("cluster", sa.String(length=63), nullable=False),
        sa.Column("organization", sa.String(length=255), nullable=False),
        sa.Column("user", sa.String(length=255), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_leftover_resources")),
    )
    with op.batch_alter_table("leftover_resources", schema=None) as batch_op:
        batch_op.create_index(
            "ix_leftover_resources_org", ["organization", "user"], unique=False
        )

    op.create_table(
        "operations",
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("organization", sa.String(length=255), nullable=False),
        sa.Column("user", sa.String(length=255), nullable=False),
        sa.Column("cluster", sa.String(length=255), nullable=True),
        sa.Column("deployment", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("past_point_of_no_return", sa.Boolean(), nullable=False),
        sa.Column("planned", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_operations")),
    )
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_operations_open", ["outcome", "lease_until"], unique=False
        )
        batch_op.create_index(
            "ix_operations_org_started",
            ["organization", "started_at", "uid"],
            unique=False,
        )

    op.create_table(
        "compound_nim_versions",
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("nim_uid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.String(length=63), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=True),
        sa.Column("image_build_status", sa.String(length=16), nullable=False),
        sa.Column("build_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("creator", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["nim_uid"],
            ["compound_nims.uid"],
            name=op.f("fk_compound_nim_versions_nim_uid_compound_nims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_compound_nim_versions")),
        sa.UniqueConstraint(
            "nim_uid", "version", name=op.f("uq_compound_nim_versions_nim_uid_version")
        ),
    )
    with op.batch_alter_table("compound_nim_versions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_compound_nim_versions_history",
            ["nim_uid", "created_at", "uid"],
            unique=False,
        )

    op.create_table(
        "deployments",
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("cluster_uid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("namespace", sa.String(length=63), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("creator", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_uid"],
            ["clusters.uid"],
            name=op.f("fk_deployments_cluster_uid_clusters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_deployments")),
        sa.UniqueConstraint(
            "cluster_uid", "name", name=op.f("uq_deployments_cluster_uid_name")
        ),
    )
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deployments_cluster_created",
            ["cluster_uid", "created_at", "uid"],
            unique=False,
        )
        batch_op.create_index(
            "ix_deployments_cluster_creator",
            ["cluster_uid", "creator", "uid"],
            unique=False,
        )
        batch_op.create_index(
            "ix_deployments_cluster_status",
            ["cluster_uid", "status", "uid"],
            unique=False,
        )
        batch_op.create_index(
            "ix_deployments_cluster_updated",
            ["cluster_uid", "updated_at", "uid"],
            unique=False,
        )
        batch_op.create_index(
            "ix_deployments_creator", ["creator", "updated_at", "uid"], unique=False
        )
        batch_op.create_index("ix_deployments_name", ["name", "uid"], unique=False)
        batch_op.create_index(
            "ix_deployments_updated", ["updated_at", "uid"], unique=False
        )

    op.create_table(
        "deployment_revisions",
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("deployment_uid", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rolled_back_from", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("creator", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_uid"],
            ["deployments.uid"],
            name=op.f("fk_deployment_revisions_deployment_uid_deployments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_deployment_revisions")),
    )
    with op.batch_alter_table("deployment_revisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deployment_revisions_history",
            ["deployment_uid", "created_at", "uid"],
            unique=False,
        )
        batch_op.create_index(
            "uq_deployment_revisions_one_active",
            ["deployment_uid"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "deployment_targets",
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("revision_uid", sa.String(length=36), nullable=False),
        sa.Column("nim", sa.String(length=63), nullable=False),
        sa.Column("version", sa.String(length=63), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("creator", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_uid"],
            ["deployment_revisions.uid"],
            name=op.f("fk_deployment_targets_revision_uid_deployment_revisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_deployment_targets")),
    )
    with op.batch_alter_table("deployment_targets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deployment_targets_revision", ["revision_uid", "position"], unique=False
        )
        batch_op.create_index(
            "ix_deployment_targets_tag", ["nim", "version"], unique=False
        )

    op.create_table(
        "dms_resources",
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("target_uid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("namespace", sa.String(length=63), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["target_uid"],
            ["deployment_targets.uid"],
            name=op.f("fk_dms_resources_target_uid_deployment_targets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_dms_resources")),
    )
    with op.batch_alter_table("dms_resources", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dms_resources_target", ["target_uid", "kind"], unique=False
        )


def downgrade() -> None:
    """Revert this change: drop every table, children first."""
    for table in (
        "dms_resources",
        "deployment_targets",
        "deployment_revisions",
        "deployments",
        "compound_nim_versions",
        "operations",
        "leftover_resources",
        "compound_nims",
        "clusters",
    ):
        op.drop_table(table)
