"""A deployment listing: the page with its clusters and NIM versions, in a few
statements of one read, and the same details as the reads one by one."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from store.errors import NotFound
from store.local import LocalStore
from store.queries import nim_versions
from store.schemas import DeploymentQuery, DeploymentSpec, TargetSpec
from tests.unit.conftest import StoreFactory, seed_nim

MOST_STATEMENTS = 4
"""Page with total, actives with counts, targets with resources, NIM versions."""


@pytest.fixture
def statements(store: LocalStore) -> Iterator[list[str]]:
    """The SQL statements the store's database runs while the test does."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    engine = store.db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def listed(store: LocalStore, make_store: StoreFactory) -> LocalStore:
    """Alice's store with three deployments, one of another NIM's version, one
    deactivated, and Bob's NIM Alice does not see."""
    bob = make_store(user="bob")
    seed_nim(bob, "bobs", "v9")
    seed_nim(store, "embed", "e1")
    for name, nim, version in (
        ("one", "llm", "v1"),
        ("two", "llm", "v2"),
        ("three", "embed", "e1"),
    ):
        target = TargetSpec(nim=nim, version=version)
        store.create_deployment("us-west", DeploymentSpec(name=name, targets=(target,)))
    store.deactivate("us-west", "two")
    return store


def test_listing_has_the_details_clusters_and_versions(listed: LocalStore) -> None:
    listing = listed.list_deployment_listing(DeploymentQuery(cluster="us-west"))

    assert listing.page.total == 3
    assert [d.name for d in listing.page.items] == ["three", "two", "one"]
    for detail in listing.page.items:
        assert detail == listed.get_deployment("us-west", detail.name)
    assert list(listing.clusters) == ["us-west"]
    assert listing.clusters["us-west"].uid == listed.get_cluster("us-west").uid
    # Only active targets are rendered with their version: `two` has none.
    assert set(listing.versions) == {("llm", "v1"), ("embed", "e1")}
    found = listing.versions[("llm", "v1")]
    assert found is not None
    version, nim = found
    assert (version.nim, version.version) == ("llm", "v1")
    assert (nim.name, nim.version_count, nim.latest_version) == ("llm", 2, "v2")


def test_listing_reads_in_a_few_statements(
    listed: LocalStore, statements: list[str]
) -> None:
    listed.list_deployment_listing(DeploymentQuery(cluster="us-west", limit=20))
    # SQLite's BEGIN is a statement too; the queries are what is bounded.
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert 0 < len(queries) <= MOST_STATEMENTS, queries


def test_versions_out_of_scope_or_missing_are_none(listed: LocalStore) -> None:
    wanted = [("llm", "v1"), ("llm", "v7"), ("bobs", "v9")]
    with listed.db.read() as session:
        found = nim_versions(session, listed.caller, wanted)
    assert set(found) == set(wanted)
    assert found[("llm", "v7")] is None
    assert found[("bobs", "v9")] is None  # Bob's NIM, and Alice is in user scope
    assert found[("llm", "v1")] is not None


def test_empty_pages_still_count_and_check_the_cluster(listed: LocalStore) -> None:
    beyond = listed.list_deployment_listing(
        DeploymentQuery(cluster="us-west", start=10)
    )
    assert (beyond.page.total, beyond.page.items) == (3, ())
    counted = listed.list_deployment_listing(DeploymentQuery(limit=0, search="t"))
    assert counted.page.total == 2
    with pytest.raises(NotFound, match="cluster `nowhere` not found"):
        listed.list_deployment_listing(DeploymentQuery(cluster="nowhere"))
