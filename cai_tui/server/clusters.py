"""Cluster routes: organization-wide logical clusters."""

from typing import Any

from fastapi import APIRouter

from cai_tui.server import wire
from cai_tui.server.bodies import ClusterCreate, ClusterUpdate
from cai_tui.server.context import CallerStore, Paging
from store import schemas

router = APIRouter(prefix="/api/v1/clusters", tags=["clusters"])
major = APIRouter(prefix="/api/v1/current_org", tags=["clusters"])


@major.get("/major_cluster")
def major_cluster(store: CallerStore) -> dict[str, Any]:
    """The organization's `default` cluster (it exists without being created)."""
    return wire.cluster(store.get_cluster(schemas.DEFAULT_CLUSTER))


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


@router.patch("/{cluster}")
def update_cluster(
    cluster: str, body: ClusterUpdate, store: CallerStore
) -> dict[str, Any]:
    """Change a cluster's description or kubeconfig; null or absent keeps a field."""
    update = schemas.ClusterUpdate(
        description=body.description, kube_config=body.kube_config
    )
    return wire.cluster(store.update_cluster(cluster, update))
