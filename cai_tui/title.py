"""The header of the dashboard: who looks, in which scope, and at which store."""

from store.interface import Store


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
