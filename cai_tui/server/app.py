"""The CAI API application: one FastAPI app over a shared local-store database.

Each request gets its own `LocalStore`, bound to the caller its identity headers
name. Handlers are plain functions, run by FastAPI in its thread pool, because the
store blocks; at most `CONCURRENT_REQUESTS` of them run at once.
"""

import hmac
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from starlette import types as asgi

import cai_tui
from cai_tui.server import (
    audit,
    clusters,
    deployments,
    deployments_v2,
    errors,
    meta,
    nims,
)
from cai_tui.server.context import ServerContext, context_of
from cai_tui.server.tokens import identity_of_token
from store.clock import Clock, IdFactory
from store.database import Database
from store.dms import DeploymentManager
from store.interface import Store
from store.schemas import DEFAULT_NAMESPACE, Caller, Identity, Scope

SQLITE_HANDLERS = 2
"""Handlers run at once over SQLite, whose queries run in this process too."""
SERVER_DATABASE_HANDLERS = 4
"""Handlers run at once over PostgreSQL: while some wait for its answers, others
compute."""
# Python runs one thread at a time: beyond the few that keep the database busy
# while another computes, more threads only take turns on the interpreter lock and
# every request waits for all of them (anyio's default is 40 threads). Requests
# beyond these wait their turn in order, which keeps the slowest close to the rest.


@asynccontextmanager
async def bounded_threads(app: FastAPI) -> AsyncIterator[None]:
    """Run at most the context's `handler_threads` handlers at once."""
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = context_of_app(app).handler_threads
    yield


def context_of_app(app: FastAPI) -> ServerContext:
    """The server context `assemble` gave `app`."""
    context: ServerContext = app.state.context
    return context


def create_app(
    db: Database,
    *,
    dms: DeploymentManager,
    scope: Scope,
    clock: Clock,
    new_id: IdFactory,
    namespace: str = DEFAULT_NAMESPACE,
    dms_concurrency: int = 8,
    token: str | None = None,
    tokens: Mapping[str, Identity] | None = None,
    read_only: bool = False,
    stuck_seconds: float = 900,
) -> FastAPI:
    """The CAI API over `db`, with `dms` for every write.

    With `token`, every `/api` route asks for `Authorization: Bearer <token>`; with
    `tokens`, for one of them, and the token names the caller.
    """
    from store.local import LocalStore

    def open_store(caller: Caller) -> Store:
        return LocalStore(
            db,
            caller,
            dms,
            clock=clock,
            new_id=new_id,
            dms_concurrency=dms_concurrency,
            read_only=read_only,
            stuck_seconds=stuck_seconds,
        )

    context = ServerContext(
        open_store=open_store,
        scope=scope,
        namespace=namespace,
        version=cai_tui.__version__,
        new_id=new_id,
        token=token,
        tokens=tokens,
        handler_threads=SQLITE_HANDLERS if db.is_sqlite else SERVER_DATABASE_HANDLERS,
    )
    return assemble(context)


def assemble(context: ServerContext) -> FastAPI:
    """The app's routes, error mapping and authentication around `context`."""
    app = FastAPI(
        lifespan=bounded_threads,
        title="CAI API (cai-tui)",
        version=context.version,
        description="Clusters, deployments and Compound NIMs of the CAI control plane.",
    )
    app.state.context = context
    errors.install(app)
    app.add_middleware(JsonByDefault)

    app.include_router(meta.health)
    api = APIRouter(dependencies=[Depends(_require_token)])
    for router in (
        meta.router,
        clusters.router,
        clusters.major,
        deployments.router,
        deployments_v2.router,
        *nims.routers,
        audit.router,
    ):
        api.include_router(router)
    app.include_router(api)
    return app


UNAUTHORIZED = (
    "missing or wrong bearer token: send `Authorization: Bearer <token>` with a "
    "token this server was given (CAI_API_TOKEN)"
)


async def _require_token(request: Request) -> None:
    """Refuse a request without a valid bearer token, when the server asks for one.

    With a tokens file the token also names the caller. The refusal is the same
    whatever the request names, so it tells nothing about what exists.
    """
    context = context_of(request)
    if not context.token and not context.tokens:
        return
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    given = given.strip() if scheme.lower() == "bearer" else ""
    if context.tokens:
        identity = identity_of_token(context.tokens, given) if given else None
        if identity is not None:
            request.state.identity = identity
            return
    elif given and hmac.compare_digest(given.encode(), (context.token or "").encode()):
        return
    raise HTTPException(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})


class JsonByDefault:
    """ASGI middleware reading a body sent without `Content-Type` as JSON.

    The original server decoded every body as JSON whatever its headers said, and
    clients of it (curl without `-H`, scripts) rely on that.
    """

    def __init__(self, app: asgi.ASGIApp) -> None:
        self.app = app

    async def __call__(
        self, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send
    ) -> None:
        """Add `Content-Type: application/json` to a request that has none."""
        if scope["type"] == "http":
            headers = scope["headers"]
            if not any(name == b"content-type" for name, _ in headers):
                scope = {
                    **scope,
                    "headers": [*headers, (b"content-type", b"application/json")],
                }
        await self.app(scope, receive, send)
