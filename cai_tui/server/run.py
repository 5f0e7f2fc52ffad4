"""Build the CAI API from the settings, and serve it with uvicorn."""

import ipaddress
import logging
from collections.abc import Mapping

import uvicorn
from fastapi import FastAPI

from cai_tui.server.app import create_app
from cai_tui.settings import Settings
from store.clock import Clock, IdFactory, new_uuid, system_clock
from store.errors import Unavailable
from store.schemas import Identity

log = logging.getLogger(__name__)


def build_app(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    new_id: IdFactory = new_uuid,
    tokens: Mapping[str, Identity] | None = None,
) -> FastAPI:
    """The API over the local store and DMS the settings name.

    Raises `Unavailable` (or `SchemaOutdated`) when the store cannot be used, and
    when `CAI_STORE` names a remote API: a server serves a database of its own.
    With `tokens`, each request needs one of them, which names its caller.
    """
    from cai_tui.dms.factory import make_dms
    from store.database import Database

    if settings.is_remote:
        raise Unavailable(
            f"CAI_STORE is the CAI API at {settings.cai_store}: the server needs a "
            "database; set CAI_STORE to a file path or an SQLAlchemy URL"
        )
    db = Database.open(settings.store_url)
    dms = make_dms(settings, clock=clock, new_id=new_id)
    token = (
        settings.cai_api_token.get_secret_value() if settings.cai_api_token else None
    )
    log.info(
        "CAI API over %s with DMS %s, %s scope",
        db.describe(),
        dms.describe(),
        settings.resource_scope,
    )
    app = create_app(
        db,
        dms=dms,
        scope=settings.resource_scope,
        clock=clock,
        new_id=new_id,
        namespace=settings.default_kube_namespace,
        dms_concurrency=settings.cai_dms_concurrency,
        token=None if tokens else token or None,
        tokens=tokens,
        read_only=settings.cai_read_only,
        stuck_seconds=settings.cai_stuck_seconds,
    )
    # Whoever runs the app for a while (a replay) releases the connections after.
    app.state.close = db.dispose
    return app


LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address (only this machine can connect)."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ServeRefused(Exception):
    """The server is asked to listen in a way that would be unsafe."""


def check_listening(host: str, *, tokens: bool, trust_identity_headers: bool) -> None:
    """Refuse trusted identity headers on an address other machines can reach.

    Without tokens, anyone who can connect may claim any identity: that is only
    safe on loopback, or behind a proxy that sets the headers, which the operator
    confirms with `--trust-identity-headers`.
    """
    if tokens or trust_identity_headers or is_loopback(host):
        return
    raise ServeRefused(
        f"refusing to listen on {host} with trusted identity headers: anyone who "
        "can connect could act as anyone; give --tokens FILE, or "
        "--trust-identity-headers when an authenticating proxy sets them"
    )


def serve(
    host: str,
    port: int,
    settings: Settings,
    *,
    tokens: Mapping[str, Identity] | None = None,
    trust_identity_headers: bool = False,
) -> None:
    """Serve the API on `host:port` until interrupted."""
    check_listening(
        host, tokens=bool(tokens), trust_identity_headers=trust_identity_headers
    )
    app = build_app(settings, tokens=tokens)
    uvicorn.run(app, host=host, port=port, log_level="info")
