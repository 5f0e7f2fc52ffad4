"""The Store interface: a small class of paged reads, gets and writes.

A store is bound to one caller (identity and scope) when it is made; the scope rules
are applied inside it, so what is out of scope is `NotFound` for every read and
write. `LocalStore` implements it on SQLAlchemy, `RemoteStore` on the CAI API.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from store.errors import NotFound
from store.schemas import (
    ALL_DEPLOYMENTS,
    ANY_REVISION,
    FIRST_PAGE,
    Caller,
    ClusterSpec,
    ClusterUpdate,
    ClusterView,
    DeploymentDetail,
    DeploymentQuery,
    DeploymentSpec,
    DeploymentSummary,
    ImageBuildStatus,
    LeftoverView,
    NimSpec,
    NimUpdate,
    NimView,
    OperationView,
    Page,
    PageRequest,
    RevisionView,
    TargetSpec,
    VersionSpec,
    VersionView,
    WritePreview,
)


@dataclass(frozen=True)
class DeploymentListing:
    """A page of deployment details with what rendering them refers to.

    An addition for the API, which shows each deployment's cluster and each
    target's NIM version: a store may read them with the page, and what it leaves
    out the renderer looks up.
    """

    page: Page[DeploymentDetail]
    clusters: Mapping[str, ClusterView] = field(default_factory=dict)
    """Clusters of the page's deployments by name (`deployment_count` left at 0)."""
    versions: Mapping[tuple[str, str], tuple[VersionView, NimView] | None] = field(
        default_factory=dict
    )
    """By (NIM, version): each version the active targets name, with its NIM, or
    None when it is gone or out of scope."""


