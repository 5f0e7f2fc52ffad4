"""Every route, black-box: its success, its error statuses, and its scope rules.

One table lists each route the OpenAPI document describes, with a request that
succeeds for the owner. The same request is then sent by another organization,
by another user of the organization in user scope, and in organization scope; what
each must answer follows from what the route names (api_contract.md 1.4 and 8.3).
A test checks that the table covers the OpenAPI document, so no route is missed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.api.conftest import Api, StartApi
from tests.api.seed import deploy, publish, v2_body
from tests.api.test_errors import assert_error

DEP = "/api/v1/clusters/us-west/namespaces/compoundai/deployments/web"
VER = "/api/v1/compound_nims/hello/versions/v1"
V2_WEB = "/api/v2/deployments/web?cluster=us-west"
TARGET = {
    "bento_repository": "hello",
    "bento": "v1",
    "config": {"services": {"Frontend": {"scaling": {"max_replicas": 2}}}},
}


@dataclass(frozen=True)
class Route:
    """One route, a request the owner may send, and who else may see what it names.

    `names` is what the request names: `nothing` (the caller's own organization or
    lists), `cluster` (shared by the organization), `owned` (a deployment or NIM,
    per user in user scope), `cluster and version` (a cluster in the path and a NIM
    version in the body, which is a 400 when out of scope, api_contract.md 8.3).
    """

    method: str
    path: str
    template: str
    names: str
    body: dict[str, Any] | None = None
    ok: int = 200
    errors: tuple[tuple[str, dict[str, Any] | None, int], ...] = ()
    """Other requests on the route and their error status: (path, body, status)."""


def _routes(uid: str) -> list[Route]:
    """The table, with the uid of `web`'s first revision filled in."""
    return [
        Route("GET", "/healthz", "/healthz", "nothing"),
        Route("GET", "/readyz", "/readyz", "nothing"),
        Route("GET", "/api/v1/info", "/api/v1/info", "nothing"),
        Route("GET", "/api/v1/version", "/api/v1/version", "nothing"),
        Route("GET", "/api/v1/auth/current", "/api/v1/auth/current", "nothing"),
        Route(
            "GET",
            "/api/v1/deployment_creation_json_schema",
            "/api/v1/deployment_creation_json_schema",
            "nothing",
        ),
        Route(
            "GET",
            "/api/v1/clusters",
            "/api/v1/clusters",
            "nothing",
            errors=(("/api/v1/clusters?count=x", None, 400),),
        ),
        Route(
            "GET",
            "/api/v1/clusters/us-west",
            "/api/v1/clusters/{cluster}",
            "cluster",
            errors=(("/api/v1/clusters/nope", None, 404),),
        ),
        Route(
            "PATCH",
            "/api/v1/clusters/us-west",
            "/api/v1/clusters/{cluster}",
            "cluster",
            body={"description": "the default one"},
            errors=(
                ("/api/v1/clusters/us-west", {"description": 5}, 400),
                ("/api/v1/clusters/nope", {}, 404),
            ),
        ),
        Route(
            "GET",
            "/api/v1/current_org/major_cluster",
            "/api/v1/current_org/major_cluster",
            "nothing",
        ),
        Route(
            "GET",
            "/api/v1/deployments",
            "/api/v1/deployments",
            "nothing",
            errors=(("/api/v1/deployments?status=great", None, 400),),
        ),
        Route(
            "GET",
            "/api/v1/clusters/us-west/deployments",
            "/api/v1/clusters/{cluster}/deployments",
            "cluster",
            errors=(("/api/v1/clusters/nope/deployments", None, 404),),
        ),
        Route(
            "POST",
            "/api/v1/clusters/us-west/deployments/preview",
            "/api/v1/clusters/{cluster}/deployments/preview",
            "cluster and version",
            body={"name": "fresh", "kube_namespace": "compoundai", "targets": [TARGET]},
            errors=(
                ("/api/v1/clusters/us-west/deployments/preview", {"name": 1}, 400),
                ("/api/v1/clusters/nope/deployments/preview", {"name": "x"}, 400),
            ),
        ),
        Route(
            "GET",
            "/api/v1/clusters/us-west/deployments/web",
            "/api/v1/clusters/{cluster}/deployments/{name}",
            "owned",
            errors=(("/api/v1/clusters/us-west/deployments/nope", None, 404),),
        ),
        Route(
            "GET",
            DEP,
            "/api/v1/clusters/{cluster}/namespaces/{namespace}/deployments/{name}",
            "owned",
            errors=(
                (DEP.replace("compoundai", "elsewhere"), None, 404),
                (DEP.replace("us-west", "nope", 1), None, 404),
            ),
        ),
        Route(
            "POST",
            DEP + "/preview",
            "/api/v1/clusters/{cluster}/namespaces/{namespace}/deployments/{name}"
            "/preview",
            "owned",
            body={"write": "roll_out", "targets": [TARGET]},
            errors=(
                (DEP + "/preview", {"write": "explode"}, 400),
                (DEP + "/preview", {"write": "roll_back"}, 400),
                (DEP + "/preview", {"write": "delete"}, 409),
            ),
        ),
        Route(
            "GET",
            DEP + "/revisions",
            "/api/v1/clusters/{cluster}/namespaces/{namespace}/deployments/{name}"
            "/revisions",
            "owned",
            errors=((DEP + "/revisions?start=-1", None, 400),),
        ),
        Route(
            "GET",
            f"{DEP}/revisions/{uid}",
            "/api/v1/clusters/{cluster}/namespaces/{namespace}/deployments/{name}"
            "/revisions/{uid}",
            "owned",
            errors=((DEP + "/revisions/not-a-uid", None, 404),),
        ),
        Route(
            "GET",
            DEP + "/operations",
            "/api/v1/clusters/{cluster}/namespaces/{namespace}/deployments/{name}"
            "/operations",
            "owned",
        ),
        Route(
            "POST",
            DEP + "/sync_status",
            "/api/v1/clusters/{cluster}/namespaces/{namespace}/deployments/{name}"
            "/sync_status",
            "owned",
        ),
        Route(
            "GET",
            "/api/v2/deployments/web?cluster=us-west",
            "/api/v2/deployments/{name}",
            "owned",
            errors=(("/api/v2/deployments/web?cluster=nope", None, 404),),
        ),
        Route(
            "GET",
            "/api/v1/compound_nims",
            "/api/v1/compound_nims",
            "nothing",
        ),
        Route(
            "GET",
            "/api/v1/compound_nims/hello",
            "/api/v1/compound_nims/{nim}",
            "owned",
            errors=(("/api/v1/compound_nims/nope", None, 404),),
        ),
        Route(
            "PATCH",
            "/api/v1/compound_nims/hello",
            "/api/v1/compound_nims/{nim}",
            "owned",
            body={"description": "greets"},
            errors=(("/api/v1/compound_nims/hello", {"labels": 3}, 400),),
        ),
        Route(
            "GET",
            "/api/v1/compound_nims/hello/deployments",
            "/api/v1/compound_nims/{nim}/deployments",
            "owned",
        ),
        Route(
            "GET",
            "/api/v1/compound_nims/hello/versions",
            "/api/v1/compound_nims/{nim}/versions",
            "owned",
            errors=(("/api/v1/compound_nims/nope/versions", None, 404),),
        ),
        Route(
            "GET",
            VER,
            "/api/v1/compound_nims/{nim}/versions/{version}",
            "owned",
            errors=((VER.replace("v1", "v9"), None, 404),),
        ),
        Route(
            "PATCH",
            VER,
            "/api/v1/compound_nims/{nim}/versions/{version}",
            "owned",
            body={"description": "the first"},
            errors=((VER, {"manifest": "flat"}, 400),),
        ),
        Route(
            "PATCH",
            VER + "/update_image_build_status",
            "/api/v1/compound_nims/{nim}/versions/{version}/update_image_build_status",
            "owned",
            body={"image_build_status": "success"},
            errors=((VER + "/update_image_build_status", {}, 400),),
        ),
        Route(
            "GET",
            VER + "/deployments",
            "/api/v1/compound_nims/{nim}/versions/{version}/deployments",
            "owned",
        ),
        Route("GET", "/api/v1/operations", "/api/v1/operations", "nothing"),
        Route("GET", "/api/v1/leftovers", "/api/v1/leftovers", "nothing"),
        Route("POST", "/api/v1/leftovers/retry", "/api/v1/leftovers/retry", "nothing"),
    ]


