"""Dry runs of writes: the plan a write checks and acts on, and its preview.

A write first makes a `DeployPlan` (step 1 of the workflow: every check, the new
target uids and the exact DMS requests); a preview is that plan shown without
acting on it. The new targets' uids are fixed in the plan, and a write given the
same `target_uids` uses them, so the resource names a preview shows are the ones the
DMS receives (the names carry a hash of the target uid, api_contract.md 8.17).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from store.diff import diff_revisions
from store.dms import ResourceRequest
from store.dms_calls import Doomed
from store.errors import InvalidInput
from store.schemas import (
    PlannedCall,
    ResourceKind,
    RevisionView,
    TargetSpec,
    WriteKind,
    WritePreview,
)

DMS_PATH = "/v1/deployments"


@dataclass(frozen=True)
class DeployPlan:
    """What a create, roll out or roll back will do, as checked in step 1."""

    cluster: str
    name: str
    namespace: str
    cluster_uid: str
    deployment_uid: str | None
    """None for a create: the deployment is made at the point of no return."""
    active: RevisionView | None
    doomed: tuple[Doomed, ...]
    targets: tuple[TargetSpec, ...]
    target_uids: tuple[str, ...]
    requests: tuple[ResourceRequest, ...]

    @property
    def active_uid(self) -> str | None:
        """The uid of the active revision the plan was made against."""
        return self.active.uid if self.active is not None else None


def check_target_uids(given: Sequence[str], count: int) -> tuple[str, ...]:
    """Refuse target uids that do not fit the targets they are meant for."""
    uids = tuple(given)
    if len(uids) != count:
        raise InvalidInput(
            f"{len(uids)} target uid(s) given for {count} target(s): preview the "
            "write again and pass the uids it shows"
        )
    if len(set(uids)) != len(uids) or not all(u and u.strip() == u for u in uids):
        raise InvalidInput(
            "target uids must be distinct and non-empty: preview the write again "
            "and pass the uids it shows"
        )
    return uids


def used_target_uids_error(uids: Sequence[str]) -> InvalidInput:
    """The error for target uids some revision already holds."""
    return InvalidInput(
        f"target uid(s) {', '.join(uids)} are already used: this preview was "
        "already carried out; preview the write again"
    )


def deploy_preview(
    kind: WriteKind, plan: DeployPlan, *, rolled_back_from: str | None = None
) -> WritePreview:
    """The preview of a create, roll out or roll back."""
    calls = create_calls(plan.requests) + delete_calls(plan.doomed)
    return WritePreview(
        kind=kind,
        cluster=plan.cluster,
        deployment=plan.name,
        namespace=plan.namespace,
        active_revision_uid=plan.active_uid,
        diff=diff_revisions(plan.active, plan.targets),
        calls=calls,
        target_uids=plan.target_uids,
        effect=_deploy_effect(kind, plan),
        rolled_back_from=rolled_back_from,
    )


def deactivate_preview(
    cluster: str,
    name: str,
    namespace: str,
    active: RevisionView,
    doomed: Sequence[Doomed],
) -> WritePreview:
    """The preview of a deactivate: the active revision's resources are deleted."""
    return WritePreview(
        kind="deactivate",
        cluster=cluster,
        deployment=name,
        namespace=namespace,
        active_revision_uid=active.uid,
        diff=diff_revisions(active, ()),
        calls=delete_calls(doomed),
        effect=(
            f"revision {short_uid(active.uid)} becomes inactive; "
            f"{_resources(len(doomed))} deleted and the deployment is terminated"
        ),
    )


def delete_preview(
    cluster: str, name: str, namespace: str, revision_count: int
) -> WritePreview:
    """The preview of a delete: no DMS call, the history goes."""
    return WritePreview(
        kind="delete",
        cluster=cluster,
        deployment=name,
        namespace=namespace,
        active_revision_uid=None,
        diff=diff_revisions(None, ()),
        effect=(
            f"deployment `{name}` is deleted with its {revision_count} "
            "revision(s); no DMS call is made, and leftover records stay until "
            "they are cleaned"
        ),
    )


def create_calls(requests: Sequence[ResourceRequest]) -> tuple[PlannedCall, ...]:
    """The `POST /v1/deployments` requests, in the order they are sent."""
    return tuple(
        PlannedCall(
            method="POST",
            path=DMS_PATH,
            body=r.body,
            kind=r.kind,
            name=r.name,
            namespace=r.namespace,
        )
        for r in requests
    )


def delete_calls(doomed: Sequence[Doomed]) -> tuple[PlannedCall, ...]:
    """The `DELETE /v1/deployments/{id}` requests, in the order they are sent."""
    return tuple(
        PlannedCall(
            method="DELETE",
            path=f"{DMS_PATH}/{d.resource_id}",
            kind=cast(ResourceKind, d.kind),
            name=d.name,
            namespace=d.namespace,
        )
        for d in doomed
    )


def short_uid(uid: str) -> str:
    """The last 8 hex digits of a uid, as the dashboard's history shows it."""
    return uid.replace("-", "")[-8:]


def _resources(count: int) -> str:
    if count == 1:
        return "its 1 DMS resource is"
    return f"its {count} DMS resources are"


def _deploy_effect(kind: WriteKind, plan: DeployPlan) -> str:
    made = f"{len(plan.requests)} DMS resources are created"
    if kind == "create":
        return (
            f"deployment `{plan.name}` is made in cluster `{plan.cluster}`, "
            f"namespace `{plan.namespace}`; {made} for its first revision"
        )
    if plan.active is None:
        return f"no revision is active; {made} and the new revision becomes active"
    return (
        f"{made}; then revision {short_uid(plan.active.uid)} becomes inactive and "
        f"{_resources(len(plan.doomed))} deleted"
    )
