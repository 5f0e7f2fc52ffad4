"""What every data screen is given: the store, the clock and a few settings."""

from dataclasses import dataclass

from cai_tui.settings import Settings
from store.clock import Clock
from store.interface import Store
from store.schemas import DEFAULT_NAMESPACE

FOLLOW_SECONDS = 1.0
"""A write's progress is worth a faster sync than the refresh."""


@dataclass(frozen=True)
class ScreenContext:
    """The store a screen reads and how it reads it."""

    store: Store
    clock: Clock
    stuck_seconds: float = 900.0
    """A deployment `deploying` longer than this is flagged as stuck."""
    read_only: bool = False
    """Hide and refuse every write action (`--read-only`, `CAI_READ_ONLY`)."""
    namespace: str = DEFAULT_NAMESPACE
    """The namespace a new deployment gets unless the user types another."""
    follow_seconds: float = 1.0
    """How often a deployment's status is read while it settles after a write."""
    demo: bool = False
    """The store is the throw-away demo store (`cai-tui --demo`)."""

    @classmethod
    def of(
        cls, store: Store, clock: Clock, settings: Settings, *, demo: bool = False
    ) -> "ScreenContext":
        """The context the settings describe, over an open store."""
        return cls(
            demo=demo,
            store=store,
            clock=clock,
            stuck_seconds=settings.cai_stuck_seconds,
            read_only=settings.cai_read_only,
            namespace=settings.default_kube_namespace,
            follow_seconds=min(FOLLOW_SECONDS, settings.cai_refresh_seconds),
        )
