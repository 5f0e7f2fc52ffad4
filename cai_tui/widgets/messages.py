"""Messages the screens send to the app."""

from dataclasses import dataclass

from textual.message import Message


@dataclass
class WorkFailed(Message):
    """A worker of a screen raised; the app shows what went wrong and what to do."""

    error: BaseException
    doing: str
    """What the worker was doing, in a few words, such as `loading deployments`."""


class StoreAnswered(Message):
    """A screen's worker read from the store: it is reachable (again)."""
