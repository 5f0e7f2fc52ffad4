"""The `DeploymentManager` port: what a store needs of a DMS.

`cai_tui.dms` implements it twice: the embedded simulator and the HTTP client of the
DMS protocol (api_contract.md 5.2 and 8.12). Every method is blocking; the store runs
the calls of one write concurrently in threads, up to `CAI_DMS_CONCURRENCY`.
"""

from typing import Any, Protocol, runtime_checkable

from store.schemas import Frozen, ResourceKind, ResourceState


class ResourceRequest(Frozen):
    """One `POST /v1/deployments` of the DMS protocol."""

    kind: ResourceKind
    name: str
    namespace: str
    body: dict[str, Any]
    """The whole JSON body, as api_contract.md 5.2 spells it."""


class ResourceStatus(Frozen):
    """What the DMS says of one resource."""

    id: str
    name: str = ""
    namespace: str = ""
    state: ResourceState
    message: str = ""


@runtime_checkable
class DeploymentManager(Protocol):
    """A DMS: creates and deletes the custom resources of deployment targets.

    Every method raises `store.errors.DmsError` (or `DmsTimeout`) when the DMS fails,
    refuses, or does not answer in time.
    """

    def describe(self) -> str:
        """A short description for screens and logs, with no secrets."""
        ...

    def create(self, request: ResourceRequest) -> str:
        """Create one resource and return the id the DMS gave it. Never re-sent."""
        ...

    def delete(self, resource_id: str) -> None:
        """Delete one resource; a resource the DMS does not know counts as deleted."""
        ...

    def status(self, resource_id: str) -> ResourceStatus | None:
        """Read one resource; None when this DMS offers no reads.

        A resource the DMS does not know has state `unknown`.
        """
        ...

    def find(self, namespace: str, name: str) -> list[ResourceStatus] | None:
        """Resources with this name in this namespace; None when not offered."""
        ...
