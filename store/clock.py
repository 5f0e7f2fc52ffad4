"""Clocks and id generators a store is given, so tests and replays can set time."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware in UTC."""

IdFactory = Callable[[], str]
"""Returns a new unique id."""


def system_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


def new_uuid() -> str:
    """A random UUID in its canonical text form."""
    return str(uuid.uuid4())


class PinnedClock:
    """A clock that can be pinned to a time (for replays and tests).

    Unpinned, it follows the system clock.
    """

    def __init__(self, at: datetime | None = None) -> None:
        self._at = at

    def __call__(self) -> datetime:
        return self._at if self._at is not None else system_clock()

    def pin(self, at: datetime) -> None:
        """Pin to `at` (a naive time is taken as UTC)."""
        self._at = at if at.tzinfo else at.replace(tzinfo=UTC)

    def advance(self, seconds: float) -> None:
        """Move a pinned clock forward."""
        self._at = self() + timedelta(seconds=seconds)

    def unpin(self) -> None:
        """Follow the system clock again."""
        self._at = None


class SequentialIds:
    """Deterministic UUID-shaped ids, for snapshot tests and reproducible demos."""

    def __init__(self, prefix: str = "00000000") -> None:
        self._prefix = prefix
        self._next = 0

    def __call__(self) -> str:
        self._next += 1
        return f"{self._prefix}-0000-4000-8000-{self._next:012d}"
