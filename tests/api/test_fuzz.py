"""OpenAPI-driven fuzzing: no request a client can send makes the server answer 5xx.

For every operation the OpenAPI document describes, hypothesis generates path
parameters, query parameters, an `If-Match` header and a body (from the operation's
schema, or any JSON at all), a bounded number of examples per route, and sends them
to the real server on loopback. Only the upload and download routes may answer 5xx,
and only 501.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cai_tui.dms.simulator import Simulator
from cai_tui.server.app import assemble, create_app
from cai_tui.server.context import ServerContext
from store.clock import SequentialIds, system_clock
from store.database import Database
from tests.api.seed import deploy, publish
from tests.servers import running_server

EXAMPLES_PER_ROUTE = 30
EXAMPLES_PER_ALIAS = 5
"""The `bento_repositories` tree runs the same handlers: a few examples suffice."""
KNOWN_NAMES = ("default", "web", "hello", "v1", "compoundai", "us-west", "nope")
TRANSFERS = (
    "multipart_upload",
    "multipart_upload_url",
    "presign_upload_url",
    "presign_download_url",
    "start_upload",
    "finish_upload",
    "/upload",
    "/download",
)

Json = dict[str, Any]


def _document() -> Json:
    context = ServerContext(
        open_store=lambda caller: None,  # type: ignore[arg-type,return-value]
        scope="user",
        namespace="compoundai",
        version="fuzz",
    )
    spec: Json = assemble(context).openapi()
    return spec


DOCUMENT = _document()
OPERATIONS = sorted(
    (method.upper(), path, operation)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
)


def _resolve(schema: Json) -> Json:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = DOCUMENT["components"]["schemas"][name]
    return schema


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)


def from_schema(schema: Json, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that mostly fit `schema`, sometimes not, to reach both paths."""
    schema = _resolve(schema)
    if depth > 4:
        return JSON_VALUES
    if "enum" in schema:
        return st.sampled_from(schema["enum"]) | st.text(max_size=8)
    if "const" in schema:
        return st.just(schema["const"])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return st.one_of([from_schema(s, depth + 1) for s in schema[key]])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        fields = {name: from_schema(sub, depth + 1) for name, sub in properties.items()}
        return st.fixed_dictionaries({}, optional=fields)
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), depth + 1), max_size=3)
    if kind == "string":
        return st.sampled_from(KNOWN_NAMES) | st.text(max_size=30)
    if kind == "integer":
        return st.integers(min_value=-5, max_value=2**40)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    return JSON_VALUES


def _segments() -> st.SearchStrategy[str]:
    return st.sampled_from(KNOWN_NAMES) | st.text(min_size=1, max_size=40)


def _body_for(operation: Json) -> st.SearchStrategy[Any]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return st.none()
    return from_schema(schema) | JSON_VALUES


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A server with a cluster, a NIM and a deployment the examples can hit."""
    folder: Path = tmp_path_factory.mktemp("fuzz")
    db = Database.open(f"sqlite:///{folder / 'cai.db'}", migrate=True)
    app = create_app(
        db,
        dms=Simulator(folder / "sim.db", step_seconds=0.0),
        scope="user",
        clock=system_clock,
        new_id=SequentialIds(),
    )
    with (
        running_server(app) as url,
        httpx.Client(
            base_url=url, headers={"Nv-Ngc-Org": "acme", "Nv-Actor-Id": "alice"}
        ) as client,
    ):
        publish(client, "hello", "v1")
        deploy(client, "web")
        yield client
    db.dispose()


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    OPERATIONS,
    ids=[f"{m} {p}" for m, p, _ in OPERATIONS],
)
def test_no_5xx_for_anything_a_client_sends(
    fuzz_client: httpx.Client, method: str, path: str, operation: Json
) -> None:
    parameters = operation.get("parameters", [])
    path_names = [p["name"] for p in parameters if p["in"] == "path"]
    queries = {
        p["name"]: from_schema(p.get("schema", {}))
        for p in parameters
        if p["in"] == "query"
    }
    transfer = path.endswith(TRANSFERS)

    @settings(
        max_examples=EXAMPLES_PER_ALIAS
        if "bento_repositories" in path
        else EXAMPLES_PER_ROUTE,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
        database=None,
    )
    @given(
        segments=st.fixed_dictionaries({name: _segments() for name in path_names}),
        query=st.fixed_dictionaries({}, optional=queries),
        body=_body_for(operation),
        if_match=st.none()
        | st.sampled_from(['"none"', "*", '"web"'])
        | st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=12),
        raw=st.booleans(),
    )
    def send(
        segments: dict[str, str],
        query: dict[str, Any],
        body: Any,
        if_match: str | None,
        raw: bool,
    ) -> None:
        url = path
        for name, value in segments.items():
            url = url.replace("{" + name + "}", quote(value, safe=""))
        headers = {}
        if if_match is not None:
            headers["If-Match"] = if_match
        params = {
            k: v if isinstance(v, str) else json.dumps(v) for k, v in query.items()
        }
        content = json.dumps(body) if not raw else json.dumps(body)[:-1]
        answer = fuzz_client.request(
            method,
            url,
            params=params,
            content=content if body is not None else None,
            headers=headers,
            timeout=30,
        )
        if transfer:
            assert answer.status_code < 500 or answer.status_code == 501
        else:
            assert answer.status_code < 500, (method, url, body, answer.text)
        if answer.status_code >= 400:
            assert "error" in answer.json(), answer.text

    send()
