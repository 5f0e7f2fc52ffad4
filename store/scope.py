"""Scope rules: what a caller may see, as SQL conditions, in one place.

Clusters are organization-wide. Deployments (with their revisions and targets) are
those of the caller's organization's clusters, and only the caller's own in `user`
scope. Compound NIMs and their versions likewise, by organization and creator.
Every query of `LocalStore` starts from these, so nothing out of scope is ever read
or written: it is simply not found.
"""

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.clock import Clock, IdFactory
from store.models import (
    Cluster,
    CompoundNim,
    Deployment,
    DeploymentCount,
    LeftoverResource,
    Operation,
)
from store.schemas import DEFAULT_CLUSTER, Caller


def clusters(caller: Caller) -> ColumnElement[bool]:
    """Clusters the caller sees: its organization's."""
    return Cluster.organization == caller.identity.org


def deployments(caller: Caller) -> ColumnElement[bool]:
    """Deployments the caller sees; the query must join `Cluster`."""
    in_org = clusters(caller)
    if caller.scope == "user":
        return and_(in_org, Deployment.creator == caller.identity.user)
    return in_org


def deployment_counts(caller: Caller) -> ColumnElement[bool]:
    """Counters of the deployments the caller sees; the query must join `Cluster`.

    The same rule as `deployments`, on the (cluster, creator) counters.
    """
    in_org = clusters(caller)
    if caller.scope == "user":
        return and_(in_org, DeploymentCount.creator == caller.identity.user)
    return in_org


def visible_deployments(caller: Caller) -> Select[Deployment]:
    """A select of the deployments in scope, joined to their cluster."""
    return (
        select(Deployment)
        .join(Cluster, Deployment.cluster_uid == Cluster.uid)
        .where(deployments(caller))
    )


def nims(caller: Caller) -> ColumnElement[bool]:
    """Compound NIMs (and through them their versions) the caller sees."""
    in_org = CompoundNim.organization == caller.identity.org
    if caller.scope == "user":
        return and_(in_org, CompoundNim.creator == caller.identity.user)
    return in_org


def operations(caller: Caller) -> ColumnElement[bool]:
    """Recorded writes the caller sees: its organization's, its own in user scope."""
    in_org = Operation.organization == caller.identity.org
    if caller.scope == "user":
        return and_(in_org, Operation.user == caller.identity.user)
    return in_org


def leftovers(caller: Caller) -> ColumnElement[bool]:
    """Leftover resources the caller sees, by the same rule as operations."""
    in_org = LeftoverResource.organization == caller.identity.org
    if caller.scope == "user":
        return and_(in_org, LeftoverResource.user == caller.identity.user)
    return in_org


def ensure_default_cluster(
    session: Session, caller: Caller, clock: Clock, new_id: IdFactory
) -> None:
    """Make the organization's `default` cluster if it is missing.

    Meant for a write session; a concurrent maker winning the unique constraint is
    fine, since the cluster then exists all the same.
    """
    org = caller.identity.org
    found = session.scalar(
        select(Cluster.uid).where(
            Cluster.organization == org, Cluster.name == DEFAULT_CLUSTER
        )
    )
    if found is not None:
        return
    now = clock()
    try:
        with session.begin_nested():
            session.add(
                Cluster(
                    uid=new_id(),
                    organization=org,
                    name=DEFAULT_CLUSTER,
                    description="default cluster",
                    kube_config="",
                    creator=caller.identity.user,
                    created_at=now,
                    updated_at=now,
                )
            )
    except IntegrityError:
        pass  # another process made it first: it exists, which is all we need
