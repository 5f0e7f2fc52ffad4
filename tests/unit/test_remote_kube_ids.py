"""`set_kube_ids` (v1 `do_not_deploy`) on the local store and through RemoteStore.

Either way it writes the two Kubernetes ids of the matching active targets and
nothing else: same revisions, same statuses, no DMS call, one operation recorded.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from cai_tui.dms.simulator import Simulator
from cai_tui.server.app import create_app
from store.clock import SequentialIds, system_clock
from store.database import Database
from store.errors import NotFound
from store.interface import Store
from store.local import LocalStore
from store.remote import RemoteStore
from store.schemas import (
    ClusterSpec,
    DeploymentSpec,
    Identity,
    NimSpec,
    ServiceConfig,
    TargetConfig,
    TargetSpec,
    VersionSpec,
)
from tests.servers import running_server

CONFIG = TargetConfig(
    services={"Frontend": ServiceConfig(), "Worker": ServiceConfig()},
    extra={"enable_debug_mode": True},
)
TARGETS = (
    TargetSpec(nim="llm", version="v1", config=CONFIG),
    TargetSpec(nim="llm", version="v2", config=CONFIG),
)
KUBE = {"kubeResourceUid": "uid-7", "kubeResourceVersion": "99"}


def check_kube_ids(store: Store, sim: Simulator) -> None:
    """Deploy two targets, set the ids of one, and check nothing else moved."""
    created = store.create_deployment(
        "us-west", DeploymentSpec(name="api", targets=TARGETS)
    )
    assert created.active_revision is not None
    resources = sim.resources()
    operations = store.list_operations(deployment="api", cluster="us-west").total

    ids = {"llm:v1": ("uid-7", "99"), "llm:v9": ("nope", "0")}
    after = store.set_kube_ids("us-west", "api", ids, description="tracked")

    assert after.description == "tracked"
    assert after.status == created.status
    assert after.revision_count == created.revision_count == 1
    assert after.active_revision_uid == created.active_revision_uid
    assert after.active_revision is not None
    first, second = after.active_revision.targets
    before_first, before_second = created.active_revision.targets
    assert first.config.extra == {**before_first.config.extra, **KUBE}
    assert first.config.model_copy(update={"extra": {}}) == (
        before_first.config.model_copy(update={"extra": {}})
    )
    assert second == before_second
    assert first.uid == before_first.uid
    assert store.list_revisions("us-west", "api").total == 1
    assert sim.resources() == resources
    listed = store.list_operations(deployment="api", cluster="us-west")
    assert listed.total == operations + 1
    assert listed.items[0].kind == "set_kube_ids"
    assert store.get_deployment("us-west", "api") == after

    # Without a description the stored one stays.
    again = store.set_kube_ids("us-west", "api", {"llm:v2": ("u2", "1")})
    assert again.description == "tracked"
    assert again.active_revision is not None
    assert again.active_revision.targets[1].config.extra["kubeResourceUid"] == "u2"

    # A new revision's targets start with the ids blank.
    copies = tuple(
        TargetSpec(nim=t.nim, version=t.version, config=t.config)
        for t in after.active_revision.targets
    )
    rolled = store.roll_out("us-west", "api", copies)
    assert rolled.active_revision is not None
    for target in rolled.active_revision.targets:
        assert "kubeResourceUid" not in target.config.extra
        assert target.config.extra == {"enable_debug_mode": True}

    with pytest.raises(NotFound):
        store.set_kube_ids("us-west", "nope", ids)


def test_local_store_sets_only_the_kube_ids(store: LocalStore, sim: Simulator) -> None:
    check_kube_ids(store, sim)


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[tuple[RemoteStore, Simulator]]:
    """Alice's remote store on a server over a fresh SQLite file, with NIM llm."""
    db = Database.open(f"sqlite:///{tmp_path / 'cai.db'}", migrate=True)
    sim = Simulator(tmp_path / "dms-sim.db", step_seconds=0.0)
    app = create_app(
        db, dms=sim, scope="user", clock=system_clock, new_id=SequentialIds()
    )
    with running_server(app) as url:
        store = RemoteStore(url, Identity(org="acme", user="alice"))
        store.create_cluster(ClusterSpec(name="us-west"))
        store.create_nim(NimSpec(name="llm"))
        for version in ("v1", "v2"):
            manifest = {"services": ["Frontend", "Worker"]}
            spec = VersionSpec(
                version=version, manifest=manifest, image_build_status="success"
            )
            store.create_version("llm", spec)
        yield store, sim
        store.close()
    db.dispose()


def test_remote_store_sets_only_the_kube_ids(
    remote: tuple[RemoteStore, Simulator],
) -> None:
    check_kube_ids(*remote)
