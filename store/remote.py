"""`RemoteStore`: the Store interface over HTTP, against a CAI API server.

It speaks the API's own routes (api_contract.md, with the additions of 8.16) and
reads the view models back from the wire objects. Every failure becomes one of the
store's errors, so the dashboard shows a remote store's troubles as it shows a local
one's: a server that is down or slow is `Unavailable`, and the next refresh retries.
"""

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from store import errors
from store.interface import Store
from store.schemas import (
    ANY_REVISION,
    KUBE_ID_FIELDS,
    KUBE_UID,
    KUBE_VERSION,
    Caller,
    ClusterSpec,
    ClusterUpdate,
    ClusterView,
    DeploymentDetail,
    DeploymentQuery,
    DeploymentSpec,
    DeploymentSummary,
    DmsResourceView,
    ExternalService,
    Identity,
    ImageBuildStatus,
    LeftoverView,
    NimSpec,
    NimUpdate,
    NimView,
    OperationView,
    Page,
    PageRequest,
    Resources,
    RevisionView,
    ServiceConfig,
    TargetConfig,
    TargetSpec,
    TargetView,
    VersionSpec,
    VersionView,
    WritePreview,
)

log = logging.getLogger(__name__)

Json = dict[str, Any]
T = TypeVar("T")

READ_TIMEOUT = 10.0
"""Seconds a read may take before the server counts as unreachable."""
WRITE_TIMEOUT = 300.0
"""Seconds a write may take: the server calls the DMS, which may be slow."""
CONNECT_TIMEOUT = 3.0
ERROR_KIND_HEADER = "X-Cai-Error"
V1_FLAGS = (
    "enable_stealing_traffic_debug_mode",
    "enable_debug_mode",
    "enable_debug_pod_receive_production_traffic",
)
"""v1 config flags the server keeps as sent (`TargetConfig.extra`)."""
KEPT_FIELDS = (*V1_FLAGS, *KUBE_ID_FIELDS)
"""Config fields read into `TargetConfig.extra` (the kube ids when set)."""

_CONFLICTS: dict[str, type[errors.Conflict]] = {
    "NameTaken": errors.NameTaken,
    "StaleRevision": errors.StaleRevision,
}


