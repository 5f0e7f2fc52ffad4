"""Queries the local store shares between its reads and writes.

Each takes an open session and returns rows or plain views; the scope conditions come
from `store.scope`, so none of them widens what a caller sees.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select, tuple_
from sqlalchemy.orm import Session, aliased

from store import scope
from store.models import (
    Cluster,
    CompoundNim,
    CompoundNimVersion,
    Deployment,
    DeploymentCount,
    DmsResource,
    LeftoverResource,
    Revision,
    Target,
)
from store.schemas import (
    Caller,
    DeploymentQuery,
    NimView,
    RevisionView,
    TargetView,
    VersionView,
)
from store.views import nim_view, revision_view, target_view, version_view

SORT_COLUMNS: dict[str, Any] = {
    "name": Deployment.name,
    "cluster": Cluster.name,
    "namespace": Deployment.namespace,
    "status": Deployment.status,
    "creator": Deployment.creator,
    "created_at": Deployment.created_at,
    "updated_at": Deployment.updated_at,
}


def deployment_conditions(query: DeploymentQuery) -> list[ColumnElement[bool]]:
    """Filters of a deployment query (the select must join `Cluster`)."""
    conditions: list[ColumnElement[bool]] = []
    if query.cluster is not None:
        conditions.append(Cluster.name == query.cluster)
    if query.namespace is not None:
        conditions.append(Deployment.namespace == query.namespace)
    if query.search:
        conditions.append(contains(Deployment.name, query.search))
    if query.status is not None:
        conditions.append(Deployment.status == query.status)
    if query.nim is not None:
        runs = and_(
            Revision.deployment_uid == Deployment.uid,
            Revision.status == "active",
            Target.nim == query.nim,
        )
        if query.version is not None:
            runs = and_(runs, Target.version == query.version)
        conditions.append(
            exists(
                select(Target.uid)
                .join(Revision, Target.revision_uid == Revision.uid)
                .where(runs)
            )
        )
    return conditions


def rows_before(
    session: Session,
    base: Select[Deployment],
    sort: Any,
    first: Deployment,
    descending: bool,
) -> int:
    """How many rows of `base` sort before `first` (a keyset page's start)."""
    key = tuple_(sort, Deployment.uid)
    mark = tuple_(sort_value(first, sort_name(sort)), first.uid)
    before = key > mark if descending else key < mark
    counted = base.where(before).with_only_columns(func.count()).order_by(None)
    return session.scalar(counted) or 0


def active_tags(
    session: Session, deployment_uids: Sequence[str]
) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Active revision uid and its NIM tags, for each of these deployments."""
    if not deployment_uids:
        return {}
    rows = session.execute(
        select(Revision.deployment_uid, Revision.uid, Target.nim, Target.version)
        .outerjoin(Target, Target.revision_uid == Revision.uid)
        .where(
            Revision.deployment_uid.in_(deployment_uids),
            Revision.status == "active",
        )
        .order_by(Revision.deployment_uid, Target.position)
    ).all()
    found: dict[str, tuple[str, list[str]]] = {}
    for deployment_uid, revision_uid, nim, version in rows:
        entry = found.setdefault(deployment_uid, (revision_uid, []))
        if nim is not None:
            entry[1].append(f"{nim}:{version}")
    return {uid: (rev, tuple(tags)) for uid, (rev, tags) in found.items()}


def revision_views(
    session: Session, revisions: Sequence[Revision]
) -> list[RevisionView]:
    """Revisions with their targets and resources, in one query (two when one of
    them is retired and may have left resources over)."""
    uids = [r.uid for r in revisions]
    targets: list[Target] = []
    resources: dict[str, list[DmsResource]] = defaultdict(list)
    if uids:
        # Targets and their resources in one round trip: a target without any
        # comes once, with no resource.
        joined = session.execute(
            select(Target, DmsResource)
            .outerjoin(DmsResource, DmsResource.target_uid == Target.uid)
            .where(Target.revision_uid.in_(uids))
            .order_by(Target.revision_uid, Target.position, DmsResource.kind)
        ).all()
        for target, resource in joined:
            if not targets or targets[-1] is not target:
                targets.append(target)
            if resource is not None:
                resources[target.uid].append(resource)
    inactive = {r.uid for r in revisions if r.status != "active"}
    retired_ids = [
        res.resource_id
        for t in targets
        if t.revision_uid in inactive
        for res in resources[t.uid]
        if res.resource_id
    ]
    leftovers: dict[str, str] = {}
    if retired_ids:
        leftovers = {
            rid: error or "delete failed"
            for rid, error in session.execute(
                select(LeftoverResource.resource_id, LeftoverResource.error).where(
                    LeftoverResource.resource_id.in_(retired_ids)
                )
            )
        }
    by_revision: dict[str, list[TargetView]] = defaultdict(list)
    for target in targets:
        retired = leftovers if target.revision_uid in inactive else None
        by_revision[target.revision_uid].append(
            target_view(target, resources[target.uid], retired)
        )
    return [revision_view(r, by_revision[r.uid]) for r in revisions]


def resource_rows(session: Session, revision_uid: str) -> list[DmsResource]:
    """DMS resources of a revision's targets, in target order."""
    return list(
        session.scalars(
            select(DmsResource)
            .join(Target, DmsResource.target_uid == Target.uid)
            .where(Target.revision_uid == revision_uid)
            .order_by(Target.position, DmsResource.kind)
        ).all()
    )


def active_revision(session: Session, deployment_uid: str) -> Revision | None:
    """The active revision of a deployment, if any."""
    return session.scalar(
        select(Revision).where(
            Revision.deployment_uid == deployment_uid, Revision.status == "active"
        )
    )


def deployment_counts(
    session: Session, caller: Caller, cluster_uids: Sequence[str]
) -> dict[str, int]:
    """Deployments in the caller's scope per cluster uid, from the counters."""
    if not cluster_uids:
        return {}
    rows = session.execute(
        select(DeploymentCount.cluster_uid, func.sum(DeploymentCount.n))
        .join(Cluster, DeploymentCount.cluster_uid == Cluster.uid)
        .where(
            scope.deployment_counts(caller),
            DeploymentCount.cluster_uid.in_(cluster_uids),
        )
        .group_by(DeploymentCount.cluster_uid)
    ).all()
    return {uid: int(count or 0) for uid, count in rows}


def is_counted(query: DeploymentQuery) -> bool:
    """Whether the counters give this query's total: no filter but the cluster."""
    return (
        not query.search
        and query.status is None
        and query.namespace is None
        and query.nim is None
        and query.version is None
    )


def deployment_total_select(caller: Caller, query: DeploymentQuery) -> Select[Any]:
    """The select of how many deployments in scope match `query`.

    Read from the counters when only the cluster narrows it (the common list, and
    the one a COUNT over a large cluster made slow); counted otherwise. It never
    correlates, so it may be a column of a page's own select.
    """
    if is_counted(query):
        counted = select(func.coalesce(func.sum(DeploymentCount.n), 0)).join(
            Cluster, DeploymentCount.cluster_uid == Cluster.uid
        )
        counted = counted.where(scope.deployment_counts(caller))
        if query.cluster is not None:
            counted = counted.where(Cluster.name == query.cluster)
        return counted.correlate(None)
    return (
        select(func.count())
        .select_from(Deployment)
        .join(Cluster, Deployment.cluster_uid == Cluster.uid)
        .where(scope.deployments(caller), *deployment_conditions(query))
        .correlate(None)
    )


# Correlated subqueries made once: an alias made per call costs a request more
# in building its columns than the database takes to run it.
_EVERY_REVISION = aliased(Revision)
_REVISION_COUNT = (
    select(func.count())
    .where(_EVERY_REVISION.deployment_uid == Deployment.uid)
    .correlate(Deployment)
    .scalar_subquery()
)
_SIBLING = aliased(CompoundNimVersion)
_VERSION_COUNT = (
    select(func.count())
    .where(_SIBLING.nim_uid == CompoundNim.uid)
    .correlate(CompoundNim)
    .scalar_subquery()
)
_LATEST_VERSION = (
    select(_SIBLING.version)
    .where(_SIBLING.nim_uid == CompoundNim.uid)
    .order_by(_SIBLING.created_at.desc(), _SIBLING.uid.desc())
    .limit(1)
    .correlate(CompoundNim)
    .scalar_subquery()
)


def actives_and_counts(
    session: Session, deployment_uids: Sequence[str]
) -> dict[str, tuple[Revision | None, int]]:
    """Active revision (if any) and revision count of each deployment, in one query."""
    if not deployment_uids:
        return {}
    rows = session.execute(
        select(Deployment.uid, _REVISION_COUNT, Revision)
        .select_from(Deployment)
        .outerjoin(
            Revision,
            and_(
                Revision.deployment_uid == Deployment.uid, Revision.status == "active"
            ),
        )
        .where(Deployment.uid.in_(deployment_uids))
    ).all()
    return {uid: (active, int(count or 0)) for uid, count, active in rows}


def nim_versions(
    session: Session, caller: Caller, tags: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[VersionView, NimView] | None]:
    """Each (NIM, version) with its NIM, in one query; None when not in scope."""
    wanted = sorted(set(tags))
    if not wanted:
        return {}
    rows = session.execute(
        select(CompoundNimVersion, CompoundNim, _VERSION_COUNT, _LATEST_VERSION)
        .join(CompoundNim, CompoundNimVersion.nim_uid == CompoundNim.uid)
        .where(
            scope.nims(caller),
            tuple_(CompoundNim.name, CompoundNimVersion.version).in_(wanted),
        )
    ).all()
    found: dict[tuple[str, str], tuple[VersionView, NimView] | None] = dict.fromkeys(
        wanted
    )
    for version, nim, counted, newest in rows:
        found[(nim.name, version.version)] = (
            version_view(version, nim.name),
            nim_view(nim, counted or 0, newest),
        )
    return found


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """A case-sensitive substring match, with LIKE's wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    result: ColumnElement[bool] = column.like(f"%{escaped}%", escape="\\")
    return result


def sort_name(column: Any) -> str:
    """The query name of a sort column."""
    for name, candidate in SORT_COLUMNS.items():
        if candidate is column:
            return name
    return "updated_at"


def sort_value(row: Deployment, sort: str) -> Any:
    """A row's value in a sort column, as a cursor holds it."""
    if sort == "cluster":
        return row.cluster.name
    return getattr(row, sort)
