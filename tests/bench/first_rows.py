"""One measurement of opening a big cluster's deployments, in a fresh process.

`python tests/bench/first_rows.py STORE` opens the store seeded by `seed.py` as the
dashboard does, opens the deployments of its cluster as Enter on the clusters
screen does, and prints one JSON line: the time from that action to the first rows
on screen, the time of the store's first page alone, and the peak memory of the
process (resident set, MiB).
"""

import asyncio
import json
import os
import resource
import sys
import time
from pathlib import Path

ALL = os.environ.get("BENCH_ALL_CLUSTERS") == "1"
"""Open the deployments of all clusters instead of the cluster `big`."""


async def measure(store_path: Path) -> dict[str, float]:
    """Open the dashboard headless and time the first page of deployments."""
    from cai_tui.app import CaiApp, Setup
    from cai_tui.cli import LocalOpener
    from cai_tui.settings import load_settings
    from cai_tui.widgets.paged_table import PagedTable
    from screens.clusters import ClustersScreen
    from screens.deployments import DeploymentsScreen
    from store.schemas import Caller, DeploymentQuery, Identity

    settings = load_settings(cai_store=str(store_path), cai_refresh_seconds=3600)
    caller = Caller(identity=Identity(org="bench", user="ops"))
    app = CaiApp(Setup(settings, LocalOpener(settings), caller))
    async with app.run_test(size=(120, 36)) as pilot:
        while not isinstance(app.screen, ClustersScreen):
            await pilot.pause(0.01)
        assert app.context is not None and app.store is not None

        clusters = app.screen
        assert isinstance(clusters, ClustersScreen)
        await pilot.pause()
        started = time.perf_counter()
        clusters.action_all_deployments() if ALL else clusters._open_deployments("big")
        while True:
            await asyncio.sleep(0)
            screen = app.screen
            if not isinstance(screen, DeploymentsScreen):
                continue
            tables = screen.query(PagedTable)
            if tables and tables.first().row_count > 0:
                break
        first_rows = time.perf_counter() - started

        started = time.perf_counter()
        app.store.list_deployments(DeploymentQuery(cluster="big", limit=50))
        store_page = time.perf_counter() - started

    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "first_rows_ms": first_rows * 1000,
        "store_page_ms": store_page * 1000,
        "peak_rss_mib": peak_kib / 1024,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(measure(Path(sys.argv[1])))))
