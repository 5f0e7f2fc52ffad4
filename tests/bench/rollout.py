"""Benchmark of a roll out, run by hand: `python tests/bench/rollout.py [--runs N]`.

Starts `cai-tui dms serve` on loopback (its simulator in a temporary folder, with
`CAI_SIM_SECONDS=0`), makes a store on a temporary SQLite file with a deployment of
10 targets, then rolls it out `--runs` times (20 creates and 20 deletes each). Every
DMS call goes through a thin timing wrapper around `HttpDeploymentManager`, so each
run's round trips are measured in the same run. Reported: the median total time of a
roll out, the median sum of its DMS round trips, and their ratio (target: at most
1.5); and, for reference, the same 40 calls sent one after another with no store.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from cai_tui.dms.http_client import HttpDeploymentManager
from store.database import Database
from store.dms import ResourceRequest, ResourceStatus
from store.local import LocalStore
from store.names import deployment_resource_name
from store.schemas import (
    Caller,
    DeploymentSpec,
    Identity,
    NimSpec,
    ServiceConfig,
    TargetConfig,
    TargetSpec,
    VersionSpec,
)

ROOT = Path(__file__).resolve().parents[2]
TARGETS = 10
START_TIMEOUT = 20.0


class TimedDms:
    """An `HttpDeploymentManager` that keeps the round trip of every write call."""

    def __init__(self, inner: HttpDeploymentManager) -> None:
        self.inner = inner
        self.trips: list[float] = []
        self._lock = threading.Lock()

    def describe(self) -> str:
        """The wrapped DMS."""
        return self.inner.describe()

    def create(self, request: ResourceRequest) -> str:
        """Timed create."""
        started = time.perf_counter()
        try:
            return self.inner.create(request)
        finally:
            self._keep(time.perf_counter() - started)

    def delete(self, resource_id: str) -> None:
        """Timed delete."""
        started = time.perf_counter()
        try:
            self.inner.delete(resource_id)
        finally:
            self._keep(time.perf_counter() - started)

    def status(self, resource_id: str) -> ResourceStatus | None:
        """Untimed read."""
        return self.inner.status(resource_id)

    def find(self, namespace: str, name: str) -> list[ResourceStatus] | None:
        """Untimed search."""
        return self.inner.find(namespace, name)

    def _keep(self, seconds: float) -> None:
        with self._lock:
            self.trips.append(seconds)


def free_port() -> int:
    """A loopback port the OS has just handed out."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_dms(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`cai-tui dms serve` on loopback; returns the process and its URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAI_", "DMS_"))}
    env.update(
        CAI_SIM_STORE=str(tmp / "dms-sim.db"),
        CAI_SIM_SECONDS="0",
        CAI_LOG_FILE=str(tmp / "dms.log"),
        PYTHONPATH=str(ROOT),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "cai_tui", "dms", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/_sim/resources", timeout=1.0)
            return process, url
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"the DMS simulator did not start on {url}")


def targets(version: str) -> tuple[TargetSpec, ...]:
    """Ten targets, one per NIM, at `version`."""
    config = TargetConfig(
        services={"Frontend": ServiceConfig(), "Worker": ServiceConfig()}
    )
    return tuple(
        TargetSpec(nim=f"nim{i}", version=version, config=config)
        for i in range(TARGETS)
    )


def seed(store: LocalStore) -> None:
    """Ten NIMs with two built versions each, and the deployment on v1."""
    for i in range(TARGETS):
        store.create_nim(NimSpec(name=f"nim{i}"))
        for version in ("v1", "v2"):
            store.create_version(
                f"nim{i}", VersionSpec(version=version, image_build_status="success")
            )
    store.create_deployment(
        "default", DeploymentSpec(name="bench", targets=targets("v1"))
    )


def sequential_baseline(dms: HttpDeploymentManager, count: int) -> float:
    """The same number of creates and deletes, one after another, with no store."""
    started = time.perf_counter()
    ids = []
    for i in range(count):
        name = deployment_resource_name("baseline", f"uid-{i}-{time.time_ns()}")
        body = {"name": name, "namespace": "bench", "type": "CompoundAINimDeployment"}
        ids.append(
            dms.create(
                ResourceRequest(
                    kind="CompoundAINimDeployment",
                    name=name,
                    namespace="bench",
                    body=body,
                )
            )
        )
    for resource_id in ids:
        dms.delete(resource_id)
    return time.perf_counter() - started


def main() -> int:
    """Run the benchmark and print its report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cai-bench-") as folder:
        tmp = Path(folder)
        process, url = start_dms(tmp)
        try:
            http = HttpDeploymentManager(url, timeout=30.0)
            dms = TimedDms(http)
            db = Database.open(f"sqlite:///{tmp / 'cai.db'}", migrate=True)
            caller = Caller(identity=Identity(org="bench", user="bench"))
            store = LocalStore(db, caller, dms, dms_concurrency=args.concurrency)
            seed(store)

            totals, sums = [], []
            for run in range(args.runs):
                dms.trips.clear()
                version = "v2" if run % 2 == 0 else "v1"
                started = time.perf_counter()
                store.roll_out("default", "bench", targets(version))
                totals.append(time.perf_counter() - started)
                sums.append(sum(dms.trips))
            calls = len(dms.trips)
            baseline = statistics.median(
                sequential_baseline(http, calls // 2) for _ in range(3)
            )
            db.dispose()
            http.close()
        finally:
            process.terminate()
            process.wait(10)

    total, trips = statistics.median(totals), statistics.median(sums)
    ratio = total / trips
    print(f"roll out of {TARGETS} targets ({calls} DMS calls), {args.runs} runs,")
    print(f"CAI_DMS_CONCURRENCY={args.concurrency}, against `cai-tui dms serve`")
    print(f"  median total time           {total * 1000:8.1f} ms")
    print(f"  median sum of round trips   {trips * 1000:8.1f} ms")
    print(f"  ratio                       {ratio:8.2f}x  (target <= 1.5x)")
    print(
        f"  same calls one by one, no store {baseline * 1000:8.1f} ms "
        f"(total / that = {total / baseline:.2f}x)"
    )
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
