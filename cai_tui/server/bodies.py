"""Request bodies of the CAI API, and their translation into store specs.

Unknown fields are ignored, as the original server did. A wrong type or a missing
required field never reaches a handler: FastAPI rejects it, and `app.py` turns that
into a 400 naming the field.
"""

import hashlib
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
)
from pydantic_core import PydanticCustomError

from store.errors import InvalidInput
from store.names import MAX_LABEL, split_tag
from store.schemas import (
    KUBE_ID_FIELDS,
    ClusterSpec,
    DeploymentSpec,
    ExternalService,
    ImageBuildStatus,
    Label,
    NimSpec,
    ResourceItem,
    Resources,
    Scaling,
    ServiceConfig,
    TargetConfig,
    TargetSpec,
    VersionSpec,
)


class Body(BaseModel):
    """Base of every request body: unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")


# --- shared pieces ----------------------------------------------------------------


def _check_manifest(manifest: dict[str, Any] | None) -> dict[str, Any] | None:
    services = (manifest or {}).get("services")
    if services is None:
        return manifest
    if not isinstance(services, list) or not all(
        isinstance(name, str) and name.strip() for name in services
    ):
        raise PydanticCustomError(
            "manifest_services",
            '`services` must be a list of service names, such as ["Frontend", '
            '"Processor"]',
        )
    return manifest


Manifest = Annotated[dict[str, Any] | None, AfterValidator(_check_manifest)]
"""A version's manifest: any object; its `services`, when given, a list of names."""


class ResourceItemBody(Body):
    """Requests or limits: cpu, memory, gpu and custom resources."""

    cpu: str | None = None
    memory: str | None = None
    gpu: str | None = None
    custom: dict[str, str] | None = None

    def to_item(self) -> ResourceItem:
        """The store's form, with empty strings dropped as the original did."""
        return ResourceItem(
            cpu=self.cpu or None,
            memory=self.memory or None,
            gpu=self.gpu or None,
            custom=self.custom or None,
        )


class ResourcesBody(Body):
    """Resource requests and limits."""

    requests: ResourceItemBody | None = None
    limits: ResourceItemBody | None = None

    def to_resources(self) -> Resources:
        """The store's form."""
        return Resources(
            requests=self.requests.to_item() if self.requests else None,
            limits=self.limits.to_item() if self.limits else None,
        )


class ExternalServiceBody(Body):
    """A selector of a service outside the pipeline (either key spelling)."""

    deployment_selector_key: str = Field(
        default="",
        validation_alias=AliasChoices(
            "deployment_selector_key", "deploymentSelectorKey"
        ),
    )
    deployment_selector_value: str = Field(
        default="",
        validation_alias=AliasChoices(
            "deployment_selector_value", "deploymentSelectorValue"
        ),
    )

    def to_external(self) -> ExternalService:
        """The store's form."""
        return ExternalService(
            deployment_selector_key=self.deployment_selector_key,
            deployment_selector_value=self.deployment_selector_value,
        )


def _externals(
    given: dict[str, ExternalServiceBody] | None,
) -> dict[str, ExternalService] | None:
    if not given:
        return None
    return {name: body.to_external() for name, body in given.items()}


class LabelBody(Body):
    """A key/value label."""

    key: str
    value: str = ""


# --- clusters ---------------------------------------------------------------------


class ClusterCreate(Body):
    """`POST /api/v1/clusters`."""

    name: str
    description: str | None = ""
    kube_config: str | None = ""

    def to_spec(self) -> ClusterSpec:
        """The store's cluster spec."""
        return ClusterSpec(
            name=self.name,
            description=self.description or "",
            kube_config=self.kube_config or "",
        )


# --- v2 deployments ---------------------------------------------------------------


class ScalingBody(Body):
    """Replica bounds of one service."""

    min_replicas: int = Field(default=1, ge=0)
    max_replicas: int = Field(default=1, ge=0)


class ConfigOverridesBody(Body):
    """What a v2 service overrides: its resources."""

    resources: ResourcesBody = ResourcesBody()


class ServiceBody(Body):
    """One service of a v2 deployment request."""

    scaling: ScalingBody = ScalingBody()
    config_overrides: ConfigOverridesBody = ConfigOverridesBody()
    external_services: dict[str, ExternalServiceBody] | None = None
    cold_start_timeout: int | None = Field(default=None, ge=0)

    def to_service(self) -> ServiceConfig:
        """The store's per-service config."""
        return ServiceConfig(
            scaling=Scaling(
                min_replicas=self.scaling.min_replicas,
                max_replicas=self.scaling.max_replicas,
            ),
            resources=self.config_overrides.resources.to_resources(),
            external_services=_externals(self.external_services),
            cold_start_timeout=self.cold_start_timeout,
        )


