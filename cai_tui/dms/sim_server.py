"""The simulator served over HTTP: the DMS protocol plus control routes.

The DMS routes are those of api_contract.md 5.2 and 8.12. The control routes, under
`/_sim`, inject failures and list resources for tests and demos. Failures answer with
`{"error": ...}`: 500 for an injected error, 409 for a name already live, and 504 after
the stall of a stalled call. An id the simulator does not know reads as state
`unknown` (200), because a 404 to a read means "this DMS offers no reads".
"""

import logging
from typing import Annotated, Any

import uvicorn
from fastapi import Body, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from cai_tui.dms.simulator import DEFAULT_STALL_SECONDS, ResourceExists, Simulator
from store.dms import ResourceRequest, ResourceStatus
from store.errors import DmsError, DmsTimeout, InvalidInput
from store.schemas import ResourceKind

log = logging.getLogger(__name__)


class DeploymentBody(BaseModel):
    """A `POST /v1/deployments` body; other fields are kept in the stored body."""

    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    """A Kubernetes name: an RFC 1123 label."""
    namespace: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    type: ResourceKind
    configuration: Any = None


class FailBody(BaseModel):
    """A `POST /_sim/fail` body."""

    operation: str
    """`create` or `delete`; the simulator says so when it is neither."""
    nth: int = Field(default=1, ge=1, le=1_000_000)
    mode: str = "error"
    stall_seconds: float = Field(
        default=DEFAULT_STALL_SECONDS, ge=0, le=3600, allow_inf_nan=False
    )
    message: str = Field(default="", max_length=1000)


def create_app(simulator: Simulator) -> FastAPI:
    """A FastAPI app serving the DMS protocol over `simulator`."""
    app = FastAPI(title="cai-tui DMS simulator", docs_url=None, redoc_url=None)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        what = first.get("msg", "invalid request")
        return _error(400, f"{where}: {what}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(ResourceExists)
    async def exists(_: Request, exc: ResourceExists) -> JSONResponse:
        return _error(409, exc.message)

    @app.exception_handler(DmsTimeout)
    async def stalled(_: Request, exc: DmsTimeout) -> JSONResponse:
        return _error(504, exc.message)

    @app.exception_handler(DmsError)
    async def failed(_: Request, exc: DmsError) -> JSONResponse:
        return _error(500, exc.message)

    @app.exception_handler(InvalidInput)
    async def invalid(_: Request, exc: InvalidInput) -> JSONResponse:
        return _error(400, exc.message)

    # Plain `def` routes: FastAPI runs them in its thread pool, where the
    # simulator's blocking SQLite calls and stalls belong.

    @app.post("/v1/deployments")
    def create(raw: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        try:
            spec = DeploymentBody.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise InvalidInput(f"{where}: {first['msg']}") from None
        request = ResourceRequest(
            kind=spec.type, name=spec.name, namespace=spec.namespace, body=raw
        )
        resource_id = simulator.create(request)
        answer = _resource(simulator.status(resource_id))
        answer["configuration"] = spec.configuration
        return answer

    @app.delete("/v1/deployments/{resource_id}")
    def delete(resource_id: str) -> dict[str, Any]:
        simulator.delete(resource_id)
        return {"id": resource_id}

    @app.get("/v1/deployments/{resource_id}")
    def status(resource_id: str) -> dict[str, Any]:
        return _resource(simulator.status(resource_id))

    @app.get("/v1/deployments")
    def find(namespace: str, name: str) -> dict[str, Any]:
        return {"items": [_resource(s) for s in simulator.find(namespace, name)]}

    @app.post("/_sim/fail")
    def fail(body: FailBody) -> dict[str, Any]:
        simulator.fail_on(
            body.operation,
            body.nth,
            mode=body.mode,
            message=body.message,
            stall_seconds=body.stall_seconds,
        )
        return {"ok": True}

    @app.post("/_sim/reset")
    def reset() -> dict[str, Any]:
        simulator.reset_failures()
        return {"ok": True}

    @app.get("/_sim/resources")
    def resources(namespace: str | None = None) -> dict[str, Any]:
        return {"items": [_resource(s) for s in simulator.resources(namespace)]}

    return app


def serve(host: str, port: int, simulator: Simulator) -> None:
    """Serve the simulator with uvicorn until interrupted."""
    log.info("serving %s on http://%s:%d", simulator.describe(), host, port)
    uvicorn.run(create_app(simulator), host=host, port=port, log_level="info")


def _resource(status: ResourceStatus) -> dict[str, Any]:
    return {
        "id": status.id,
        "name": status.name,
        "namespace": status.namespace,
        "status": {"status": status.state, "message": status.message},
    }


def _error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=code)
