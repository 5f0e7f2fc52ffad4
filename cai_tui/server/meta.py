"""Health, server information and the caller's identity."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from cai_tui.server import wire
from cai_tui.server.context import caller_of, context_of
from store.clock import system_clock
from store.schemas import Caller

health = APIRouter(tags=["health"])
router = APIRouter(prefix="/api/v1", tags=["server"])


@health.get("/healthz")
def healthz() -> str:
    """Liveness: the process answers."""
    return "ok"


@health.get("/readyz")
def readyz() -> str:
    """Readiness: the process answers requests."""
    return "ok"


@router.get("/info")
def info(request: Request) -> dict[str, Any]:
    """What kind of server this is, and the scope it applies."""
    context = context_of(request)
    return {
        "is_saas": False,
        "saas_domain_suffix": "",
        "resource_scope": context.scope,
        "version": context.version,
        "default_kube_namespace": context.namespace,
    }


@router.get("/version")
def version(request: Request) -> dict[str, Any]:
    """The server's version."""
    return {"version": context_of(request).version, "git_commit": "", "build_date": ""}


@router.get("/auth/current")
def current_user(caller: Annotated[Caller, Depends(caller_of)]) -> dict[str, Any]:
    """The caller's own identity: `name` is its user id, with its organization."""
    now = system_clock()
    return {
        **wire.user(caller.identity.user, now),
        "organization": wire.organization(caller.identity.org, now),
        "resource_scope": caller.scope,
    }
