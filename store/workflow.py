"""Rules of the write workflow shared by `LocalStore` and lease recovery."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from store.clock import IdFactory
from store.config import check_target_config
from store.dms_calls import Doomed, FailedDelete
from store.errors import Conflict, InvalidInput, NameTaken, StaleRevision
from store.models import Deployment, LeftoverResource, Revision
from store.names import check_nim_name, check_tag_length, check_version
from store.schemas import ANY_REVISION, SEVERITY, RevisionView, TargetSpec


def add_leftovers(
    session: Session,
    failures: Sequence[FailedDelete],
    now: datetime,
    new_id: IdFactory,
    org: str,
    user: str,
    cluster: str,
    deployment: str,
) -> None:
    """Record failed deletes as leftovers, kept until the DMS confirms them gone."""
    for failure in failures:
        resource = failure.resource
        session.add(
            LeftoverResource(
                uid=new_id(),
                resource_id=resource.resource_id,
                kind=resource.kind,
                name=resource.name,
                namespace=resource.namespace,
                deployment=deployment,
                cluster=cluster,
                organization=org,
                user=user,
                error=failure.error,
                recorded_at=now,
                attempts=1,
            )
        )


def set_status(
    session: Session,
    deployment_uid: str,
    status: str,
    now: datetime,
    *,
    touch: bool = True,
    restart: bool = False,
) -> None:
    """Set a deployment's status, noting when it changed.

    With `restart`, the status counts as new even if it is the same: a roll out
    over a deployment still `deploying` starts its wait for `running` again.
    """
    row = session.get_one(Deployment, deployment_uid)
    if row.status != status or restart:
        row.status = status
        row.status_changed_at = now
    if touch:
        row.updated_at = now


def overall_status(states: Sequence[str], count: int) -> str:
    """A deployment's status from its resources' states: the most serious."""
    if count == 0 or "unknown" in states:
        return "unknown"
    for state in SEVERITY:
        if state in states:
            return state
    return "terminating" if "terminating" in states else "unknown"


def check_expected(
    name: str, active: Revision | RevisionView | None, expected: str | None
) -> None:
    """Raise `StaleRevision` unless the active revision is the one expected."""
    if expected == ANY_REVISION:
        return
    current = active.uid if active is not None else None
    if current != expected:
        raise StaleRevision(
            f"deployment `{name}` has active revision {current or 'none'}, not "
            f"{expected or 'none'}: someone changed it; reload and try again"
        )


def check_targets(targets: Sequence[TargetSpec]) -> tuple[TargetSpec, ...]:
    """Refuse an empty target list, an invalid NIM tag or config; return the
    targets with their configs' v1 fields in step with their services."""
    if not targets:
        raise InvalidInput(
            "give at least one target: a Compound NIM tag and its config"
        )
    checked = []
    for target in targets:
        check_nim_name(target.nim)
        check_version(target.version)
        check_tag_length(target.nim, target.version)
        config = check_target_config(target.config, target.tag)
        checked.append(target.model_copy(update={"config": config}))
    return tuple(checked)


def name_taken(name: str, cluster: str) -> NameTaken:
    """The error for a deployment name already used in a cluster."""
    return NameTaken(
        f"deployment name `{name}` is taken in cluster `{cluster}`: choose another name"
    )


def planned(doomed: Sequence[Doomed]) -> list[dict[str, Any]]:
    """Resources as an operation record keeps them."""
    return [
        {
            "kind": d.kind,
            "name": d.name,
            "namespace": d.namespace,
            "resource_id": d.resource_id,
        }
        for d in doomed
    ]


def outcome_message(verb: str, failures: Sequence[FailedDelete]) -> str:
    """The operation message of a write that stood."""
    if not failures:
        return verb
    return f"{verb}; {len(failures)} old DMS resource(s) left over, retried later"


def nothing_active(name: str) -> Conflict:
    """The error for deactivating a deployment that runs nothing."""
    return Conflict(
        f"deployment `{name}` has no active revision: nothing to deactivate"
    )


def still_active(name: str) -> Conflict:
    """The error for deleting a deployment that still runs."""
    return Conflict(
        f"deployment `{name}` still has an active revision: deactivate it first"
    )
