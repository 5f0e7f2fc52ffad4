"""The header of the dashboard: who looks, in which scope, and at which store."""

from cai_tui.settings import Settings, without_password
from store.interface import Store
from store.schemas import Caller


def title_of(store: Store, *, demo: bool, read_only: bool) -> str:
    """`ops-oncall of nv-inference · user scope`, then `--demo` and `read-only`."""
    caller = store.caller
    parts = [
        f"{caller.identity.user} of {caller.identity.org}",
        f"{caller.scope} scope",
    ]
    if demo:
        parts.append("--demo")
    if read_only:
        parts.append("read-only")
    return " · ".join(parts)


def where_of(store: Store) -> str:
    """Where the store lives, without the identity the title already shows."""
    caller = store.caller
    identity = caller.identity
    said = f" as {identity.user} of {identity.org} ({caller.scope} scope)"
    return store.describe().removesuffix(said)


def store_of(settings: Settings) -> str:
    """Where the settings point, for the scope screen: no password is shown."""
    if settings.is_remote:
        return f"the CAI API at {without_password(settings.cai_store)}"
    url = settings.store_url
    if url.startswith("sqlite:///"):
        return f"SQLite {url.removeprefix('sqlite:///')}"
    return without_password(url)


def scope_notice(asked: Caller | None, store: Store) -> str | None:
    """What to tell a user whose scope the store did not apply (a CAI API server
    decides it), or None when it applies the scope asked for."""
    if asked is None or asked.scope == store.caller.scope:
        return None
    return (
        f"The store applies {store.caller.scope} scope, not the {asked.scope} scope "
        "asked for: a CAI API server decides the scope itself."
    )
