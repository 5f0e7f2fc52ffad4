"""The write workflow: checks, DMS failures at each call, the point of no return,
leftovers, stale revisions, refused input and lease recovery."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from cai_tui.dms.simulator import Simulator
from store.clock import PinnedClock
from store.dms import ResourceRequest
from store.errors import (
    Conflict,
    DmsError,
    InvalidInput,
    NotFound,
    ReadOnly,
    StaleRevision,
)
from store.local import LocalStore
from store.models import Operation
from store.names import deployment_resource_name
from store.schemas import (
    ClusterSpec,
    DeploymentSpec,
    PageRequest,
    ServiceConfig,
    TargetConfig,
    TargetSpec,
)
from tests.unit.conftest import StoreFactory, seed_nim

CONFIG = TargetConfig(
    services={"Frontend": ServiceConfig(), "Worker": ServiceConfig()},
)
V1 = (TargetSpec(nim="llm", version="v1", config=CONFIG),)
V2 = (TargetSpec(nim="llm", version="v2", config=CONFIG),)


def _state(store: LocalStore, sim: Simulator) -> tuple[Any, ...]:
    """Everything a refused or undone write must leave as it was."""
    deployments = store.list_deployments()
    revisions = [
        store.list_revisions("us-west", d.name, PageRequest(count=100))
        for d in deployments.items
    ]
    resources = sorted(r.id for r in sim.resources())
    return deployments, revisions, resources, store.list_leftovers()


@pytest.fixture
def deployed(store: LocalStore) -> LocalStore:
    """Alice's store with `api` running llm:v1."""
    store.create_deployment("us-west", DeploymentSpec(name="api", targets=V1))
    return store


def test_create_makes_two_resources_per_target(
    store: LocalStore, sim: Simulator
) -> None:
    detail = store.create_deployment(
        "us-west", DeploymentSpec(name="api", targets=V1 + V2), reason="launch"
    )
    assert detail.status == "deploying" and detail.revision_count == 1
    assert detail.active_revision is not None
    targets = detail.active_revision.targets
    assert [t.tag for t in targets] == ["llm:v1", "llm:v2"]
    assert set(targets[0].config.services) == {"Frontend", "Worker"}
    live = {r.id: r for r in sim.resources()}
    assert len(live) == 4
    for target in targets:
        kinds = [r.kind for r in target.resources]
        assert kinds == ["CompoundAINimDeployment", "CompoundAINimRequest"]
        assert target.resources[0].name == deployment_resource_name("api", target.uid)
        assert all(r.resource_id in live for r in target.resources)
    operation = store.list_operations().items[0]
    assert (operation.kind, operation.outcome, operation.reason) == (
        "create_deployment",
        "succeeded",
        "launch",
    )


@pytest.mark.parametrize("nth", [1, 2])
def test_create_failing_at_each_dms_call_changes_nothing(
    store: LocalStore, sim: Simulator, nth: int
) -> None:
    before = _state(store, sim)
    sim.fail_on("create", nth)
    with pytest.raises(DmsError) as caught:
        store.create_deployment("us-west", DeploymentSpec(name="api", targets=V1))
    assert "nothing was changed" in caught.value.message
    assert _state(store, sim) == before
    assert sim.resources() == []
    assert store.list_operations().items[0].outcome == "failed"


def test_a_lost_create_answer_is_found_and_undone(
    store: LocalStore, sim: Simulator
) -> None:
    sim.fail_on("create", 2, mode="lost", stall_seconds=0)
    with pytest.raises(DmsError):
        store.create_deployment("us-west", DeploymentSpec(name="api", targets=V1))
    assert sim.resources() == []


def test_roll_out_replaces_the_active_revision(
    deployed: LocalStore, sim: Simulator
) -> None:
    first = deployed.get_deployment("us-west", "api")
    old_ids = {r.id for r in sim.resources()}
    second = deployed.roll_out(
        "us-west", "api", V2, expected_active=first.active_revision_uid
    )
    assert second.tags == ("llm:v2",) and second.revision_count == 2
    history = deployed.list_revisions("us-west", "api").items
    assert [r.status for r in history] == ["active", "inactive"]
    live = {r.id for r in sim.resources()}
    assert len(live) == 2 and not live & old_ids


