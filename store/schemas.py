"""Plain typed view models and write specs: what crosses the Store interface.

Screens and the API server see only these, never ORM rows. Every model is immutable.
"""

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Scope = Literal["user", "organization"]
ImageBuildStatus = Literal["pending", "building", "success", "failed"]
RevisionStatus = Literal["active", "inactive"]
DeploymentStatus = Literal[
    "unknown",
    "non-deployed",
    "deploying",
    "image-building",
    "image-build-failed",
    "running",
    "unhealthy",
    "failed",
    "terminating",
    "terminated",
]
ResourceState = Literal[
    "image-building",
    "image-build-failed",
    "deploying",
    "running",
    "unhealthy",
    "failed",
    "terminating",
    "unknown",
]
ResourceKind = Literal["CompoundAINimDeployment", "CompoundAINimRequest"]
DeploymentSort = Literal[
    "name", "cluster", "namespace", "status", "creator", "created_at", "updated_at"
]

DEPLOYMENT_STATUSES: tuple[str, ...] = DeploymentStatus.__args__  # type: ignore[attr-defined]
IMAGE_BUILD_STATUSES: tuple[str, ...] = ImageBuildStatus.__args__  # type: ignore[attr-defined]
SEVERITY: tuple[ResourceState, ...] = (
    "failed",
    "image-build-failed",
    "unhealthy",
    "image-building",
    "deploying",
    "running",
)
"""Resource states from most to least serious: a deployment shows the first present."""

DEFAULT_NAMESPACE = "compoundai"
DEFAULT_CLUSTER = "default"
ANY_REVISION = "*"
"""`expected_active` value that skips the optimistic-concurrency check."""

T = TypeVar("T")


class Frozen(BaseModel):
    """Base of every view model and spec: immutable, unknown fields ignored."""

    # Schemas are built on first use (in a worker), not at import: start-up stays quick.
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class Identity(Frozen):
    """Who the caller is."""

    org: str = "default"
    user: str = "default"


class Caller(Frozen):
    """An identity and the scope it works in."""

    identity: Identity = Field(default_factory=Identity)
    scope: Scope = "user"


# --- target config ------------------------------------------------------------------


class ResourceItem(Frozen):
    """Requests or limits of one service."""

    cpu: str | None = None
    memory: str | None = None
    gpu: str | None = None
    custom: dict[str, str] | None = None


class Resources(Frozen):
    """Resource requests and limits."""

    requests: ResourceItem | None = None
    limits: ResourceItem | None = None


class Scaling(Frozen):
    """Replica bounds of one service."""

    min_replicas: int = Field(default=1, ge=0)
    max_replicas: int = Field(default=1, ge=0)


class ExternalService(Frozen):
    """A selector of a service outside the pipeline."""

    deployment_selector_key: str = ""
    deployment_selector_value: str = ""


class ServiceConfig(Frozen):
    """The config of one service of a target: replicas and resources."""

    scaling: Scaling = Field(default_factory=Scaling)
    resources: Resources = Field(default_factory=Resources)
    external_services: dict[str, ExternalService] | None = None
    cold_start_timeout: int | None = None


class TargetConfig(Frozen):
    """The whole config of a target: every service, and the v1 wire fields."""

    services: dict[str, ServiceConfig] = Field(default_factory=dict)
    resources: Resources | None = None
    hpa_conf: dict[str, Any] | None = None
    enable_ingress: bool | None = None
    deployment_strategy: str | None = None
    external_services: dict[str, ExternalService] | None = None
    cold_start_timeout: int | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    """v1 config fields kept as sent (debug flags and the like), and the two
    Kubernetes ids a `do_not_deploy` patch writes (`KUBE_ID_FIELDS`)."""

    def without_kube_ids(self) -> "TargetConfig":
        """This config with the Kubernetes ids dropped, as every new target has."""
        if not any(key in self.extra for key in KUBE_ID_FIELDS):
            return self
        kept = {k: v for k, v in self.extra.items() if k not in KUBE_ID_FIELDS}
        return self.model_copy(update={"extra": kept})


KUBE_UID = "kubeResourceUid"
KUBE_VERSION = "kubeResourceVersion"
KUBE_ID_FIELDS = (KUBE_UID, KUBE_VERSION)
"""The v1 config fields only a `do_not_deploy` patch sets; blank on a new target."""


# --- write specs ---------------------------------------------------------------------


