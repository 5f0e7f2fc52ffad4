"""Rendering view models into the wire objects of the CAI API.

The shapes are those of api_contract.md section 2 with section 8's changes: creators
are the real user ids, `cluster.organization` is the caller's organization, the
description is returned, and `kube_config` is always `""` beside `has_kube_config`.
Fields cai-tui adds (section 8.16) come after the original ones.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from store.errors import NotFound
from store.interface import DeploymentListing, Store
from store.schemas import (
    ClusterView,
    DeploymentDetail,
    DeploymentQuery,
    DmsResourceView,
    ExternalService,
    LeftoverView,
    NimView,
    OperationView,
    Page,
    Resources,
    RevisionView,
    ServiceConfig,
    TargetConfig,
    TargetView,
    VersionView,
)

Json = dict[str, Any]


def timestamp(at: datetime | None) -> str | None:
    """RFC 3339 in UTC with microseconds, as the original rendered times."""
    if at is None:
        return None
    return _utc_text(at)


@lru_cache(maxsize=4096)
def _utc_text(at: datetime) -> str:
    # A deployment shows each of its times several times over (creators, targets,
    # the cluster): formatting each once keeps a page from costing thousands.
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def base(
    uid: str,
    name: str,
    resource_type: str,
    created_at: datetime,
    updated_at: datetime,
    labels: list[Json] | None,
) -> Json:
    """The fields every resource object begins with."""
    return {
        "uid": uid,
        "created_at": timestamp(created_at),
        "updated_at": timestamp(updated_at),
        "deleted_at": None,
        "name": name,
        "labels": labels,
        "resource_type": resource_type,
    }


def user(name: str, at: datetime) -> Json:
    """A user object for a creator: its `uid` and `name` are the user id."""
    return {
        **base(name, name, "user", at, at, None),
        "first_name": "",
        "last_name": "",
        "email": "",
    }


def organization(org: str, at: datetime) -> Json:
    """The caller's organization."""
    return {
        **base(org, org, "organization", at, at, []),
        "creator": None,
        "description": "",
    }


def envelope(page: Page[Any], count: int, items: list[Json]) -> Json:
    """The list envelope `{total, start, count, items}`, plus the paging cursors."""
    body: Json = {
        "total": page.total,
        "start": page.start,
        "count": count,
        "items": items,
    }
    if page.next_cursor or page.prev_cursor:
        body["next_cursor"] = page.next_cursor
        body["prev_cursor"] = page.prev_cursor
    return body


# --- clusters ---------------------------------------------------------------------


def cluster(view: ClusterView, *, counted: bool = True) -> Json:
    """A cluster with its organization (ClusterFullSchema); never its kubeconfig.

    Inside a deployment (`counted=False`) the deployment count is left out: it
    would cost a scan of the cluster's deployments for every response.
    """
    body: Json = {
        **base(view.uid, view.name, "cluster", view.created_at, view.updated_at, None),
        "creator": user(view.creator, view.created_at),
        "description": view.description,
        "organization": organization(view.organization, view.created_at),
        "kube_config": "",
        "has_kube_config": view.has_kube_config,
    }
    if counted:
        body["deployment_count"] = view.deployment_count
    return body


def cluster_v2(view: ClusterView) -> Json:
    """A cluster as v2 deployment responses show it."""
    return {
        **base(view.uid, view.name, "", view.created_at, view.updated_at, []),
        "description": view.description,
        "organization_name": view.organization,
        "creator": user(view.creator, view.created_at),
    }


# --- target configs -----------------------------------------------------------------


def resources(value: Resources | None) -> Json | None:
    """Requests and limits, with unset fields left out."""
    if value is None:
        return None
    return value.model_dump(mode="json", exclude_none=True)


def externals(value: dict[str, ExternalService] | None) -> Json | None:
    """External services with the camelCase keys the original wrote."""
    if value is None:
        return None
    return {
        name: {
            "deploymentSelectorKey": svc.deployment_selector_key,
            "deploymentSelectorValue": svc.deployment_selector_value,
        }
        for name, svc in value.items()
    }


