"""Every write against the HTTP DMS failing, stalling or losing its answer at each call.

The simulator is served over HTTP on loopback and reached through
`HttpDeploymentManager` with a short timeout; `dms_concurrency=1` fixes the order
of the calls, so call `nth` of a write is always the same resource. Before the point
of no return the domain state and the DMS are as they were; after it the write
stands, its leftovers are recorded, and `retry_leftovers` clears them. Either way
the next write works.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cai_tui.dms.http_client import HttpDeploymentManager
from cai_tui.dms.sim_server import create_app
from cai_tui.dms.simulator import Simulator
from store.database import Database
from store.errors import DmsError, DmsTimeout
from store.local import LocalStore
from store.schemas import (
    Caller,
    DeploymentSpec,
    Identity,
    NimSpec,
    PageRequest,
    ResourceItem,
    Resources,
    ServiceConfig,
    TargetConfig,
    TargetSpec,
    VersionSpec,
)
from tests.servers import running_server

TIMEOUT = 1.0
"""The client's timeout: short, so a stalled call costs little, yet long enough
that a call on a busy machine still answers in time."""
STALL = 1.5
"""How long a stalled or lost call blocks at the simulator: past the timeout."""
NIMS = ("llm", "embed", "rerank")
CLUSTER = "default"

WRITES = ("create", "roll_out", "roll_back", "deactivate")


@dataclass(frozen=True)
class Case:
    """One write failing at one DMS call."""

    write: str
    targets: int
    operation: str
    nth: int
    mode: str

    @property
    def id(self) -> str:
        """A readable test id."""
        return f"{self.write}-{self.targets}t-{self.operation}{self.nth}-{self.mode}"

    @property
    def before_point_of_no_return(self) -> bool:
        """Whether the write must fail and change nothing."""
        if self.operation == "create":
            return True
        return self.write == "deactivate" and self.nth == 1 and self.mode == "error"


def cases() -> list[Case]:
    """Every call position of every write, from the calls each write makes."""
    found: list[Case] = []
    for targets in (1, 3):
        for write in WRITES:
            creates = 0 if write == "deactivate" else 2 * targets
            deletes = 0 if write == "create" else 2 * targets
            for nth in range(1, creates + 1):
                for mode in ("error", "stall", "lost"):
                    found.append(Case(write, targets, "create", nth, mode))
            for nth in range(1, deletes + 1):
                # A lost delete answer matters where it decides the outcome.
                modes = ("error", "stall", "lost") if nth == 1 else ("error", "stall")
                for mode in modes:
                    found.append(Case(write, targets, "delete", nth, mode))
    return found


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Simulator:
    """The simulator behind the HTTP server, also used to inject failures."""
    return Simulator(tmp_path_factory.mktemp("dms") / "sim.db", step_seconds=0.0)


@pytest.fixture(scope="module")
def dms(sim: Simulator) -> Iterator[HttpDeploymentManager]:
    """The HTTP client of one simulator server shared by the whole module."""
    with running_server(create_app(sim)) as url:
        client = HttpDeploymentManager(url, timeout=TIMEOUT)
        yield client
        client.close()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One SQLite store file for the module; every test has its own organization."""
    path = tmp_path_factory.mktemp("store") / "cai.db"
    db = Database.open(f"sqlite:///{path}", migrate=True)
    yield db
    db.dispose()


@dataclass
class World:
    """One test's organization, deployment and namespace over the shared parts."""

    store: LocalStore
    sim: Simulator
    name: str
    namespace: str

    def live(self) -> set[str]:
        """Ids of the simulator's resources in this test's namespace."""
        return {r.id for r in self.sim.resources(self.namespace)}

    def active_ids(self) -> set[str]:
        """Resource ids the active revision holds."""
        if not self.exists():
            return set()
        detail = self.store.get_deployment(CLUSTER, self.name)
        if detail.active_revision is None:
            return set()
        return {
            r.resource_id or ""
            for t in detail.active_revision.targets
            for r in t.resources
        }

    def exists(self) -> bool:
        """Whether the deployment is there."""
        return self.store.list_deployments().total > 0

    def domain(self) -> tuple[Any, ...]:
        """Deployments, revisions, targets and their resources, as stored."""
        deployments = self.store.list_deployments()
        history = [
            self.store.list_revisions(CLUSTER, d.name, PageRequest(count=100))
            for d in deployments.items
        ]
        return deployments, history


@pytest.fixture
def world(
    database: Database, dms: HttpDeploymentManager, sim: Simulator
) -> Iterator[World]:
    """A store of a fresh organization with three built NIMs, two versions each."""
    sim.reset_failures()
    org = f"org-{uuid.uuid4().hex[:8]}"
    caller = Caller(identity=Identity(org=org, user="ops"), scope="user")
    store = LocalStore(database, caller, dms, dms_concurrency=1)
    for nim in NIMS:
        store.create_nim(NimSpec(name=nim))
        for version in ("v1", "v2"):
            store.create_version(
                nim, VersionSpec(version=version, image_build_status="success")
            )
    yield World(store, sim, name="api", namespace=f"ns-{org}")
    sim.reset_failures()


