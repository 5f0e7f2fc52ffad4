"""`cai-tui serve --workers 2`: two processes over one store stay correct.

Concurrent roll outs of one deployment, all sent with the same `If-Match`, reach
both worker processes; exactly one wins and the others get 409, and the
deployment never has two active revisions.
"""

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from store.database import Database
from tests.api.seed import publish

START_TIMEOUT = 60.0
POLL_INTERVAL = 0.05
LISTENING = re.compile(r"running on http://127\.0\.0\.1:(\d+)")
ROLL_OUTS = 8
PATH = "/api/v1/clusters/default/namespaces/compoundai/deployments/web"
HEADERS = {"Nv-Ngc-Org": "acme", "Nv-Actor-Id": "alice"}


@contextmanager
def serving(store_url: str, folder: Path, workers: int) -> Iterator[str]:
    """`cai-tui serve --workers N --port 0` over `store_url`; its base URL."""
    env = {
        **os.environ,
        "CAI_STORE": store_url,
        "CAI_SIM_STORE": str(folder / "dms-sim.db"),
        "CAI_SIM_SECONDS": "0",
        "CAI_LOG_FILE": str(folder / "server.log"),
    }
    for name in ("DMS_URL", "DMS_HOST", "CAI_API_TOKEN"):
        env.pop(name, None)
    log = folder / "serve.err"
    command = [sys.executable, "-m", "cai_tui", "serve", "--port", "0"]
    with log.open("wb") as err:
        server = subprocess.Popen(
            [*command, "--workers", str(workers)],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        url = wait_for_url(server, log)
        wait_for_workers(server, workers)
        yield url
    finally:
        server.terminate()
        server.wait(20)


def wait_for_url(server: subprocess.Popen[bytes], log: Path) -> str:
    """The URL the server says it listens on, once its workers answer."""
    deadline = time.monotonic() + START_TIMEOUT
    url = None
    while time.monotonic() < deadline and server.poll() is None:
        found = LISTENING.search(log.read_text(errors="replace"))
        url = url or (f"http://127.0.0.1:{found.group(1)}" if found else None)
        if url is not None:
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    return url
            except httpx.HTTPError:
                pass
        time.sleep(POLL_INTERVAL)
    raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")


def wait_for_workers(server: subprocess.Popen[bytes], workers: int) -> None:
    """Wait until the server has its worker processes."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    deadline = time.monotonic() + START_TIMEOUT
    while len(children.read_text().split()) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server has not started {workers} workers")
        time.sleep(POLL_INTERVAL)


def race_roll_outs(url: str) -> list[int]:
    """Create `web`, then roll it out `ROLL_OUTS` times at once with one If-Match."""
    with httpx.Client(base_url=url, headers=HEADERS, timeout=60) as client:
        publish(client, "hello", "v1")
        publish(client, "hello", "v2")
        target = {"bento_repository": "hello", "bento": "v1", "config": {}}
        made = client.post(
            "/api/v1/clusters/default/deployments",
            json={"name": "web", "kube_namespace": "compoundai", "targets": [target]},
        )
        assert made.status_code == 200, made.text
        seen = made.headers["ETag"]

    barrier = threading.Barrier(ROLL_OUTS)
    statuses: list[int] = []
    lock = threading.Lock()

    def roll_out() -> None:
        body = {"targets": [{**target, "bento": "v2"}]}
        with httpx.Client(base_url=url, headers=HEADERS, timeout=60) as client:
            client.get("/healthz")  # connect before the race
            barrier.wait(30)
            answer = client.patch(PATH, json=body, headers={"If-Match": seen})
        with lock:
            statuses.append(answer.status_code)

    threads = [threading.Thread(target=roll_out) for _ in range(ROLL_OUTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return statuses


def check_one_winner(url: str) -> None:
    """Exactly one roll out won and one revision is active."""
    statuses = race_roll_outs(url)
    assert sorted(statuses) == [200] + [409] * (ROLL_OUTS - 1), statuses
    with httpx.Client(base_url=url, headers=HEADERS, timeout=30) as client:
        revisions = client.get(f"{PATH}/revisions").json()
        detail = client.get(PATH).json()
    assert revisions["total"] == 2
    active = [r["uid"] for r in revisions["items"] if r["status"] == "active"]
    assert active == [detail["active_revision_uid"]]
    assert detail["latest_revision"]["targets"][0]["bento_version"] == "v2"


def test_two_workers_on_sqlite_let_one_roll_out_win(tmp_path: Path) -> None:
    with serving(f"sqlite:///{tmp_path / 'cai.db'}", tmp_path, workers=2) as url:
        check_one_winner(url)


@pytest.mark.postgres
def test_two_workers_on_postgres_let_one_roll_out_win(
    empty_pg: str, tmp_path: Path
) -> None:
    Database.open(empty_pg, migrate=True).dispose()
    with serving(empty_pg, tmp_path, workers=2) as url:
        check_one_winner(url)