WRITES = {
    ("POST", "/api/v1/clusters"),
    ("POST", "/api/v1/clusters/{cluster}/deployments"),
    ("PATCH", "/api/v1/clusters/{cluster}/namespaces/{namespace}/deployments/{name}"),
    ("DELETE", "/api/v1/clusters/{cluster}/namespaces/{namespace}/deployments/{name}"),
    (
        "POST",
        "/api/v1/clusters/{cluster}/namespaces/{namespace}/deployments/{name}"
        "/terminate",
    ),
    (
        "POST",
        "/api/v1/clusters/{cluster}/namespaces/{namespace}/deployments/{name}"
        "/roll_back",
    ),
    ("POST", "/api/v2/deployments"),
    ("PUT", "/api/v2/deployments/{name}"),
    ("DELETE", "/api/v2/deployments/{name}"),
    ("POST", "/api/v2/deployments/{name}/terminate"),
    ("POST", "/api/v1/compound_nims"),
    ("POST", "/api/v1/compound_nims/{nim}/versions"),
}
"""Routes that change deployments or NIMs: `test_writes_and_their_scope`."""


def _seed(api: Api) -> tuple[httpx.Client, str]:
    """Alice's cluster `us-west`, NIM hello:v1 and deployment `web` in us-west;
    her client and web's first revision."""
    alice = api.client(org="acme", user="alice")
    made = alice.post("/api/v1/clusters", json={"name": "us-west"})
    assert made.status_code == 200, made.text
    publish(alice, "hello", "v1")
    body = deploy(alice, "web", cluster="us-west")
    uid: str = body["latest_revision"]["uid"]
    return alice, uid