def service(value: ServiceConfig) -> Json:
    """One service's replicas, resources and overrides."""
    return {
        "scaling": value.scaling.model_dump(mode="json"),
        "resources": resources(value.resources),
        "external_services": externals(value.external_services),
        "cold_start_timeout": value.cold_start_timeout,
    }


def target_config(value: TargetConfig) -> Json:
    """A target config: the v1 fields, then every service (`services`)."""
    body: Json = {
        "kubeResourceUid": "",
        "kubeResourceVersion": "",
        "resources": resources(value.resources),
    }
    optional: Json = {
        "hpa_conf": value.hpa_conf,
        "enable_ingress": value.enable_ingress,
        "deployment_strategy": value.deployment_strategy,
        "external_services": externals(value.external_services),
    }
    body.update({key: item for key, item in optional.items() if item is not None})
    body.update(value.extra)
    body["DeploymentOverrides"] = {"cold_start_timeout": value.cold_start_timeout}
    body["services"] = {name: service(svc) for name, svc in value.services.items()}
    return body


def dms_resource(value: DmsResourceView) -> Json:
    """One DMS resource of a target and its last known state."""
    return value.model_dump(mode="json")


# --- NIMs -----------------------------------------------------------------------------


def nim(view: NimView, latest: Json | None, deployments: int) -> Json:
    """A Compound NIM (the original's bento repository)."""
    return {
        **repository(view),
        "organization": organization(view.organization, view.created_at),
        "latest_bento": latest,
        "n_deployments": deployments,
        "latest_bentos": [latest] if latest else [],
    }


def version(view: VersionView, repository: Json | None, nim_uid: str = "") -> Json:
    """A Compound NIM version (the original's bento), with its services."""
    labels = [label.model_dump() for label in view.labels]
    return {
        **base(
            view.uid, view.version, "bento", view.created_at, view.updated_at, labels
        ),
        "bento_repository_uid": nim_uid,
        "creator": user(view.creator, view.created_at),
        "version": view.version,
        "description": view.description,
        "image_build_status": view.image_build_status,
        "upload_status": "success",
        "upload_started_at": None,
        "upload_finished_at": None,
        "upload_finished_reason": "",
        "presigned_upload_url": "",
        "presigned_download_url": "",
        "presigned_urls_deprecated": False,
        "transmission_strategy": "proxy",
        "upload_id": "",
        "manifest": view.manifest,
        "build_at": timestamp(view.build_at),
        "repository": repository,
        "nim": view.nim,
        "services": list(view.services),
    }


# --- audit ----------------------------------------------------------------------------


def operation(view: OperationView) -> Json:
    """One recorded write."""
    return view.model_dump(mode="json")


def leftover(view: LeftoverView) -> Json:
    """A DMS resource still to be deleted."""
    return view.model_dump(mode="json")


def repository(view: NimView) -> Json:
    """A NIM as a version's `repository`: what every rendering of a NIM has."""
    labels = [label.model_dump() for label in view.labels]
    return {
        **base(
            view.uid,
            view.name,
            "bento_repository",
            view.created_at,
            view.updated_at,
            labels,
        ),
        "creator": user(view.creator, view.created_at),
        "description": view.description,
        "n_bentos": view.version_count,
    }


