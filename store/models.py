"""ORM models of the local store: the tables, their constraints and indexes.

The database itself keeps the invariants it can: unique names, at most one active
revision per deployment (a partial unique index) and cascading deletes from a
deployment down to its DMS resources. Times are stored in UTC and read back aware.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UID = String(36)
NAME = String(63)
IDENT = String(255)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware time, stored as UTC on every backend.

    SQLite keeps no zone, so values are normalised to UTC on the way in and marked
    UTC on the way out; the same text form keeps keyset comparisons correct.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Store the UTC time (naive on SQLite, aware elsewhere)."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        """Return the time aware, in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints."""

    metadata = MetaData(naming_convention=NAMING)


class Cluster(Base):
    """A logical cluster of one organization."""

    __tablename__ = "clusters"
    __table_args__ = (
        UniqueConstraint("organization", "name"),
        Index("ix_clusters_org_created", "organization", "created_at", "uid"),
    )

    uid: Mapped[str] = mapped_column(UID, primary_key=True)
    organization: Mapped[str] = mapped_column(IDENT)
    name: Mapped[str] = mapped_column(NAME)
    description: Mapped[str] = mapped_column(Text, default="")
    kube_config: Mapped[str] = mapped_column(Text, default="")
    creator: Mapped[str] = mapped_column(IDENT)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Deployment(Base):
    """A named deployment in a cluster and namespace."""

    __tablename__ = "deployments"
    __table_args__ = (
        UniqueConstraint("cluster_uid", "name"),
        Index("ix_deployments_cluster_updated", "cluster_uid", "updated_at", "uid"),
        Index("ix_deployments_cluster_created", "cluster_uid", "created_at", "uid"),
        Index("ix_deployments_cluster_status", "cluster_uid", "status", "uid"),
        Index("ix_deployments_cluster_creator", "cluster_uid", "creator", "uid"),
        Index("ix_deployments_updated", "updated_at", "uid"),
        Index("ix_deployments_created", "created_at", "uid"),
        Index("ix_deployments_name", "name", "uid"),
        Index("ix_deployments_creator", "creator", "updated_at", "uid"),
    )

    uid: Mapped[str] = mapped_column(UID, primary_key=True)
    cluster_uid: Mapped[str] = mapped_column(
        ForeignKey("clusters.uid", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(NAME)
    namespace: Mapped[str] = mapped_column(NAME)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32))
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    creator: Mapped[str] = mapped_column(IDENT)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    cluster: Mapped[Cluster] = relationship(lazy="joined", innerjoin=True)


class DeploymentCount(Base):
    """How many deployments one creator has in one cluster.

    Written only by the database's triggers on `deployments` (migration 0003), in
    the transaction that inserts or deletes the deployment, so it always equals a
    COUNT of them; lists read it instead of counting a large cluster.
    """

    __tablename__ = "deployment_counts"

    cluster_uid: Mapped[str] = mapped_column(
        ForeignKey("clusters.uid", ondelete="CASCADE"), primary_key=True
    )
    creator: Mapped[str] = mapped_column(IDENT, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class Revision(Base):
    """One entry of a deployment's history; at most one is active."""

    __tablename__ = "deployment_revisions"
    __table_args__ = (
        Index(
            "uq_deployment_revisions_one_active",
            "deployment_uid",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_deployment_revisions_history", "deployment_uid", "created_at", "uid"),
    )

    uid: Mapped[str] = mapped_column(UID, primary_key=True)
    deployment_uid: Mapped[str] = mapped_column(
        ForeignKey("deployments.uid", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(16))
    rolled_back_from: Mapped[str | None] = mapped_column(UID)
    reason: Mapped[str] = mapped_column(Text, default="")
    creator: Mapped[str] = mapped_column(IDENT)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Target(Base):
    """One Compound NIM instance of a revision, with its whole config."""

    __tablename__ = "deployment_targets"
    __table_args__ = (
        Index("ix_deployment_targets_revision", "revision_uid", "position"),
        Index("ix_deployment_targets_tag", "nim", "version"),
    )

    uid: Mapped[str] = mapped_column(UID, primary_key=True)
    revision_uid: Mapped[str] = mapped_column(
        ForeignKey("deployment_revisions.uid", ondelete="CASCADE")
    )
    nim: Mapped[str] = mapped_column(NAME)
    version: Mapped[str] = mapped_column(NAME)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)
    creator: Mapped[str] = mapped_column(IDENT)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DmsResource(Base):
    """One DMS custom resource of a target and what the DMS last said of it."""

    __tablename__ = "dms_resources"
    __table_args__ = (Index("ix_dms_resources_target", "target_uid", "kind"),)

    uid: Mapped[str] = mapped_column(UID, primary_key=True)
    target_uid: Mapped[str] = mapped_column(
        ForeignKey("deployment_targets.uid", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(NAME)
    namespace: Mapped[str] = mapped_column(NAME)
    resource_id: Mapped[str | None] = mapped_column(IDENT)
    state: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LeftoverResource(Base):
    """A DMS resource a write could not delete; it outlives its deployment."""

    __tablename__ = "leftover_resources"
    __table_args__ = (Index("ix_leftover_resources_org", "organization", "user"),)

    uid: Mapped[str] = mapped_column(UID, primary_key=True)
    resource_id: Mapped[str] = mapped_column(IDENT)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(NAME)
    namespace: Mapped[str] = mapped_column(NAME)
    deployment: Mapped[str] = mapped_column(NAME)
    cluster: Mapped[str] = mapped_column(NAME)
    organization: Mapped[str] = mapped_column(IDENT)
    user: Mapped[str] = mapped_column(IDENT, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class Operation(Base):
    """One write: the audit record and the state a dead owner's successor needs."""

    __tablename__ = "operations"
    __table_args__ = (
        Index("ix_operations_org_started", "organization", "started_at", "uid"),
        Index("ix_operations_open", "outcome", "lease_until"),
    )

    uid: Mapped[str] = mapped_column(UID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    organization: Mapped[str] = mapped_column(IDENT)
    user: Mapped[str] = mapped_column(IDENT)
    cluster: Mapped[str | None] = mapped_column(IDENT)
    deployment: Mapped[str | None] = mapped_column(IDENT)
    reason: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(IDENT, default="")
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    past_point_of_no_return: Mapped[bool] = mapped_column(Boolean, default=False)
    planned: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CompoundNim(Base):
    """A Compound NIM: the `name` of a `name:version` tag."""

    __tablename__ = "compound_nims"
    __table_args__ = (UniqueConstraint("organization", "name"),)

    uid: Mapped[str] = mapped_column(UID, primary_key=True)
    organization: Mapped[str] = mapped_column(IDENT)
    name: Mapped[str] = mapped_column(NAME)
    description: Mapped[str] = mapped_column(Text, default="")
    labels: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    creator: Mapped[str] = mapped_column(IDENT)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CompoundNimVersion(Base):
    """A version of a Compound NIM: a built pipeline and its image build status."""

    __tablename__ = "compound_nim_versions"
    __table_args__ = (
        UniqueConstraint("nim_uid", "version"),
        Index("ix_compound_nim_versions_history", "nim_uid", "created_at", "uid"),
    )

    uid: Mapped[str] = mapped_column(UID, primary_key=True)
    nim_uid: Mapped[str] = mapped_column(
        ForeignKey("compound_nims.uid", ondelete="CASCADE")
    )
    version: Mapped[str] = mapped_column(NAME)
    description: Mapped[str] = mapped_column(Text, default="")
    labels: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    manifest: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    image_build_status: Mapped[str] = mapped_column(String(16))
    build_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    creator: Mapped[str] = mapped_column(IDENT)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
