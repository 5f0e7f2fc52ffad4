"""Deployment routes of `/api/v1`: lists, one deployment, its writes and revisions.

`DEP` below is `/api/v1/clusters/{cluster}/namespaces/{namespace}/deployments/{name}`.
Every deployment response carries `ETag: "<active revision uid>"` (or `"none"`), the
value a later write sends back as `If-Match`.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from cai_tui.server import wire
from cai_tui.server.bodies import (
    DeploymentV1Create,
    DeploymentV1Update,
    PreviewBody,
    RollBackBody,
)
from cai_tui.server.context import (
    MAX_COUNT,
    CallerStore,
    ExpectedActive,
    Paging,
    Reason,
    etag,
)
from store.errors import InvalidInput
from store.interface import Store
from store.schemas import (
    MAX_START,
    DeploymentDetail,
    DeploymentQuery,
    DeploymentSort,
    DeploymentStatus,
    WritePreview,
)

router = APIRouter(prefix="/api/v1", tags=["deployments"])

DEP = "/clusters/{cluster}/namespaces/{namespace}/deployments/{name}"


def deployment_response(
    store: Store, detail: DeploymentDetail, *, v2: bool = False
) -> JSONResponse:
    """A deployment rendered for the wire, with its `ETag`."""
    body = wire.Renderer(store).deployment(detail, v2=v2)
    return JSONResponse(body, headers={"ETag": etag(detail.active_revision_uid)})


def list_page(store: Store, query: DeploymentQuery, count: int) -> JSONResponse:
    """A page of deployments in the list envelope.

    The store reads the page with the clusters and NIM versions it shows, in one
    transaction. The body is plain JSON already, so it is answered as is:
    FastAPI's encoding of a returned dict would walk it again and cost as much as
    the page itself.
    """
    listing = store.list_deployment_listing(query)
    renderer = wire.Renderer.of_listing(store, listing)
    items = [renderer.deployment(detail) for detail in listing.page.items]
    return JSONResponse(wire.envelope(listing.page, count, items))


@dataclass(frozen=True)
class DeploymentFilters:
    """The query parameters of a deployment list (all but paging are additions)."""

    count: int
    query: DeploymentQuery

    def of(self, **narrowing: Any) -> DeploymentQuery:
        """The query, narrowed to a cluster or a NIM."""
        return self.query.model_copy(update=narrowing)


async def deployment_filters(
    start: Annotated[int, Query(ge=0, le=MAX_START)] = 0,
    count: Annotated[int, Query(ge=0, le=MAX_COUNT)] = 20,
    search: Annotated[str, Query(description="Substring of the name.")] = "",
    status: Annotated[DeploymentStatus | None, Query()] = None,
    namespace: Annotated[str | None, Query()] = None,
    sort: Annotated[DeploymentSort, Query()] = "created_at",
    order: Annotated[Literal["asc", "desc"], Query()] = "desc",
    after: Annotated[str | None, Query(description="Cursor: page after.")] = None,
    before: Annotated[str | None, Query(description="Cursor: page before.")] = None,
    in_cluster: Annotated[
        str | None,
        Query(
            alias="in_cluster",
            description="Only this cluster's (on routes without one in the path).",
        ),
    ] = None,
) -> DeploymentFilters:
    """The filters of a list request (a coroutine: see `cai_tui.server.context`)."""
    query = DeploymentQuery(
        search=search,
        status=status,
        namespace=namespace,
        sort=sort,
        descending=order == "desc",
        limit=count,
        after=after,
        before=before,
        start=start,
        cluster=in_cluster,
    )
    return DeploymentFilters(count=count, query=query)


Filters = Annotated[DeploymentFilters, Depends(deployment_filters)]


@router.get("/deployment_creation_json_schema")
def deployment_creation_json_schema() -> dict[str, Any]:
    """A JSON Schema of the v1 create body (informational)."""
    schema = DeploymentV1Create.model_json_schema()
    return {"$schema": "http://json-schema.org/draft-04/schema#", **schema}


@router.get("/deployments")
def list_all_deployments(store: CallerStore, filters: Filters) -> JSONResponse:
    """Deployments of every cluster of the caller's organization, in scope."""
    return list_page(store, filters.of(), filters.count)


@router.get("/clusters/{cluster}/deployments")
def list_cluster_deployments(
    cluster: str, store: CallerStore, filters: Filters
) -> JSONResponse:
    """Deployments of one cluster, in scope (a missing cluster is 404)."""
    return list_page(store, filters.of(cluster=cluster), filters.count)


@router.post("/clusters/{cluster}/deployments")
def create_deployment(
    cluster: str, body: DeploymentV1Create, store: CallerStore
) -> JSONResponse:
    """Create a deployment and deploy its first revision."""
    detail = store.create_deployment(
        cluster, body.to_spec(), reason=body.reason, target_uids=body.target_uids
    )
    return deployment_response(store, detail)


@router.post("/clusters/{cluster}/deployments/preview")
def preview_create(
    cluster: str, body: DeploymentV1Create, store: CallerStore
) -> dict[str, Any]:
    """What creating this deployment would do, changing nothing (an addition).

    Answers a `WritePreview`: the revision diff and every DMS request it would send;
    send its `target_uids` with the create to get exactly these resource names.
    """
    return preview_json(store.preview_create(cluster, body.to_spec()))


@router.get("/clusters/{cluster}/deployments/{name}")
def get_deployment_by_name(cluster: str, name: str, store: CallerStore) -> JSONResponse:
    """One deployment found by name alone, whatever its namespace (an addition).

    Names are unique per cluster, so the namespace is not needed to find it.
    """
    return deployment_response(store, store.get_deployment(cluster, name))


