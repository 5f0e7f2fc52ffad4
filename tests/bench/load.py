"""Load test of the CAI API, run by hand: `python tests/bench/load.py`.

Seeds a store of `--count` deployments (100,000 by default, `seed.py`) on SQLite and,
when `CAI_TEST_PG_URL` names a PostgreSQL server, on a fresh database there; starts
`cai-tui serve` on loopback over it (the embedded simulator as DMS, `CAI_SIM_SECONDS=0`)
and measures, with 1, 8 and 32 concurrent clients, two kinds of request:

- list: a 20-deployment page of the cluster (`GET .../deployments?count=20`), at
  one of the first ten pages;
- roll out: `PATCH` of a deployment to another NIM version (each client rolls out
  deployments of its own, so conflicts are rare; a 409 is counted apart).

The clients are tasks of one asyncio `httpx.AsyncClient`, one connection each: a
real HTTP load on loopback, from one process that costs the server's two cores less
than as many client threads would (they took turns on this process's interpreter
lock, and measured their own waiting). Every phase is bounded in requests
(`--requests`) and time (`--seconds`). Seeding
takes minutes: with `--keep DIR` the seeded stores are kept in DIR (the SQLite file,
and the name of the PostgreSQL database in `DIR/postgres-url`) and later runs with
the same `--keep DIR` reuse them, upgrading their schema first. Printed:
throughput, p50 and p99 latency, conflicts and failures, and the targets:
single-client p50 of a list under 20 ms, throughput at 8 and 32 clients no lower
than at 1, p99 at 32 clients under 10x its p50, no failure but conflicts.
"""

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.bench.seed import CLUSTER, ORG, REVISIONS, USER, seed  # noqa: E402

CONCURRENCY = (1, 8, 32)
HEADERS = {"Nv-Ngc-Org": ORG, "Nv-Actor-Id": USER}
START_TIMEOUT = 60.0
SEEDED = [100_000]
"""How many deployments the store holds (set by `measure`)."""
CONFIG = {"services": {"Frontend": {"scaling": {"min_replicas": 1, "max_replicas": 2}}}}


@dataclass
class Phase:
    """What one phase measured."""

    latencies: list[float] = field(default_factory=list)
    conflicts: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        """Requests answered per second."""
        done = len(self.latencies) + self.conflicts
        return done / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """A latency percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, int(fraction * len(ordered)))
        return ordered[index] * 1000


Request = Callable[[httpx.AsyncClient, int, int], Awaitable[httpx.Response]]
"""Sends one request: (client, client number, request number) -> answer."""


async def list_page(client: httpx.AsyncClient, who: int, n: int) -> httpx.Response:
    """A 20-deployment page, one of the first ten."""
    start = ((who + n) % 10) * 20
    return await client.get(
        f"/api/v1/clusters/{CLUSTER}/deployments", params={"count": 20, "start": start}
    )


async def roll_out(client: httpx.AsyncClient, who: int, n: int) -> httpx.Response:
    """Roll one of this client's deployments out to another version."""
    deployment = f"dep-{(who * 1000 + n) % SEEDED[0]:07d}"
    target = {
        "bento_repository": "llm-agg",
        "bento": f"v{n % REVISIONS}",
        "config": CONFIG,
    }
    return await client.patch(
        f"/api/v1/clusters/{CLUSTER}/namespaces/compoundai/deployments/{deployment}",
        json={"targets": [target], "reason": "load test"},
    )


def run_phase(
    url: str, request: Request, clients: int, max_requests: int, seconds: float
) -> Phase:
    """`clients` concurrent clients sending `request` until the count or time is
    spent."""
    return asyncio.run(_run_phase(url, request, clients, max_requests, seconds))


async def _run_phase(
    url: str, request: Request, clients: int, max_requests: int, seconds: float
) -> Phase:
    phase = Phase()
    deadline = time.monotonic() + seconds
    per_client = max(1, max_requests // clients)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    async def work(client: httpx.AsyncClient, who: int) -> None:
        for n in range(per_client):
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            try:
                answer = await request(client, who, n)
            except httpx.HTTPError as exc:
                phase.failures.append(type(exc).__name__)
                continue
            took = time.perf_counter() - started
            if answer.status_code == 409:
                phase.conflicts += 1
            elif answer.is_success:
                phase.latencies.append(took)
            else:
                phase.failures.append(f"{answer.status_code} {answer.text}")

    # A client of its own per task: one shared pool would scan all its
    # connections for every request, a cost of the client that grows with them.
    async with AsyncExitStack() as stack:
        own = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=url, headers=HEADERS, timeout=120, limits=limits
                )
            )
            for _ in range(clients)
        ]
        started = time.perf_counter()
        await asyncio.gather(*(work(own[who], who) for who in range(clients)))
        phase.seconds = time.perf_counter() - started
    return phase


