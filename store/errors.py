"""The errors every store raises.

A small hierarchy, mapped once: to a notification or modal in the dashboard and to a
status code in the API server. Every message names the thing and the fix.
"""


class StoreError(Exception):
    """Base of every error a store raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(StoreError):
    """The thing does not exist, or is out of the caller's scope (HTTP 404)."""


class InvalidInput(StoreError):
    """What the caller sent is wrong and can be fixed by the caller (HTTP 400)."""


class Conflict(StoreError):
    """The write clashes with the current state (HTTP 409)."""


class NameTaken(Conflict):
    """A name that must be unique is already used."""


class StaleRevision(Conflict):
    """The active revision is not the one the caller last saw."""


class ReadOnly(StoreError):
    """The store was opened read-only and refuses writes."""


class Unavailable(StoreError):
    """The database (or remote API) cannot be used right now (HTTP 503)."""


class SchemaOutdated(Unavailable):
    """The database schema is older than this program; `cai-tui db upgrade` fixes it."""


class DmsError(StoreError):
    """The deployment management service failed or refused a call (HTTP 502)."""


class DmsTimeout(DmsError):
    """The deployment management service did not answer in time (HTTP 504)."""