def _send(client: httpx.Client, method: str, path: str, body: Any) -> httpx.Response:
    return client.request(method, path, json=body)


def test_the_table_covers_every_route_of_the_openapi_document(api: Api) -> None:
    spec = api.client().get("/openapi.json").json()
    described = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
        if "bento_repositories" not in path and not path.endswith(TRANSFER_SUFFIXES)
    }
    covered = {(r.method, r.template) for r in _routes("x")} | WRITES
    assert described == covered
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            assert operation.get("summary") or operation.get("description"), path


TRANSFER_SUFFIXES = (
    "multipart_upload",
    "multipart_upload_url",
    "presign_upload_url",
    "presign_download_url",
    "start_upload",
    "finish_upload",
    "/upload",
    "/download",
)


def _expected_for_stranger(route: Route, same_org: bool, org_scope: bool) -> int:
    if route.names == "nothing":
        return route.ok
    if route.names == "cluster":
        return route.ok if same_org else 404
    if route.names == "cluster and version":
        if not same_org:
            return 404
        return route.ok if org_scope else 400
    return route.ok if same_org and org_scope else 404


@pytest.mark.parametrize("scope", ["user", "organization"])
def test_reads_and_their_scope(start_api: StartApi, scope: Any) -> None:
    api = start_api(scope)
    alice, uid = _seed(api)
    strangers = {
        "another org": (api.client(org="evil", user="alice"), False),
        "another user": (api.client(org="acme", user="bob"), True),
    }
    for route in _routes(uid):
        for who, (client, same_org) in strangers.items():
            answer = _send(client, route.method, route.path, route.body)
            expected = _expected_for_stranger(route, same_org, scope == "organization")
            if expected >= 400:
                assert_error(answer, expected)
            else:
                assert answer.status_code == expected, (who, route.path, answer.text)
        answer = _send(alice, route.method, route.path, route.body)
        assert answer.status_code == route.ok, (route.path, answer.text)
        for path, body, status in route.errors:
            assert_error(_send(alice, route.method, path, body), status)


WriteStep = Callable[[httpx.Client], httpx.Response]


