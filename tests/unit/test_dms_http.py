"""The DMS HTTP client against the simulator served on loopback."""

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from cai_tui.dms.http_client import HttpDeploymentManager
from cai_tui.dms.sim_server import create_app
from cai_tui.dms.simulator import Simulator
from store.dms import ResourceRequest
from store.errors import DmsError, DmsTimeout
from tests.servers import running_server


def deployment_request(name: str = "llm-agg-1a2b3c4d") -> ResourceRequest:
    """A `CompoundAINimDeployment` create as the store sends it."""
    return ResourceRequest(
        kind="CompoundAINimDeployment",
        name=name,
        namespace="compoundai",
        body={
            "name": name,
            "namespace": "compoundai",
            "type": "CompoundAINimDeployment",
            "configuration": {
                "data": {"compoundAINim": "llm-agg--abc", "ingress": {}},
                "version": "nvidia.com/v1alpha1",
            },
            "labels": {"Nv-Ngc-Org": "nv-inference", "Nv-Actor-Id": "ops"},
        },
    )


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Simulator:
    """One simulator for the module; each test starts with it emptied."""
    path: Path = tmp_path_factory.mktemp("dms") / "sim.db"
    return Simulator(path, step_seconds=0)


@pytest.fixture(scope="module")
def base_url(sim: Simulator) -> Iterator[str]:
    """The simulator served on loopback."""
    with running_server(create_app(sim)) as url:
        yield url


@pytest.fixture
def dms(sim: Simulator, base_url: str) -> Iterator[HttpDeploymentManager]:
    """A client of the served simulator, on an emptied simulator."""
    sim.reset_failures()
    for resource in sim.resources():
        sim.delete(resource.id)
    client = HttpDeploymentManager(base_url, timeout=5.0)
    yield client
    client.close()


def test_create_status_find_delete(dms: HttpDeploymentManager, sim: Simulator) -> None:
    resource_id = dms.create(deployment_request())

    assert [r.id for r in sim.resources()] == [resource_id]
    status = dms.status(resource_id)
    assert status is not None
    assert status.state == "running"
    assert status.name == "llm-agg-1a2b3c4d"
    assert status.message.startswith("all replicas ready")
    found = dms.find("compoundai", "llm-agg-1a2b3c4d")
    assert found is not None
    assert [r.id for r in found] == [resource_id]
    assert dms.find("other", "llm-agg-1a2b3c4d") == []

    dms.delete(resource_id)
    assert sim.resources() == []
    gone = dms.status(resource_id)
    assert gone is not None
    assert gone.state == "unknown"


def test_create_answer_has_the_protocol_shape(base_url: str) -> None:
    body = deployment_request().body

    answer = httpx.post(f"{base_url}/v1/deployments", json=body).json()

    assert set(answer) >= {"id", "status", "configuration"}
    assert answer["status"]["status"] == "running"
    assert answer["configuration"] == body["configuration"]


def test_a_bad_body_answers_400_with_an_error(base_url: str) -> None:
    response = httpx.post(f"{base_url}/v1/deployments", json={"name": "x"})

    assert response.status_code == 400
    assert "namespace" in response.json()["error"]


def test_deleting_twice_counts_as_done(dms: HttpDeploymentManager) -> None:
    resource_id = dms.create(deployment_request())

    dms.delete(resource_id)
    dms.delete(resource_id)
    dms.delete("never-existed")


def test_a_name_taken_is_a_dms_error_with_its_message(
    dms: HttpDeploymentManager,
) -> None:
    dms.create(deployment_request())

    with pytest.raises(DmsError, match=r"HTTP 409: .*already exists") as caught:
        dms.create(deployment_request())

    assert "create of CompoundAINimDeployment" in caught.value.message
    assert dms.base_url in caught.value.message


def test_an_injected_create_failure_is_a_dms_error(
    dms: HttpDeploymentManager, base_url: str, sim: Simulator
) -> None:
    httpx.post(
        f"{base_url}/_sim/fail",
        json={"operation": "create", "nth": 1, "message": "quota exceeded"},
    ).raise_for_status()

    with pytest.raises(DmsError, match="HTTP 500: quota exceeded"):
        dms.create(deployment_request())

    assert sim.resources() == []


def test_an_injected_delete_failure_is_a_dms_error(
    dms: HttpDeploymentManager, base_url: str
) -> None:
    resource_id = dms.create(deployment_request())
    httpx.post(f"{base_url}/_sim/fail", json={"operation": "delete"})

    with pytest.raises(DmsError, match="delete of resource"):
        dms.delete(resource_id)

    listed = httpx.get(f"{base_url}/_sim/resources").json()["items"]
    assert [item["id"] for item in listed] == [resource_id]


