"""Deployment routes of `/api/v2`: one NIM tag with every service's config.

Every route takes the query parameter `cluster` (default `default`) and works in the
server's default namespace.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from cai_tui.server.bodies import DeploymentV2Create, DeploymentV2Update
from cai_tui.server.context import CallerStore, ExpectedActive, context_of
from cai_tui.server.deployments import deployment_response
from store.schemas import DEFAULT_CLUSTER

router = APIRouter(prefix="/api/v2/deployments", tags=["deployments v2"])

ClusterParam = Annotated[
    str, Query(description="The deployment's cluster.", min_length=1)
]


@router.post("")
def create_deployment(
    request: Request,
    body: DeploymentV2Create,
    store: CallerStore,
    cluster: ClusterParam = DEFAULT_CLUSTER,
) -> JSONResponse:
    """Create a deployment of one NIM tag and deploy it.

    Without a `name`, one is made from the tag (always a valid RFC 1035 label).
    """
    context = context_of(request)
    store.get_cluster_brief(cluster)
    spec = body.to_spec(context.namespace, salt=context.new_id())
    detail = store.create_deployment(cluster, spec, reason=body.reason)
    return deployment_response(store, detail, v2=True)


@router.get("/{name}")
def get_deployment(
    request: Request,
    name: str,
    store: CallerStore,
    cluster: ClusterParam = DEFAULT_CLUSTER,
) -> JSONResponse:
    """One deployment of the server's namespace."""
    namespace = context_of(request).namespace
    detail = store.get_deployment(cluster, name, namespace)
    return deployment_response(store, detail, v2=True)


@router.put("/{name}")
def update_deployment(
    request: Request,
    name: str,
    body: DeploymentV2Update,
    store: CallerStore,
    expected: ExpectedActive,
    cluster: ClusterParam = DEFAULT_CLUSTER,
) -> JSONResponse:
    """Roll out a new revision running this tag with these services."""
    namespace = context_of(request).namespace
    detail = store.roll_out(
        cluster,
        name,
        (body.to_target(),),
        expected_active=expected,
        reason=body.reason,
        namespace=namespace,
    )
    return deployment_response(store, detail, v2=True)


@router.post("/{name}/terminate")
def terminate_deployment(
    request: Request,
    name: str,
    store: CallerStore,
    expected: ExpectedActive,
    cluster: ClusterParam = DEFAULT_CLUSTER,
) -> JSONResponse:
    """Deactivate the active revision and delete its DMS resources."""
    namespace = context_of(request).namespace
    detail = store.deactivate(
        cluster, name, expected_active=expected, namespace=namespace
    )
    return deployment_response(store, detail, v2=True)


@router.delete("/{name}")
def delete_deployment(
    request: Request,
    name: str,
    store: CallerStore,
    expected: ExpectedActive,
    cluster: ClusterParam = DEFAULT_CLUSTER,
) -> JSONResponse:
    """Delete a deployment with no active revision; answers it as it was."""
    namespace = context_of(request).namespace
    detail = store.delete_deployment(
        cluster, name, expected_active=expected, namespace=namespace
    )
    return deployment_response(store, detail, v2=True)