@pytest.mark.parametrize("nth", [1, 2])
def test_roll_out_failing_at_each_create_changes_nothing(
    deployed: LocalStore, sim: Simulator, nth: int
) -> None:
    before = _state(deployed, sim)
    sim.fail_on("create", nth)
    with pytest.raises(DmsError):
        deployed.roll_out("us-west", "api", V2)
    assert _state(deployed, sim) == before


@pytest.mark.parametrize("nth", [1, 2])
def test_roll_out_failing_at_each_delete_stands_with_a_leftover(
    deployed: LocalStore, sim: Simulator, nth: int
) -> None:
    sim.fail_on("delete", nth)
    detail = deployed.roll_out("us-west", "api", V2)
    assert detail.tags == ("llm:v2",)
    leftovers = deployed.list_leftovers()
    assert len(leftovers) == 1 and leftovers[0].deployment == "api"
    assert len(sim.resources()) == 3

    assert deployed.retry_leftovers() == []
    assert len(sim.resources()) == 2


def test_stale_expected_revision_changes_nothing(
    deployed: LocalStore, sim: Simulator
) -> None:
    before = _state(deployed, sim)
    writes: list[Callable[[], object]] = [
        lambda: deployed.roll_out("us-west", "api", V2, expected_active="stale"),
        lambda: deployed.deactivate("us-west", "api", expected_active=None),
        lambda: deployed.delete_deployment("us-west", "api", expected_active="x"),
    ]
    for write in writes:
        with pytest.raises(StaleRevision):
            write()
    assert _state(deployed, sim) == before
    assert deployed.list_operations().items[0].outcome == "conflict"


def test_deactivate_then_delete(deployed: LocalStore, sim: Simulator) -> None:
    with pytest.raises(Conflict):
        deployed.delete_deployment("us-west", "api")
    detail = deployed.deactivate("us-west", "api")
    assert detail.status == "terminated" and detail.active_revision is None
    assert sim.resources() == []
    gone = deployed.delete_deployment("us-west", "api")
    assert gone.name == "api"
    with pytest.raises(NotFound):
        deployed.get_deployment("us-west", "api")


def test_deactivate_refused_at_the_first_delete_changes_nothing(
    deployed: LocalStore, sim: Simulator
) -> None:
    before = _state(deployed, sim)
    sim.fail_on("delete", 1)
    with pytest.raises(DmsError):
        deployed.deactivate("us-west", "api")
    assert _state(deployed, sim) == before


def test_deactivate_failing_at_the_second_delete_leaves_a_leftover(
    deployed: LocalStore, sim: Simulator
) -> None:
    sim.fail_on("delete", 2)
    detail = deployed.deactivate("us-west", "api")
    assert detail.status == "terminated"
    assert len(deployed.list_leftovers()) == 1
    assert len(sim.resources()) == 1
    deployed.delete_deployment("us-west", "api")
    assert len(deployed.list_leftovers()) == 1


def test_roll_out_after_deactivate_makes_it_active_again(deployed: LocalStore) -> None:
    deployed.deactivate("us-west", "api")
    detail = deployed.roll_out("us-west", "api", V2, expected_active=None)
    assert detail.status == "deploying" and detail.active_revision_uid is not None


def test_roll_back_copies_an_earlier_revision(deployed: LocalStore) -> None:
    first = deployed.get_deployment("us-west", "api")
    deployed.roll_out("us-west", "api", V2)
    assert first.active_revision_uid is not None
    back = deployed.roll_back("us-west", "api", first.active_revision_uid, reason="bad")
    assert back.tags == ("llm:v1",)
    assert back.active_revision is not None
    assert back.active_revision.rolled_back_from == first.active_revision_uid
    assert back.active_revision.targets[0].config.services == CONFIG.services
    with pytest.raises(NotFound):
        deployed.roll_back("us-west", "api", "no-such-revision")


