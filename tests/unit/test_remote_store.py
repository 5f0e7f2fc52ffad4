"""RemoteStore over a real CAI API on loopback answers exactly as a LocalStore does.

Both read the same private copy of the replayed fixture history: the local store
directly, the remote one through the server. Every read of the Store interface is
compared, for several callers.
"""

from collections.abc import Iterator

import pytest

from store.errors import InvalidInput, NameTaken, NotFound
from store.interface import Store
from store.remote import RemoteStore, config_body, config_of
from store.schemas import (
    Caller,
    ClusterSpec,
    DeploymentQuery,
    ExternalService,
    Identity,
    PageRequest,
    ResourceItem,
    Resources,
    Scaling,
    ServiceConfig,
    TargetConfig,
)
from tests.conftest import StoreFactory

CALLERS = (
    Identity(org="nv-inference", user="ml-platform"),
    Identity(org="nv-inference", user="ops-oncall"),
    Identity(org="research-lab", user="rl-sandbox"),
    Identity(org="nobody-here", user="ghost"),
)


@pytest.fixture(params=CALLERS, ids=lambda i: f"{i.org}/{i.user}")
def pair(
    request: pytest.FixtureRequest,
    replayed_store_factory: StoreFactory,
    remote_store_factory: StoreFactory,
) -> Iterator[tuple[Store, Store]]:
    """A local and a remote store for the same caller, over the same data."""
    caller = Caller(identity=request.param, scope="user")
    local = replayed_store_factory(caller)
    remote = remote_store_factory(caller)
    yield local, remote
    local.close()


def test_the_caller_and_description_come_from_the_server(
    pair: tuple[Store, Store],
) -> None:
    local, remote = pair
    assert remote.caller == local.caller
    assert remote.describe().startswith("the CAI API at http://127.0.0.1:")
    assert remote.describe().endswith(f"({remote.caller.scope} scope)")


def test_every_read_matches_the_local_store(pair: tuple[Store, Store]) -> None:
    local, remote = pair
    page = PageRequest(count=100)
    assert remote.list_clusters(page) == local.list_clusters(page)
    for cluster in local.list_clusters(page).items:
        assert remote.get_cluster(cluster.name) == cluster

    everything = DeploymentQuery(limit=1000)
    deployments = local.list_deployments(everything)
    assert remote.list_deployments(everything) == deployments
    for row in deployments.items:
        detail = local.get_deployment(row.cluster, row.name)
        assert remote.get_deployment(row.cluster, row.name) == detail
        assert remote.get_deployment(row.cluster, row.name, row.namespace) == detail
        revisions = local.list_revisions(row.cluster, row.name, page)
        assert remote.list_revisions(row.cluster, row.name, page) == revisions
        first = revisions.items[-1].uid
        expected = local.get_revision(row.cluster, row.name, first)
        assert remote.get_revision(row.cluster, row.name, first) == expected
        operations = local.list_operations(page, row.cluster, row.name)
        assert remote.list_operations(page, row.cluster, row.name) == operations

    nims = local.list_nims(page)
    assert remote.list_nims(page) == nims
    for nim in nims.items:
        assert remote.get_nim(nim.name) == nim
        versions = local.list_versions(nim.name, page)
        assert remote.list_versions(nim.name, page) == versions
        for version in versions.items:
            assert remote.get_version(nim.name, version.version) == version
    assert remote.list_operations(page) == local.list_operations(page)
    assert remote.list_leftovers() == local.list_leftovers()


def test_queries_are_filtered_sorted_and_paged_on_the_server(
    pair: tuple[Store, Store],
) -> None:
    local, remote = pair
    queries = [
        DeploymentQuery(limit=3, sort="name", descending=False),
        DeploymentQuery(limit=5, status="running"),
        DeploymentQuery(limit=5, search="a", cluster="default"),
        DeploymentQuery(limit=2, start=2, sort="status"),
    ]
    for query in queries:
        expected = local.list_deployments(query)
        assert remote.list_deployments(query) == expected
        if expected.next_cursor:
            after = query.model_copy(update={"after": expected.next_cursor})
            assert remote.list_deployments(after) == local.list_deployments(after)
    for nim in local.list_nims().items:
        for version in local.list_versions(nim.name).items:
            by_tag = DeploymentQuery(nim=nim.name, version=version.version)
            assert remote.list_deployments(by_tag) == local.list_deployments(by_tag)


def test_refusals_map_to_the_same_errors(pair: tuple[Store, Store]) -> None:
    local, remote = pair
    for store in (local, remote):
        with pytest.raises(NotFound):
            store.get_cluster("no-such-cluster")
        with pytest.raises(NotFound):
            store.get_deployment("default", "no-such-deployment")
        with pytest.raises(NotFound):
            store.get_version("no-such-nim", "v1")
        with pytest.raises(InvalidInput, match="cluster"):
            store.create_cluster(ClusterSpec(name="Bad_Name"))
        with pytest.raises(NameTaken):
            store.create_cluster(ClusterSpec(name="default"))


def test_a_target_config_survives_the_round_trip() -> None:
    resources = Resources(
        requests=ResourceItem(cpu="1", memory="2Gi"),
        limits=ResourceItem(gpu="1", custom={"nvidia.com/mig": "1"}),
    )
    config = TargetConfig(
        services={
            "Frontend": ServiceConfig(
                scaling=Scaling(min_replicas=2, max_replicas=4),
                resources=resources,
                external_services={
                    "db": ExternalService(
                        deployment_selector_key="app", deployment_selector_value="pg"
                    )
                },
                cold_start_timeout=30,
            ),
            "Worker": ServiceConfig(),
        },
        resources=resources,
        hpa_conf={"min_replicas": 2, "max_replicas": 4},
        enable_ingress=False,
        deployment_strategy="RollingUpdate",
        cold_start_timeout=30,
        extra={"enable_debug_mode": True},
    )
    assert config_of(config_body(config)) == config


def test_an_unreachable_server_is_unavailable_with_the_url() -> None:
    from store.errors import Unavailable

    with pytest.raises(Unavailable, match=r"127\.0\.0\.1:9 is unreachable"):
        RemoteStore("http://127.0.0.1:9", Identity())
