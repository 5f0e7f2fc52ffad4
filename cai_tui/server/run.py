"""Build the CAI API from the settings, and serve it with uvicorn.

With `workers > 1` uvicorn runs that many processes on one listening socket. Each
builds its own app, database engine and DMS client with `app_from_environment`
(uvicorn's `factory=True`), from the settings this process passes down in the
environment; they share only the database, whose transactions keep the
one-active-revision rule and the `If-Match` checks across processes.
"""

import ipaddress
import logging
import os
from collections.abc import Mapping
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from cai_tui.settings import Settings, load_settings
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
    # Imported here: refusing to listen is said before the store's modules load.
    # alembic announces its plugins and context at INFO while the schema is only
    # checked: noise on a server's terminal, above the one line that matters.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from cai_tui.dms.factory import make_dms
    from cai_tui.server.app import create_app
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


TOKENS_FILE_ENV = "CAI_SERVE_TOKENS_FILE"
"""Where worker processes find the `--tokens` file of the command that started them."""

APP_FACTORY = "cai_tui.server.run:app_from_environment"


def app_from_environment() -> FastAPI:
    """The API of one worker process, built from the environment's settings.

    uvicorn calls it in each worker (`factory=True`), so every process has its own
    engine and connections; `serve` put the command line's choices in the
    environment before starting them.
    """
    from cai_tui.logs import setup_logging
    from cai_tui.server.tokens import load_tokens

    settings = load_settings()
    setup_logging(settings.log_path, echo=True)
    path = os.environ.get(TOKENS_FILE_ENV)
    return build_app(settings, tokens=load_tokens(Path(path)) if path else None)


def serve(
    host: str,
    port: int,
    settings: Settings,
    *,
    tokens: Mapping[str, Identity] | None = None,
    tokens_file: Path | None = None,
    trust_identity_headers: bool = False,
    workers: int = 1,
) -> None:
    """Serve the API on `host:port` until interrupted, in `workers` processes.

    Several workers need the tokens as a file (`tokens_file`), which each reads.
    """
    check_listening(
        host, tokens=bool(tokens), trust_identity_headers=trust_identity_headers
    )
    app = build_app(settings, tokens=tokens)
    if workers <= 1:
        uvicorn.run(app, host=host, port=port, log_level="info")
        return
    # The app built here only checks, before any worker starts, that the store
    # and the DMS can be used: a bad schema is then one message, not one a worker.
    app.state.close()
    os.environ["CAI_STORE"] = settings.store_url
    os.environ["CAI_READ_ONLY"] = "true" if settings.cai_read_only else "false"
    if tokens_file is not None:
        os.environ[TOKENS_FILE_ENV] = str(tokens_file.resolve())
    else:
        os.environ.pop(TOKENS_FILE_ENV, None)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
