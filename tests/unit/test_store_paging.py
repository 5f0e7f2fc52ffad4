"""Deployment lists: filters, sorting, offset and keyset pages, and their speed."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from cai_tui.dms.simulator import Simulator
from store.clock import PinnedClock
from store.database import Database
from store.errors import InvalidInput
from store.local import LocalStore
from store.models import Cluster, Deployment
from store.schemas import (
    Caller,
    DeploymentQuery,
    DeploymentSpec,
    Identity,
    PageRequest,
    TargetSpec,
)
from tests.unit.conftest import seed_nim

LLM = (TargetSpec(nim="llm", version="v1"),)


@pytest.fixture
def many(store: LocalStore, clock: PinnedClock) -> LocalStore:
    """Alice's store with 23 deployments, one a minute, five of them deactivated."""
    for index in range(23):
        clock.advance(60)
        store.create_deployment(
            "us-west", DeploymentSpec(name=f"api-{index:02d}", targets=LLM)
        )
    for index in range(0, 23, 5):
        store.deactivate("us-west", f"api-{index:02d}")
    return store


def _walk(store: LocalStore, query: DeploymentQuery) -> list[str]:
    names: list[str] = []
    page = store.list_deployments(query)
    names += [d.name for d in page.items]
    while page.next_cursor is not None:
        page = store.list_deployments(
            query.model_copy(update={"after": page.next_cursor})
        )
        names += [d.name for d in page.items]
    return names


def test_keyset_pages_cover_every_row_once(many: LocalStore) -> None:
    query = DeploymentQuery(sort="name", descending=False, limit=5)
    names = _walk(many, query)
    assert names == sorted(f"api-{i:02d}" for i in range(23))

    newest_first = _walk(many, DeploymentQuery(limit=4))
    assert len(newest_first) == len(set(newest_first)) == 23


def test_before_cursor_goes_back_one_page(many: LocalStore) -> None:
    query = DeploymentQuery(sort="name", descending=False, limit=5)
    first = many.list_deployments(query)
    assert first.prev_cursor is None and first.total == 23
    second = many.list_deployments(
        query.model_copy(update={"after": first.next_cursor})
    )
    assert second.start == 5
    assert second.items[0].name == "api-05"
    back = many.list_deployments(
        query.model_copy(update={"before": second.prev_cursor})
    )
    assert [d.name for d in back.items] == [d.name for d in first.items]
    assert back.start == 0


def test_offset_paging_and_totals(many: LocalStore) -> None:
    page = many.list_deployments(
        DeploymentQuery(sort="name", descending=True, start=20, limit=5)
    )
    assert [d.name for d in page.items] == ["api-02", "api-01", "api-00"]
    assert (
        page.total == 23 and page.next_cursor is None and page.prev_cursor is not None
    )


def test_search_status_and_nim_filters(many: LocalStore) -> None:
    assert many.list_deployments(DeploymentQuery(search="-1")).total == 10
    terminated = many.list_deployments(DeploymentQuery(status="terminated"))
    assert terminated.total == 5
    assert all(d.status == "terminated" and not d.tags for d in terminated.items)
    running_llm = many.list_deployments(DeploymentQuery(nim="llm", version="v1"))
    assert running_llm.total == 18
    assert all(d.tags == ("llm:v1",) for d in running_llm.items)
    assert many.list_deployments(DeploymentQuery(nim="llm", version="v2")).total == 0
    assert many.list_deployments(DeploymentQuery(search="%")).total == 0


def test_clusters_count_deployments_in_scope(many: LocalStore) -> None:
    clusters = {c.name: c for c in many.list_clusters(PageRequest(count=10)).items}
    assert clusters["us-west"].deployment_count == 23
    assert clusters["default"].deployment_count == 0


def test_a_foreign_cursor_is_invalid_input(many: LocalStore) -> None:
    with pytest.raises(InvalidInput):
        many.list_deployments(DeploymentQuery(after="not-a-cursor"))


def test_first_page_is_fast_at_100k_deployments(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'big.db'}")
    sim = Simulator(tmp_path / "sim.db", step_seconds=0)
    caller = Caller(identity=Identity(org="acme", user="alice"), scope="user")
    store = LocalStore(db, caller, sim)
    seed_nim(store, "llm", "v1")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with db.engine.begin() as connection:
        connection.execute(
            insert(Cluster),
            [
                {
                    "uid": f"c{n}",
                    "organization": "acme",
                    "name": f"cluster-{n}",
                    "description": "",
                    "kube_config": "",
                    "creator": "alice",
                    "created_at": start,
                    "updated_at": start,
                }
                for n in range(4)
            ],
        )
        connection.execute(
            insert(Deployment),
            [
                {
                    "uid": f"d{n:06d}",
                    "cluster_uid": f"c{n % 4}",
                    "name": f"dep-{n:06d}",
                    "namespace": "compoundai",
                    "description": "",
                    "status": ("running", "failed", "deploying")[n % 3],
                    "creator": ("alice", "bob")[n % 2],
                    "created_at": start + timedelta(seconds=n),
                    "updated_at": start + timedelta(seconds=n),
                }
                for n in range(100_000)
            ],
        )
    try:
        store.list_deployments(DeploymentQuery(limit=50))  # warm the page cache
        for query in (
            DeploymentQuery(limit=50),
            DeploymentQuery(cluster="cluster-2", limit=50, sort="name"),
            DeploymentQuery(cluster="cluster-0", status="failed", limit=50),
        ):
            began = time.perf_counter()
            page = store.list_deployments(query)
            elapsed = time.perf_counter() - began
            assert len(page.items) == 50
            assert elapsed < 0.25, f"{query} took {elapsed * 1000:.0f} ms"
        assert store.list_deployments(DeploymentQuery(limit=50)).total == 50_000
    finally:
        db.dispose()
