"""What every request handler needs: the caller's store, paging and `If-Match`.

The server holds one `ServerContext`; each request gets a store bound to the caller
named by its `Nv-Ngc-Org` and `Nv-Actor-Id` headers, closed when the request ends.

These dependencies only read the request, so they are coroutines: FastAPI runs them
on the event loop, where a plain function would take a turn of the thread pool
each (and queue behind the handlers there when the server is busy).
"""

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from store.clock import IdFactory, new_uuid
from store.errors import InvalidInput
from store.interface import Store
from store.schemas import (
    ANY_REVISION,
    MAX_START,
    Caller,
    Identity,
    PageRequest,
    Scope,
)

DEFAULT_IDENTITY = "default"
MAX_COUNT = 1000


@dataclass(frozen=True)
class ServerContext:
    """The server's shared parts, set once by `create_app`."""

    open_store: Callable[[Caller], Store]
    """Makes a store bound to one caller (cheap: one per request). It is called,
    and the store closed, on the event loop: neither may block."""
    scope: Scope
    namespace: str
    """Namespace of new deployments and of every v2 route."""
    version: str
    new_id: IdFactory = new_uuid
    """Salts generated deployment names."""
    token: str | None = None
    """One bearer token every `/api` request must carry (identity from headers)."""
    tokens: Mapping[str, Identity] | None = None
    """Bearer tokens naming identities; when set, identity headers are ignored."""
    handler_threads: int = 4
    """Request handlers run at once (in threads); later requests wait their turn."""


def context_of(request: Request) -> ServerContext:
    """The server context of the app serving `request`."""
    context: ServerContext = request.app.state.context
    return context


def caller_of(request: Request) -> Caller:
    """The caller: named by its token when the server has tokens, else by the
    identity headers (`default` when missing or empty)."""
    context = context_of(request)
    identity: Identity | None = getattr(request.state, "identity", None)
    if identity is None:
        org = request.headers.get("Nv-Ngc-Org", "").strip() or DEFAULT_IDENTITY
        user = request.headers.get("Nv-Actor-Id", "").strip() or DEFAULT_IDENTITY
        identity = Identity(org=org, user=user)
    return Caller(identity=identity, scope=context.scope)


async def caller_store(request: Request) -> AsyncIterator[Store]:
    """The caller's store for the length of one request."""
    store = context_of(request).open_store(caller_of(request))
    try:
        yield store
    finally:
        store.close()


async def page_request(
    start: Annotated[
        int, Query(ge=0, le=MAX_START, description="Offset of the first item.")
    ] = 0,
    count: Annotated[
        int, Query(ge=0, le=MAX_COUNT, description="Page size (default 20).")
    ] = 20,
    search: Annotated[str, Query(description="Substring of the name.")] = "",
) -> PageRequest:
    """The `start`, `count` and `search` query parameters of a list route."""
    return PageRequest(start=start, count=count, search=search)


async def expected_active(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='`"<uid of the active revision you saw>"`, or `"none"`.',
        ),
    ] = None,
) -> str | None:
    """The active revision the caller last saw, from `If-Match`.

    Absent (or `*`) skips the check; `"none"` means the caller saw no active revision.
    """
    if if_match is None or not if_match.strip() or if_match.strip() == "*":
        return ANY_REVISION
    value = if_match.strip().removeprefix("W/").strip()
    if len(value) < 2 or not (value.startswith('"') and value.endswith('"')):
        raise InvalidInput(
            f"If-Match `{if_match}` is not a quoted revision uid: send "
            '`If-Match: "<uid>"`, or `"none"` when no revision was active'
        )
    uid = value[1:-1]
    return None if uid == "none" else uid


def etag(active_revision_uid: str | None) -> str:
    """The `ETag` of a deployment response: its active revision uid, or `none`."""
    return f'"{active_revision_uid or "none"}"'


CallerStore = Annotated[Store, Depends(caller_store)]
Paging = Annotated[PageRequest, Depends(page_request)]
ExpectedActive = Annotated[str | None, Depends(expected_active)]
Reason = Annotated[
    str, Query(description="Why the write is made, kept in the audit record.")
]
