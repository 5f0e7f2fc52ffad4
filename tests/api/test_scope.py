"""Scope rules over HTTP: what another organization or user sees, per scope."""

from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from tests.api.conftest import StartApi
from tests.api.seed import deploy, publish, v2_body
from tests.api.test_errors import assert_error
from tests.conftest import Replayed


def test_user_scope_hides_other_users_and_orgs(start_api: StartApi) -> None:
    api = start_api("user")
    alice = api.client(org="acme", user="alice")
    bob = api.client(org="acme", user="bob")
    mallory = api.client(org="evil", user="alice")
    publish(alice, "hello", "v1")
    deploy(alice, "web")

    assert alice.get("/api/v2/deployments/web").status_code == 200
    assert_error(bob.get("/api/v2/deployments/web"), 404)
    assert_error(bob.post("/api/v2/deployments/web/terminate"), 404)
    assert_error(bob.put("/api/v2/deployments/web", json=v2_body("hello:v1")), 404)
    assert_error(mallory.get("/api/v2/deployments/web"), 404)
    assert bob.get("/api/v1/deployments").json()["total"] == 0
    assert mallory.get("/api/v1/deployments").json()["total"] == 0

    # Bob sees the shared cluster, but not Alice's NIM, and the name stays hers.
    assert bob.get("/api/v1/clusters/default").status_code == 200
    assert_error(bob.get("/api/v1/compound_nims/hello"), 404)
    assert_error(bob.post("/api/v2/deployments", json=v2_body("hello:v1", "x")), 400)
    publish(bob, "bobs", "v1")
    taken = bob.post("/api/v2/deployments", json=v2_body("bobs:v1", "web"))
    assert_error(taken, 409)
    assert_error(mallory.get("/api/v1/clusters/default/deployments/web"), 404)


def test_organization_scope_shows_the_whole_org(start_api: StartApi) -> None:
    api = start_api("organization")
    alice = api.client(org="acme", user="alice")
    bob = api.client(org="acme", user="bob")
    mallory = api.client(org="evil", user="alice")
    publish(alice, "hello", "v1")
    deploy(alice, "web")

    assert bob.get("/api/v2/deployments/web").status_code == 200
    assert bob.get("/api/v1/deployments").json()["total"] == 1
    assert bob.get("/api/v1/compound_nims/hello").status_code == 200
    assert bob.get("/api/v1/info").json()["resource_scope"] == "organization"
    assert_error(mallory.get("/api/v2/deployments/web"), 404)
    assert mallory.get("/api/v1/deployments").json()["total"] == 0


@pytest.mark.parametrize("scope", ["user", "organization"])
def test_replayed_lists_follow_the_scope(
    start_api: StartApi, replayed_copy: Replayed, scope: str
) -> None:
    engine = create_engine(replayed_copy.url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.organization, d.creator FROM deployments d "
                "JOIN clusters c ON c.uid = d.cluster_uid"
            )
        ).all()
    engine.dispose()
    per_user = Counter((org, user) for org, user in rows)
    per_org = Counter(org for org, _ in rows)
    api = start_api(scope, url=replayed_copy.url, sim_path=replayed_copy.sim_path)

    for org, user in per_user:
        listed = api.client(org=org, user=user).get("/api/v1/deployments?count=100")
        expected = per_user[org, user] if scope == "user" else per_org[org]
        assert listed.json()["total"] == expected, (org, user)
        assert all(
            d["cluster"]["organization"]["name"] == org for d in listed.json()["items"]
        )
    assert api.client(org="nobody").get("/api/v1/deployments").json()["total"] == 0
