"""The DMS resources of a target: their names and request bodies (api_contract 5.2).

Every target has two resources of its own, named after the target's uid
(api_contract 8.17), and the whole config of every service is kept in the body.
"""

from typing import Any

from store.dms import ResourceRequest
from store.names import deployment_resource_name, kube_tag, request_resource_name
from store.schemas import Identity, TargetConfig

API_VERSION = "nvidia.com/v1alpha1"


def target_requests(
    deployment: str,
    namespace: str,
    target_uid: str,
    nim: str,
    version: str,
    config: TargetConfig,
    identity: Identity,
) -> tuple[ResourceRequest, ResourceRequest]:
    """The `CompoundAINimDeployment` and `CompoundAINimRequest` of one target."""
    tag = f"{nim}:{version}"
    labels = {"Nv-Ngc-Org": identity.org, "Nv-Actor-Id": identity.user}
    data: dict[str, Any] = {
        "compoundAINim": kube_tag(tag),
        "resources": _resources(config),
        "ingress": {},
        "services": {
            name: service.model_dump(mode="json", exclude_none=True)
            for name, service in config.services.items()
        },
    }
    external = _external_services(config)
    if external:
        data["externalServices"] = external
    timeout = _cold_start_timeout(config)
    if timeout is not None:
        data["livenessProbe"] = _probe(timeout, 20, 6, "/livez")
        data["readinessProbe"] = _probe(timeout, 5, 12, "/readyz")
    dep_name = deployment_resource_name(deployment, target_uid)
    req_name = request_resource_name(tag, target_uid)
    return (
        ResourceRequest(
            kind="CompoundAINimDeployment",
            name=dep_name,
            namespace=namespace,
            body={
                "name": dep_name,
                "namespace": namespace,
                "type": "CompoundAINimDeployment",
                "configuration": {"data": data, "version": API_VERSION},
                "labels": labels,
            },
        ),
        ResourceRequest(
            kind="CompoundAINimRequest",
            name=req_name,
            namespace=namespace,
            body={
                "name": req_name,
                "namespace": namespace,
                "type": "CompoundAINimRequest",
                "configuration": {"data": {"bentoTag": tag}, "version": API_VERSION},
                "labels": labels,
            },
        ),
    )


def _resources(config: TargetConfig) -> dict[str, Any]:
    if config.resources is not None:
        return config.resources.model_dump(mode="json", exclude_none=True)
    for service in config.services.values():
        return service.resources.model_dump(mode="json", exclude_none=True)
    return {}


def _external_services(config: TargetConfig) -> dict[str, Any]:
    chosen = config.external_services
    if not chosen:
        chosen = next(
            (
                s.external_services
                for s in config.services.values()
                if s.external_services
            ),
            None,
        )
    return {
        name: {
            "deploymentSelectorKey": service.deployment_selector_key,
            "deploymentSelectorValue": service.deployment_selector_value,
        }
        for name, service in (chosen or {}).items()
    }


def _cold_start_timeout(config: TargetConfig) -> int | None:
    if config.cold_start_timeout is not None:
        return config.cold_start_timeout
    for service in config.services.values():
        if service.cold_start_timeout is not None:
            return service.cold_start_timeout
    return None


def _probe(delay: int, timeout: int, failures: int, path: str) -> dict[str, Any]:
    return {
        "initialDelaySeconds": delay,
        "timeoutSeconds": timeout,
        "failureThreshold": failures,
        "httpGet": {"path": path, "port": "http"},
    }