class RemoteStore(Store):
    """The Store interface against the CAI API at `url`.

    The identity goes in the `Nv-Ngc-Org` and `Nv-Actor-Id` headers, and `token`
    (CAI_API_TOKEN) as a bearer token; a server with tokens decides the identity
    from the token. The scope is always the server's. Making the store asks the
    server who the caller is, so an unreachable server fails here, as `Unavailable`.
    """

    def __init__(
        self,
        url: str,
        identity: Identity = Identity(),
        *,
        token: str | None = None,
        read_only: bool = False,
        read_timeout: float = READ_TIMEOUT,
        write_timeout: float = WRITE_TIMEOUT,
    ) -> None:
        self.url = url.rstrip("/")
        self.read_only = read_only
        self._shown_url = _without_credentials(self.url)
        self._read_timeout = httpx.Timeout(read_timeout, connect=CONNECT_TIMEOUT)
        self._write_timeout = httpx.Timeout(write_timeout, connect=CONNECT_TIMEOUT)
        headers = {"Nv-Ngc-Org": identity.org, "Nv-Actor-Id": identity.user}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(base_url=self.url, headers=headers)
        self._namespaces: dict[tuple[str, str], str] = {}
        try:
            self._caller = self._ask_caller()
        except BaseException:
            self._http.close()
            raise

    # --- who and where -------------------------------------------------------------

    @property
    def caller(self) -> Caller:
        """The identity the server recognised, in the server's scope."""
        return self._caller

    def describe(self) -> str:
        """The API's URL (without credentials) and who acts."""
        identity = self._caller.identity
        return (
            f"the CAI API at {self._shown_url} as {identity.user} of {identity.org} "
            f"({self._caller.scope} scope)"
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def _ask_caller(self) -> Caller:
        me = self._get("/api/v1/auth/current")
        info = self._get("/api/v1/info")
        scope = info.get("resource_scope", "user")
        identity = Identity(org=me["organization"]["name"], user=me["name"])
        return Caller(identity=identity, scope=scope)

    # --- reads ---------------------------------------------------------------------

    def list_clusters(self, page: PageRequest = PageRequest()) -> Page[ClusterView]:
        """The organization's clusters, newest first, with deployment counts."""
        body = self._get("/api/v1/clusters", params=_paging(page))
        return _page(body, cluster_of)

    def get_cluster(self, name: str) -> ClusterView:
        """One cluster of the caller's organization."""
        return cluster_of(self._get(f"/api/v1/clusters/{_seg(name)}"))

    def list_deployments(
        self, query: DeploymentQuery = DeploymentQuery()
    ) -> Page[DeploymentSummary]:
        """Deployments in scope, filtered, sorted and paged by the server."""
        params: dict[str, Any] = {
            "start": query.start,
            "count": query.limit,
            "search": query.search,
            "sort": query.sort,
            "order": "desc" if query.descending else "asc",
        }
        optional = {
            "status": query.status,
            "namespace": query.namespace,
            "after": query.after,
            "before": query.before,
        }
        params.update({key: value for key, value in optional.items() if value})
        if query.nim:
            path = f"/api/v1/compound_nims/{_seg(query.nim)}"
            if query.version:
                path += f"/versions/{_seg(query.version)}"
            path += "/deployments"
            if query.cluster:
                params["in_cluster"] = query.cluster
        elif query.cluster:
            path = f"/api/v1/clusters/{_seg(query.cluster)}/deployments"
        else:
            path = "/api/v1/deployments"
        body = self._get(path, params=params)
        page = _page(body, self._summary)
        return page

    def get_deployment(
        self, cluster: str, name: str, namespace: str | None = None
    ) -> DeploymentDetail:
        """One deployment with its active revision."""
        if namespace is None:
            path = f"/api/v1/clusters/{_seg(cluster)}/deployments/{_seg(name)}"
            return self._detail(self._get(path))
        return self._detail(self._get(_dep(cluster, namespace, name)))

    def list_revisions(
        self, cluster: str, deployment: str, page: PageRequest = PageRequest()
    ) -> Page[RevisionView]:
        """A deployment's history, newest first, each revision with its targets."""
        params = _paging(page)
        body = self._on_deployment(
            cluster,
            deployment,
            None,
            lambda path: self._get(path + "/revisions", params=params),
        )
        return _page(body, revision_of)

    def get_revision(self, cluster: str, deployment: str, uid: str) -> RevisionView:
        """One revision of one deployment (another deployment's uid is NotFound)."""
        body = self._on_deployment(
            cluster,
            deployment,
            None,
            lambda path: self._get(f"{path}/revisions/{_seg(uid)}"),
        )
        return revision_of(body)

    def list_nims(self, page: PageRequest = PageRequest()) -> Page[NimView]:
        """Compound NIMs in scope, by name, searchable."""
        return _page(self._get("/api/v1/compound_nims", params=_paging(page)), nim_of)

    def get_nim(self, name: str) -> NimView:
        """One Compound NIM."""
        return nim_of(self._get(f"/api/v1/compound_nims/{_seg(name)}"))

    def list_versions(
        self, nim: str, page: PageRequest = PageRequest()
    ) -> Page[VersionView]:
        """Versions of one NIM, newest first."""
        path = f"/api/v1/compound_nims/{_seg(nim)}/versions"
        return _page(self._get(path, params=_paging(page)), version_of)

    def get_version(self, nim: str, version: str) -> VersionView:
        """One version of one NIM."""
        return version_of(self._get(_ver(nim, version)))

    def list_operations(
        self,
        page: PageRequest = PageRequest(),
        cluster: str | None = None,
        deployment: str | None = None,
    ) -> Page[OperationView]:
        """Recorded writes in scope, newest first; of one deployment if named."""
        params: dict[str, Any] = _paging(page)
        if cluster:
            params["cluster"] = cluster
        if deployment:
            params["deployment"] = deployment
        body = self._get("/api/v1/operations", params=params)
        return _page(body, OperationView.model_validate)

    def list_leftovers(self) -> list[LeftoverView]:
        """DMS resources left over by writes, still to be deleted."""
        body = self._get("/api/v1/leftovers")
        return [LeftoverView.model_validate(item) for item in body["items"]]

    # --- writes --------------------------------------------------------------------

    def create_cluster(self, spec: ClusterSpec) -> ClusterView:
        """Create a cluster in the caller's organization."""
        self._writable()
        return cluster_of(self._send("POST", "/api/v1/clusters", spec.model_dump()))

    def update_cluster(self, name: str, update: ClusterUpdate) -> ClusterView:
        """Change a cluster's description or kubeconfig."""
        self._writable()
        path = f"/api/v1/clusters/{_seg(name)}"
        return cluster_of(self._send("PATCH", path, update.model_dump()))

    def create_deployment(
        self,
        cluster: str,
        spec: DeploymentSpec,
        reason: str = "",
        *,
        target_uids: Sequence[str] | None = None,
    ) -> DeploymentDetail:
        """Create a deployment and deploy its first revision."""
        self._writable()
        body = {
            **create_body(spec),
            "reason": reason,
            "target_uids": _uids(target_uids),
        }
        path = f"/api/v1/clusters/{_seg(cluster)}/deployments"
        return self._detail(self._send("POST", path, body))

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
        """Roll out a new active revision with these targets."""
        self._writable()
        body = {
            "targets": [target_body(target) for target in targets],
            "reason": reason,
            "rolled_back_from": rolled_back_from,
            "target_uids": _uids(target_uids),
        }
        if description is not None:
            body["description"] = description
        headers = if_match(expected_active)
        return self._write_on(
            cluster,
            name,
            namespace,
            lambda path: self._send("PATCH", path, body, headers=headers),
        )

    def set_kube_ids(
        self,
        cluster: str,
        name: str,
        ids: Mapping[str, tuple[str, str]],
        *,
        namespace: str | None = None,
        description: str | None = None,
    ) -> DeploymentDetail:
        """Write Kubernetes ids into active targets: a v1 `do_not_deploy` PATCH."""
        self._writable()
        targets = []
        for tag, (uid, version) in ids.items():
            nim, _, nim_version = tag.rpartition(":")
            config = {KUBE_UID: uid, KUBE_VERSION: version}
            targets.append(
                {"bento_repository": nim, "bento": nim_version, "config": config}
            )
        body = {"targets": targets, "do_not_deploy": True, "description": description}
        return self._write_on(
            cluster,
            name,
            namespace,
            lambda path: self._send("PATCH", path, body),
        )

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
        self._writable()
        body = {
            "revision_uid": revision_uid,
            "reason": reason,
            "target_uids": _uids(target_uids),
        }
        headers = if_match(expected_active)
        return self._write_on(
            cluster,
            name,
            None,
            lambda path: self._send("POST", path + "/roll_back", body, headers=headers),
        )

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
        self._writable()
        headers = if_match(expected_active)
        return self._write_on(
            cluster,
            name,
            namespace,
            lambda path: self._send(
                "POST",
                path + "/terminate",
                None,
                headers=headers,
                params={"reason": reason},
            ),
        )

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
        self._writable()
        headers = if_match(expected_active)
        detail = self._write_on(
            cluster,
            name,
            namespace,
            lambda path: self._send(
                "DELETE", path, None, headers=headers, params={"reason": reason}
            ),
        )
        self._namespaces.pop((cluster, name), None)
        return detail

    def sync_status(
        self, cluster: str, name: str, namespace: str | None = None
    ) -> DeploymentDetail:
        """Ask the server to read the DMS and store the deployment's status."""
        return self._write_on(
            cluster,
            name,
            namespace,
            lambda path: self._send("POST", path + "/sync_status", None),
        )

    def retry_leftovers(self) -> list[LeftoverView]:
        """Ask the server to delete every leftover resource again."""
        self._writable()
        body = self._send("POST", "/api/v1/leftovers/retry", None)
        return [LeftoverView.model_validate(item) for item in body["items"]]

    def create_nim(self, spec: NimSpec) -> NimView:
        """Create a Compound NIM."""
        self._writable()
        return nim_of(
            self._send("POST", "/api/v1/compound_nims", spec.model_dump(mode="json"))
        )

    def update_nim(self, name: str, update: NimUpdate) -> NimView:
        """Change a Compound NIM's description or labels."""
        self._writable()
        body = update.model_dump(mode="json", include={"description", "labels"})
        return nim_of(self._send("PATCH", f"/api/v1/compound_nims/{_seg(name)}", body))

    def create_version(self, nim: str, spec: VersionSpec) -> VersionView:
        """Create a version of a Compound NIM."""
        self._writable()
        path = f"/api/v1/compound_nims/{_seg(nim)}/versions"
        return version_of(self._send("POST", path, spec.model_dump(mode="json")))

    def update_version(self, nim: str, version: str, update: NimUpdate) -> VersionView:
        """Change a version's description, labels, manifest or build time."""
        self._writable()
        body = update.model_dump(mode="json")
        return version_of(self._send("PATCH", _ver(nim, version), body))

    def set_image_build_status(
        self, nim: str, version: str, status: ImageBuildStatus
    ) -> VersionView:
        """Record how a version's image build went."""
        self._writable()
        path = _ver(nim, version) + "/update_image_build_status"
        body = {"image_build_status": status}
        return version_of(self._send("PATCH", path, body))

    # --- previews ------------------------------------------------------------------

    def preview_create(self, cluster: str, spec: DeploymentSpec) -> WritePreview:
        """What `create_deployment` would do, as the server plans it."""
        path = f"/api/v1/clusters/{_seg(cluster)}/deployments/preview"
        return WritePreview.model_validate(
            self._send("POST", path, create_body(spec), timeout=self._read_timeout)
        )

    def preview_roll_out(
        self,
        cluster: str,
        name: str,
        targets: tuple[TargetSpec, ...],
        *,
        namespace: str | None = None,
    ) -> WritePreview:
        """What `roll_out` would do."""
        body = {
            "write": "roll_out",
            "targets": [target_body(target) for target in targets],
        }
        return self._preview(cluster, name, namespace, body)

    def preview_roll_back(
        self, cluster: str, name: str, revision_uid: str
    ) -> WritePreview:
        """What `roll_back` to this revision would do."""
        body = {"write": "roll_back", "revision_uid": revision_uid}
        return self._preview(cluster, name, None, body)

    def preview_deactivate(self, cluster: str, name: str) -> WritePreview:
        """What `deactivate` would do."""
        return self._preview(cluster, name, None, {"write": "deactivate"})

    def preview_delete(self, cluster: str, name: str) -> WritePreview:
        """What `delete_deployment` would do."""
        return self._preview(cluster, name, None, {"write": "delete"})

    def _preview(
        self, cluster: str, name: str, namespace: str | None, body: Json
    ) -> WritePreview:
        answer = self._on_deployment(
            cluster,
            name,
            namespace,
            lambda path: self._send(
                "POST", path + "/preview", body, timeout=self._read_timeout
            ),
        )
        return WritePreview.model_validate(answer)

    # --- deployments by name ---------------------------------------------------------

    def _namespace_of(self, cluster: str, name: str) -> str:
        known = self._namespaces.get((cluster, name))
        if known is None:
            known = self.get_deployment(cluster, name).namespace
        return known

    def _on_deployment(
        self,
        cluster: str,
        name: str,
        namespace: str | None,
        call: Callable[[str], Json],
    ) -> Json:
        """Call a route under the deployment's path, finding its namespace if needed.

        The namespace is remembered per deployment; a remembered one that has gone
        stale (the deployment was made again elsewhere) is looked up once more.
        """
        if namespace is not None:
            return call(_dep(cluster, namespace, name))
        remembered = (cluster, name) in self._namespaces
        found = self._namespace_of(cluster, name)
        try:
            return call(_dep(cluster, found, name))
        except errors.NotFound:
            if not remembered:
                raise
            self._namespaces.pop((cluster, name), None)
            fresh = self._namespace_of(cluster, name)
            if fresh == found:
                raise
            return call(_dep(cluster, fresh, name))

    def _write_on(
        self,
        cluster: str,
        name: str,
        namespace: str | None,
        call: Callable[[str], Json],
    ) -> DeploymentDetail:
        return self._detail(self._on_deployment(cluster, name, namespace, call))

    def _summary(self, body: Json) -> DeploymentSummary:
        summary = DeploymentSummary.model_validate(summary_fields(body))
        self._namespaces[(summary.cluster, summary.name)] = summary.namespace
        return summary

    def _detail(self, body: Json) -> DeploymentDetail:
        detail = detail_of(body)
        self._namespaces[(detail.cluster, detail.name)] = detail.namespace
        return detail

    # --- HTTP ----------------------------------------------------------------------

    def _writable(self) -> None:
        if self.read_only:
            raise errors.ReadOnly(
                "this dashboard is read-only (CAI_READ_ONLY): writes are refused"
            )

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Json:
        return self._request("GET", path, params=params, timeout=self._read_timeout)

    def _send(
        self,
        method: str,
        path: str,
        body: Json | None,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> Json:
        return self._request(
            method,
            path,
            json=body,
            headers=headers,
            params=params,
            timeout=timeout or self._write_timeout,
        )

    def _request(
        self,
        method: str,
        path: str,
        *,
        timeout: httpx.Timeout,
        json: Json | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Json:
        try:
            answer = self._http.request(
                method,
                path,
                json=json,
                headers=headers,
                params=params,
                timeout=timeout,
            )
        except httpx.TimeoutException:
            raise self._unreachable("it did not answer in time") from None
        except httpx.TransportError as exc:
            raise self._unreachable(str(exc) or type(exc).__name__) from None
        log.debug("%s %s -> %d", method, path, answer.status_code)
        if answer.is_success:
            try:
                body: Json = answer.json()
            except ValueError:
                raise self._unreachable(
                    "it answered something other than JSON"
                ) from None
            return body
        raise self._error(answer)

    def _unreachable(self, why: str) -> errors.Unavailable:
        return errors.Unavailable(
            f"the CAI API at {self._shown_url} is unreachable: {why}; "
            "it will be retried"
        )

    def _error(self, answer: httpx.Response) -> errors.StoreError:
        """The store error an error answer stands for."""
        message = _message_of(answer)
        status = answer.status_code
        kind = answer.headers.get(ERROR_KIND_HEADER, "")
        if status == 400:
            return errors.InvalidInput(message)
        if status == 404:
            return errors.NotFound(message)
        if status == 409:
            return _CONFLICTS.get(kind, errors.Conflict)(message)
        if status == 403:
            return errors.ReadOnly(message)
        if status == 401:
            return errors.Unavailable(
                f"the CAI API at {self._shown_url} refused the token: "
                "set CAI_API_TOKEN to a token the server accepts"
            )
        if status == 504:
            return errors.DmsTimeout(message)
        if status == 502:
            return errors.DmsError(message)
        if kind == "SchemaOutdated":
            return errors.SchemaOutdated(message)
        return self._unreachable(f"it answered {status}: {message}")


# --- wire objects -> view models -----------------------------------------------------


def cluster_of(body: Json) -> ClusterView:
    """A cluster from its wire object."""
    return ClusterView(
        uid=body["uid"],
        name=body["name"],
        description=body.get("description", ""),
        organization=body["organization"]["name"],
        creator=body["creator"]["name"],
        created_at=body["created_at"],
        updated_at=body["updated_at"],
        has_kube_config=body.get("has_kube_config", False),
        deployment_count=body.get("deployment_count", 0),
    )


def summary_fields(body: Json) -> Json:
    """The fields of a deployment list row, from a deployment's wire object."""
    return {
        "uid": body["uid"],
        "name": body["name"],
        "cluster": body["cluster"]["name"],
        "namespace": body["kube_namespace"],
        "description": body.get("description", ""),
        "status": body["status"],
        "creator": body["creator"]["name"],
        "organization": body.get("organization")
        or body["cluster"].get("organization_name", ""),
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "active_revision_uid": body.get("active_revision_uid"),
        "tags": tuple(body.get("tags") or ()),
    }


def detail_of(body: Json) -> DeploymentDetail:
    """A deployment with its active revision, from its wire object."""
    latest = body.get("latest_revision")
    return DeploymentDetail.model_validate(
        {
            **summary_fields(body),
            "active_revision": revision_of(latest) if latest else None,
            "revision_count": body.get("revision_count", 0),
            "status_changed_at": body.get("status_changed_at"),
        }
    )


def revision_of(body: Json) -> RevisionView:
    """A revision with its targets, from its wire object."""
    return RevisionView(
        uid=body["uid"],
        status=body["status"],
        creator=body["creator"]["name"],
        created_at=body["created_at"],
        updated_at=body["updated_at"],
        targets=tuple(target_of(item) for item in body.get("targets") or ()),
        rolled_back_from=body.get("rolled_back_from"),
        reason=body.get("reason", ""),
        summary=body.get("summary", ""),
    )


def target_of(body: Json) -> TargetView:
    """A target from its wire object."""
    bento = body.get("bento") or {}
    return TargetView(
        uid=body["uid"],
        nim=body.get("bento_repository") or (bento.get("repository") or {})["name"],
        version=body.get("bento_version") or bento["version"],
        config=config_of(body.get("config") or {}),
        creator=body["creator"]["name"],
        created_at=body["created_at"],
        resources=tuple(
            DmsResourceView.model_validate(item) for item in body.get("resources") or ()
        ),
    )


def _externals_of(body: Json | None) -> dict[str, ExternalService] | None:
    if not body:
        return None
    return {
        name: ExternalService(
            deployment_selector_key=item.get("deploymentSelectorKey")
            or item.get("deployment_selector_key", ""),
            deployment_selector_value=item.get("deploymentSelectorValue")
            or item.get("deployment_selector_value", ""),
        )
        for name, item in body.items()
    }


def _resources_of(body: Json | None) -> Resources | None:
    return None if body is None else Resources.model_validate(body)


def config_of(body: Json) -> TargetConfig:
    """A target config from the wire form (v1 fields, `services` addition)."""
    services = {
        name: ServiceConfig(
            scaling=item.get("scaling") or {},
            resources=_resources_of(item.get("resources")) or Resources(),
            external_services=_externals_of(item.get("external_services")),
            cold_start_timeout=item.get("cold_start_timeout"),
        )
        for name, item in (body.get("services") or {}).items()
    }
    overrides = body.get("DeploymentOverrides") or {}
    return TargetConfig(
        services=services,
        resources=_resources_of(body.get("resources")),
        hpa_conf=body.get("hpa_conf"),
        enable_ingress=body.get("enable_ingress"),
        deployment_strategy=body.get("deployment_strategy"),
        external_services=_externals_of(body.get("external_services")),
        cold_start_timeout=overrides.get("cold_start_timeout"),
        extra={key: body[key] for key in KEPT_FIELDS if body.get(key)},
    )


def nim_of(body: Json) -> NimView:
    """A Compound NIM from its wire object."""
    latest = body.get("latest_bento") or {}
    return NimView(
        uid=body["uid"],
        name=body["name"],
        description=body.get("description", ""),
        labels=tuple(body.get("labels") or ()),
        creator=body["creator"]["name"],
        organization=body["organization"]["name"],
        created_at=body["created_at"],
        updated_at=body["updated_at"],
        version_count=body.get("n_bentos", 0),
        latest_version=latest.get("version"),
    )


def version_of(body: Json) -> VersionView:
    """A Compound NIM version from its wire object."""
    return VersionView(
        uid=body["uid"],
        nim=body.get("nim") or (body.get("repository") or {})["name"],
        version=body["version"],
        description=body.get("description", ""),
        labels=tuple(body.get("labels") or ()),
        manifest=body.get("manifest"),
        image_build_status=body["image_build_status"],
        build_at=body.get("build_at"),
        creator=body["creator"]["name"],
        created_at=body["created_at"],
        updated_at=body["updated_at"],
    )


# --- view models -> request bodies ---------------------------------------------------


def _externals_body(value: dict[str, ExternalService] | None) -> Json | None:
    if value is None:
        return None
    return {name: item.model_dump() for name, item in value.items()}


def _resources_body(value: Resources | None) -> Json | None:
    return None if value is None else value.model_dump(exclude_none=True)


def config_body(config: TargetConfig) -> Json:
    """A target config as a v1 request sends it, every service included."""
    body: Json = {
        "resources": _resources_body(config.resources),
        "hpa_conf": config.hpa_conf,
        "enable_ingress": config.enable_ingress,
        "deployment_strategy": config.deployment_strategy,
        "external_services": _externals_body(config.external_services),
        "DeploymentOverrides": {"cold_start_timeout": config.cold_start_timeout},
        "services": {
            name: {
                "scaling": service.scaling.model_dump(),
                "resources": _resources_body(service.resources),
                "external_services": _externals_body(service.external_services),
                "cold_start_timeout": service.cold_start_timeout,
            }
            for name, service in config.services.items()
        },
    }
    body.update(config.extra)
    return body


def target_body(target: TargetSpec) -> Json:
    """A v1 target: `bento_repository`, `bento` and `config`."""
    return {
        "bento_repository": target.nim,
        "bento": target.version,
        "config": config_body(target.config),
    }


def create_body(spec: DeploymentSpec) -> Json:
    """A v1 create body."""
    return {
        "name": spec.name,
        "kube_namespace": spec.namespace,
        "description": spec.description,
        "targets": [target_body(target) for target in spec.targets],
    }


def if_match(expected_active: str | None) -> dict[str, str]:
    """The `If-Match` header for an expected active revision (none for any)."""
    if expected_active == ANY_REVISION:
        return {}
    return {"If-Match": f'"{expected_active or "none"}"'}


# --- helpers -------------------------------------------------------------------------


def _page(body: Json, parse: Callable[[Json], T]) -> Page[T]:
    return Page[T](
        items=tuple(parse(item) for item in body["items"]),
        total=body["total"],
        start=body.get("start", 0),
        next_cursor=body.get("next_cursor"),
        prev_cursor=body.get("prev_cursor"),
    )


def _paging(page: PageRequest) -> dict[str, Any]:
    params: dict[str, Any] = {"start": page.start, "count": page.count}
    if page.search:
        params["search"] = page.search
    return params


def _uids(uids: Sequence[str] | None) -> list[str] | None:
    return None if uids is None else list(uids)


def _seg(value: str) -> str:
    """One path segment, escaped."""
    return quote(value, safe="")


def _dep(cluster: str, namespace: str, name: str) -> str:
    return (
        f"/api/v1/clusters/{_seg(cluster)}/namespaces/{_seg(namespace)}"
        f"/deployments/{_seg(name)}"
    )


def _ver(nim: str, version: str) -> str:
    return f"/api/v1/compound_nims/{_seg(nim)}/versions/{_seg(version)}"


def _message_of(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.text.strip()[:300] or f"HTTP {answer.status_code}"
    if isinstance(body, dict):
        return str(body.get("error") or body.get("Error") or body)
    return str(body)


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
