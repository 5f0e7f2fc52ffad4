"""What the dashboard tells the user about a failure, and how loudly."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from store import errors


@dataclass(frozen=True)
class Failure:
    """A failure put in the user's words: a title, what happened, what to do."""

    title: str
    message: str
    hint: str
    modal: bool
    """Whether it takes a modal (an unusable store, a bug) or a notice does."""
    trace: BaseException | None = None
    """The error whose traceback the log should keep: only an unexpected one."""
    store_down: bool = False
    """The store could not be reached or used: what is shown may be out of date."""


def describe_failure(error: BaseException, doing: str, log_path: Path) -> Failure:
    """Explain `error`, which happened while `doing` something, without a traceback."""
    if isinstance(error, errors.Unavailable):
        hint = (
            "Run `cai-tui db upgrade` against this database, then start again."
            if isinstance(error, errors.SchemaOutdated)
            else "Check CAI_STORE and that the database or API is reachable; "
            "the screens retry on their own."
        )
        return Failure(
            f"The store cannot be used ({doing})",
            error.message,
            hint,
            modal=True,
            store_down=True,
        )
    if isinstance(error, errors.StoreError):
        title = type(error).__name__.replace("Dms", "DMS ")
        return Failure(title, error.message, "", modal=False)
    summary = f"{type(error).__name__}: {error}".splitlines()[0][:200]
    return Failure(
        f"Unexpected error while {doing}",
        summary,
        f"The details are in the log: {log_path}",
        modal=True,
        trace=error,
    )


class RepeatFilter:
    """Lets the same failure through once a minute, not on every refresh; a failure
    that comes back after the store answered again is new (`reset`)."""

    def __init__(
        self, seconds: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: tuple[str, float] | None = None

    def admit(self, message: str) -> bool:
        """Whether to show `message` now; showing it starts its quiet minute."""
        now = self._clock()
        if self._last is not None:
            last_message, at = self._last
            if message == last_message and now - at < self.seconds:
                return False
        self._last = (message, now)
        return True

    def reset(self) -> None:
        """Forget the last failure: the next one is shown whatever it says."""
        self._last = None
