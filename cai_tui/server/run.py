"""Build the CAI API from the settings, and serve it with uvicorn."""

import logging

import uvicorn
from fastapi import FastAPI

from cai_tui.server.app import create_app
from cai_tui.settings import Settings
from store.clock import Clock, IdFactory, new_uuid, system_clock
from store.errors import Unavailable

log = logging.getLogger(__name__)


def build_app(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    new_id: IdFactory = new_uuid,
) -> FastAPI:
    """The API over the local store and DMS the settings name.

    Raises `Unavailable` (or `SchemaOutdated`) when the store cannot be used, and
    when `CAI_STORE` names a remote API: a server serves a database of its own.
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
        token=token or None,
        read_only=settings.cai_read_only,
        stuck_seconds=settings.cai_stuck_seconds,
    )
    # Whoever runs the app for a while (a replay) releases the connections after.
    app.state.close = db.dispose
    return app


def serve(host: str, port: int, settings: Settings) -> None:
    """Serve the API on `host:port` until interrupted."""
    app = build_app(settings)
    uvicorn.run(app, host=host, port=port, log_level="info")
