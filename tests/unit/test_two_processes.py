"""Two dashboards (two processes, one SQLite file) rolling out one deployment at once.

Both saw the same active revision and pass it as `expected_active`; a barrier starts
their roll outs together. Exactly one wins; the other gets `StaleRevision` with the
message the dashboard shows, and nothing of it is left at the DMS.
"""

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from cai_tui.dms.simulator import Simulator
from store.database import Database
from store.errors import StaleRevision
from store.local import LocalStore
from store.schemas import (
    Caller,
    DeploymentSpec,
    Identity,
    NimSpec,
    PageRequest,
    TargetSpec,
    VersionSpec,
)

CALLER = Caller(identity=Identity(org="acme", user="ops"), scope="organization")
BARRIER_TIMEOUT = 30.0
RESULT_TIMEOUT = 60.0


def _store(db_path: Path, sim_path: Path) -> tuple[LocalStore, Database]:
    db = Database.open(f"sqlite:///{db_path}", migrate=False)
    sim = Simulator(sim_path, step_seconds=0.0)
    return LocalStore(db, CALLER, sim, dms_concurrency=2), db


def _roll_out(
    db_path: Path,
    sim_path: Path,
    version: str,
    seen: str,
    barrier: Barrier,
    results: "multiprocessing.Queue[tuple[str, str]]",
) -> None:
    """One dashboard's roll out, started when both processes are ready."""
    store, db = _store(db_path, sim_path)
    targets = (TargetSpec(nim="llm", version=version),) * 2
    barrier.wait(BARRIER_TIMEOUT)
    try:
        detail = store.roll_out(
            "default", "api", targets, expected_active=seen, reason=version
        )
        results.put(("won", detail.active_revision_uid or ""))
    except StaleRevision as exc:
        results.put(("stale", exc.message))
    finally:
        db.dispose()


def test_one_of_two_concurrent_roll_outs_wins(tmp_path: Path) -> None:
    db_path, sim_path = tmp_path / "cai.db", tmp_path / "dms-sim.db"
    Database.open(f"sqlite:///{db_path}", migrate=True).dispose()
    store, db = _store(db_path, sim_path)
    store.create_nim(NimSpec(name="llm"))
    for version in ("v1", "v2", "v3"):
        store.create_version(
            "llm", VersionSpec(version=version, image_build_status="success")
        )
    first = store.create_deployment(
        "default",
        DeploymentSpec(name="api", targets=(TargetSpec(nim="llm", version="v1"),)),
    )
    seen = first.active_revision_uid
    assert seen is not None

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results: multiprocessing.Queue[tuple[str, str]] = context.Queue()
    workers = [
        context.Process(
            target=_roll_out,
            args=(db_path, sim_path, version, seen, barrier, results),
        )
        for version in ("v2", "v3")
    ]
    for worker in workers:
        worker.start()
    outcomes: list[Any] = [results.get(timeout=RESULT_TIMEOUT) for _ in workers]
    for worker in workers:
        worker.join(RESULT_TIMEOUT)
        assert worker.exitcode == 0

    assert sorted(kind for kind, _ in outcomes) == ["stale", "won"]
    winner = next(value for kind, value in outcomes if kind == "won")
    message = next(value for kind, value in outcomes if kind == "stale")
    assert "deployment `api`" in message and "reload and try again" in message

    history = store.list_revisions("default", "api", PageRequest(count=10)).items
    assert [r.status for r in history].count("active") == 1
    assert len(history) == 2 and history[0].uid == winner
    detail = store.get_deployment("default", "api")
    assert detail.active_revision is not None
    held = {r.resource_id for t in detail.active_revision.targets for r in t.resources}
    live = {r.id for r in Simulator(sim_path).resources()}
    assert live == held and len(live) == 4
    assert store.list_leftovers() == []
    outcomes_recorded = sorted(o.outcome for o in store.list_operations().items[:2])
    assert outcomes_recorded == ["conflict", "succeeded"]
    db.dispose()