@pytest.mark.parametrize("name", ["Api", "my_api", "a" * 64, "1api", "", "api-"])
def test_invalid_deployment_names_are_refused(
    store: LocalStore, sim: Simulator, name: str
) -> None:
    before = _state(store, sim)
    with pytest.raises(InvalidInput):
        store.create_deployment("us-west", DeploymentSpec(name=name, targets=V1))
    with pytest.raises(InvalidInput):
        store.create_cluster(ClusterSpec(name=name))
    assert _state(store, sim) == before
    assert store.list_operations().items[0].outcome == "refused"


def test_bad_targets_are_refused_alike(
    store: LocalStore, make_store: StoreFactory, sim: Simulator
) -> None:
    seed_nim(store, "llm", "broken", status="failed", make_nim=False)
    bob = make_store(user="bob")
    seed_nim(bob, "bobs-nim", "v1")
    before = _state(store, sim)
    bad = [
        (TargetSpec(nim="llm", version="v9"), "does not exist or is not visible"),
        (TargetSpec(nim="nope", version="v1"), "does not exist or is not visible"),
        (TargetSpec(nim="bobs-nim", version="v1"), "does not exist or is not visible"),
        (TargetSpec(nim="llm", version="broken"), "image build"),
        (TargetSpec(nim="LLM", version="v1"), "invalid"),
    ]
    for target, words in bad:
        with pytest.raises(InvalidInput) as caught:
            store.create_deployment(
                "us-west", DeploymentSpec(name="api", targets=(target,))
            )
        assert words in caught.value.message
    with pytest.raises(InvalidInput):
        store.create_deployment("us-west", DeploymentSpec(name="api", targets=()))
    assert _state(store, sim) == before


def test_name_taken_is_refused(deployed: LocalStore, sim: Simulator) -> None:
    before = _state(deployed, sim)
    with pytest.raises(Conflict):
        deployed.create_deployment("us-west", DeploymentSpec(name="api", targets=V2))
    assert _state(deployed, sim) == before


def test_read_only_store_refuses_every_write(
    deployed: LocalStore, make_store: StoreFactory
) -> None:
    reader = make_store(read_only=True)
    for write in (
        lambda: reader.create_cluster(ClusterSpec(name="east")),
        lambda: reader.roll_out("us-west", "api", V2),
        lambda: reader.deactivate("us-west", "api"),
        lambda: reader.retry_leftovers(),
    ):
        with pytest.raises(ReadOnly):
            write()
    assert reader.get_deployment("us-west", "api").tags == ("llm:v1",)


def test_sync_status_reads_the_dms(deployed: LocalStore, sim: Simulator) -> None:
    detail = deployed.sync_status("us-west", "api")
    assert detail.status == "running"
    assert detail.active_revision is not None
    resource = detail.active_revision.targets[0].resources[0]
    assert resource.state == "running"
    assert resource.resource_id is not None
    sim.force_state(resource.resource_id, "failed", "crash loop")
    assert deployed.sync_status("us-west", "api").status == "failed"
    deployed.deactivate("us-west", "api")
    assert deployed.sync_status("us-west", "api").status == "terminated"


class RacingSimulator(Simulator):
    """The real simulator, running another write just before its first create."""

    race: Any = None

    def create(self, request: ResourceRequest) -> str:
        """Let the competing write run once, then create as usual."""
        race, self.race = self.race, None
        if race is not None:
            race()
        return super().create(request)


def test_a_concurrent_roll_out_wins_and_the_loser_undoes(
    deployed: LocalStore, make_store: StoreFactory, tmp_path: Any
) -> None:
    racing = RacingSimulator(tmp_path / "dms-sim.db", step_seconds=0)
    loser = make_store(dms=racing)
    racing.race = lambda: deployed.roll_out("us-west", "api", V2)
    with pytest.raises(StaleRevision):
        loser.roll_out("us-west", "api", V1)
    assert deployed.get_deployment("us-west", "api").tags == ("llm:v2",)
    assert len(racing.resources()) == 2


