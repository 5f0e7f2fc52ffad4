"""Every write of the Store interface through RemoteStore, against a real server.

The server runs on loopback over a fresh SQLite file and the embedded simulator;
what the remote store reports is checked against the server's own database.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from cai_tui.dms.simulator import Simulator
from cai_tui.server.app import create_app
from store.clock import SequentialIds, system_clock
from store.database import Database
from store.errors import (
    Conflict,
    InvalidInput,
    NameTaken,
    NotFound,
    ReadOnly,
    StaleRevision,
    Unavailable,
)
from store.local import LocalStore
from store.remote import RemoteStore
from store.schemas import (
    Caller,
    ClusterSpec,
    ClusterUpdate,
    DeploymentSpec,
    Identity,
    NimSpec,
    NimUpdate,
    PageRequest,
    ServiceConfig,
    TargetConfig,
    TargetSpec,
    VersionSpec,
)
from tests.servers import running_server

ALICE = Identity(org="acme", user="alice")
CONFIG = TargetConfig(services={"Frontend": ServiceConfig(), "Worker": ServiceConfig()})
V1 = (TargetSpec(nim="llm", version="v1", config=CONFIG),)
V2 = (TargetSpec(nim="llm", version="v2", config=CONFIG),)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Database, Simulator]]:
    """A CAI API in user scope on loopback, its database and its simulator."""
    db = Database.open(f"sqlite:///{tmp_path / 'cai.db'}", migrate=True)
    sim = Simulator(tmp_path / "dms-sim.db", step_seconds=0.0)
    app = create_app(
        db,
        dms=sim,
        scope="user",
        clock=system_clock,
        new_id=SequentialIds(),
        tokens={"s3cret": ALICE},
    )
    with running_server(app) as url:
        yield url, db, sim
    db.dispose()


@pytest.fixture
def remote(server: tuple[str, Database, Simulator]) -> Iterator[RemoteStore]:
    """Alice's remote store, holding her token, with the NIM llm:v1 and v2."""
    store = RemoteStore(server[0], token="s3cret")
    store.create_nim(NimSpec(name="llm"))
    for version in ("v1", "v2"):
        store.create_version(
            "llm",
            VersionSpec(
                version=version,
                manifest={"services": ["Frontend", "Worker"]},
                image_build_status="success",
            ),
        )
    yield store
    store.close()


def test_the_token_names_the_caller_and_a_wrong_one_is_refused(
    server: tuple[str, Database, Simulator],
) -> None:
    store = RemoteStore(server[0], Identity(org="evil", user="x"), token="s3cret")
    assert store.caller == Caller(identity=ALICE, scope="user")
    store.close()
    with pytest.raises(Unavailable, match="refused the token: set CAI_API_TOKEN"):
        RemoteStore(server[0], ALICE, token="wrong")
    with pytest.raises(Unavailable, match="refused the token"):
        RemoteStore(server[0], ALICE)


def test_clusters_and_nims_are_created_and_edited(remote: RemoteStore) -> None:
    made = remote.create_cluster(ClusterSpec(name="us-west", kube_config="x: 1"))
    assert made.has_kube_config
    assert made.creator == "alice"
    edited = remote.update_cluster("us-west", ClusterUpdate(description="west"))
    assert edited.description == "west"
    assert remote.get_cluster("us-west") == edited
    with pytest.raises(NameTaken):
        remote.create_cluster(ClusterSpec(name="us-west"))
    with pytest.raises(InvalidInput):
        remote.create_cluster(ClusterSpec(name="Us West"))

    nim = remote.update_nim("llm", NimUpdate(description="a chat model"))
    assert nim.description == "a chat model"
    assert nim.version_count == 2
    version = remote.update_version("llm", "v1", NimUpdate(description="first"))
    assert version.description == "first"
    assert version.services == ("Frontend", "Worker")
    failed = remote.set_image_build_status("llm", "v2", "failed")
    assert failed.image_build_status == "failed"
    with pytest.raises(NotFound):
        remote.update_nim("nope", NimUpdate(description="x"))


def test_the_write_workflow_with_previews(
    remote: RemoteStore, server: tuple[str, Database, Simulator]
) -> None:
    _, db, sim = server
    spec = DeploymentSpec(name="api", targets=V1)
    preview = remote.preview_create("default", spec)
    assert preview.kind == "create"
    assert len(preview.calls) == 2
    created = remote.create_deployment(
        "default", spec, "first", target_uids=preview.target_uids
    )
    assert created.active_revision is not None
    assert created.active_revision.targets[0].uid == preview.target_uids[0]
    names = {call.name for call in preview.calls}
    assert names == {r.name for r in created.active_revision.targets[0].resources}
    assert len(sim.resources()) == 2

    first = created.active_revision_uid
    roll = remote.preview_roll_out("default", "api", V2)
    assert roll.active_revision_uid == first
    assert any(change.field == "tag" for change in roll.diff.changes)
    rolled = remote.roll_out(
        "default",
        "api",
        V2,
        expected_active=roll.active_revision_uid,
        target_uids=roll.target_uids,
        reason="to v2",
        description="now on v2",
    )
    assert rolled.tags == ("llm:v2",)
    assert rolled.description == "now on v2"
    stored = LocalStore(db, remote.caller, sim).get_deployment("default", "api")
    assert stored.description == "now on v2"
    with pytest.raises(StaleRevision):
        remote.roll_out("default", "api", V1, expected_active=first)

    back = remote.preview_roll_back("default", "api", str(first))
    assert back.rolled_back_from == first
    restored = remote.roll_back(
        "default", "api", str(first), expected_active=rolled.active_revision_uid
    )
    assert restored.tags == ("llm:v1",)
    assert restored.active_revision is not None
    assert restored.active_revision.rolled_back_from == first
    history = remote.list_revisions("default", "api", PageRequest(count=10))
    assert history.total == 3

    with pytest.raises(Conflict):
        remote.preview_delete("default", "api")
    assert remote.preview_deactivate("default", "api").kind == "deactivate"
    stopped = remote.deactivate(
        "default", "api", expected_active=restored.active_revision_uid, reason="done"
    )
    assert stopped.status == "terminated"
    assert stopped.active_revision_uid is None
    assert remote.sync_status("default", "api").status == "terminated"
    assert remote.preview_delete("default", "api").kind == "delete"
    gone = remote.delete_deployment("default", "api", expected_active=None)
    assert gone.name == "api"
    with pytest.raises(NotFound):
        remote.get_deployment("default", "api")
    assert remote.list_leftovers() == remote.retry_leftovers() == []

    local = LocalStore(db, remote.caller, sim)
    outcomes = [
        (op.kind, op.outcome)
        for op in local.list_operations(PageRequest(count=50)).items
    ]
    assert outcomes[:5] == [
        ("delete_deployment", "succeeded"),
        ("deactivate", "succeeded"),
        ("roll_back", "succeeded"),
        ("roll_out", "conflict"),
        ("roll_out", "succeeded"),
    ]
    reasons = {op.reason for op in remote.list_operations(PageRequest(count=50)).items}
    assert {"first", "to v2", "done"} <= reasons


def test_a_read_only_remote_store_refuses_writes_but_previews(
    remote: RemoteStore, server: tuple[str, Database, Simulator]
) -> None:
    viewer = RemoteStore(server[0], token="s3cret", read_only=True)
    spec = DeploymentSpec(name="api", targets=V1)
    assert viewer.preview_create("default", spec).kind == "create"
    with pytest.raises(ReadOnly):
        viewer.create_deployment("default", spec)
    viewer.close()
