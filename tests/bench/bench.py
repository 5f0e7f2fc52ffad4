"""Benchmarks of the dashboard, run by hand: `python tests/bench/bench.py [--runs N]`.

(a) start-up: process start to the first screen drawn, cai-tui against a bare Textual
    app (Header, Footer, empty DataTable), each started `--runs` times alternately in
    the same run; the medians and their ratio (target: at most 1.5).
(b) the deployments of one cluster holding 10,000 and 100,000 deployments (10
    revisions each): time from opening the screen to its first rows, and the peak
    memory of the process, each measured in a fresh process (targets: first rows
    within 100 ms at both sizes; memory at 100,000 within 10% of memory at 10,000).

Stores are seeded once into a temporary folder (`seed.py`), which takes a minute.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def clean_env(tmp: Path) -> dict[str, str]:
    """An environment with cai-tui pointed at a scratch folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAI_", "DMS_"))}
    env["CAI_STORE"] = str(tmp / "startup.db")
    env["CAI_LOG_FILE"] = str(tmp / "bench.log")
    env["PYTHONPATH"] = str(ROOT)
    return env


def time_process(args: list[str], env: dict[str, str]) -> float:
    """Milliseconds from starting the process to its first frame, as it reports."""
    env = {**env, "BENCH_STARTED": repr(time.time())}
    out = subprocess.run(
        args,
        env=env,
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def bench_startup(runs: int, tmp: Path) -> dict[str, float]:
    """Median start-up times of the bare app and of cai-tui."""
    env = clean_env(tmp)
    script = str(HERE / "first_paint.py")
    # One untimed start of each warms the file cache and creates the store.
    for kind in ("bare", "cai"):
        time_process([sys.executable, script, kind], env)
    times: dict[str, list[float]] = {"bare": [], "cai": []}
    for _ in range(runs):
        for kind in ("bare", "cai"):
            times[kind].append(time_process([sys.executable, script, kind], env))
    bare = statistics.median(times["bare"])
    cai = statistics.median(times["cai"])
    return {"bare_ms": bare, "cai_ms": cai, "ratio": cai / bare}


def bench_first_rows(runs: int, tmp: Path, sizes: list[int]) -> list[dict[str, float]]:
    """Median time to first rows and peak memory, per store size."""
    results = []
    for size in sizes:
        store = tmp / f"deployments-{size}.db"
        if not store.exists():
            print(f"seeding {size:,} deployments ...", file=sys.stderr)
            subprocess.run(
                [sys.executable, str(HERE / "seed.py"), str(store), str(size)],
                env=clean_env(tmp),
                check=True,
            )
        samples = []
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, str(HERE / "first_rows.py"), str(store)],
                env=clean_env(tmp),
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            samples.append(json.loads(out.strip().splitlines()[-1]))
        results.append(
            {
                "deployments": size,
                "first_rows_ms": statistics.median(s["first_rows_ms"] for s in samples),
                "store_page_ms": statistics.median(s["store_page_ms"] for s in samples),
                "peak_rss_mib": statistics.median(s["peak_rss_mib"] for s in samples),
            }
        )
    return results


def main() -> None:
    """Run both benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--keep", type=Path, help="folder to keep seeded stores in")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        startup = bench_startup(args.runs, tmp)
        print(
            f"(a) start-up, median of {args.runs}: bare Textual app "
            f"{startup['bare_ms']:.0f} ms, cai-tui {startup['cai_ms']:.0f} ms, "
            f"ratio {startup['ratio']:.2f} (target <= 1.5)"
        )
        rows = bench_first_rows(args.runs, tmp, sizes)
        for row in rows:
            print(
                f"(b) {row['deployments']:>7,} deployments: first rows on screen "
                f"{row['first_rows_ms']:.0f} ms (store page {row['store_page_ms']:.1f} "
                f"ms), peak memory {row['peak_rss_mib']:.1f} MiB"
            )
        if len(rows) >= 2:
            growth = rows[-1]["peak_rss_mib"] / rows[0]["peak_rss_mib"] - 1
            print(f"(b) memory growth {growth:+.1%} (target within 10%)")


if __name__ == "__main__":
    main()
