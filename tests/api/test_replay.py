"""Replaying the fixture history: every expectation met, in process and over HTTP,
on SQLite and PostgreSQL; the state it leaves; and how bad request logs are refused.
"""

import io
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from cai_tui.dms.simulator import Simulator
from cai_tui.replay import (
    Outcome,
    RecordedRequest,
    http_sender,
    load_requests,
    replay,
    run_replay,
)
from cai_tui.settings import Settings
from tests.api.conftest import StartApi
from tests.conftest import HISTORY as FIXTURE_LOG
from tests.conftest import Replayed

FIXTURE_LINES = len(load_requests(FIXTURE_LOG))
DOMAIN_TABLES = (
    "clusters",
    "deployments",
    "deployment_revisions",
    "deployment_targets",
    "dms_resources",
    "compound_nims",
    "compound_nim_versions",
)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def settings_for(store: str, sim: Path) -> Settings:
    """Settings naming this store and simulator file, ignoring any `.env`."""
    return Settings(_env_file=None, cai_store=store, cai_sim_store=str(sim))


def test_in_process_replay_on_sqlite_meets_every_expectation(
    replayed_sqlite_template: Replayed,
) -> None:
    assert replayed_sqlite_template.unmet == ()


@pytest.mark.postgres
def test_in_process_replay_on_postgres_meets_every_expectation(
    replayed_pg_template: Replayed,
) -> None:
    assert replayed_pg_template.unmet == ()


def test_the_replay_command_in_process_meets_every_expectation(
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    settings = settings_for(str(tmp_path / "cai.db"), tmp_path / "dms-sim.db")

    code = run_replay(FIXTURE_LOG, api=None, settings=settings, out=out)

    assert out.getvalue() == f"{FIXTURE_LINES}/{FIXTURE_LINES} expectations met\n"
    assert code == 0


@pytest.mark.parametrize("replayed_copy", BACKENDS, indirect=True)
def test_state_after_the_replay(replayed_copy: Replayed) -> None:
    engine = create_engine(replayed_copy.url)
    with engine.connect() as connection:
        deployments = connection.execute(
            text(
                "SELECT d.name, d.status, count(r.uid) FROM deployments d "
                "LEFT JOIN deployment_revisions r "
                "ON r.deployment_uid = d.uid AND r.status = 'active' "
                "GROUP BY d.uid, d.name, d.status"
            )
        ).all()
        active_resources = connection.execute(
            text(
                "SELECT t.uid, x.resource_id FROM deployment_targets t "
                "JOIN deployment_revisions r ON r.uid = t.revision_uid "
                "LEFT JOIN dms_resources x ON x.target_uid = t.uid "
                "WHERE r.status = 'active'"
            )
        ).all()
    engine.dispose()

    assert len(deployments) == 18
    for name, status, active in deployments:
        assert active == (0 if status == "terminated" else 1), (name, status, active)

    per_target: dict[str, list[str]] = {}
    for target, resource_id in active_resources:
        per_target.setdefault(target, []).append(resource_id)
    assert all(len(ids) == 2 and all(ids) for ids in per_target.values())
    live = {r.id for r in Simulator(replayed_copy.sim_path).resources()}
    assert live == {rid for ids in per_target.values() for rid in ids}


def dump(url: str, sim: Simulator) -> dict[str, Any]:
    """Every row of the domain tables, and the resources live in the simulator."""
    engine = create_engine(url)
    with engine.connect() as connection:
        tables: dict[str, Any] = {
            table: [
                tuple(row)
                for row in connection.execute(
                    text(f"SELECT * FROM {table} ORDER BY uid")
                )
            ]
            for table in DOMAIN_TABLES
        }
    engine.dispose()
    tables["dms"] = sorted(r.model_dump_json() for r in sim.resources())
    return tables


def test_over_http_on_sqlite_4xx_lines_change_nothing(
    start_api: StartApi, tmp_path: Path
) -> None:
    api = start_api()
    url = api.db.url.render_as_string(hide_password=False)
    requests = load_requests(FIXTURE_LOG)
    before: dict[int, dict[str, Any]] = {}
    changed: list[int] = []

    def snapshot(request: RecordedRequest) -> None:
        if request.expect == "4xx":
            before[request.seq] = dump(url, api.sim)

    def compare(outcome: Outcome) -> None:
        seq = outcome.request.seq
        if seq in before and dump(url, api.sim) != before[seq]:
            changed.append(seq)

    client = api.client(headers={"Content-Type": "application/json"})
    outcomes = replay(requests, http_sender(client), before=snapshot, after=compare)

    assert [o.describe() for o in outcomes if not o.met] == []
    assert len(before) >= 30
    assert changed == []


@pytest.mark.postgres
def test_over_http_on_postgres_meets_every_expectation(
    start_api: StartApi, empty_pg: str, tmp_path: Path
) -> None:
    api = start_api(url=empty_pg)
    out = io.StringIO()
    settings = settings_for(empty_pg, tmp_path / "unused-sim.db")

    code = run_replay(FIXTURE_LOG, api=api.url, settings=settings, out=out)

    assert out.getvalue() == f"{FIXTURE_LINES}/{FIXTURE_LINES} expectations met\n"
    assert code == 0


# --- the command's refusals -----------------------------------------------------------


def line(**fields: Any) -> str:
    """One request-log line, with valid defaults for what is not given."""
    item: dict[str, Any] = {
        "seq": 1,
        "at": "2026-03-02T10:48:00Z",
        "org": "acme",
        "user": "alice",
        "method": "GET",
        "path": "/api/v1/clusters/default",
        "body": None,
        "expect": 200,
    }
    item.update(fields)
    return json.dumps({k: v for k, v in item.items() if v is not ...})


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[1]", "not a JSON object"),
        (line(method=...), "missing field method"),
        (line(method="BREW"), "method"),
        (line(expect=201), "expect"),
        (line(expect="5xx"), "expect"),
        (line(seq="one"), "seq"),
        (line(at="yesterday"), "RFC 3339"),
        (line(path="api/v1"), "path"),
    ],
)
def test_a_malformed_line_stops_the_replay_before_sending(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str, words: str
) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(line() + "\n\n" + bad + "\n")
    store = tmp_path / "store" / "cai.db"
    out = io.StringIO()

    code = run_replay(
        log, api=None, settings=settings_for(str(store), tmp_path / "s.db"), out=out
    )

    assert code == 2
    error = capsys.readouterr().err
    assert "line 3" in error
    assert words in error
    assert out.getvalue() == ""
    assert not store.exists()


