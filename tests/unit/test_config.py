"""Target configs: what the store refuses, and the v1 fields kept in step."""

from typing import Any

import pytest

from cai_tui.dms.simulator import Simulator
from store.config import amount
from store.errors import InvalidInput
from store.local import LocalStore
from store.schemas import (
    DeploymentSpec,
    ResourceItem,
    Resources,
    Scaling,
    ServiceConfig,
    TargetConfig,
    TargetSpec,
)


def target(**service: Any) -> tuple[TargetSpec, ...]:
    """One llm:v1 target whose only service has the given fields."""
    name = service.pop("name", "Worker")
    config = TargetConfig(services={name: ServiceConfig(**service)})
    return (TargetSpec(nim="llm", version="v1", config=config),)


def requests(**item: str) -> Resources:
    """Resources with these requests."""
    return Resources(requests=ResourceItem(**item))


def both(request: dict[str, str], limit: dict[str, str]) -> Resources:
    """Resources with these requests and limits."""
    return Resources(requests=ResourceItem(**request), limits=ResourceItem(**limit))


@pytest.mark.parametrize(
    ("request_", "limit"),
    [("500m", "1"), ("1", "1000m"), ("512Mi", "1Gi"), ("1G", "1Gi"), ("1", "1")],
)
def test_a_request_within_its_limit_is_accepted(request_: str, limit: str) -> None:
    kind = "memory" if request_[-1] in "iG" else "cpu"
    assert amount(kind, request_) <= amount(kind, limit)


@pytest.mark.parametrize(
    ("service", "names"),
    [
        ({"scaling": Scaling(min_replicas=5, max_replicas=1)}, "min replicas 5"),
        ({"scaling": Scaling(max_replicas=99_999_999)}, "max replicas 99999999"),
        ({"resources": requests(cpu="lots")}, "cpu `lots` is not a quantity"),
        ({"resources": requests(memory="5Zi")}, "memory `5Zi` is not a quantity"),
        ({"resources": requests(gpu="-3")}, "gpu `-3` is not a quantity"),
        ({"resources": requests(cpu="")}, "cpu `` is not a quantity"),
        ({"name": ""}, "service name is 1 to 63"),
        ({"resources": both({"cpu": "8"}, {"cpu": "1"})}, "cpu request 8 is more"),
        (
            {"resources": both({"memory": "2Gi"}, {"memory": "1500Mi"})},
            "memory request 2Gi is more than its limit 1500Mi",
        ),
        ({"resources": both({"gpu": "2"}, {"gpu": "1"})}, "gpu request 2 is more"),
    ],
)
def test_bad_configs_are_refused_and_change_nothing(
    store: LocalStore, sim: Simulator, service: dict[str, Any], names: str
) -> None:
    before = store.list_deployments()
    with pytest.raises(InvalidInput) as caught:
        store.create_deployment(
            "us-west", DeploymentSpec(name="api", targets=target(**service))
        )
    assert names in caught.value.message
    assert "llm:v1" in caught.value.message
    assert store.list_deployments() == before
    assert sim.resources() == []


def test_v1_fields_follow_the_first_service(store: LocalStore) -> None:
    first = target(
        scaling=Scaling(min_replicas=1, max_replicas=2),
        resources=requests(cpu="4", memory="16Gi", gpu="1"),
    )
    store.create_deployment("us-west", DeploymentSpec(name="api", targets=first))
    stale = first[0].config.model_copy(
        update={
            "services": {
                "Worker": ServiceConfig(
                    scaling=Scaling(min_replicas=1, max_replicas=3),
                    resources=requests(cpu="8", memory="16Gi", gpu="2"),
                )
            }
        }
    )
    detail = store.roll_out(
        "us-west", "api", (first[0].model_copy(update={"config": stale}),)
    )
    assert detail.active_revision is not None
    config = detail.active_revision.targets[0].config
    assert config.hpa_conf is not None
    assert config.hpa_conf["max_replicas"] == 3
    assert config.resources is not None and config.resources.requests is not None
    assert config.resources.requests.gpu == "2"