def _write_steps(uid: str) -> list[tuple[str, WriteStep, int]]:
    """Every write on `web`, in an order that succeeds for its owner."""
    return [
        ("roll out v1", lambda c: c.patch(DEP, json={"targets": [TARGET]}), 200),
        (
            "put v2",
            lambda c: c.put(V2_WEB, json=v2_body("hello:v1")),
            200,
        ),
        (
            "roll back",
            lambda c: c.post(DEP + "/roll_back", json={"revision_uid": uid}),
            200,
        ),
        ("terminate v1", lambda c: c.post(DEP + "/terminate"), 200),
        ("roll out again", lambda c: c.patch(DEP, json={"targets": [TARGET]}), 200),
        (
            "terminate v2",
            lambda c: c.post("/api/v2/deployments/web/terminate?cluster=us-west"),
            200,
        ),
        ("delete", lambda c: c.delete(DEP), 200),
    ]


@pytest.mark.parametrize("scope", ["user", "organization"])
def test_writes_and_their_scope(start_api: StartApi, scope: Any) -> None:
    api = start_api(scope)
    alice, uid = _seed(api)
    mallory = api.client(org="evil", user="alice")
    bob = api.client(org="acme", user="bob")
    # Bob writes in organization scope, Alice in user scope: the rules say both may.
    writer = bob if scope == "organization" else alice
    for step, send, ok in _write_steps(uid):
        assert_error(send(mallory), 404)
        if scope == "user":
            assert_error(send(bob), 404)
        answer = send(writer)
        assert answer.status_code == ok, (step, answer.text)
    assert_error(alice.get(DEP), 404)

    # Creating: into a foreign organization's cluster is 404; a taken name is 409.
    create = {"name": "web", "kube_namespace": "compoundai", "targets": [TARGET]}
    made = alice.post("/api/v1/clusters/us-west/deployments", json=create)
    assert made.status_code == 200, made.text
    assert_error(alice.post("/api/v1/clusters/nope/deployments", json=create), 404)
    assert_error(bob.post("/api/v1/clusters/us-west/deployments", json=create), 409)
    assert_error(mallory.post("/api/v1/clusters/us-west/deployments", json=create), 404)
    # In its own default cluster, another organization cannot name Alice's version.
    assert_error(mallory.post("/api/v1/clusters/default/deployments", json=create), 400)
    assert_error(
        alice.post("/api/v2/deployments?cluster=nope", json=v2_body("hello:v1")), 404
    )
    assert alice.post("/api/v1/clusters", json={"name": "east"}).status_code == 200
    assert_error(alice.post("/api/v1/clusters", json={"name": "east"}), 409)
    assert mallory.post("/api/v1/clusters", json={"name": "east"}).status_code == 200
    assert_error(
        alice.post("/api/v1/compound_nims/nope/versions", json={"version": "v1"}), 404
    )
    assert_error(bob.post("/api/v1/compound_nims", json={"name": "hello"}), 409)


def test_tokens_name_the_caller_and_ignore_headers(tmp_path: Any) -> None:
    from cai_tui.dms.simulator import Simulator
    from cai_tui.server.app import create_app
    from store.clock import SequentialIds, system_clock
    from store.database import Database
    from store.schemas import Identity
    from tests.servers import running_server

    db = Database.open(f"sqlite:///{tmp_path / 'cai.db'}", migrate=True)
    app = create_app(
        db,
        dms=Simulator(tmp_path / "sim.db", step_seconds=0),
        scope="user",
        clock=system_clock,
        new_id=SequentialIds(),
        tokens={"t-alice": Identity(org="acme", user="alice")},
    )
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        pretend = {"Nv-Ngc-Org": "evil", "Nv-Actor-Id": "root"}
        for headers in (
            pretend,
            {**pretend, "Authorization": "Bearer wrong"},
            {"Authorization": "Basic t-alice"},
        ):
            for path in ("/api/v1/clusters/us-west", "/api/v1/clusters/nope"):
                refused = client.get(path, headers=headers)
                assert refused.status_code == 401
                assert refused.json() == {"error": refused.json()["error"]}
                assert "nope" not in refused.text
        me = client.get(
            "/api/v1/auth/current",
            headers={**pretend, "Authorization": "Bearer t-alice"},
        ).json()
        assert (me["name"], me["organization"]["name"]) == ("alice", "acme")
    db.dispose()