def test_unmet_lines_are_listed(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    lines = [
        line(seq=1),
        line(seq=2, path="/api/v1/clusters/nowhere?x=1", expect=200),
        line(seq=3, path="/api/v1/clusters/default", expect="4xx"),
        line(seq=4, path="/api/v1/clusters/nowhere", expect="4xx"),
    ]
    log.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    settings = settings_for(str(tmp_path / "cai.db"), tmp_path / "sim.db")

    code = run_replay(log, api=None, settings=settings, out=out)

    assert code == 1
    assert out.getvalue().splitlines() == [
        "seq 2: GET /api/v1/clusters/nowhere?x=1 -> 404, expected 200",
        "seq 3: GET /api/v1/clusters/default -> 200, expected 4xx",
        "2/4 expectations met",
    ]


def test_an_unreachable_api_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "log.jsonl"
    log.write_text(line() + "\n")
    settings = settings_for(str(tmp_path / "cai.db"), tmp_path / "sim.db")

    code = run_replay(
        log, api=f"http://127.0.0.1:{port}", settings=settings, out=io.StringIO()
    )

    assert code == 2
    assert f"127.0.0.1:{port}" in capsys.readouterr().err


def test_an_unusable_store_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_db = tmp_path / "cai.db"
    not_a_db.write_bytes(b"this is not a database" * 100)
    log = tmp_path / "log.jsonl"
    log.write_text(line() + "\n")
    settings = settings_for(str(not_a_db), tmp_path / "sim.db")

    code = run_replay(log, api=None, settings=settings, out=io.StringIO())

    assert code == 2
    assert "cai.db" in capsys.readouterr().err
