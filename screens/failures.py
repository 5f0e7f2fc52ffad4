"""What the dashboard tells the user about a failure, and how loudly."""

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
            f"The store cannot be used ({doing})", error.message, hint, modal=True
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
    )