class DeploymentV2Update(Body):
    """`PUT /api/v2/deployments/{name}`: the NIM tag and every service's config."""

    bento: str
    services: dict[str, ServiceBody]
    access_authorization: Any = None
    """Accepted and ignored, as the original did."""
    envs: Any = None
    """Accepted and ignored."""
    secrets: Any = None
    """Accepted and ignored."""
    reason: str = ""
    """Why the change is made, kept in the revision and the audit record."""

    def to_target(self) -> TargetSpec:
        """The one target this request deploys, keeping every service."""
        nim, version = split_tag(self.bento)
        if not self.services:
            raise InvalidInput(
                "services is empty: give at least one service, for example "
                '{"Frontend": {"scaling": {"min_replicas": 1, "max_replicas": 1}}}'
            )
        services = {name: body.to_service() for name, body in self.services.items()}

        # The v1 wire fields show the first service, as v1 clients expect.
        first = next(iter(services.values()))
        config = TargetConfig(
            services=services,
            resources=first.resources,
            hpa_conf={
                "min_replicas": first.scaling.min_replicas,
                "max_replicas": first.scaling.max_replicas,
            },
            enable_ingress=False,
            external_services=first.external_services,
            cold_start_timeout=first.cold_start_timeout,
        )
        return TargetSpec(nim=nim, version=version, config=config)


class DeploymentV2Create(DeploymentV2Update):
    """`POST /api/v2/deployments`: an update with an optional name."""

    name: str | None = ""
    description: str | None = ""

    def to_spec(self, namespace: str, salt: str) -> DeploymentSpec:
        """The deployment to create; `salt` makes a generated name unique."""
        target = self.to_target()
        name = self.name or generated_name(target.nim, target.version, salt)
        return DeploymentSpec(
            name=name,
            namespace=namespace,
            description=self.description or "",
            targets=(target,),
        )


_NOT_LABEL = re.compile(r"[^a-z0-9-]+")


def generated_name(nim: str, version: str, salt: str) -> str:
    """A deployment name for a v2 create without one: always an RFC 1035 label.

    `dep-<nim>-<version>-<8 hex digits of salt's hash>`, the middle cut to fit.
    """
    middle = _NOT_LABEL.sub("-", f"{nim}-{version}".lower()).strip("-")
    suffix = hashlib.sha256(salt.encode()).hexdigest()[:8]
    room = MAX_LABEL - len("dep-") - len("-") - len(suffix)
    middle = re.sub("-{2,}", "-", middle)[:room].rstrip("-")
    return f"dep-{middle}-{suffix}" if middle else f"dep-{suffix}"


# --- v1 deployments ---------------------------------------------------------------


class OverridesBody(Body):
    """The v1 `DeploymentOverrides` object."""

    cold_start_timeout: int | None = Field(default=None, ge=0)


class ServiceConfigBody(Body):
    """One service as the API renders it in a target config (`services` addition)."""

    scaling: ScalingBody = ScalingBody()
    resources: ResourcesBody = ResourcesBody()
    external_services: dict[str, ExternalServiceBody] | None = None
    cold_start_timeout: int | None = Field(default=None, ge=0)

    def to_service(self) -> ServiceConfig:
        """The store's per-service config."""
        return ServiceConfig(
            scaling=Scaling(
                min_replicas=self.scaling.min_replicas,
                max_replicas=self.scaling.max_replicas,
            ),
            resources=self.resources.to_resources(),
            external_services=_externals(self.external_services),
            cold_start_timeout=self.cold_start_timeout,
        )


_V1_FLAGS = (
    "enable_stealing_traffic_debug_mode",
    "enable_debug_mode",
    "enable_debug_pod_receive_production_traffic",
)


class TargetConfigBody(Body):
    """A v1 target config (api_contract.md 2.7), plus the `services` addition."""

    model_config = ConfigDict(extra="allow")

    resources: ResourcesBody | None = None
    hpa_conf: dict[str, Any] | None = None
    enable_ingress: bool | None = None
    deployment_strategy: str | None = None
    external_services: dict[str, ExternalServiceBody] | None = None
    deployment_overrides: OverridesBody | None = Field(
        default=None, alias="DeploymentOverrides"
    )
    services: dict[str, ServiceConfigBody] | None = None

    def to_config(self) -> TargetConfig:
        """The store's target config; the debug flags are kept as sent."""
        extra = {
            key: value
            for key, value in (self.model_extra or {}).items()
            if key in _V1_FLAGS and value is not None
        }
        overrides = self.deployment_overrides
        if self.services is not None and not self.services:
            # Absent, the services come from the version; sent, at least one.
            raise InvalidInput(
                "config.services is empty: leave it out to deploy the version's "
                "services, or give at least one, for example "
                '{"Frontend": {"scaling": {"min_replicas": 1, "max_replicas": 1}}}'
            )
        return TargetConfig(
            services={
                name: body.to_service() for name, body in (self.services or {}).items()
            },
            resources=self.resources.to_resources() if self.resources else None,
            hpa_conf=self.hpa_conf,
            enable_ingress=self.enable_ingress,
            deployment_strategy=self.deployment_strategy,
            external_services=_externals(self.external_services),
            cold_start_timeout=overrides.cold_start_timeout if overrides else None,
            extra=extra,
        )


