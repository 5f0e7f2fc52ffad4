"""Audit and clean-up routes (additions): recorded writes and leftover resources."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from cai_tui.server import wire
from cai_tui.server.context import CallerStore, Paging

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/operations")
def list_operations(
    store: CallerStore,
    paging: Paging,
    cluster: Annotated[str | None, Query(description="Only this cluster's.")] = None,
    deployment: Annotated[
        str | None, Query(description="With `cluster`: only this deployment's.")
    ] = None,
) -> dict[str, Any]:
    """Recorded writes in the caller's scope, newest first."""
    page = store.list_operations(paging, cluster=cluster, deployment=deployment)
    return wire.envelope(page, paging.count, [wire.operation(o) for o in page.items])


@router.get("/leftovers")
def list_leftovers(store: CallerStore) -> dict[str, Any]:
    """DMS resources writes could not delete, still to be deleted."""
    items = [wire.leftover(item) for item in store.list_leftovers()]
    return {"total": len(items), "items": items}


@router.post("/leftovers/retry")
def retry_leftovers(store: CallerStore) -> dict[str, Any]:
    """Delete every leftover resource again; answers those still left."""
    items = [wire.leftover(item) for item in store.retry_leftovers()]
    return {"total": len(items), "items": items}