def preview_json(preview: WritePreview) -> dict[str, Any]:
    """A write preview as JSON (the view model's own field names)."""
    return preview.model_dump(mode="json")


@router.get(DEP)
def get_deployment(
    cluster: str, namespace: str, name: str, store: CallerStore
) -> JSONResponse:
    """One deployment with its active revision."""
    return deployment_response(store, store.get_deployment(cluster, name, namespace))


@router.patch(DEP)
def update_deployment(
    cluster: str,
    namespace: str,
    name: str,
    body: DeploymentV1Update,
    store: CallerStore,
    expected: ExpectedActive,
) -> JSONResponse:
    """Roll out a new revision with these targets, and store `description` if given.

    With `do_not_deploy: true` nothing is rolled out: each active target whose tag
    a request target has gets that target's `kubeResourceUid` and
    `kubeResourceVersion`, and `description` is stored if given.
    """
    if body.do_not_deploy:
        detail = store.set_kube_ids(
            cluster,
            name,
            body.kube_ids(),
            namespace=namespace,
            description=body.description,
        )
    else:
        detail = store.roll_out(
            cluster,
            name,
            body.to_targets(),
            expected_active=expected,
            reason=body.reason,
            rolled_back_from=body.rolled_back_from,
            namespace=namespace,
            target_uids=body.target_uids,
            description=body.description,
        )
    return deployment_response(store, detail)


@router.post(DEP + "/preview")
def preview_write(
    cluster: str, namespace: str, name: str, body: PreviewBody, store: CallerStore
) -> dict[str, Any]:
    """What a roll out, roll back, deactivate or delete would do (an addition).

    Changes nothing. Send the answer's `active_revision_uid` as `If-Match` and its
    `target_uids` with the write to make it do exactly what was previewed.
    """
    store.get_deployment(cluster, name, namespace)
    if body.write == "roll_out":
        targets = tuple(target.to_target() for target in body.targets)
        preview = store.preview_roll_out(cluster, name, targets, namespace=namespace)
    elif body.write == "roll_back":
        if not body.revision_uid:
            raise InvalidInput("a roll back preview needs `revision_uid`: add it")
        preview = store.preview_roll_back(cluster, name, body.revision_uid)
    elif body.write == "deactivate":
        preview = store.preview_deactivate(cluster, name)
    else:
        preview = store.preview_delete(cluster, name)
    return preview_json(preview)


@router.post(DEP + "/terminate")
def terminate_deployment(
    cluster: str,
    namespace: str,
    name: str,
    store: CallerStore,
    expected: ExpectedActive,
    reason: Reason = "",
) -> JSONResponse:
    """Deactivate the active revision and delete its DMS resources."""
    detail = store.deactivate(
        cluster, name, expected_active=expected, reason=reason, namespace=namespace
    )
    return deployment_response(store, detail)


@router.delete(DEP)
def delete_deployment(
    cluster: str,
    namespace: str,
    name: str,
    store: CallerStore,
    expected: ExpectedActive,
    reason: Reason = "",
) -> JSONResponse:
    """Delete a deployment with no active revision; answers it as it was."""
    detail = store.delete_deployment(
        cluster, name, expected_active=expected, reason=reason, namespace=namespace
    )
    return deployment_response(store, detail)


@router.post(DEP + "/sync_status")
def sync_status(
    cluster: str, namespace: str, name: str, store: CallerStore
) -> JSONResponse:
    """Read the active revision's resources from the DMS and store the status."""
    return deployment_response(store, store.sync_status(cluster, name, namespace))


@router.post(DEP + "/roll_back")
def roll_back(
    cluster: str,
    namespace: str,
    name: str,
    body: RollBackBody,
    store: CallerStore,
    expected: ExpectedActive,
) -> JSONResponse:
    """Roll out a copy of an earlier revision's targets (an addition)."""
    store.get_deployment(cluster, name, namespace)
    detail = store.roll_back(
        cluster,
        name,
        body.revision_uid,
        expected_active=expected,
        reason=body.reason,
        target_uids=body.target_uids,
    )
    return deployment_response(store, detail)


@router.get(DEP + "/revisions")
def list_revisions(
    cluster: str, namespace: str, name: str, store: CallerStore, paging: Paging
) -> JSONResponse:
    """The deployment's history, newest first, each revision with its targets."""
    store.get_deployment(cluster, name, namespace)
    page = store.list_revisions(cluster, name, paging)
    renderer = wire.Renderer(store)
    items = [renderer.revision(r) for r in page.items]
    return JSONResponse(wire.envelope(page, paging.count, items))


@router.get(DEP + "/revisions/{uid}")
def get_revision(
    cluster: str, namespace: str, name: str, uid: str, store: CallerStore
) -> dict[str, Any]:
    """One revision of this deployment (another deployment's uid is 404)."""
    store.get_deployment(cluster, name, namespace)
    return wire.Renderer(store).revision(store.get_revision(cluster, name, uid))


@router.get(DEP + "/operations")
def list_deployment_operations(
    cluster: str, namespace: str, name: str, store: CallerStore, paging: Paging
) -> dict[str, Any]:
    """The recorded writes of this deployment, newest first (an addition)."""
    store.get_deployment(cluster, name, namespace)
    page = store.list_operations(paging, cluster=cluster, deployment=name)
    return wire.envelope(page, paging.count, [wire.operation(o) for o in page.items])