class TargetSpec(Frozen):
    """One target to deploy: a NIM tag and its config."""

    nim: str
    version: str
    config: TargetConfig = Field(default_factory=TargetConfig)

    @property
    def tag(self) -> str:
        """The NIM tag `name:version`."""
        return f"{self.nim}:{self.version}"


class ClusterSpec(Frozen):
    """A cluster to create."""

    name: str
    description: str = ""
    kube_config: str = ""


class ClusterUpdate(Frozen):
    """Changes to a cluster; None leaves a field as it is."""

    description: str | None = None
    kube_config: str | None = None


class DeploymentSpec(Frozen):
    """A deployment to create, with the targets of its first revision."""

    name: str
    namespace: str = DEFAULT_NAMESPACE
    description: str = ""
    targets: tuple[TargetSpec, ...] = ()


class Label(Frozen):
    """A key/value label."""

    key: str
    value: str = ""


class NimSpec(Frozen):
    """A Compound NIM to create."""

    name: str
    description: str = ""
    labels: tuple[Label, ...] = ()


class VersionSpec(Frozen):
    """A Compound NIM version to create."""

    version: str
    description: str = ""
    labels: tuple[Label, ...] = ()
    manifest: dict[str, Any] | None = None
    build_at: datetime | None = None
    image_build_status: ImageBuildStatus = "pending"


class NimUpdate(Frozen):
    """Changes to a Compound NIM or one of its versions; None leaves a field as is.

    `manifest` and `build_at` apply to versions only.
    """

    description: str | None = None
    labels: tuple[Label, ...] | None = None
    manifest: dict[str, Any] | None = None
    build_at: datetime | None = None


# --- paging --------------------------------------------------------------------------

MAX_START = 1_000_000_000
"""The largest offset a page may start at: beyond any list, within every database's
integers."""


class PageRequest(Frozen):
    """Offset paging of a plain list."""

    start: int = Field(default=0, ge=0, le=MAX_START)
    count: int = Field(default=20, ge=0, le=1000)
    search: str = ""


class DeploymentQuery(Frozen):
    """A page of deployments: filtered, sorted and paged in SQL.

    Give `after` (or `before`) a cursor from a previous page for keyset paging; `start`
    is plain offset paging, for the API.
    """

    cluster: str | None = None
    """Only this cluster's deployments; None for all clusters."""
    namespace: str | None = None
    search: str = ""
    status: DeploymentStatus | None = None
    sort: DeploymentSort = "updated_at"
    descending: bool = True
    limit: int = Field(default=50, ge=0, le=1000)
    after: str | None = None
    before: str | None = None
    start: int = Field(default=0, ge=0, le=MAX_START)
    nim: str | None = None
    """Only deployments whose active revision runs this NIM."""
    version: str | None = None
    """With `nim`: only those running this exact version."""


FIRST_PAGE = PageRequest.model_construct()
"""The default page of a plain list (made without validation, so at no import cost)."""

ALL_DEPLOYMENTS = DeploymentQuery.model_construct()
"""The default deployment query: every deployment in scope, newest change first."""


class Page(Frozen, Generic[T]):
    """One page of a list, with the total of matching rows before paging."""

    items: tuple[T, ...]
    total: int
    start: int = 0
    next_cursor: str | None = None
    """Cursor of the page after this one; None on the last page."""
    prev_cursor: str | None = None
    """Cursor of the page before this one; None on the first page."""


# --- views ---------------------------------------------------------------------------


class ClusterView(Frozen):
    """A cluster as a list or a detail shows it."""

    uid: str
    name: str
    description: str
    organization: str
    creator: str
    created_at: datetime
    updated_at: datetime
    has_kube_config: bool
    deployment_count: int = 0
    """Deployments in this cluster that the caller can see."""


class DmsResourceView(Frozen):
    """One DMS resource of a target, and what the DMS last said of it."""

    kind: ResourceKind
    name: str
    resource_id: str | None
    state: ResourceState | None = None
    message: str = ""


class TargetView(Frozen):
    """One target of a revision: its NIM tag, whole config and DMS resources."""

    uid: str
    nim: str
    version: str
    config: TargetConfig
    creator: str
    created_at: datetime
    resources: tuple[DmsResourceView, ...] = ()

    @property
    def tag(self) -> str:
        """The NIM tag `name:version`."""
        return f"{self.nim}:{self.version}"