class Renderer:
    """Renders deployments, revisions and targets, looking up what they refer to.

    Made per request over the caller's store: a target shows its NIM version and a
    deployment its cluster, each looked up once per request.
    """

    def __init__(self, store: Store, clusters: Iterable[ClusterView] = ()) -> None:
        self._store = store
        self._clusters: dict[str, ClusterView] = {view.name: view for view in clusters}
        self._versions: dict[str, Json | None] = {}
        self._nims: dict[str, Json | None] = {}

    @classmethod
    def of_listing(cls, store: Store, listing: DeploymentListing) -> "Renderer":
        """A renderer that knows what the listing read with its page."""
        renderer = cls(store, listing.clusters.values())
        for (nim_name, tag_version), found in listing.versions.items():
            key = f"{nim_name}:{tag_version}:True"
            if found is None:
                renderer._versions[key] = None
                continue
            view, nim_view = found
            parent = renderer._nims.setdefault(nim_name, repository(nim_view))
            uid = parent["uid"] if parent else ""
            renderer._versions[key] = version(view, parent, uid)
        return renderer

    # --- deployments ----------------------------------------------------------------

    def deployment(self, detail: DeploymentDetail, *, v2: bool = False) -> Json:
        """A deployment with its active revision as `latest_revision`."""
        view = self._cluster(detail.cluster)
        active = detail.active_revision
        return {
            **base(
                detail.uid,
                detail.name,
                "deployment",
                detail.created_at,
                detail.updated_at,
                [],
            ),
            "creator": user(detail.creator, detail.created_at),
            "cluster": cluster_v2(view) if v2 else cluster(view, counted=False),
            "status": detail.status,
            "urls": [],
            "latest_revision": self.revision(active) if active else None,
            "kube_namespace": detail.namespace,
            "description": detail.description,
            "organization": detail.organization,
            "tags": list(detail.tags),
            "active_revision_uid": detail.active_revision_uid,
            "revision_count": detail.revision_count,
            "status_changed_at": timestamp(detail.status_changed_at),
        }

    def revision(self, view: RevisionView) -> Json:
        """A revision of a deployment with its targets."""
        return {
            **base(
                view.uid,
                view.uid,
                "deployment_revision",
                view.created_at,
                view.updated_at,
                [],
            ),
            "creator": user(view.creator, view.created_at),
            "status": view.status,
            "targets": [self.target(target) for target in view.targets],
            "rolled_back_from": view.rolled_back_from,
            "reason": view.reason,
            "summary": view.summary,
        }

    def target(self, view: TargetView) -> Json:
        """A target with its NIM version (`bento`), config and DMS resources."""
        return {
            **base(
                view.uid,
                view.uid,
                "deployment_target",
                view.created_at,
                view.created_at,
                [],
            ),
            "type": "stable",
            "creator": user(view.creator, view.created_at),
            "bento": self._version(view.nim, view.version),
            "config": target_config(view.config),
            "bento_repository": view.nim,
            "bento_version": view.version,
            "resources": [dms_resource(item) for item in view.resources],
        }

    # --- NIMs ---------------------------------------------------------------------

    def nim(self, view: NimView) -> Json:
        """A NIM with its latest version and how many deployments run it."""
        latest = None
        if view.latest_version:
            latest = self._version(view.name, view.latest_version, repository=False)
        running = self._store.list_deployments(DeploymentQuery(nim=view.name, limit=0))
        return nim(view, latest, running.total)

    def version(self, view: VersionView) -> Json:
        """A version with its NIM as `repository`."""
        repository = self._nim(view.nim)
        nim_uid = repository["uid"] if repository else ""
        return version(view, repository, nim_uid)

    # --- lookups --------------------------------------------------------------------

    def _cluster(self, name: str) -> ClusterView:
        if name not in self._clusters:
            self._clusters[name] = self._store.get_cluster_brief(name)
        return self._clusters[name]

    def _nim(self, name: str) -> Json | None:
        if name not in self._nims:
            try:
                view = self._store.get_nim(name)
            except NotFound:
                self._nims[name] = None
            else:
                self._nims[name] = repository(view)
        return self._nims[name]

    def _version(
        self, nim_name: str, tag_version: str, *, repository: bool = True
    ) -> Json | None:
        # A target whose version is gone or out of the caller's scope shows `null`,
        # as the original did when its catalogue failed: rendering never fails for it.
        key = f"{nim_name}:{tag_version}:{repository}"
        if key not in self._versions:
            self._versions[key] = self._look_up_version(
                nim_name, tag_version, repository
            )
        return self._versions[key]

    def _look_up_version(
        self, nim_name: str, tag_version: str, with_repository: bool
    ) -> Json | None:
        parent: Json | None = None
        try:
            if not with_repository:
                view = self._store.get_version(nim_name, tag_version)
            elif nim_name in self._nims:
                view = self._store.get_version(nim_name, tag_version)
                parent = self._nims[nim_name]
            else:
                view, nim_view = self._store.get_version_and_nim(nim_name, tag_version)
                parent = self._nims[nim_name] = repository(nim_view)
        except NotFound:
            return None
        return version(view, parent, parent["uid"] if parent else "")
