"""One error body shape everywhere, and the status code of each kind of mistake."""

from typing import Any

import httpx
import pytest

from cai_tui.server.app import assemble
from cai_tui.server.context import ServerContext
from store.schemas import Caller
from tests.api.conftest import Api, StartApi
from tests.api.seed import publish
from tests.servers import running_server


def assert_error(answer: httpx.Response, status: int, *words: str) -> str:
    """The answer has `status` and exactly the body `{"error": <message>}`."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert list(body) == ["error"]
    message: str = body["error"]
    assert message
    for word in words:
        assert word in message
    return message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", ("not valid JSON",)),
        ("", ("missing",)),
        ("[1, 2]", ("JSON object",)),
        ('{"name": 5}', ("`name`",)),
        ('{"description": "no name"}', ("`name`", "required")),
    ],
)
def test_bad_bodies_are_400_naming_the_problem(
    api: Api, content: str, words: tuple[str, ...]
) -> None:
    client = api.client()
    answer = client.post(
        "/api/v1/clusters",
        content=content,
        headers={"Content-Type": "application/json"},
    )
    assert_error(answer, 400, *words)
    assert client.get("/api/v1/clusters").json()["total"] == 1


def test_a_body_without_content_type_is_read_as_json(api: Api) -> None:
    answer = api.client().post("/api/v1/clusters", content=b'{"name": "plain"}')
    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == "plain"


def test_wrong_types_in_a_v2_body_are_400(api: Api) -> None:
    body: dict[str, Any] = {"bento": "a:b", "services": {"F": {"scaling": "many"}}}
    answer = api.client().post("/api/v2/deployments", json=body)
    assert_error(answer, 400, "services.F.scaling")


@pytest.mark.parametrize(
    "query", ["count=abc", "count=-1", "start=-5", "start=x", "count=100000"]
)
def test_bad_list_queries_are_400(api: Api, query: str) -> None:
    answer = api.client().get(f"/api/v1/clusters?{query}")
    assert_error(answer, 400, "query parameter")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/clusters",
        "/api/v1/deployments",
        "/api/v1/clusters/default/deployments",
        "/api/v1/compound_nims",
        "/api/v1/operations",
    ],
)
@pytest.mark.parametrize("start", ["9223372036854775808", "99999999999999999999"])
def test_a_start_beyond_any_list_is_400_not_a_crash(
    api: Api, path: str, start: str
) -> None:
    answer = api.client().get(f"{path}?start={start}")
    assert_error(answer, 400, "`start`")


def test_unknown_route_is_404_and_wrong_method_405(api: Api) -> None:
    client = api.client()
    assert_error(client.get("/api/v1/nothing-here"), 404, "no route")
    assert_error(client.delete("/api/v1/clusters"), 405, "DELETE")
    assert_error(client.put("/api/v1/clusters/default"), 405, "PUT")


def test_transfer_routes_answer_501(api: Api) -> None:
    client = api.client()
    answer = client.put("/api/v1/compound_nims/hello/versions/v1/upload")
    assert_error(answer, 501, "not implemented")


def test_token_is_asked_for_when_set(start_api: StartApi) -> None:
    api = start_api(token="s3cret")
    assert_error(api.client().get("/api/v1/clusters"), 401, "bearer token")
    wrong = api.client(headers={"Authorization": "Bearer nope"})
    assert_error(wrong.get("/api/v1/clusters"), 401)
    right = api.client(headers={"Authorization": "Bearer s3cret"})
    assert right.get("/api/v1/clusters").status_code == 200
    assert api.client().get("/healthz").json() == "ok"


def test_unexpected_failure_is_500_without_traceback() -> None:
    def broken_store(caller: Caller) -> Any:
        raise RuntimeError("the disk caught fire at /secret/path")

    app = assemble(
        ServerContext(
            open_store=broken_store,
            scope="user",
            namespace="compoundai",
            version="test",
        )
    )
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        message = assert_error(client.get("/api/v1/clusters"), 500, "internal error")
    assert "secret" not in message
    assert "Traceback" not in message


def test_bad_if_match_is_400(api: Api) -> None:
    client = api.client(headers={"If-Match": "not-quoted"})
    answer = client.post("/api/v2/deployments/x/terminate")
    assert_error(answer, 400, "If-Match")


E1 = "/api/v1/clusters/default/namespaces/compoundai/deployments/e1"


def v1_target(services: dict[str, Any] | None) -> dict[str, Any]:
    """A v1 create body for `hello:v1`, with `config.services` when given."""
    config: dict[str, Any] = {}
    if services is not None:
        config["services"] = services
    return {
        "name": "e1",
        "kube_namespace": "compoundai",
        "targets": [{"bento_repository": "hello", "bento": "v1", "config": config}],
    }


def test_an_empty_services_map_on_v1_is_400_and_creates_nothing(api: Api) -> None:
    client = api.client()
    publish(client, "hello", "v1")
    answer = client.post("/api/v1/clusters/default/deployments", json=v1_target({}))
    assert_error(answer, 400, "config.services is empty", "leave it out")
    assert client.get("/api/v1/clusters/default/deployments").json()["total"] == 0

    # Left out, the version's services are deployed.
    created = client.post("/api/v1/clusters/default/deployments", json=v1_target(None))
    assert created.status_code == 200, created.text
    patched = client.patch(E1, json=v1_target({}))
    assert_error(patched, 400, "config.services is empty")


@pytest.mark.parametrize("services", ["abc", [1, 2], {"a": 1}, ["ok", ""]])
def test_a_manifest_whose_services_are_not_names_is_400(
    api: Api, services: object
) -> None:
    client = api.client()
    assert client.post("/api/v1/compound_nims", json={"name": "good"}).is_success
    body = {"version": "v3", "manifest": {"services": services}}
    answer = client.post("/api/v1/compound_nims/good/versions", json=body)
    assert_error(answer, 400, "`manifest`", "list of service names")
    assert client.get("/api/v1/compound_nims/good/versions").json()["total"] == 0


def test_do_not_deploy_takes_a_boolean_not_a_word(api: Api) -> None:
    client = api.client()
    publish(client, "hello", "v1")
    created = client.post("/api/v1/clusters/default/deployments", json=v1_target(None))
    assert created.status_code == 200, created.text
    body = {**v1_target(None), "do_not_deploy": "yes"}
    assert_error(client.patch(E1, json=body), 400, "`do_not_deploy`")