def targets(count: int, version: str, gpu: str = "1") -> tuple[TargetSpec, ...]:
    """`count` targets of the NIMs at `version`, each with a worker using `gpu`."""
    worker = ServiceConfig(
        resources=Resources(limits=ResourceItem(gpu=gpu, memory="8Gi"))
    )
    config = TargetConfig(services={"Frontend": ServiceConfig(), "Worker": worker})
    return tuple(
        TargetSpec(nim=nim, version=version, config=config) for nim in NIMS[:count]
    )


def prepare(world: World, case: Case) -> str | None:
    """Bring the deployment to where the write starts; return the revision to roll
    back to, for a roll back."""
    if case.write == "create":
        return None
    spec = DeploymentSpec(
        name=world.name, namespace=world.namespace, targets=targets(case.targets, "v1")
    )
    first = world.store.create_deployment(CLUSTER, spec)
    if case.write != "roll_back":
        return None
    world.store.roll_out(CLUSTER, world.name, targets(case.targets, "v2", gpu="2"))
    return first.active_revision_uid


def run_write(world: World, case: Case, earlier: str | None) -> None:
    """The write under test, with the active revision it saw."""
    store, name = world.store, world.name
    if case.write == "create":
        spec = DeploymentSpec(
            name=name, namespace=world.namespace, targets=targets(case.targets, "v1")
        )
        store.create_deployment(CLUSTER, spec, reason="launch")
        return
    seen = store.get_deployment(CLUSTER, name).active_revision_uid
    if case.write == "roll_out":
        store.roll_out(
            CLUSTER,
            name,
            targets(case.targets, "v2", gpu="4"),
            expected_active=seen,
            reason="upgrade",
        )
    elif case.write == "roll_back":
        assert earlier is not None
        store.roll_back(CLUSTER, name, earlier, expected_active=seen, reason="undo")
    else:
        store.deactivate(CLUSTER, name, expected_active=seen, reason="stop")


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_a_dms_failure_ends_as_the_workflow_says(world: World, case: Case) -> None:
    earlier = prepare(world, case)
    domain_before, live_before = world.domain(), world.live()
    active_before = world.active_ids()
    world.sim.fail_on(case.operation, case.nth, mode=case.mode, stall_seconds=STALL)

    if case.before_point_of_no_return:
        with pytest.raises(DmsError) as caught:
            run_write(world, case, earlier)
        _check_unchanged(world, case, caught.value, domain_before, live_before)
    else:
        run_write(world, case, earlier)
        _check_stands_with_a_leftover(world, case, active_before)

    assert world.store.retry_leftovers() == []
    assert world.live() == world.active_ids()
    _check_next_write_works(world)


def _check_unchanged(
    world: World,
    case: Case,
    error: DmsError,
    domain_before: tuple[Any, ...],
    live_before: set[str],
) -> None:
    assert world.domain() == domain_before
    assert world.live() == live_before
    assert world.store.list_leftovers() == []
    assert isinstance(error, DmsTimeout) == (case.mode != "error")
    if case.operation == "create":
        assert "failed to create" in error.message
        assert "nothing was changed" in error.message
    else:
        assert "delete of resource" in error.message
    operation = world.store.list_operations().items[0]
    assert (operation.outcome, operation.message) == ("failed", error.message)


def _check_stands_with_a_leftover(
    world: World, case: Case, active_before: set[str]
) -> None:
    detail = world.store.get_deployment(CLUSTER, world.name)
    history = world.store.list_revisions(CLUSTER, world.name).items
    assert [r.status for r in history].count("active") <= 1

    leftovers = world.store.list_leftovers()
    assert len(leftovers) == 1
    assert leftovers[0].resource_id in active_before
    assert leftovers[0].error and leftovers[0].deployment == world.name
    live = world.live()
    if case.mode == "lost":
        assert leftovers[0].resource_id not in live
    else:
        assert leftovers[0].resource_id in live
    assert live - {leftovers[0].resource_id} == world.active_ids()

    operation = world.store.list_operations().items[0]
    assert operation.outcome == "succeeded"
    assert "1 old DMS resource(s) left over" in operation.message
    if case.write == "deactivate":
        assert detail.status == "terminated" and detail.active_revision is None
    else:
        assert detail.status == "deploying" and history[0].status == "active"
        assert history[1].status == "inactive"


def _check_next_write_works(world: World) -> None:
    store = world.store
    detail = store.get_deployment(CLUSTER, world.name) if world.exists() else None
    if detail is None:
        spec = DeploymentSpec(
            name=world.name, namespace=world.namespace, targets=targets(1, "v2")
        )
        after = store.create_deployment(CLUSTER, spec)
    else:
        after = store.roll_out(
            CLUSTER,
            world.name,
            targets(1, "v1", gpu="8"),
            expected_active=detail.active_revision_uid,
        )
    assert after.active_revision is not None
    assert world.live() == world.active_ids() and len(world.live()) == 2
    assert store.list_leftovers() == []