def _stale_operation(
    store: LocalStore, clock: PinnedClock, past: bool, plan: dict[str, Any]
) -> str:
    with store.db.engine.begin() as connection:
        connection.execute(
            insert(Operation),
            [
                {
                    "uid": "dead-op",
                    "kind": "roll_out",
                    "organization": "acme",
                    "user": "alice",
                    "cluster": "us-west",
                    "deployment": "api",
                    "reason": "",
                    "started_at": clock(),
                    "outcome": "running",
                    "message": "",
                    "owner": "gone-host:1",
                    "lease_until": clock() - timedelta(seconds=5),
                    "past_point_of_no_return": past,
                    "planned": plan,
                }
            ],
        )
    return "dead-op"


def _outcome(store: LocalStore, uid: str) -> str:
    with store.db.read() as session:
        return (
            session.scalar(select(Operation.outcome).where(Operation.uid == uid)) or ""
        )


@pytest.mark.parametrize("past", [False, True])
def test_lease_recovery_finishes_or_undoes(
    store: LocalStore, sim: Simulator, clock: PinnedClock, past: bool
) -> None:
    orphan = sim.create(
        ResourceRequest(
            kind="CompoundAINimRequest", name="orphan", namespace="compoundai", body={}
        )
    )
    entry = {
        "kind": "CompoundAINimRequest",
        "name": "orphan",
        "namespace": "compoundai",
        "resource_id": orphan,
    }
    plan = (
        {"create": [entry], "delete": []}
        if not past
        else {"create": [], "delete": [entry]}
    )
    uid = _stale_operation(store, clock, past, plan)
    assert store.recover() == 1
    assert sim.resources() == []
    assert _outcome(store, uid) == ("succeeded" if past else "failed")
    assert store.recover() == 0


def test_a_live_lease_is_left_alone(store: LocalStore, clock: PinnedClock) -> None:
    uid = _stale_operation(store, clock, False, {"create": [], "delete": []})
    clock.advance(-60)
    assert store.recover() == 0
    assert _outcome(store, uid) == "running"


def test_first_write_recovers(
    store: LocalStore, make_store: StoreFactory, sim: Simulator, clock: PinnedClock
) -> None:
    uid = _stale_operation(store, clock, False, {"create": [], "delete": []})
    make_store().create_deployment("us-west", DeploymentSpec(name="api", targets=V1))
    assert _outcome(store, uid) == "failed"


def test_a_roll_out_restarts_the_wait_for_running(
    deployed: LocalStore, clock: PinnedClock
) -> None:
    first = deployed.get_deployment("us-west", "api")
    assert first.status == "deploying"
    clock.advance(600)
    second = deployed.roll_out("us-west", "api", V2)
    assert second.status == "deploying"
    assert second.status_changed_at == clock()
    assert first.status_changed_at is not None
    assert second.status_changed_at > first.status_changed_at


def test_resources_of_an_old_revision_read_deleted_or_left_over(
    deployed: LocalStore, sim: Simulator
) -> None:
    sim.fail_on("delete", 2)
    deployed.roll_out("us-west", "api", V2)
    history = deployed.list_revisions("us-west", "api").items
    new, old = history[0], history[1]
    assert all(r.message != "deleted" for r in new.targets[0].resources)
    messages = sorted(r.message for r in old.targets[0].resources)
    assert messages[0] == "deleted"
    assert messages[1].startswith("left over, needs attention")
    assert all(r.state is None for r in old.targets[0].resources)

    deployed.retry_leftovers()
    old = deployed.list_revisions("us-west", "api").items[1]
    assert [r.message for r in old.targets[0].resources] == ["deleted", "deleted"]
