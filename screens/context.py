"""What every data screen is given: the store, the clock and a few settings."""

from dataclasses import dataclass

from store.clock import Clock
from store.interface import Store
from store.schemas import DEFAULT_NAMESPACE


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
