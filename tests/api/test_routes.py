"""Every route over a real server: success, refusals, and what each answers."""

from tests.api.conftest import Api
from tests.api.seed import deploy, publish, service, v2_body
from tests.api.test_errors import assert_error

DEP = "/api/v1/clusters/default/namespaces/compoundai/deployments"


def test_health_info_and_identity(api: Api) -> None:
    client = api.client(org="acme", user="alice")
    assert client.get("/healthz").json() == "ok"
    assert client.get("/readyz").json() == "ok"
    info = client.get("/api/v1/info").json()
    assert info["resource_scope"] == "user"
    assert info["version"]
    me = client.get("/api/v1/auth/current").json()
    assert me["name"] == "alice"
    assert me["organization"]["name"] == "acme"
    anonymous = api.client(org="", user="").get("/api/v1/auth/current").json()
    assert anonymous["name"] == "default"
    assert anonymous["organization"]["uid"] == "default"


def test_clusters(api: Api) -> None:
    client = api.client()
    default = client.get("/api/v1/clusters/default")
    assert default.status_code == 200
    assert default.json()["organization"]["name"] == "acme"

    made = client.post(
        "/api/v1/clusters",
        json={"name": "us-west", "description": "west", "kube_config": "apiVersion: 1"},
    )
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["kube_config"] == ""
    assert body["has_kube_config"] is True
    assert body["description"] == "west"
    assert body["creator"]["name"] == "alice"

    listed = client.get("/api/v1/clusters?count=1").json()
    assert listed["total"] == 2
    assert listed["count"] == 1
    assert [c["name"] for c in listed["items"]] == ["us-west"]

    assert_error(client.post("/api/v1/clusters", json={"name": "us-west"}), 409)
    assert_error(client.post("/api/v1/clusters", json={"name": "US_West"}), 400)
    assert_error(client.get("/api/v1/clusters/nowhere"), 404, "nowhere")
    assert_error(client.get("/api/v1/clusters/nowhere/deployments"), 404)


def test_nims_and_versions(api: Api) -> None:
    client = api.client()
    publish(client, "hello", "v1")
    nim = client.get("/api/v1/compound_nims/hello").json()
    assert nim["n_bentos"] == 1
    assert nim["latest_bento"]["version"] == "v1"

    version = client.get("/api/v1/compound_nims/hello/versions/v1").json()
    assert version["image_build_status"] == "success"
    assert version["services"] == ["Frontend", "Backend"]
    assert version["repository"]["name"] == "hello"
    alias = client.get("/api/v1/bento_repositories/hello/bentos/v1").json()
    assert alias["uid"] == version["uid"]

    assert client.get("/api/v1/compound_nims").json()["total"] == 1
    assert client.get("/api/v1/compound_nims/hello/versions").json()["total"] == 1
    assert_error(client.post("/api/v1/compound_nims", json={"name": "hello"}), 409)
    assert_error(client.post("/api/v1/compound_nims", json={"name": "Bad_Name"}), 400)
    assert_error(client.get("/api/v1/compound_nims/nope"), 404)
    assert_error(client.get("/api/v1/compound_nims/hello/versions/v9"), 404)
    bad_status = client.patch(
        "/api/v1/compound_nims/hello/versions/v1/update_image_build_status",
        json={"image_build_status": "great"},
    )
    assert_error(bad_status, 400, "image_build_status")


def test_v2_lifecycle_and_dms_resources(api: Api) -> None:
    client = api.client()
    publish(client, "hello", "v1")
    publish(client, "hello", "v2")

    made = client.post(
        "/api/v2/deployments",
        json=v2_body("hello:v1", "web", Frontend=service(), Backend=service(gpu="1")),
    )
    assert made.status_code == 200, made.text
    body = made.json()
    first = body["latest_revision"]["uid"]
    assert made.headers["ETag"] == f'"{first}"'
    assert body["status"] == "deploying"
    assert body["cluster"]["organization_name"] == "acme"
    config = body["latest_revision"]["targets"][0]["config"]
    assert sorted(config["services"]) == ["Backend", "Frontend"]
    assert config["services"]["Backend"]["resources"]["limits"]["gpu"] == "1"
    assert config["hpa_conf"] == {"min_replicas": 1, "max_replicas": 1}
    assert len(api.sim.resources()) == 2

    fetched = client.get("/api/v2/deployments/web")
    assert fetched.json()["uid"] == body["uid"]
    assert fetched.headers["ETag"] == f'"{first}"'

    rolled = client.put(
        "/api/v2/deployments/web",
        json=v2_body("hello:v2"),
        headers={"If-Match": f'"{first}"'},
    )
    assert rolled.status_code == 200, rolled.text
    second = rolled.json()["latest_revision"]["uid"]
    assert second != first
    live = api.sim.resources()
    assert len(live) == 2
    assert all("v2" in r.name or r.name.startswith("web-") for r in live)

    revisions = client.get(f"{DEP}/web/revisions").json()
    assert revisions["total"] == 2
    assert [r["status"] for r in revisions["items"]] == ["active", "inactive"]
    one = client.get(f"{DEP}/web/revisions/{first}").json()
    assert one["status"] == "inactive"

    assert_error(client.delete("/api/v2/deployments/web"), 409)
    ended = client.post("/api/v2/deployments/web/terminate")
    assert ended.status_code == 200, ended.text
    assert ended.json()["latest_revision"] is None
    assert ended.json()["status"] == "terminated"
    assert ended.headers["ETag"] == '"none"'
    assert api.sim.resources() == []

    gone = client.delete("/api/v2/deployments/web", headers={"If-Match": '"none"'})
    assert gone.status_code == 200, gone.text
    assert_error(client.get("/api/v2/deployments/web"), 404)