class RevisionView(Frozen):
    """One entry of a deployment's history."""

    uid: str
    status: RevisionStatus
    creator: str
    created_at: datetime
    updated_at: datetime
    targets: tuple[TargetView, ...] = ()
    rolled_back_from: str | None = None
    """Uid of the revision this one copies, for a roll back."""
    reason: str = ""
    summary: str = ""
    """What changed from the revision before it in history (`summarize`)."""

    @property
    def tags(self) -> tuple[str, ...]:
        """The NIM tags of this revision's targets."""
        return tuple(t.tag for t in self.targets)


class DeploymentSummary(Frozen):
    """A deployment as a list row shows it."""

    uid: str
    name: str
    cluster: str
    namespace: str
    description: str
    status: DeploymentStatus
    creator: str
    organization: str
    created_at: datetime
    updated_at: datetime
    active_revision_uid: str | None
    tags: tuple[str, ...] = ()
    """NIM tags of the active revision."""


class DeploymentDetail(DeploymentSummary):
    """A deployment with its active revision."""

    active_revision: RevisionView | None = None
    revision_count: int = 0
    status_changed_at: datetime | None = None


class NimView(Frozen):
    """A Compound NIM (the `name` of `name:version`)."""

    uid: str
    name: str
    description: str
    labels: tuple[Label, ...] = ()
    creator: str
    organization: str
    created_at: datetime
    updated_at: datetime
    version_count: int = 0
    latest_version: str | None = None


class VersionView(Frozen):
    """A Compound NIM version: a built pipeline and its services."""

    uid: str
    nim: str
    version: str
    description: str
    labels: tuple[Label, ...] = ()
    manifest: dict[str, Any] | None = None
    image_build_status: ImageBuildStatus
    build_at: datetime | None = None
    creator: str
    created_at: datetime
    updated_at: datetime

    @property
    def tag(self) -> str:
        """The NIM tag `name:version`."""
        return f"{self.nim}:{self.version}"

    @property
    def services(self) -> tuple[str, ...]:
        """The services its manifest lists, in order."""
        listed = (self.manifest or {}).get("services") or []
        return tuple(str(s) for s in listed)


class OperationView(Frozen):
    """One recorded write: who, what, when, and how it ended."""

    uid: str
    kind: str
    organization: str
    user: str
    cluster: str | None
    deployment: str | None
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    """`running`, `succeeded`, `failed`, `conflict` or `refused`."""
    message: str = ""
    reason: str = ""


class LeftoverView(Frozen):
    """A DMS resource a write could not delete, retried on later syncs."""

    resource_id: str
    kind: ResourceKind
    name: str
    namespace: str
    deployment: str
    cluster: str
    error: str
    recorded_at: datetime
    attempts: int = 0


# --- diffs and previews --------------------------------------------------------------

ChangeKind = Literal["added", "removed", "changed"]
WriteKind = Literal["create", "roll_out", "roll_back", "deactivate", "delete"]


class FieldChange(Frozen):
    """One difference between two revisions, for a side-by-side view.

    `path` starts with the target (its NIM name), then the service and field, e.g.
    `llm-agg.VllmWorker.resources.limits.gpu`; `old` and `new` are the JSON values
    (None where the field is absent on that side).
    """

    path: str
    kind: ChangeKind
    old: Any = None
    new: Any = None
    target: str = ""
    """The NIM name of the target the change belongs to."""
    field: str = ""
    """The path inside the target (`tag`, `VllmWorker.scaling.max_replicas`, ...)."""


class RevisionDiff(Frozen):
    """What differs between an old revision (or none) and a new one."""

    old_uid: str | None = None
    new_uid: str | None = None
    old_tags: tuple[str, ...] = ()
    new_tags: tuple[str, ...] = ()
    changes: tuple[FieldChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Whether both sides are the same."""
        return not self.changes


class PlannedCall(Frozen):
    """One DMS request a write will send, exactly as it will be sent."""

    method: Literal["POST", "DELETE"]
    path: str
    body: dict[str, Any] | None = None
    kind: ResourceKind
    name: str
    namespace: str


class WritePreview(Frozen):
    """A dry run of a write: what changes, and the DMS requests it will send.

    Pass `active_revision_uid` back as the write's `expected_active` and
    `target_uids` as its `target_uids`: the new targets then get exactly these uids,
    so the resource names of the create requests shown here are the ones the DMS
    receives.
    """

    kind: WriteKind
    cluster: str
    deployment: str
    namespace: str
    active_revision_uid: str | None
    diff: RevisionDiff
    calls: tuple[PlannedCall, ...] = ()
    target_uids: tuple[str, ...] = ()
    effect: str = ""
    """What happens to the current revision, in one sentence."""
    rolled_back_from: str | None = None
