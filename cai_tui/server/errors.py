"""Every error the API answers, in one body shape: `{"error": "<what and the fix>"}`.

Store errors are mapped to status codes here, once. FastAPI's own validation errors
become 400s naming the field, unknown routes 404 and wrong methods 405; anything
unexpected is logged and answered 500 without a traceback.
"""

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from store import errors

log = logging.getLogger(__name__)

STATUS_OF: tuple[tuple[type[errors.StoreError], int], ...] = (
    (errors.InvalidInput, 400),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    # Read-only is the server's policy, not a clash with the data: 403 says so.
    (errors.ReadOnly, 403),
    (errors.Unavailable, 503),
    (errors.DmsTimeout, 504),
    (errors.DmsError, 502),
)
"""Store error -> status; the first matching class wins (subclasses come first)."""


ERROR_KIND_HEADER = "X-Cai-Error"
"""Names the store error class (an addition), so a client tells conflicts apart."""


def error_body(status: int, message: str, kind: str | None = None) -> JSONResponse:
    """The one error response shape; `kind` goes in the `X-Cai-Error` header."""
    headers = {ERROR_KIND_HEADER: kind} if kind else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def status_of(error: errors.StoreError) -> int:
    """The HTTP status of a store error."""
    for kind, status in STATUS_OF:
        if isinstance(error, kind):
            return status
    return 500


def describe_validation(problems: Sequence[Any]) -> str:
    """One sentence naming the first invalid field of a request and what it needs."""
    if not problems:
        return "the request is invalid"
    problem = problems[0]
    kind = str(problem.get("type", ""))
    location = [str(part) for part in problem.get("loc", ())]
    if kind == "json_invalid":
        return "the body is not valid JSON: send a JSON object"
    where = location[0] if location else "body"
    field = ".".join(location[1:])
    if where == "body" and not field:
        return (
            "the body is missing or not a JSON object: send a JSON object "
            "(Content-Type: application/json)"
        )
    message = str(problem.get("msg", "is invalid"))
    if kind == "missing":
        return f"{_place(where)} `{field}` is required: add it"
    return f"{_place(where)} `{field}` is invalid: {message[:1].lower()}{message[1:]}"


def _place(where: str) -> str:
    return {"query": "query parameter", "header": "header", "path": "path part"}.get(
        where, "body field"
    )


async def _store_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.StoreError)
    status = status_of(exc)
    if status >= 500:
        log.warning("%s %s -> %d: %s", request.method, request.url.path, status, exc)
    return error_body(status, exc.message, type(exc).__name__)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_body(400, describe_validation(exc.errors()))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = (
            f"no route {request.url.path}: see /openapi.json for the routes "
            "this server offers"
        )
    elif exc.status_code == 405:
        message = (
            f"{request.method} is not allowed on {request.url.path}: "
            "see /openapi.json for the methods each route accepts"
        )
    else:
        message = str(exc.detail)
    return JSONResponse(
        {"error": message}, status_code=exc.status_code, headers=exc.headers
    )


class CatchAll:
    """ASGI middleware answering 500 `{"error": ...}` for an unexpected exception.

    The exception is logged with its traceback; the body names only the request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; turn an exception escaping it into a 500."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if started:
                raise
            response = error_body(
                500,
                f"internal error on {scope['method']} {scope['path']}: "
                "the server log has the details",
            )
            await response(scope, receive, send)


def install(app: FastAPI) -> None:
    """Install the error mapping on `app`."""
    app.add_exception_handler(errors.StoreError, _store_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_middleware(CatchAll)
