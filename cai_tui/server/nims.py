"""Compound NIM and version routes, served by cai-tui itself.

The same routes answer under `/api/v1/compound_nims/{nim}/versions/...` and under
the original's alias tree `/api/v1/bento_repositories/{nim}/bentos/...`. Upload and
download routes answer 501: cai-tui keeps no build artifacts.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from cai_tui.server import wire
from cai_tui.server.bodies import (
    ImageBuildStatusBody,
    NimCreate,
    NimUpdate,
    VersionCreate,
    VersionUpdate,
)
from cai_tui.server.context import CallerStore, Paging
from cai_tui.server.deployments import Filters, list_page
from cai_tui.server.errors import error_body
from store import schemas

_TRANSFERS = (
    ("PATCH", "start_multipart_upload"),
    ("PATCH", "presign_multipart_upload_url"),
    ("PATCH", "complete_multipart_upload"),
    ("PATCH", "presign_upload_url"),
    ("PATCH", "presign_download_url"),
    ("PATCH", "start_upload"),
    ("PATCH", "finish_upload"),
    ("PUT", "upload"),
    ("GET", "download"),
)


def nim_router(collection: str, versions: str) -> APIRouter:
    """The NIM routes under `/api/v1/<collection>/{nim}/<versions>`."""
    router = APIRouter(prefix=f"/api/v1/{collection}", tags=["compound nims"])
    nim_path = "/{nim}"
    version_path = f"/{{nim}}/{versions}/{{version}}"

    @router.post("")
    def create_nim(body: NimCreate, store: CallerStore) -> dict[str, Any]:
        """Create a Compound NIM."""
        return wire.Renderer(store).nim(store.create_nim(body.to_spec()))

    @router.get("")
    def list_nims(store: CallerStore, paging: Paging) -> dict[str, Any]:
        """Compound NIMs in scope, by name."""
        page = store.list_nims(paging)
        renderer = wire.Renderer(store)
        return wire.envelope(page, paging.count, [renderer.nim(v) for v in page.items])

    @router.get(nim_path)
    def get_nim(nim: str, store: CallerStore) -> dict[str, Any]:
        """One Compound NIM."""
        return wire.Renderer(store).nim(store.get_nim(nim))

    @router.patch(nim_path)
    def update_nim(nim: str, body: NimUpdate, store: CallerStore) -> dict[str, Any]:
        """Change a Compound NIM's description or labels; null keeps a field."""
        update = schemas.NimUpdate(
            description=body.description, labels=body.label_tuple()
        )
        return wire.Renderer(store).nim(store.update_nim(nim, update))

    @router.get(nim_path + "/deployments")
    def list_nim_deployments(
        nim: str, store: CallerStore, filters: Filters
    ) -> JSONResponse:
        """Deployments in scope whose active revision runs this NIM."""
        store.get_nim(nim)
        return list_page(store, filters.of(nim=nim), filters.count)

    @router.post(f"{nim_path}/{versions}")
    def create_version(
        nim: str, body: VersionCreate, store: CallerStore
    ) -> dict[str, Any]:
        """Create a version of a Compound NIM."""
        return wire.Renderer(store).version(store.create_version(nim, body.to_spec()))

    @router.get(f"{nim_path}/{versions}")
    def list_versions(nim: str, store: CallerStore, paging: Paging) -> dict[str, Any]:
        """Versions of one NIM, newest first."""
        page = store.list_versions(nim, paging)
        renderer = wire.Renderer(store)
        return wire.envelope(
            page, paging.count, [renderer.version(v) for v in page.items]
        )

    @router.get(version_path)
    def get_version(nim: str, version: str, store: CallerStore) -> dict[str, Any]:
        """One version of one NIM."""
        return wire.Renderer(store).version(store.get_version(nim, version))

    @router.patch(version_path)
    def update_version(
        nim: str, version: str, body: VersionUpdate, store: CallerStore
    ) -> dict[str, Any]:
        """Change a version's description, labels, manifest or build time."""
        update = schemas.NimUpdate(
            description=body.description,
            labels=body.label_tuple(),
            manifest=body.manifest,
            build_at=body.build_at,
        )
        view = store.update_version(nim, version, update)
        return wire.Renderer(store).version(view)

    @router.patch(version_path + "/update_image_build_status")
    def update_image_build_status(
        nim: str, version: str, body: ImageBuildStatusBody, store: CallerStore
    ) -> dict[str, Any]:
        """Record how the version's image build went."""
        view = store.set_image_build_status(nim, version, body.image_build_status)
        return wire.Renderer(store).version(view)

    @router.get(version_path + "/deployments")
    def list_version_deployments(
        nim: str, version: str, store: CallerStore, filters: Filters
    ) -> JSONResponse:
        """Deployments in scope whose active revision runs exactly this tag."""
        store.get_version(nim, version)
        query = filters.of(nim=nim, version=version)
        return list_page(store, query, filters.count)

    for method, action in _TRANSFERS:
        router.add_api_route(
            f"{version_path}/{action}",
            _not_implemented,
            methods=[method],
            status_code=501,
            summary=f"{action.replace('_', ' ').capitalize()}: not implemented",
            description="cai-tui keeps no build artifacts: always answers 501.",
        )
    return router


def _not_implemented() -> Any:
    return error_body(
        501,
        "cai-tui keeps no build artifacts: upload and download are not implemented; "
        "register versions with POST .../versions instead",
    )


routers = (
    nim_router("compound_nims", "versions"),
    nim_router("bento_repositories", "bentos"),
)
