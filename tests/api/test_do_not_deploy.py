"""v1 PATCH with `do_not_deploy`: only the two Kubernetes ids of matching targets."""

from typing import Any

from tests.api.conftest import Api
from tests.api.seed import publish
from tests.api.test_errors import assert_error

PATH = "/api/v1/clusters/default/namespaces/team-a/deployments/web"


def target(nim: str, version: str, **config: Any) -> dict[str, Any]:
    """A v1 target of `nim:version` with this config."""
    return {"bento_repository": nim, "bento": version, "config": config}


def test_do_not_deploy_writes_only_the_kube_ids(api: Api) -> None:
    client = api.client()
    publish(client, "hello", "v1")
    publish(client, "other", "v1")
    made = client.post(
        "/api/v1/clusters/default/deployments",
        json={
            "name": "web",
            "kube_namespace": "team-a",
            "targets": [
                target("hello", "v1", enable_debug_mode=True, kubeResourceUid="no"),
                target("other", "v1"),
            ],
        },
    )
    assert made.status_code == 200, made.text
    before = made.json()
    created = before["latest_revision"]["targets"]
    assert [t["config"]["kubeResourceUid"] for t in created] == ["", ""]
    history = client.get(f"{PATH}/revisions").json()
    operations = client.get(f"{PATH}/operations").json()["total"]
    resources = api.sim.resources()

    patched = client.patch(
        PATH,
        json={
            "do_not_deploy": True,
            "description": "tracked",
            "targets": [
                target(
                    "hello",
                    "v1",
                    kubeResourceUid="uid-1",
                    kubeResourceVersion="42",
                    enable_debug_mode=False,
                    resources={"requests": {"cpu": "9"}},
                ),
                target("missing", "v9", kubeResourceUid="ignored"),
            ],
        },
    )
    assert patched.status_code == 200, patched.text
    after = patched.json()
    assert after["description"] == "tracked"
    assert after["status"] == before["status"]
    assert after["active_revision_uid"] == before["active_revision_uid"]
    assert after["revision_count"] == before["revision_count"] == 1

    hello, other = after["latest_revision"]["targets"]
    expected = {**created[0]["config"], "kubeResourceUid": "uid-1"}
    expected["kubeResourceVersion"] = "42"
    assert hello["config"] == expected
    assert other["config"] == created[1]["config"]
    assert [t["uid"] for t in (hello, other)] == [t["uid"] for t in created]

    revisions = client.get(f"{PATH}/revisions").json()
    assert revisions["total"] == history["total"]
    assert [r["status"] for r in revisions["items"]] == ["active"]
    assert api.sim.resources() == resources
    assert client.get(f"{PATH}/operations").json()["total"] == operations + 1
    assert client.get(PATH).json()["latest_revision"]["targets"][0] == hello

    # A roll out after it makes new targets, their kube ids blank again.
    rolled = client.patch(PATH, json={"targets": [target("hello", "v1")]})
    assert rolled.status_code == 200, rolled.text
    config = rolled.json()["latest_revision"]["targets"][0]["config"]
    assert (config["kubeResourceUid"], config["kubeResourceVersion"]) == ("", "")


def test_do_not_deploy_on_a_missing_deployment_is_404(api: Api) -> None:
    client = api.client()
    body = {"do_not_deploy": True, "targets": [target("hello", "v1")]}
    assert_error(client.patch(PATH, json=body), 404)
    assert_error(client.patch(PATH, json={"do_not_deploy": "maybe"}), 400)


def test_a_roll_out_stores_the_description_it_is_sent(api: Api) -> None:
    client = api.client()
    publish(client, "hello", "v1")
    publish(client, "hello", "v2")
    made = client.post(
        "/api/v1/clusters/default/deployments",
        json={
            "name": "web",
            "kube_namespace": "team-a",
            "description": "first",
            "targets": [target("hello", "v1")],
        },
    )
    assert made.status_code == 200, made.text

    rolled = client.patch(
        PATH, json={"description": "second", "targets": [target("hello", "v2")]}
    )
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["description"] == "second"
    assert rolled.json()["tags"] == ["hello:v2"]
    assert client.get(PATH).json()["description"] == "second"

    # Absent or null leaves it as it was.
    for body in ({}, {"description": None}):
        again = client.patch(PATH, json={**body, "targets": [target("hello", "v1")]})
        assert again.status_code == 200, again.text
        assert again.json()["description"] == "second"

    # A roll out that fails keeps the old description with the old revision.
    stale = client.patch(
        PATH,
        json={"description": "lost", "targets": [target("hello", "v2")]},
        headers={"If-Match": '"not-the-active-one"'},
    )
    assert stale.status_code == 409, stale.text
    assert client.get(PATH).json()["description"] == "second"