class TargetBody(Body):
    """A v1 target: `bento_repository` (the NIM), `bento` (the version), `config`."""

    bento_repository: str
    bento: str
    config: TargetConfigBody

    def to_target(self) -> TargetSpec:
        """The store's target spec."""
        return TargetSpec(
            nim=self.bento_repository,
            version=self.bento,
            config=self.config.to_config(),
        )


TARGET_UIDS_DOC = (
    "Uids for the new targets, from a preview (an addition): the DMS resources are "
    "then named as the preview showed."
)


class DeploymentV1Create(Body):
    """`POST /api/v1/clusters/{cluster}/deployments`."""

    name: str
    kube_namespace: str
    targets: list[TargetBody] = []
    description: str | None = ""
    reason: str = ""
    target_uids: list[str] | None = Field(default=None, description=TARGET_UIDS_DOC)

    def to_spec(self) -> DeploymentSpec:
        """The deployment to create."""
        return DeploymentSpec(
            name=self.name,
            namespace=self.kube_namespace,
            description=self.description or "",
            targets=tuple(target.to_target() for target in self.targets),
        )


class DeploymentV1Update(Body):
    """`PATCH .../deployments/{name}`: roll out these targets."""

    targets: list[TargetBody] = []
    description: str | None = None
    do_not_deploy: StrictBool = False
    reason: str = ""
    target_uids: list[str] | None = Field(default=None, description=TARGET_UIDS_DOC)
    rolled_back_from: str | None = Field(
        default=None, description="The earlier revision these targets copy."
    )

    def to_targets(self) -> tuple[TargetSpec, ...]:
        """The targets to roll out."""
        return tuple(target.to_target() for target in self.targets)

    def kube_ids(self) -> dict[str, tuple[str, str]]:
        """For `do_not_deploy`: each target's tag -> its two Kubernetes ids.

        A field left out or null is written as `""`; a later target with the same
        tag wins, as the original's loop over them did.
        """
        ids: dict[str, tuple[str, str]] = {}
        for target in self.targets:
            sent = target.config.model_extra or {}
            uid, version = (sent.get(key) for key in KUBE_ID_FIELDS)
            ids[f"{target.bento_repository}:{target.bento}"] = (
                "" if uid is None else str(uid),
                "" if version is None else str(version),
            )
        return ids


class RollBackBody(Body):
    """`POST .../deployments/{name}/roll_back` (an addition): which revision."""

    revision_uid: str
    reason: str = ""
    target_uids: list[str] | None = Field(default=None, description=TARGET_UIDS_DOC)


class PreviewBody(Body):
    """`POST .../deployments/{name}/preview` (an addition): which write to dry-run.

    `targets` for a roll out, `revision_uid` for a roll back.
    """

    write: Literal["roll_out", "roll_back", "deactivate", "delete"]
    targets: list[TargetBody] = []
    revision_uid: str | None = None


class ClusterUpdate(Body):
    """`PATCH /api/v1/clusters/{cluster}`: absent or null fields stay as they are."""

    description: str | None = None
    kube_config: str | None = None


class NimUpdate(Body):
    """`PATCH /api/v1/compound_nims/{nim}`: absent or null fields stay as they are."""

    description: str | None = None
    labels: list[LabelBody] | None = None

    def label_tuple(self) -> tuple[Label, ...] | None:
        """The new labels, or None to keep them."""
        if self.labels is None:
            return None
        return tuple(Label(key=x.key, value=x.value) for x in self.labels)


class VersionUpdate(NimUpdate):
    """`PATCH .../versions/{version}`: description, labels, manifest, build time."""

    manifest: Manifest = None
    build_at: datetime | None = None


# --- Compound NIMs ----------------------------------------------------------------


class NimCreate(Body):
    """`POST /api/v1/compound_nims`."""

    name: str
    description: str | None = ""
    labels: list[LabelBody] | None = None

    def to_spec(self) -> NimSpec:
        """The store's NIM spec."""
        return NimSpec(
            name=self.name,
            description=self.description or "",
            labels=tuple(Label(key=x.key, value=x.value) for x in self.labels or []),
        )


class VersionCreate(Body):
    """`POST /api/v1/compound_nims/{name}/versions`."""

    version: str
    description: str | None = ""
    labels: list[LabelBody] | None = None
    manifest: Manifest = None
    build_at: datetime | None = None
    image_build_status: ImageBuildStatus = "pending"

    def to_spec(self) -> VersionSpec:
        """The store's version spec."""
        return VersionSpec(
            version=self.version,
            description=self.description or "",
            labels=tuple(Label(key=x.key, value=x.value) for x in self.labels or []),
            manifest=self.manifest,
            build_at=self.build_at,
            image_build_status=self.image_build_status,
        )


class ImageBuildStatusBody(Body):
    """`PATCH .../versions/{version}/update_image_build_status`."""

    image_build_status: ImageBuildStatus
