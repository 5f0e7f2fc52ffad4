"""Cluster routes: organization-wide logical clusters."""

from typing import Any

from fastapi import APIRouter

from cai_tui.server import wire
from cai_tui.server.bodies import ClusterCreate
from cai_tui.server.context import CallerStore, Paging

router = APIRouter(prefix="/api/v1/clusters", tags=["clusters"])


@router.post("")
def create_cluster(body: ClusterCreate, store: CallerStore) -> dict[str, Any]:
    """Create a cluster in the caller's organization."""
    return wire.cluster(store.create_cluster(body.to_spec()))


@router.get("")
def list_clusters(store: CallerStore, paging: Paging) -> dict[str, Any]:
    """The organization's clusters, newest first, with deployment counts."""
    page = store.list_clusters(paging)
    return wire.envelope(page, paging.count, [wire.cluster(v) for v in page.items])


@router.get("/{cluster}")
def get_cluster(cluster: str, store: CallerStore) -> dict[str, Any]:
    """One cluster of the caller's organization."""
    return wire.cluster(store.get_cluster(cluster))