def test_v2_refusals(api: Api) -> None:
    client = api.client()
    publish(client, "hello", "v1")
    publish(client, "broken", "v1", status="failed")
    create = "/api/v2/deployments"

    assert_error(
        client.post(create, json=v2_body("hello-v1", "a")), 400, "name:version"
    )
    empty = {**v2_body("hello:v1", "a"), "services": {}}
    assert_error(client.post(create, json=empty), 400, "services")
    assert_error(client.post(create, json=v2_body("broken:v1", "a")), 400)
    assert_error(client.post(create, json=v2_body("ghost:v1", "a")), 400)
    assert_error(client.post(create, json=v2_body("hello:v1", "Bad_Name")), 400)
    assert_error(
        client.post(f"{create}?cluster=nowhere", json=v2_body("hello:v1")), 404
    )
    assert client.get("/api/v1/deployments").json()["total"] == 0
    assert api.sim.resources() == []

    deploy(client, "taken", "hello:v1")
    assert_error(client.post(create, json=v2_body("hello:v1", "taken")), 409)
    assert_error(client.put("/api/v2/deployments/ghost", json=v2_body("hello:v1")), 404)


def test_generated_names_are_valid_labels(api: Api) -> None:
    client = api.client()
    publish(client, "9lives", "1-0")
    made = client.post("/api/v2/deployments", json=v2_body("9lives:1-0"))
    assert made.status_code == 200, made.text
    name = made.json()["name"]
    assert name.startswith("dep-9lives-1-0-")
    assert len(name) <= 63


def test_stale_if_match_is_409_and_changes_nothing(api: Api) -> None:
    client = api.client()
    publish(client, "hello", "v1")
    first = deploy(client, "web")["latest_revision"]["uid"]
    client.put("/api/v2/deployments/web", json=v2_body("hello:v1"))
    before = client.get(f"{DEP}/web/revisions").json()
    resources = api.sim.resources()

    stale = {"If-Match": f'"{first}"'}
    put = client.put("/api/v2/deployments/web", json=v2_body("hello:v1"), headers=stale)
    assert_error(put, 409)
    assert_error(client.post("/api/v2/deployments/web/terminate", headers=stale), 409)
    assert_error(client.delete("/api/v2/deployments/web", headers=stale), 409)

    assert client.get(f"{DEP}/web/revisions").json() == before
    assert api.sim.resources() == resources


def test_v1_routes(api: Api) -> None:
    client = api.client()
    publish(client, "hello", "v1")
    target = {
        "bento_repository": "hello",
        "bento": "v1",
        "config": {"resources": {"requests": {"cpu": "1"}}, "enable_debug_mode": True},
    }
    made = client.post(
        "/api/v1/clusters/default/deployments",
        json={"name": "v1web", "kube_namespace": "team-a", "targets": [target]},
    )
    assert made.status_code == 200, made.text
    config = made.json()["latest_revision"]["targets"][0]["config"]
    assert config["enable_debug_mode"] is True
    assert config["resources"] == {"requests": {"cpu": "1"}}

    path = "/api/v1/clusters/default/namespaces/team-a/deployments/v1web"
    assert client.get(path).status_code == 200
    assert_error(client.get(f"{DEP}/v1web"), 404)
    patched = client.patch(path, json={"targets": [target]})
    assert patched.status_code == 200, patched.text
    assert client.get(f"{path}/revisions").json()["total"] == 2
    assert client.post(f"{path}/sync_status").status_code == 200
    assert client.get(f"{path}/operations").json()["total"] >= 2

    listed = client.get("/api/v1/clusters/default/deployments?search=v1w").json()
    assert [d["name"] for d in listed["items"]] == ["v1web"]
    by_nim = client.get("/api/v1/compound_nims/hello/deployments").json()
    assert by_nim["total"] == 1
    by_version = client.get("/api/v1/compound_nims/hello/versions/v1/deployments")
    assert by_version.json()["total"] == 1
    no_config = {"bento_repository": "hello", "bento": "v1"}
    assert_error(client.patch(path, json={"targets": [no_config]}), 400, "config")


def test_revision_of_another_deployment_is_404(api: Api) -> None:
    client = api.client()
    publish(client, "hello", "v1")
    deploy(client, "one")
    other = deploy(client, "two")["latest_revision"]["uid"]
    assert_error(client.get(f"{DEP}/one/revisions/{other}"), 404)
