"""Running a write's DMS calls: concurrent creates and deletes, with clean-up.

No database transaction is open while these run. Creates either all succeed or the
ones that did are deleted again; deletes are all attempted and their failures are
returned, to be recorded as leftovers.
"""

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from store.dms import DeploymentManager, ResourceRequest
from store.errors import DmsError, DmsTimeout

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Doomed:
    """A DMS resource to delete, and what a leftover record of it needs."""

    resource_id: str
    kind: str
    name: str
    namespace: str


@dataclass(frozen=True)
class FailedDelete:
    """A delete that failed, to be recorded as a leftover."""

    resource: Doomed
    error: str


def call_dms(action: Callable[[], object], what: str) -> None:
    """Run one DMS call, turning any unexpected failure into `DmsError`."""
    try:
        action()
    except DmsError:
        raise
    except Exception as exc:
        raise DmsError(f"DMS call to {what} failed: {exc}") from exc


def create_all(
    dms: DeploymentManager,
    requests: Sequence[ResourceRequest],
    concurrency: int,
    on_created: Callable[[int, str], None],
) -> list[str]:
    """Create every resource; on any failure delete those created and raise.

    `on_created(index, id)` runs in the calling thread as each id comes back, so
    the caller can record it before anything else happens.
    """
    ids: dict[int, str] = {}
    errors: list[tuple[int, DmsError]] = []
    workers = max(1, min(concurrency, len(requests)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dms") as pool:
        futures = {
            pool.submit(_create_one, dms, request): index
            for index, request in enumerate(requests)
        }
        for future in as_completed(futures):
            if future.cancelled():
                continue
            index = futures[future]
            try:
                ids[index] = future.result()
            except DmsError as exc:
                errors.append((index, exc))
                # The write is lost anyway: creates not yet sent would only be
                # deleted again.
                for pending in futures:
                    pending.cancel()
                continue
            on_created(index, ids[index])
    if not errors:
        return [ids[index] for index in range(len(requests))]

    index, first = min(errors, key=lambda pair: pair[0])
    lost = [requests[i] for i, exc in errors if isinstance(exc, DmsTimeout)]
    doomed = [_doomed(requests[i], rid) for i, rid in ids.items()]
    doomed += found_after_timeout(dms, lost)
    failures = delete_all(dms, doomed, concurrency)
    extra = (
        f"; {len(failures)} created resource(s) could not be deleted"
        if failures
        else ""
    )
    request = requests[index]
    raise type(first)(
        f"the DMS failed to create {request.kind} `{request.name}` in namespace "
        f"`{request.namespace}` ({first.message}); nothing was changed{extra}"
    )


def delete_all(
    dms: DeploymentManager, resources: Sequence[Doomed], concurrency: int
) -> list[FailedDelete]:
    """Delete every resource, even when some fail; return the failures."""
    if not resources:
        return []
    failures: list[FailedDelete] = []
    workers = max(1, min(concurrency, len(resources)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dms") as pool:
        futures = {pool.submit(delete_one, dms, r): r for r in resources}
        for future in as_completed(futures):
            try:
                future.result()
            except DmsError as exc:
                failures.append(FailedDelete(futures[future], exc.message))
    return failures


def delete_one(dms: DeploymentManager, resource: Doomed) -> None:
    """Delete one resource (the port counts an unknown id as deleted)."""
    call_dms(lambda: dms.delete(resource.resource_id), f"delete {resource.name}")
    log.debug("deleted DMS resource %s (%s)", resource.resource_id, resource.name)


def found_after_timeout(
    dms: DeploymentManager, requests: Sequence[ResourceRequest]
) -> list[Doomed]:
    """Resources whose create answer was lost, found by name where the DMS can."""
    found: list[Doomed] = []
    for request in requests:
        try:
            matches = dms.find(request.namespace, request.name)
        except DmsError:
            matches = None
        for match in matches or ():
            found.append(_doomed(request, match.id))
    return found


def _create_one(dms: DeploymentManager, request: ResourceRequest) -> str:
    try:
        return dms.create(request)
    except DmsError:
        raise
    except Exception as exc:
        raise DmsError(f"DMS call failed: {exc}") from exc


def _doomed(request: ResourceRequest, resource_id: str) -> Doomed:
    return Doomed(resource_id, request.kind, request.name, request.namespace)
