"""Turning ORM rows into the plain view models that cross the Store interface."""

from collections.abc import Iterable, Mapping, Sequence

from store.models import (
    Cluster,
    CompoundNim,
    CompoundNimVersion,
    Deployment,
    DmsResource,
    LeftoverResource,
    Operation,
    Revision,
    Target,
)
from store.schemas import (
    ClusterView,
    DeploymentDetail,
    DeploymentSummary,
    DmsResourceView,
    Label,
    LeftoverView,
    NimView,
    OperationView,
    RevisionView,
    TargetConfig,
    TargetView,
    VersionView,
)


def cluster_view(row: Cluster, deployment_count: int = 0) -> ClusterView:
    """A cluster as lists and details show it (never its kube config)."""
    return ClusterView(
        uid=row.uid,
        name=row.name,
        description=row.description,
        organization=row.organization,
        creator=row.creator,
        created_at=row.created_at,
        updated_at=row.updated_at,
        has_kube_config=bool(row.kube_config),
        deployment_count=deployment_count,
    )


def resource_view(
    row: DmsResource, retired: Mapping[str, str] | None = None
) -> DmsResourceView:
    """One DMS resource and its last known state.

    `retired` is given for a revision that is no longer active: its resources were
    deleted, except those it maps (resource id to the error of the failed delete),
    which are left over until a sync deletes them.
    """
    state, message = row.state, row.message
    if retired is not None:
        left = retired.get(row.resource_id or "")
        state = None
        message = f"left over, needs attention: {left}" if left else "deleted"
    return DmsResourceView.model_validate(
        {
            "kind": row.kind,
            "name": row.name,
            "resource_id": row.resource_id,
            "state": state,
            "message": message,
        }
    )


def target_view(
    row: Target,
    resources: Iterable[DmsResource] = (),
    retired: Mapping[str, str] | None = None,
) -> TargetView:
    """One target with its config and resources (`retired`: see `resource_view`)."""
    return TargetView(
        uid=row.uid,
        nim=row.nim,
        version=row.version,
        config=TargetConfig.model_validate(row.config),
        creator=row.creator,
        created_at=row.created_at,
        resources=tuple(resource_view(r, retired) for r in resources),
    )


def revision_view(row: Revision, targets: Sequence[TargetView] = ()) -> RevisionView:
    """One revision with its targets."""
    return RevisionView.model_validate(
        {
            "uid": row.uid,
            "status": row.status,
            "creator": row.creator,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "targets": tuple(targets),
            "rolled_back_from": row.rolled_back_from,
            "reason": row.reason,
        }
    )


def summary_view(
    row: Deployment, active_uid: str | None, tags: Sequence[str]
) -> DeploymentSummary:
    """A deployment as a list row."""
    return DeploymentSummary.model_validate(_deployment_fields(row, active_uid, tags))


def detail_view(
    row: Deployment, active: RevisionView | None, revision_count: int
) -> DeploymentDetail:
    """A deployment with its active revision."""
    fields = _deployment_fields(
        row, active.uid if active else None, active.tags if active else ()
    )
    fields.update(
        active_revision=active,
        revision_count=revision_count,
        status_changed_at=row.status_changed_at,
    )
    return DeploymentDetail.model_validate(fields)


def _deployment_fields(
    row: Deployment, active_uid: str | None, tags: Sequence[str]
) -> dict[str, object]:
    return {
        "uid": row.uid,
        "name": row.name,
        "cluster": row.cluster.name,
        "namespace": row.namespace,
        "description": row.description,
        "status": row.status,
        "creator": row.creator,
        "organization": row.cluster.organization,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "active_revision_uid": active_uid,
        "tags": tuple(tags),
    }


def nim_view(row: CompoundNim, count: int = 0, latest: str | None = None) -> NimView:
    """A Compound NIM with its version count and newest version."""
    return NimView(
        uid=row.uid,
        name=row.name,
        description=row.description,
        labels=tuple(Label.model_validate(label) for label in row.labels or ()),
        creator=row.creator,
        organization=row.organization,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version_count=count,
        latest_version=latest,
    )


def version_view(row: CompoundNimVersion, nim: str) -> VersionView:
    """A Compound NIM version."""
    return VersionView.model_validate(
        {
            "uid": row.uid,
            "nim": nim,
            "version": row.version,
            "description": row.description,
            "labels": tuple(row.labels or ()),
            "manifest": row.manifest,
            "image_build_status": row.image_build_status,
            "build_at": row.build_at,
            "creator": row.creator,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
    )


def operation_view(row: Operation) -> OperationView:
    """One recorded write."""
    return OperationView(
        uid=row.uid,
        kind=row.kind,
        organization=row.organization,
        user=row.user,
        cluster=row.cluster,
        deployment=row.deployment,
        started_at=row.started_at,
        finished_at=row.finished_at,
        outcome=row.outcome,
        message=row.message,
        reason=row.reason,
    )


def leftover_view(row: LeftoverResource) -> LeftoverView:
    """One leftover DMS resource."""
    return LeftoverView.model_validate(
        {
            "resource_id": row.resource_id,
            "kind": row.kind,
            "name": row.name,
            "namespace": row.namespace,
            "deployment": row.deployment,
            "cluster": row.cluster,
            "error": row.error,
            "recorded_at": row.recorded_at,
            "attempts": row.attempts,
        }
    )
