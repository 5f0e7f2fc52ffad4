"""Scope rules of the local store: who sees what, and `default` clusters."""

import pytest

from store.errors import NameTaken, NotFound
from store.local import LocalStore
from store.schemas import (
    ClusterSpec,
    DeploymentQuery,
    DeploymentSpec,
    NimSpec,
    TargetSpec,
)
from tests.unit.conftest import StoreFactory, seed_nim

LLM = (TargetSpec(nim="llm", version="v1"),)


def test_default_cluster_exists_in_every_organization(make_store: StoreFactory) -> None:
    for org in ("acme", "globex"):
        view = make_store(org=org).get_cluster("default")
        assert (view.name, view.organization) == ("default", org)
    names = [c.name for c in make_store(org="acme").list_clusters().items]
    assert names == ["default"]


def test_clusters_are_organization_wide(
    store: LocalStore, make_store: StoreFactory
) -> None:
    bob = make_store(user="bob")
    assert bob.get_cluster("us-west").organization == "acme"
    with pytest.raises(NotFound):
        make_store(org="globex").get_cluster("us-west")
    with pytest.raises(NameTaken):
        bob.create_cluster(ClusterSpec(name="us-west"))
    make_store(org="globex").create_cluster(ClusterSpec(name="us-west"))


def test_user_scope_hides_other_users_deployments(
    store: LocalStore, make_store: StoreFactory
) -> None:
    store.create_deployment("us-west", DeploymentSpec(name="api", targets=LLM))
    bob = make_store(user="bob")
    seed_nim(bob, "bobs-nim", "v1")

    assert bob.list_deployments().total == 0
    assert bob.get_cluster("us-west").deployment_count == 0
    assert store.get_cluster("us-west").deployment_count == 1
    with pytest.raises(NotFound):
        bob.get_deployment("us-west", "api")
    with pytest.raises(NotFound):
        bob.list_revisions("us-west", "api")
    with pytest.raises(NotFound):
        bob.deactivate("us-west", "api")
    with pytest.raises(NotFound):
        bob.delete_deployment("us-west", "api")
    with pytest.raises(NameTaken):
        bob.create_deployment(
            "us-west",
            DeploymentSpec(
                name="api", targets=(TargetSpec(nim="bobs-nim", version="v1"),)
            ),
        )
    assert store.get_deployment("us-west", "api").status == "deploying"


def test_organization_scope_sees_the_whole_organization(
    store: LocalStore, make_store: StoreFactory
) -> None:
    store.create_deployment("us-west", DeploymentSpec(name="api", targets=LLM))
    carol = make_store(user="carol", scope="organization")
    assert [d.name for d in carol.list_deployments().items] == ["api"]
    assert carol.get_nim("llm").version_count == 2
    assert carol.deactivate("us-west", "api").status == "terminated"


def test_foreign_organization_never_sees_anything(
    store: LocalStore, make_store: StoreFactory
) -> None:
    store.create_deployment("us-west", DeploymentSpec(name="api", targets=LLM))
    other = make_store(org="globex", scope="organization")
    assert other.list_deployments().total == 0
    assert other.list_nims().total == 0
    assert other.list_operations().total == 0
    with pytest.raises(NotFound):
        other.get_deployment("us-west", "api")
    with pytest.raises(NotFound):
        other.get_nim("llm")
    # The same NIM name is free in another organization.
    other.create_nim(NimSpec(name="llm"))


def test_nims_are_user_scoped(store: LocalStore, make_store: StoreFactory) -> None:
    bob = make_store(user="bob")
    assert bob.list_nims().total == 0
    with pytest.raises(NotFound):
        bob.list_versions("llm")
    with pytest.raises(NameTaken):
        bob.create_nim(NimSpec(name="llm"))


def test_list_filters_respect_scope(
    store: LocalStore, make_store: StoreFactory
) -> None:
    store.create_deployment("us-west", DeploymentSpec(name="api", targets=LLM))
    bob = make_store(user="bob")
    assert bob.list_deployments(DeploymentQuery(nim="llm")).total == 0
    assert store.list_deployments(DeploymentQuery(nim="llm")).total == 1
