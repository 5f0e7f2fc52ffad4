"""Rules for a target's config: what a DMS can be asked to run.

Every write checks the config of each target with `check_target_config` before
anything changes, so the API, the dashboard and a replay refuse the same mistakes
with the same message, and the v1 wire fields are kept in step with the services.
"""

import re
from typing import Any

from store.errors import InvalidInput
from store.schemas import ResourceItem, Resources, ServiceConfig, TargetConfig

MAX_REPLICAS = 10_000
"""More replicas than any cluster runs: a larger number is a typing mistake."""

_CPU = re.compile(r"^(\d+(\.\d+)?|\d+m)$")
_MEMORY = re.compile(r"^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$")
_GPU = re.compile(r"^\d+$")
_SERVICE = re.compile(r"^[A-Za-z0-9]([-_.A-Za-z0-9]{0,62})$")

EXAMPLES = {"cpu": "500m or 4", "memory": "16Gi or 512Mi", "gpu": "0, 1 or 2"}


def quantity_problem(kind: str, value: str) -> str | None:
    """What is wrong with a `cpu`, `memory` or `gpu` quantity; None when it is fine."""
    pattern = {"cpu": _CPU, "memory": _MEMORY, "gpu": _GPU}[kind]
    if pattern.match(value):
        return None
    return f"{kind} `{value}` is not a quantity: use {EXAMPLES[kind]}"


_SCALE = {
    "": 1,
    "K": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
}


def amount(kind: str, value: str) -> float:
    """A valid quantity as a number: cores, bytes or GPUs (`500m` is 0.5 cores)."""
    if kind == "cpu" and value.endswith("m"):
        return int(value[:-1]) / 1000
    number = re.match(r"^\d+(\.\d+)?", value)
    assert number is not None, "a valid quantity starts with a number"
    return float(number.group()) * _SCALE[value[number.end() :]]


def check_target_config(config: TargetConfig, tag: str) -> TargetConfig:
    """Return the config with its v1 fields following its services, or refuse it.

    Raises `InvalidInput` naming the target, the service and the field.
    """
    for name, service in config.services.items():
        where = f"target {tag}, service `{name}`"
        if not _SERVICE.match(name):
            raise InvalidInput(
                f"{where}: a service name is 1 to 63 letters, digits, `-`, `_` or "
                "`.`, starting with a letter or digit"
            )
        _check_service(service, where)
    if config.resources is not None:
        _check_resources(config.resources, f"target {tag}")
    return _with_v1_fields(config)


def _check_service(service: ServiceConfig, where: str) -> None:
    scaling = service.scaling
    if scaling.max_replicas > MAX_REPLICAS:
        raise InvalidInput(
            f"{where}: max replicas {scaling.max_replicas} is more than "
            f"{MAX_REPLICAS:,}: give a smaller number"
        )
    if scaling.min_replicas > scaling.max_replicas:
        raise InvalidInput(
            f"{where}: min replicas {scaling.min_replicas} is more than max "
            f"replicas {scaling.max_replicas}: raise max or lower min"
        )
    _check_resources(service.resources, where)


def _check_resources(resources: Resources, where: str) -> None:
    for side, item in (("requests", resources.requests), ("limits", resources.limits)):
        if item is None:
            continue
        for kind in ("cpu", "memory", "gpu"):
            value = getattr(item, kind)
            if value is None:
                continue
            problem = quantity_problem(kind, value)
            if problem:
                raise InvalidInput(f"{where}, {side}: {problem}")
    if resources.requests is None or resources.limits is None:
        return
    for kind in ("cpu", "memory", "gpu"):
        request = getattr(resources.requests, kind)
        limit = getattr(resources.limits, kind)
        # Kubernetes refuses a container that requests more than its limit.
        if request and limit and amount(kind, request) > amount(kind, limit):
            raise InvalidInput(
                f"{where}: {kind} request {request} is more than its limit {limit}: "
                "raise the limit or lower the request"
            )


def _with_v1_fields(config: TargetConfig) -> TargetConfig:
    """Keep `resources` and `hpa_conf` (what v1 clients read) in step with the
    first service, so an edited service never leaves stale values beside it."""
    if not config.services:
        return config
    first = next(iter(config.services.values()))
    hpa: dict[str, Any] = dict(config.hpa_conf or {})
    hpa["min_replicas"] = first.scaling.min_replicas
    hpa["max_replicas"] = first.scaling.max_replicas
    resources = Resources(
        requests=_item(first.resources.requests),
        limits=_item(first.resources.limits),
    )
    return config.model_copy(update={"hpa_conf": hpa, "resources": resources})


def _item(item: ResourceItem | None) -> ResourceItem | None:
    return None if item is None else item.model_copy()
