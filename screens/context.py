"""What every data screen is given: the store, the clock and a few settings."""

from dataclasses import dataclass

from store.clock import Clock
from store.interface import Store


@dataclass(frozen=True)
class ScreenContext:
    """The store a screen reads and how it reads it."""

    store: Store
    clock: Clock
    stuck_seconds: float = 900.0
    """A deployment `deploying` longer than this is flagged as stuck."""
