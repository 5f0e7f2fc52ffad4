"""Lease recovery: finishing or undoing writes whose process stopped mid-way.

An operation still `running` after its lease ran out lost its owner. Before its
point of no return it is undone (the resources it created are deleted); past it,
it is finished (the resources it replaced are deleted). Failed deletes become
leftovers. A claim on the lease keeps two processes from recovering one operation.
"""

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from store.dms_calls import Doomed, delete_all
from store.models import Operation, Revision
from store.workflow import add_leftovers, set_status

if TYPE_CHECKING:
    from store.local import LocalStore

log = logging.getLogger(__name__)


def recover(store: "LocalStore") -> int:
    """Finish or undo operations whose owner's lease ran out; return how many."""
    now = store.clock()
    with store.db.read() as session:
        stale = session.scalars(
            select(Operation)
            .where(Operation.outcome == "running", Operation.lease_until < now)
            .order_by(Operation.started_at)
            .limit(50)
        ).all()
        claims = [(op.uid, op.owner, op.lease_until) for op in stale]
    done = 0
    for uid, owner, lease in claims:
        with store.db.write() as session:
            claimed = session.execute(
                update(Operation)
                .where(
                    Operation.uid == uid,
                    Operation.owner == owner,
                    Operation.lease_until == lease,
                )
                .values(
                    owner=store.owner,
                    lease_until=now + timedelta(seconds=store.lease_seconds),
                )
            )
            if getattr(claimed, "rowcount", 0) != 1:
                continue
            op = session.get_one(Operation, uid)
            plan, past = dict(op.planned or {}), op.past_point_of_no_return
            kind, org, cluster, name = (
                op.kind,
                op.organization,
                op.cluster,
                op.deployment,
            )
            user = op.user
        _recover_one(
            store, uid, plan, past, kind, (org, user, cluster or "", name or "")
        )
        done += 1
    return done


def _recover_one(
    store: "LocalStore",
    uid: str,
    plan: dict[str, Any],
    past: bool,
    kind: str,
    where: tuple[str, str, str, str],
) -> None:
    key = "delete" if past else "create"
    doomed = [
        Doomed(p["resource_id"], p["kind"], p["name"], p["namespace"])
        for p in plan.get(key, [])
        if p.get("resource_id")
    ]
    failures = delete_all(store.dms, doomed, store.dms_concurrency)
    with store.db.write() as session:
        if past and kind == "deactivate" and plan.get("revision"):
            revision = session.get(Revision, plan["revision"])
            if revision is not None and revision.status == "active":
                now = store.clock()
                revision.status = "inactive"
                revision.updated_at = now
                set_status(session, revision.deployment_uid, "terminated", now)
        org, user, cluster, name = where
        add_leftovers(
            session, failures, store.clock(), store.new_id, org, user, cluster, name
        )
        session.execute(
            update(Operation)
            .where(Operation.uid == uid)
            .values(
                outcome="succeeded" if past else "failed",
                finished_at=store.clock(),
                lease_until=None,
                message=(
                    f"{'finished' if past else 'undone'} by {store.owner} after "
                    f"its owner stopped; {len(failures)} leftover(s)"
                ),
            )
        )
    log.info("recovered operation %s (%s): %s", uid, kind, key)