@contextmanager
def serving(store_url: str, folder: Path, workers: int = 1) -> Iterator[str]:
    """`cai-tui serve --workers N` on a free loopback port over `store_url`."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "CAI_STORE": store_url,
        "CAI_SIM_STORE": str(folder / "dms-sim.db"),
        "CAI_SIM_SECONDS": "0",
        "CAI_LOG_FILE": str(folder / "server.log"),
    }
    env.pop("DMS_URL", None)
    env.pop("DMS_HOST", None)
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "cai_tui", "serve"),
            *("--port", str(port), "--workers", str(workers)),
        ],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start; see {folder}/server.log")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(10)


@contextmanager
def postgres_database(admin_url: str, kept: str | None = None) -> Iterator[str]:
    """A database on the PostgreSQL server of `admin_url`.

    A fresh one dropped after, or, with `kept`, the database of that name, made
    if missing and left in place.
    """
    from sqlalchemy import create_engine, make_url, text

    name = kept or f"load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        if kept is None:
            with admin.connect() as connection:
                connection.execute(
                    text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                )
        admin.dispose()


def measure(
    backend: str,
    store_url: str,
    folder: Path,
    args: argparse.Namespace,
    *,
    reuse: bool = False,
) -> None:
    """Seed (unless `reuse`), serve and run every phase on one backend."""
    if reuse and seeded_count(store_url) == args.count:
        print(f"{backend}: reusing the seeded store {store_url}", flush=True)
        upgrade(store_url)
    else:
        print(f"{backend}: seeding {args.count:,} deployments ...", flush=True)
        seeded = time.perf_counter()
        seed(store_url, args.count)
        if "://" in store_url and not store_url.startswith("sqlite"):
            analyze(store_url)
        took = time.perf_counter() - seeded
        print(f"{backend}: seeded in {took:.0f} s", flush=True)
    SEEDED[0] = args.count
    for workers in args.workers:
        label = f"{backend}/{workers}w"
        with serving(store_url, folder, workers) as url:
            run_phases(label, url, args)


def seeded_count(store_url: str) -> int:
    """How many deployments a kept store holds (0 when it is missing or empty)."""
    from sqlalchemy import create_engine, text

    url = store_url if "://" in store_url else f"sqlite:///{store_url}"
    if "://" not in store_url and not Path(store_url).exists():
        return 0
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT count(*) FROM deployments"))
            return int(found.scalar_one())
    except Exception:
        return 0
    finally:
        engine.dispose()


def upgrade(store_url: str) -> None:
    """Bring a kept store to the newest schema, as `cai-tui db upgrade` would."""
    from store.database import upgrade as upgrade_database

    upgrade_database(store_url if "://" in store_url else f"sqlite:///{store_url}")


def analyze(store_url: str) -> None:
    """Vacuum and analyze a freshly seeded PostgreSQL database.

    Autovacuum would do it a little later on a live server; until then the bulk
    insert leaves the planner without statistics and counts without index-only
    scans, which is not the state a server runs in.
    """
    from sqlalchemy import create_engine, text

    engine = create_engine(store_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def run_phases(backend: str, url: str, args: argparse.Namespace) -> None:
    """Every phase against the server at `url`; print the figures."""
    for name, request in (("list", list_page), ("roll out", roll_out)):
        phases = {}
        for clients in CONCURRENCY:
            budget = args.requests if name == "list" else args.requests // 4
            phase = run_phase(url, request, clients, budget, args.seconds)
            phases[clients] = phase
            print(
                f"{backend:>11} {name:>8} x{clients:<2}: "
                f"{phase.throughput:7.1f} req/s  "
                f"p50 {phase.percentile(0.5):7.1f} ms  "
                f"p99 {phase.percentile(0.99):7.1f} ms  "
                f"n={len(phase.latencies)} conflicts={phase.conflicts} "
                f"failures={len(phase.failures)}",
                flush=True,
            )
            for failure in sorted(set(phase.failures))[:3]:
                print(f"           failure: {failure[:200]}")
        report_targets(backend, name, phases)


def report_targets(backend: str, name: str, phases: dict[int, Phase]) -> None:
    """Say which targets a kind of request met."""
    one, many = phases[1], phases[32]
    checks = {
        "throughput at 8 and 32 >= at 1": min(phases[8].throughput, many.throughput)
        >= one.throughput * 0.95,
        "p99 at 32 < 10x its p50": many.percentile(0.99) < 10 * many.percentile(0.5),
        "no failure but conflicts": not any(p.failures for p in phases.values()),
    }
    if name == "list":
        checks["p50 of one client < 20 ms"] = one.percentile(0.5) < 20
    for check, met in checks.items():
        print(f"{backend:>11} {name:>8} {'met   ' if met else 'MISSED'} {check}")


def main() -> None:
    """Run the load test on SQLite and, if configured, PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000, help="per list phase")
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument(
        "--backends", default="sqlite,postgres", help="comma-separated backends"
    )
    parser.add_argument(
        "--workers",
        default="1",
        type=lambda text: [int(n) for n in text.split(",")],
        help="comma-separated worker counts to serve with in turn (e.g. 1,2)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep the seeded stores in DIR and reuse them on later runs",
    )
    args = parser.parse_args()
    backends = args.backends.split(",")
    pg_url = os.environ.get("CAI_TEST_PG_URL", "")

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        kept: Path | None = args.keep.resolve() if args.keep else None
        if kept is not None:
            kept.mkdir(parents=True, exist_ok=True)
        if "sqlite" in backends:
            sqlite_folder = folder / "sqlite"
            sqlite_folder.mkdir()
            store = (kept or sqlite_folder) / "cai.db"
            measure("sqlite", str(store), sqlite_folder, args, reuse=bool(kept))
        if "postgres" in backends:
            if not pg_url:
                print("postgres: skipped, CAI_TEST_PG_URL is not set")
                return
            pg_folder = folder / "postgres"
            pg_folder.mkdir()
            name = None
            if kept is not None:
                named = kept / "postgres-url"
                if not named.exists():
                    named.write_text(f"load_kept_{uuid.uuid4().hex[:8]}")
                name = named.read_text().strip()
            with postgres_database(pg_url, name) as url:
                measure("postgres", url, pg_folder, args, reuse=bool(kept))


if __name__ == "__main__":
    main()
