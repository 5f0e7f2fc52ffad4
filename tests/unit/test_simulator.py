"""The embedded DMS simulator, on a real SQLite file."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cai_tui.dms.factory import make_dms
from cai_tui.dms.http_client import HttpDeploymentManager
from cai_tui.dms.simulator import ResourceExists, Simulator
from cai_tui.settings import Settings
from store.clock import PinnedClock, SequentialIds
from store.dms import DeploymentManager, ResourceRequest
from store.errors import DmsError, DmsTimeout, InvalidInput

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def deployment_request(
    name: str = "llm-agg-1a2b3c4d", namespace: str = "compoundai"
) -> ResourceRequest:
    """A `CompoundAINimDeployment` create of two services, four replicas in all."""
    return ResourceRequest(
        kind="CompoundAINimDeployment",
        name=name,
        namespace=namespace,
        body={
            "name": name,
            "namespace": namespace,
            "type": "CompoundAINimDeployment",
            "configuration": {
                "data": {
                    "compoundAINim": "llm-agg--abc",
                    "services": {
                        "Frontend": {"replicas": 1},
                        "Worker": {"replicas": 3},
                    },
                },
                "version": "nvidia.com/v1alpha1",
            },
        },
    )


def nim_request(name: str = "llm-agg--abc-1a2b3c4d") -> ResourceRequest:
    """A `CompoundAINimRequest` create for the tag `llm-agg:abc`."""
    return ResourceRequest(
        kind="CompoundAINimRequest",
        name=name,
        namespace="compoundai",
        body={"configuration": {"data": {"bentoTag": "llm-agg:abc"}}},
    )


@pytest.fixture
def clock() -> PinnedClock:
    """A clock pinned at START."""
    return PinnedClock(START)


@pytest.fixture
def sim(tmp_path: Path, clock: PinnedClock) -> Simulator:
    """A simulator on a fresh file, 3 s per step, on the pinned clock."""
    return Simulator(tmp_path / "sim.db", step_seconds=3.0, clock=clock)


def test_simulator_and_http_client_implement_the_port(sim: Simulator) -> None:
    client = HttpDeploymentManager("http://127.0.0.1:1")
    assert isinstance(sim, DeploymentManager)
    assert isinstance(client, DeploymentManager)
    client.close()
    assert sim.describe() == f"embedded DMS simulator ({sim.path})"


def test_create_gives_the_id_from_the_factory(tmp_path: Path) -> None:
    sim = Simulator(tmp_path / "sim.db", new_id=SequentialIds("aaaaaaaa"))

    first = sim.create(deployment_request())

    assert first == "aaaaaaaa-0000-4000-8000-000000000001"
    assert sim.status(first).name == "llm-agg-1a2b3c4d"


def test_a_name_live_in_a_namespace_is_refused(sim: Simulator) -> None:
    sim.create(deployment_request())

    with pytest.raises(ResourceExists, match="already exists in namespace"):
        sim.create(deployment_request())

    assert len(sim.resources()) == 1


def test_the_same_name_in_another_namespace_is_fine(sim: Simulator) -> None:
    sim.create(deployment_request(namespace="compoundai"))
    sim.create(deployment_request(namespace="team-b"))

    assert len(sim.resources()) == 2
    assert len(sim.resources("team-b")) == 1


def test_a_deleted_name_can_be_created_again(sim: Simulator) -> None:
    first = sim.create(deployment_request())
    sim.delete(first)

    second = sim.create(deployment_request())

    assert second != first
    assert [r.id for r in sim.resources()] == [second]


def test_concurrent_creates_of_one_name_let_exactly_one_win(sim: Simulator) -> None:
    def attempt(_: int) -> bool:
        try:
            sim.create(deployment_request())
        except ResourceExists:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(16)))

    assert outcomes.count(True) == 1
    assert len(sim.resources()) == 1


def test_states_progress_with_time(sim: Simulator, clock: PinnedClock) -> None:
    deployment = sim.create(deployment_request())
    request = sim.create(nim_request())

    building = sim.status(deployment)
    assert building.state == "image-building"
    assert "llm-agg:abc" in building.message
    assert sim.status(request).message == "building image llm-agg:abc"

    clock.advance(3.0)
    deploying = sim.status(deployment)
    assert deploying.state == "deploying"
    assert deploying.message == "waiting for 2/4 replicas"

    clock.advance(2.9)
    assert sim.status(deployment).state == "deploying"

    clock.advance(0.1)
    running = sim.status(deployment)
    assert running.state == "running"
    assert "all replicas ready" in running.message
    assert sim.status(request).state == "running"


def test_zero_step_seconds_runs_at_once(tmp_path: Path) -> None:
    sim = Simulator(tmp_path / "sim.db", step_seconds=0)

    resource = sim.create(deployment_request())

    assert sim.status(resource).state == "running"


def test_delete_removes_and_unknown_ids_are_fine(sim: Simulator) -> None:
    resource = sim.create(deployment_request())

    sim.delete(resource)
    sim.delete(resource)
    sim.delete("no-such-id")

    assert sim.resources() == []
    gone = sim.status(resource)
    assert gone.state == "unknown"
    assert gone.id == resource


def test_find_by_namespace_and_name(sim: Simulator) -> None:
    resource = sim.create(deployment_request())
    sim.create(nim_request())

    found = sim.find("compoundai", "llm-agg-1a2b3c4d")

    assert [r.id for r in found] == [resource]
    assert found[0].namespace == "compoundai"
    assert sim.find("team-b", "llm-agg-1a2b3c4d") == []


def test_the_nth_create_from_now_fails_once(sim: Simulator) -> None:
    sim.create(deployment_request("before"))
    sim.fail_on("create", 2, message="quota exceeded")
    sim.status("reads-do-not-count")
    sim.find("compoundai", "before")

    sim.create(deployment_request("first"))
    with pytest.raises(DmsError, match="quota exceeded"):
        sim.create(deployment_request("second"))
    sim.create(deployment_request("third"))

    names = {r.name for r in sim.resources()}
    assert names == {"before", "first", "third"}


def test_the_nth_delete_fails_and_the_resource_stays(sim: Simulator) -> None:
    keep = sim.create(deployment_request("keep"))
    drop = sim.create(deployment_request("drop"))
    sim.fail_on("delete", 1)

    with pytest.raises(DmsError, match="simulated DMS failure of delete call #1"):
        sim.delete(keep)
    sim.delete(drop)

    assert [r.id for r in sim.resources()] == [keep]


def test_reset_forgets_pending_failures(sim: Simulator) -> None:
    sim.fail_on("create", 1)
    sim.reset_failures()

    sim.create(deployment_request())

    assert len(sim.resources()) == 1


def test_a_stall_times_out_without_creating(sim: Simulator) -> None:
    sim.fail_on("create", 1, mode="stall", stall_seconds=0.05)

    began = time.monotonic()
    with pytest.raises(DmsTimeout):
        sim.create(deployment_request())

    assert time.monotonic() - began >= 0.05
    assert sim.resources() == []


def test_a_lost_answer_times_out_but_the_create_happened(sim: Simulator) -> None:
    sim.fail_on("create", 1, mode="lost", stall_seconds=0)

    with pytest.raises(DmsTimeout):
        sim.create(deployment_request())

    found = sim.find("compoundai", "llm-agg-1a2b3c4d")
    assert len(found) == 1


def test_bad_failure_requests_are_refused(sim: Simulator) -> None:
    with pytest.raises(InvalidInput, match="create"):
        sim.fail_on("status", 1)
    with pytest.raises(InvalidInput, match="mode"):
        sim.fail_on("create", 1, mode="explode")
    with pytest.raises(InvalidInput, match="nth"):
        sim.fail_on("create", 0)


def test_force_state_overrides_time(sim: Simulator, clock: PinnedClock) -> None:
    resource = sim.create(deployment_request())

    sim.force_state(resource, "unhealthy", "2 of 4 replicas crash-looping")
    clock.advance(60)

    forced = sim.status(resource)
    assert forced.state == "unhealthy"
    assert forced.message == "2 of 4 replicas crash-looping"
    sim.force_state(resource, None)
    assert sim.status(resource).state == "running"
    with pytest.raises(DmsError, match="no resource"):
        sim.force_state("no-such-id", "failed")


def test_two_simulators_on_one_file_share_everything(
    tmp_path: Path, clock: PinnedClock
) -> None:
    one = Simulator(tmp_path / "shared.db", clock=clock)
    two = Simulator(tmp_path / "shared.db", clock=clock)

    made = one.create(deployment_request())
    assert [r.id for r in two.resources()] == [made]
    with pytest.raises(ResourceExists):
        two.create(deployment_request())

    one.fail_on("delete", 1)
    with pytest.raises(DmsError):
        two.delete(made)
    two.delete(made)
    assert one.resources() == []


def test_make_dms_picks_the_simulator_or_the_http_client(tmp_path: Path) -> None:
    simulated = make_dms(
        Settings(
            cai_sim_store=str(tmp_path / "s.db"),
            cai_sim_seconds=0,
            dms_url="",
            dms_host="",
        )
    )
    remote = make_dms(
        Settings(dms_url="http://127.0.0.1:8282/", cai_dms_timeout_seconds=2.5)
    )

    assert isinstance(simulated, Simulator)
    assert simulated.path == tmp_path / "s.db"
    assert simulated.step_seconds == 0
    assert isinstance(remote, HttpDeploymentManager)
    assert remote.base_url == "http://127.0.0.1:8282"
    assert remote.timeout == 2.5
    remote.close()