def test_control_routes_refuse_bad_input_and_reset(
    dms: HttpDeploymentManager, base_url: str
) -> None:
    refused = httpx.post(f"{base_url}/_sim/fail", json={"operation": "status"})
    assert refused.status_code == 400
    assert "use `create` or `delete`" in refused.json()["error"]

    httpx.post(f"{base_url}/_sim/fail", json={"operation": "create"})
    httpx.post(f"{base_url}/_sim/reset").raise_for_status()
    dms.create(deployment_request())


def test_a_stall_is_a_timeout(base_url: str, sim: Simulator) -> None:
    sim.reset_failures()
    httpx.post(
        f"{base_url}/_sim/fail",
        json={"operation": "create", "mode": "stall", "stall_seconds": 1.0},
    ).raise_for_status()
    impatient = HttpDeploymentManager(base_url, timeout=0.3)

    with pytest.raises(DmsTimeout, match=r"no answer within 0\.3 s"):
        impatient.create(deployment_request("stalled"))

    impatient.close()


def test_an_unreachable_dms_is_a_dms_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The port was just free and nothing listens on it now.
    down = HttpDeploymentManager(f"http://127.0.0.1:{port}", timeout=2.0)

    with pytest.raises(DmsError, match="is unreachable") as caught:
        down.create(deployment_request())

    assert not isinstance(caught.value, DmsTimeout)
    down.close()


def test_credentials_never_reach_a_message() -> None:
    dms = HttpDeploymentManager("http://ops:hunter2@127.0.0.1:1/dms?token=s3cret")

    assert dms.describe() == "DMS at http://127.0.0.1:1/dms"
    with pytest.raises(DmsError) as caught:
        dms.delete("abc")
    assert "hunter2" not in caught.value.message
    assert "s3cret" not in caught.value.message
    dms.close()


def readless_dms() -> FastAPI:
    """A DMS that creates and deletes but offers no reads, and reports odd states."""
    app = FastAPI()

    @app.post("/v1/deployments")
    def create(body: dict[str, Any]) -> dict[str, Any]:
        return {"id": "r-1", "status": {"status": "Pending", "message": ""}}

    @app.delete("/v1/deployments/{resource_id}")
    def delete(resource_id: str) -> JSONResponse:
        return JSONResponse({"error": "kubernetes API unavailable"}, status_code=503)

    @app.get("/v1/deployments/{resource_id}")
    def status(resource_id: str) -> JSONResponse:
        return JSONResponse({"detail": "Not Found"}, status_code=404)

    return app


def test_a_dms_without_reads_answers_none() -> None:
    with running_server(readless_dms()) as url:
        dms = HttpDeploymentManager(url, timeout=5.0)

        assert dms.create(deployment_request()) == "r-1"
        assert dms.status("r-1") is None
        assert dms.find("compoundai", "llm-agg-1a2b3c4d") is None
        with pytest.raises(DmsError, match="HTTP 503: kubernetes API unavailable"):
            dms.delete("r-1")
        dms.close()


def test_states_outside_the_protocol_read_as_unknown() -> None:
    app = FastAPI()

    @app.get("/v1/deployments/{resource_id}")
    def status(resource_id: str) -> dict[str, Any]:
        return {"id": resource_id, "status": {"status": "Pending", "message": "hm"}}

    @app.post("/v1/deployments")
    def create(body: dict[str, Any]) -> JSONResponse:
        return JSONResponse({"id": "r-2"}, status_code=201)

    with running_server(app) as url:
        dms = HttpDeploymentManager(url, timeout=5.0)

        read = dms.status("r-2")
        assert read is not None
        assert read.state == "unknown"
        assert read.message == "hm"
        with pytest.raises(DmsError, match="HTTP 201"):
            dms.create(deployment_request())
        dms.close()


@pytest.mark.parametrize(
    "body",
    [
        {"operation": "create", "stall_seconds": "nan"},
        {"operation": "create", "mode": "stall", "stall_seconds": 1e308},
        {"operation": "explode"},
        {"operation": "delete", "nth": 0},
    ],
)
def test_bad_control_bodies_are_400_with_the_error_shape(
    base_url: str, body: dict[str, object]
) -> None:
    response = httpx.post(f"{base_url}/_sim/fail", json=body)
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def test_unknown_routes_and_bad_names_answer_the_error_shape(base_url: str) -> None:
    assert httpx.get(f"{base_url}/nowhere").json().keys() == {"error"}
    bad = {
        "name": "BAD NAME",
        "namespace": "compoundai",
        "type": "CompoundAINimRequest",
    }
    response = httpx.post(f"{base_url}/v1/deployments", json=bad)
    assert response.status_code == 400
    assert "name" in response.json()["error"]
