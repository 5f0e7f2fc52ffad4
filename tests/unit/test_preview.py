"""Dry runs: a preview shows the diff, the exact DMS requests and the effect, and the
write given the preview's target uids sends exactly those requests."""

import json
import sqlite3

import pytest

from cai_tui.dms.simulator import Simulator
from store.errors import Conflict, InvalidInput, NotFound, StaleRevision
from store.local import LocalStore
from store.schemas import DeploymentSpec, ServiceConfig, TargetConfig, TargetSpec
from tests.unit.conftest import StoreFactory

CONFIG = TargetConfig(services={"Frontend": ServiceConfig(), "Worker": ServiceConfig()})
V1 = (TargetSpec(nim="llm", version="v1", config=CONFIG),)
V2 = (TargetSpec(nim="llm", version="v2", config=CONFIG),)


@pytest.fixture
def deployed(store: LocalStore) -> LocalStore:
    """Alice's store with `api` running llm:v1."""
    store.create_deployment("us-west", DeploymentSpec(name="api", targets=V1))
    return store


def _bodies(sim: Simulator, ids: set[str]) -> dict[str, object]:
    """The request bodies the simulator received, by resource name."""
    with sqlite3.connect(sim.path) as db:
        rows = db.execute("SELECT id, name, body FROM resources").fetchall()
    return {name: json.loads(body) for rid, name, body in rows if rid in ids}


def test_roll_out_preview_is_what_the_write_does(
    deployed: LocalStore, sim: Simulator
) -> None:
    before = deployed.get_deployment("us-west", "api")
    assert before.active_revision is not None
    old_ids = [
        r.resource_id for t in before.active_revision.targets for r in t.resources
    ]

    preview = deployed.preview_roll_out("us-west", "api", V2)

    assert preview.kind == "roll_out"
    assert preview.active_revision_uid == before.active_revision_uid
    assert [c.path for c in preview.diff.changes] == ["llm.tag"]
    assert [(c.method, c.kind) for c in preview.calls] == [
        ("POST", "CompoundAINimDeployment"),
        ("POST", "CompoundAINimRequest"),
        ("DELETE", "CompoundAINimDeployment"),
        ("DELETE", "CompoundAINimRequest"),
    ]
    assert [c.path for c in preview.calls[2:]] == [
        f"/v1/deployments/{i}" for i in old_ids
    ]
    assert "becomes inactive" in preview.effect and "2 DMS resources" in preview.effect
    assert sim.resources() and len(sim.resources()) == 2  # nothing sent yet

    after = deployed.roll_out(
        "us-west",
        "api",
        V2,
        expected_active=preview.active_revision_uid,
        target_uids=preview.target_uids,
    )
    assert after.active_revision is not None
    assert [t.uid for t in after.active_revision.targets] == list(preview.target_uids)
    live = {r.id for r in sim.resources()}
    sent = _bodies(sim, live)
    assert {c.name: c.body for c in preview.calls[:2]} == sent


def test_a_preview_is_carried_out_once(deployed: LocalStore) -> None:
    preview = deployed.preview_roll_out("us-west", "api", V2)
    deployed.roll_out("us-west", "api", V2, target_uids=preview.target_uids)
    with pytest.raises(InvalidInput, match="preview the write again"):
        deployed.roll_out("us-west", "api", V1, target_uids=preview.target_uids)
    with pytest.raises(InvalidInput, match="2 target uid"):
        deployed.roll_out("us-west", "api", V1, target_uids=("a", "b"))


def test_a_stale_preview_is_refused(deployed: LocalStore) -> None:
    preview = deployed.preview_roll_out("us-west", "api", V2)
    deployed.roll_out("us-west", "api", V2)
    with pytest.raises(StaleRevision):
        deployed.roll_out(
            "us-west",
            "api",
            V2,
            expected_active=preview.active_revision_uid,
            target_uids=preview.target_uids,
        )


def test_create_preview_and_validation(store: LocalStore) -> None:
    spec = DeploymentSpec(name="api", namespace="team-a", targets=V1 + V2)
    preview = store.preview_create("us-west", spec)
    assert preview.active_revision_uid is None and preview.namespace == "team-a"
    assert [c.method for c in preview.calls] == ["POST"] * 4
    assert all(c.namespace == "team-a" for c in preview.calls)
    assert preview.diff.new_tags == ("llm:v1", "llm:v2")
    assert "first revision" in preview.effect
    detail = store.create_deployment("us-west", spec, target_uids=preview.target_uids)
    assert detail.active_revision is not None
    names = {r.name for t in detail.active_revision.targets for r in t.resources}
    assert names == {c.name for c in preview.calls}

    missing = (TargetSpec(nim="llm", version="v9"),)
    with pytest.raises(InvalidInput, match="v9"):
        store.preview_roll_out("us-west", "api", missing)
    with pytest.raises(InvalidInput):
        store.preview_create("us-west", DeploymentSpec(name="Bad_Name", targets=V1))
    with pytest.raises(NotFound):
        store.preview_roll_out("us-west", "nope", V1)


def test_roll_back_deactivate_and_delete_previews(deployed: LocalStore) -> None:
    first = deployed.get_deployment("us-west", "api").active_revision_uid
    assert first is not None
    deployed.roll_out("us-west", "api", V2)

    back = deployed.preview_roll_back("us-west", "api", first)
    assert back.kind == "roll_back" and back.rolled_back_from == first
    assert [(c.old, c.new) for c in back.diff.changes] == [("llm:v2", "llm:v1")]
    detail = deployed.roll_back("us-west", "api", first, target_uids=back.target_uids)
    assert detail.active_revision is not None
    assert detail.active_revision.rolled_back_from == first

    with pytest.raises(Conflict):
        deployed.preview_delete("us-west", "api")
    stop = deployed.preview_deactivate("us-west", "api")
    assert [c.method for c in stop.calls] == ["DELETE", "DELETE"]
    assert stop.diff.changes[0].kind == "removed"
    assert "terminated" in stop.effect
    deployed.deactivate("us-west", "api", expected_active=stop.active_revision_uid)

    with pytest.raises(Conflict, match="nothing to deactivate"):
        deployed.preview_deactivate("us-west", "api")
    gone = deployed.preview_delete("us-west", "api")
    assert gone.calls == () and "3 revision(s)" in gone.effect


def test_a_read_only_store_previews(
    deployed: LocalStore, make_store: StoreFactory
) -> None:
    viewer = make_store(read_only=True)
    preview = viewer.preview_roll_out("us-west", "api", V2)
    assert len(preview.calls) == 4
    assert viewer.preview_deactivate("us-west", "api").calls
