"""The operation record of a write: audit trail and recovery state in one row."""

import os
import socket
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from store.errors import Conflict, InvalidInput, NotFound, ReadOnly, StoreError
from store.models import Operation

if TYPE_CHECKING:
    from store.local import LocalStore

LEASE_SECONDS = 120.0
"""How long an operation's owner may stay silent before another process takes over."""


def default_owner() -> str:
    """This process, as an operation's owner: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Audit:
    """The operation record of one write, from its first check to its outcome."""

    def __init__(self, store: "LocalStore", kind: str, cluster: str | None) -> None:
        self.store = store
        self.kind = kind
        self.cluster = cluster
        self.deployment: str | None = None
        self.reason = ""
        self.uid: str | None = None
        self.planned: dict[str, Any] = {}
        self.message = ""

    def start(self, planned: dict[str, Any]) -> None:
        """Record the operation as running, with its lease and planned resources."""
        store = self.store
        now = store.clock()
        self.planned = planned
        self.uid = store.new_id()
        lease = now + timedelta(seconds=store.lease_seconds)
        with store.db.write() as session:
            session.add(self._row(now, "running", planned=planned, lease=lease))

    def record_created(self, index: int, resource_id: str) -> None:
        """Keep a resource id the DMS just returned, and renew the lease."""
        self.planned["create"][index]["resource_id"] = resource_id
        self.renew()

    def renew(self, session: Session | None = None, **values: Any) -> None:
        """Renew the lease (and store the plan and any other values given)."""
        if self.uid is None:
            return
        values["lease_until"] = self.store.clock() + timedelta(
            seconds=self.store.lease_seconds
        )
        values["planned"] = dict(self.planned)
        statement = update(Operation).where(Operation.uid == self.uid).values(**values)
        if session is not None:
            session.execute(statement)
            return
        with self.store.db.write() as own:
            own.execute(statement)

    def finish(self, outcome: str, message: str) -> None:
        """Record how the write ended (inserting the record if never started)."""
        now = self.store.clock()
        with self.store.db.write() as session:
            if self.uid is None:
                self.uid = self.store.new_id()
                session.add(self._row(now, outcome, message=message, finished=now))
                return
            session.execute(
                update(Operation)
                .where(Operation.uid == self.uid)
                .values(
                    outcome=outcome,
                    message=message,
                    finished_at=now,
                    lease_until=None,
                    planned=dict(self.planned),
                )
            )

    def _row(
        self,
        now: datetime,
        outcome: str,
        *,
        message: str = "",
        finished: datetime | None = None,
        planned: dict[str, Any] | None = None,
        lease: datetime | None = None,
    ) -> Operation:
        identity = self.store.caller.identity
        return Operation(
            uid=self.uid,
            kind=self.kind,
            organization=identity.org,
            user=identity.user,
            cluster=self.cluster,
            deployment=self.deployment,
            reason=self.reason,
            started_at=now,
            finished_at=finished,
            outcome=outcome,
            message=message,
            owner=self.store.owner,
            lease_until=lease,
            past_point_of_no_return=False,
            planned=planned,
        )


def outcome_of(exc: StoreError) -> str:
    """The outcome a write that raised `exc` is recorded with."""
    if isinstance(exc, Conflict):
        return "conflict"
    if isinstance(exc, InvalidInput | NotFound | ReadOnly):
        return "refused"
    return "failed"