class Store(ABC):
    """Everything the dashboard and the API server do with CAI data."""

    @property
    @abstractmethod
    def caller(self) -> Caller:
        """Who this store acts for, and in which scope."""

    @abstractmethod
    def describe(self) -> str:
        """Where the data lives, for the header and logs (no secrets)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the default has nothing to release."""

    # --- reads -------------------------------------------------------------------

    @abstractmethod
    def list_clusters(self, page: PageRequest = FIRST_PAGE) -> Page[ClusterView]:
        """The organization's clusters, newest first, with deployment counts."""

    @abstractmethod
    def get_cluster(self, name: str) -> ClusterView:
        """One cluster of the caller's organization."""

    @abstractmethod
    def list_deployments(
        self, query: DeploymentQuery = ALL_DEPLOYMENTS
    ) -> Page[DeploymentSummary]:
        """Deployments in scope: of one cluster or all, searched, filtered, paged."""

    @abstractmethod
    def get_deployment(
        self, cluster: str, name: str, namespace: str | None = None
    ) -> DeploymentDetail:
        """One deployment with its active revision."""

    def deployment_details(
        self, page: Page[DeploymentSummary]
    ) -> list[DeploymentDetail]:
        """Each row of a page with its active revision (an addition for the API).

        A row deleted since the page was read comes back as it was listed. This
        default reads them one by one; a store may read them all at once.
        """
        details = []
        for row in page.items:
            try:
                detail = self.get_deployment(row.cluster, row.name, row.namespace)
            except NotFound:
                detail = DeploymentDetail(**row.model_dump())
            details.append(detail)
        return details

    def list_deployment_details(
        self, query: DeploymentQuery = ALL_DEPLOYMENTS
    ) -> Page[DeploymentDetail]:
        """A page of `list_deployments`, each row with its active revision (an
        addition for the API). This default reads the page, then its details; a
        store may read both at once."""
        page = self.list_deployments(query)
        return Page(
            items=tuple(self.deployment_details(page)),
            total=page.total,
            start=page.start,
            next_cursor=page.next_cursor,
            prev_cursor=page.prev_cursor,
        )

    def list_deployment_listing(
        self, query: DeploymentQuery = ALL_DEPLOYMENTS
    ) -> DeploymentListing:
        """`list_deployment_details` with the clusters and NIM versions it names
        (an addition for the API). This default reads the page alone."""
        return DeploymentListing(page=self.list_deployment_details(query))

    def get_cluster_brief(self, name: str) -> ClusterView:
        """One cluster, whose `deployment_count` a store may leave at 0 (cheaper)."""
        return self.get_cluster(name)

    @abstractmethod
    def list_revisions(
        self, cluster: str, deployment: str, page: PageRequest = FIRST_PAGE
    ) -> Page[RevisionView]:
        """A deployment's history, newest first, each revision with its targets."""

    @abstractmethod
    def get_revision(self, cluster: str, deployment: str, uid: str) -> RevisionView:
        """One revision of one deployment (another deployment's uid is NotFound)."""

    @abstractmethod
    def list_nims(self, page: PageRequest = FIRST_PAGE) -> Page[NimView]:
        """Compound NIMs in scope, by name, searchable."""

    @abstractmethod
    def get_nim(self, name: str) -> NimView:
        """One Compound NIM."""

    @abstractmethod
    def list_versions(
        self, nim: str, page: PageRequest = FIRST_PAGE
    ) -> Page[VersionView]:
        """Versions of one NIM, newest first."""

    @abstractmethod
    def get_version(self, nim: str, version: str) -> VersionView:
        """One version of one NIM."""

    def get_version_and_nim(
        self, nim: str, version: str
    ) -> tuple[VersionView, NimView]:
        """One version of one NIM, and that NIM (an addition for the API, which
        shows both in every target). This default reads them one after the other;
        a store may read both at once."""
        return self.get_version(nim, version), self.get_nim(nim)

    @abstractmethod
    def list_operations(
        self,
        page: PageRequest = FIRST_PAGE,
        cluster: str | None = None,
        deployment: str | None = None,
    ) -> Page[OperationView]:
        """Recorded writes in scope, newest first; of one deployment if named."""

    @abstractmethod
    def list_leftovers(self) -> list[LeftoverView]:
        """DMS resources left over by writes, still to be deleted."""

    # --- writes ------------------------------------------------------------------

    @abstractmethod
    def create_cluster(self, spec: ClusterSpec) -> ClusterView:
        """Create a cluster in the caller's organization."""

    @abstractmethod
    def create_deployment(
        self,
        cluster: str,
        spec: DeploymentSpec,
        reason: str = "",
        *,
        target_uids: Sequence[str] | None = None,
    ) -> DeploymentDetail:
        """Create a deployment and deploy its first revision.

        `target_uids`, from a `WritePreview`, gives the new targets the uids (and so
        the DMS resource names) the preview showed; None makes new ones.
        """

    @abstractmethod
    def roll_out(
        self,
        cluster: str,
        name: str,
        targets: tuple[TargetSpec, ...],
        *,
        expected_active: str | None = ANY_REVISION,
        reason: str = "",
        rolled_back_from: str | None = None,
        namespace: str | None = None,
        target_uids: Sequence[str] | None = None,
        description: str | None = None,
    ) -> DeploymentDetail:
        """Roll out a new active revision with these targets.

        `expected_active` is the active revision uid the caller saw (None: it saw
        none); `ANY_REVISION` skips the check. A stale one raises `StaleRevision`.
        `target_uids` is as for `create_deployment`. A `description` is stored with
        the new revision (None leaves it as it is); a failed roll out keeps neither.
        """

    @abstractmethod
    def roll_back(
        self,
        cluster: str,
        name: str,
        revision_uid: str,
        *,
        expected_active: str | None = ANY_REVISION,
        reason: str = "",
        target_uids: Sequence[str] | None = None,
    ) -> DeploymentDetail:
        """Roll out a copy of an earlier revision's targets."""

    @abstractmethod
    def deactivate(
        self,
        cluster: str,
        name: str,
        *,
        expected_active: str | None = ANY_REVISION,
        reason: str = "",
        namespace: str | None = None,
    ) -> DeploymentDetail:
        """Deactivate (terminate) the active revision and delete its resources."""

    @abstractmethod
    def delete_deployment(
        self,
        cluster: str,
        name: str,
        *,
        expected_active: str | None = ANY_REVISION,
        reason: str = "",
        namespace: str | None = None,
    ) -> DeploymentDetail:
        """Delete a deployment that has no active revision; returns it as it was."""

    @abstractmethod
    def set_kube_ids(
        self,
        cluster: str,
        name: str,
        ids: Mapping[str, tuple[str, str]],
        *,
        namespace: str | None = None,
        description: str | None = None,
    ) -> DeploymentDetail:
        """Write Kubernetes ids into active targets (v1 PATCH `do_not_deploy`).

        `ids` maps a NIM tag `name:version` to `(kubeResourceUid,
        kubeResourceVersion)`; every active target with that tag gets them in its
        config and nothing else changes: no new revision, no DMS call, no status
        change. Tags no active target has are ignored. `description`, if given, is
        stored too.
        """

    # --- previews: dry runs of the writes, offered by read-only stores too --------

    @abstractmethod
    def preview_create(self, cluster: str, spec: DeploymentSpec) -> WritePreview:
        """What `create_deployment` would do; raises what the write would refuse."""

    @abstractmethod
    def preview_roll_out(
        self,
        cluster: str,
        name: str,
        targets: tuple[TargetSpec, ...],
        *,
        namespace: str | None = None,
    ) -> WritePreview:
        """What `roll_out` would do: the diff from the active revision and DMS calls."""

    @abstractmethod
    def preview_roll_back(
        self, cluster: str, name: str, revision_uid: str
    ) -> WritePreview:
        """What `roll_back` to this revision would do."""

    @abstractmethod
    def preview_deactivate(self, cluster: str, name: str) -> WritePreview:
        """What `deactivate` would do: delete the active revision's resources."""

    @abstractmethod
    def preview_delete(self, cluster: str, name: str) -> WritePreview:
        """What `delete_deployment` would do (no DMS call)."""

    @abstractmethod
    def sync_status(
        self, cluster: str, name: str, namespace: str | None = None
    ) -> DeploymentDetail:
        """Read the active revision's resources from the DMS and store the status."""

    @abstractmethod
    def retry_leftovers(self) -> list[LeftoverView]:
        """Try again to delete every leftover resource; return those still left."""

    @abstractmethod
    def create_nim(self, spec: NimSpec) -> NimView:
        """Create a Compound NIM."""

    @abstractmethod
    def create_version(self, nim: str, spec: VersionSpec) -> VersionView:
        """Create a version of a Compound NIM."""

    @abstractmethod
    def set_image_build_status(
        self, nim: str, version: str, status: ImageBuildStatus
    ) -> VersionView:
        """Record how a version's image build went."""

    # --- edits (additions for the API's PATCH routes) -----------------------------

    @abstractmethod
    def update_cluster(self, name: str, update: ClusterUpdate) -> ClusterView:
        """Change a cluster's description or kubeconfig."""

    @abstractmethod
    def update_nim(self, name: str, update: NimUpdate) -> NimView:
        """Change a Compound NIM's description or labels."""

    @abstractmethod
    def update_version(self, nim: str, version: str, update: NimUpdate) -> VersionView:
        """Change a version's description, labels, manifest or build time."""
