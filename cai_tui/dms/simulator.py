"""The embedded DMS simulator: the default `DeploymentManager` when none is configured.

It keeps its resources in an SQLite file of its own, so that a dashboard, an API
server and `cai-tui dms serve` on one machine can share them. A resource's state
follows from the time since its creation: `image-building` for the first
`step_seconds`, then `deploying`, then `running` after twice that.

Failure injection (`fail_on`) is kept in the same file, so a test in one process can
make the next create of a server in another process fail. Only creates and deletes
count; reads never do. Three modes:

- `error`: the call fails at once with `DmsError` and changes nothing;
- `stall`: the call blocks `stall_seconds`, then raises `DmsTimeout`, changing nothing
  (a DMS that never answered);
- `lost`: the call takes effect, then blocks `stall_seconds` and raises `DmsTimeout`
  (a DMS that did the work but whose answer was lost; `find` recovers it).
"""

import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from store.clock import Clock, IdFactory, new_uuid, system_clock
from store.dms import ResourceRequest, ResourceStatus
from store.errors import DmsError, DmsTimeout, InvalidInput
from store.schemas import ResourceState

log = logging.getLogger(__name__)

Operation = Literal["create", "delete"]
FaultMode = Literal["error", "stall", "lost"]

OPERATIONS: tuple[str, ...] = get_args(Operation)
FAULT_MODES: tuple[str, ...] = get_args(FaultMode)
DEFAULT_STALL_SECONDS = 2.0
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    namespace TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL,
    forced_state TEXT,
    forced_message TEXT,
    UNIQUE (namespace, name)
);
CREATE TABLE IF NOT EXISTS faults (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    operation TEXT NOT NULL,
    remaining INTEGER NOT NULL,
    mode TEXT NOT NULL,
    message TEXT NOT NULL,
    stall_seconds REAL NOT NULL
);
"""


class ResourceExists(DmsError):
    """A create named a resource already live in its namespace."""


@dataclass(frozen=True)
class Fault:
    """An injected failure that fired on one call."""

    operation: str
    mode: str
    message: str
    stall_seconds: float


class Simulator:
    """A DMS whose resources live in an SQLite file and progress with time.

    Safe to call from many threads at once, and from many processes on one file:
    every call opens its own connection, and every write takes the file's write lock
    before it reads what it checks.
    """

    def __init__(
        self,
        path: Path,
        *,
        step_seconds: float = 3.0,
        clock: Clock = system_clock,
        new_id: IdFactory = new_uuid,
    ) -> None:
        self.path = Path(path)
        self.step_seconds = step_seconds
        self._clock = clock
        self._new_id = new_id
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    def describe(self) -> str:
        """A short description for screens and logs."""
        return f"embedded DMS simulator ({self.path})"

    # --- the DeploymentManager port ------------------------------------------------

    def create(self, request: ResourceRequest) -> str:
        """Create one resource; refuse a name already live in its namespace."""
        resource_id = self._new_id()
        refusal: ResourceExists | None = None
        with self._write() as db:
            fault = self._take_fault(db, "create")
            if fault is None or fault.mode == "lost":
                # A refused create still counts as a call, so the fault count commits.
                refusal = self._insert(db, resource_id, request)
        if refusal is not None:
            raise refusal
        log.debug(
            "simulated create %s %s/%s -> %s",
            request.kind,
            request.namespace,
            request.name,
            resource_id,
        )
        if fault is not None:
            self._fail(fault)
        return resource_id

    def delete(self, resource_id: str) -> None:
        """Delete one resource; an unknown id counts as deleted."""
        with self._write() as db:
            fault = self._take_fault(db, "delete")
            if fault is None or fault.mode == "lost":
                db.execute("DELETE FROM resources WHERE id = ?", (resource_id,))
        log.debug("simulated delete %s", resource_id)
        if fault is not None:
            self._fail(fault)

    def status(self, resource_id: str) -> ResourceStatus:
        """Read one resource; an unknown id has state `unknown`."""
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM resources WHERE id = ?", (resource_id,)
            ).fetchone()
        if row is None:
            return ResourceStatus(
                id=resource_id,
                state="unknown",
                message=f"no resource with id {resource_id}",
            )
        return self._status_of(row)

    def find(self, namespace: str, name: str) -> list[ResourceStatus]:
        """The live resources named `name` in `namespace` (at most one)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM resources WHERE namespace = ? AND name = ?",
                (namespace, name),
            ).fetchall()
        return [self._status_of(row) for row in rows]

    # --- helpers for tests, demos and screens --------------------------------------

    def resources(self, namespace: str | None = None) -> list[ResourceStatus]:
        """Every live resource, oldest first; only those of `namespace` if given."""
        query = "SELECT * FROM resources"
        params: tuple[str, ...] = ()
        if namespace is not None:
            query += " WHERE namespace = ?"
            params = (namespace,)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY created_at, id", params).fetchall()
        return [self._status_of(row) for row in rows]

    def fail_on(
        self,
        operation: str,
        nth: int = 1,
        *,
        mode: str = "error",
        message: str = "",
        stall_seconds: float = DEFAULT_STALL_SECONDS,
    ) -> None:
        """Make the `nth` create (or delete) call from now fail, once.

        Raises `InvalidInput` for an unknown operation or mode, or `nth` below 1.
        """
        if operation not in OPERATIONS:
            raise InvalidInput(
                f"operation `{operation}` cannot fail: use `create` or `delete`"
            )
        if mode not in FAULT_MODES:
            raise InvalidInput(
                f"failure mode `{mode}` is unknown: use `error`, `stall` or `lost`"
            )
        if nth < 1:
            raise InvalidInput(f"nth must be 1 or more, not {nth}")
        if stall_seconds < 0:
            raise InvalidInput(f"stall_seconds must be 0 or more, not {stall_seconds}")
        message = message or f"simulated DMS failure of {operation} call #{nth}"
        with self._write() as db:
            db.execute(
                "INSERT INTO faults"
                " (operation, remaining, mode, message, stall_seconds)"
                " VALUES (?, ?, ?, ?, ?)",
                (operation, nth, mode, message, stall_seconds),
            )
        log.info("simulator will fail %s call #%d (%s)", operation, nth, mode)

    def reset_failures(self) -> None:
        """Forget every failure not yet fired."""
        with self._write() as db:
            db.execute("DELETE FROM faults")

    def force_state(
        self, resource_id: str, state: ResourceState | None, message: str = ""
    ) -> None:
        """Pin a resource to `state` (None: follow time again), for demos and tests.

        Raises `DmsError` when no resource has this id.
        """
        with self._write() as db:
            changed = db.execute(
                "UPDATE resources SET forced_state = ?, forced_message = ?"
                " WHERE id = ?",
                (state, message or None, resource_id),
            ).rowcount
        if not changed:
            raise DmsError(f"no resource with id {resource_id} in the simulator")

    # --- internals -----------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
        )
        db.row_factory = sqlite3.Row
        try:
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A transaction holding the write lock from its start, so checks hold."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _insert(
        self, db: sqlite3.Connection, resource_id: str, request: ResourceRequest
    ) -> ResourceExists | None:
        """Insert the resource, or return why it is refused (its name is live)."""
        taken = db.execute(
            "SELECT id FROM resources WHERE namespace = ? AND name = ?",
            (request.namespace, request.name),
        ).fetchone()
        if taken is not None:
            return ResourceExists(
                f"{request.kind} `{request.name}` already exists in namespace "
                f"`{request.namespace}` (id {taken['id']}): delete it first or "
                "choose another name"
            )
        db.execute(
            "INSERT INTO resources (id, kind, name, namespace, body, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                resource_id,
                request.kind,
                request.name,
                request.namespace,
                json.dumps(request.body),
                self._clock().timestamp(),
            ),
        )
        return None

    def _take_fault(self, db: sqlite3.Connection, operation: str) -> Fault | None:
        """Count this call against every pending fault; return the one that fires."""
        db.execute(
            "UPDATE faults SET remaining = remaining - 1 WHERE operation = ?",
            (operation,),
        )
        due = db.execute(
            "SELECT * FROM faults WHERE operation = ? AND remaining <= 0 ORDER BY seq",
            (operation,),
        ).fetchall()
        if not due:
            return None
        # Two faults set for the same call fire as one: the first set wins.
        db.execute(
            "DELETE FROM faults WHERE operation = ? AND remaining <= 0", (operation,)
        )
        first = due[0]
        return Fault(
            operation=operation,
            mode=first["mode"],
            message=first["message"],
            stall_seconds=first["stall_seconds"],
        )

    def _fail(self, fault: Fault) -> None:
        log.info("simulated %s of %s: %s", fault.mode, fault.operation, fault.message)
        if fault.mode == "error":
            raise DmsError(fault.message)
        time.sleep(fault.stall_seconds)
        raise DmsTimeout(f"{fault.message}: no answer after {fault.stall_seconds:g} s")

    def _status_of(self, row: sqlite3.Row) -> ResourceStatus:
        state, message = self._progress(row)
        if row["forced_state"] is not None:
            state = row["forced_state"]
            message = row["forced_message"] or f"forced to {state}"
        return ResourceStatus(
            id=row["id"],
            name=row["name"],
            namespace=row["namespace"],
            state=state,
            message=message,
        )

    def _progress(self, row: sqlite3.Row) -> tuple[ResourceState, str]:
        """The state a resource has reached by now, and a message a DMS would give."""
        elapsed = self._clock().timestamp() - row["created_at"]
        step = self.step_seconds
        body = _loads(row["body"])
        tag = _image_tag(body, row["name"])
        replicas = _replica_count(body)
        is_request = row["kind"] == "CompoundAINimRequest"

        if step > 0 and elapsed < step:
            if is_request:
                return "image-building", f"building image {tag}"
            return "image-building", f"waiting for image {tag} to be built"
        if step > 0 and elapsed < 2 * step:
            if is_request:
                return "deploying", f"pushing image {tag} to the registry"
            ready = replicas // 2
            return "deploying", f"waiting for {ready}/{replicas} replicas"
        if is_request:
            return "running", f"image {tag} built and pushed"
        return "running", f"all replicas ready ({replicas}/{replicas})"


def _loads(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _image_tag(body: dict[str, Any], fallback: str) -> str:
    """The NIM tag `name:version` the body names, else the resource name."""
    data = body.get("configuration", {})
    data = data.get("data", {}) if isinstance(data, dict) else {}
    if not isinstance(data, dict):
        return fallback
    tag = data.get("bentoTag") or data.get("compoundAINim")
    if not isinstance(tag, str) or not tag:
        return fallback
    if ":" not in tag and "--" in tag:
        # The Kubernetes form `name--version` reads better as the tag it came from.
        name, _, version = tag.partition("--")
        return f"{name}:{version}"
    return tag


def _replica_count(value: object) -> int:
    """The replicas a body asks for: the sum of its replica counts, at least 1."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key in ("replicas", "min_replicas", "minReplicas") and isinstance(
                    child, int
                ):
                    total += child
                else:
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return max(total, 1)
