"""Seed a store with one cluster holding many deployments, for the benchmarks.

`python tests/bench/seed.py TARGET N` writes N deployments of 10 revisions each (one
target per revision, the last revision active) in bulk through SQLAlchemy Core, so
that seeding 100,000 takes seconds, not hours. TARGET is a file path (a fresh SQLite
store is made there) or an SQLAlchemy URL of an empty database, such as a new
PostgreSQL database (its schema is made first).
"""

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from store.database import Database
from store.models import (
    Cluster,
    CompoundNim,
    CompoundNimVersion,
    Deployment,
    Revision,
    Target,
)

ORG = "bench"
USER = "ops"
CLUSTER = "big"
REVISIONS = 10
BATCH = 5_000
STATUSES = ("running", "deploying", "unhealthy", "failed", "terminated")


def seed(target: Path | str, count: int) -> None:
    """Write `count` deployments into a fresh store: a file path, or a URL."""
    if isinstance(target, str) and "://" in target:
        database = Database.open(target, migrate=True)
    else:
        path = Path(target)
        if path.exists():
            path.unlink()
        database = Database.open(f"sqlite:///{path}")
    base = datetime(2026, 1, 1, tzinfo=UTC)
    config: dict[str, Any] = {
        "services": {
            "Frontend": {"scaling": {"min_replicas": 1, "max_replicas": 2}},
            "Worker": {
                "scaling": {"min_replicas": 1, "max_replicas": 4},
                "resources": {"requests": {"cpu": "8", "gpu": "1", "memory": "32Gi"}},
            },
        }
    }
    with database.engine.begin() as conn:
        conn.execute(
            insert(Cluster),
            [
                {
                    "uid": "cluster-big",
                    "organization": ORG,
                    "name": CLUSTER,
                    "description": "benchmark cluster",
                    "kube_config": "",
                    "creator": USER,
                    "created_at": base,
                    "updated_at": base,
                }
            ],
        )
        conn.execute(
            insert(CompoundNim),
            [
                {
                    "uid": "nim-bench",
                    "organization": ORG,
                    "name": "llm-agg",
                    "description": "",
                    "labels": [],
                    "creator": USER,
                    "created_at": base,
                    "updated_at": base,
                }
            ],
        )
        conn.execute(
            insert(CompoundNimVersion),
            [
                {
                    "uid": f"ver-{v}",
                    "nim_uid": "nim-bench",
                    "version": f"v{v}",
                    "description": "",
                    "labels": [],
                    "manifest": {"services": ["Frontend", "Worker"]},
                    "image_build_status": "success",
                    "creator": USER,
                    "created_at": base,
                    "updated_at": base,
                }
                for v in range(REVISIONS)
            ],
        )

    for first in range(0, count, BATCH):
        deployments, revisions, targets = [], [], []
        for n in range(first, min(first + BATCH, count)):
            at = base + timedelta(minutes=n)
            deployments.append(
                {
                    "uid": f"dep-{n:07d}",
                    "cluster_uid": "cluster-big",
                    "name": f"dep-{n:07d}",
                    "namespace": "compoundai",
                    "description": "",
                    "status": STATUSES[n % len(STATUSES)],
                    "status_changed_at": at,
                    "creator": USER,
                    "created_at": at,
                    "updated_at": at,
                }
            )
            for r in range(REVISIONS):
                uid = f"rev-{n:07d}-{r:02d}"
                revisions.append(
                    {
                        "uid": uid,
                        "deployment_uid": f"dep-{n:07d}",
                        "status": "active" if r == REVISIONS - 1 else "inactive",
                        "rolled_back_from": None,
                        "reason": "",
                        "creator": USER,
                        "created_at": at + timedelta(seconds=r),
                        "updated_at": at + timedelta(seconds=r),
                    }
                )
                targets.append(
                    {
                        "uid": f"tgt-{n:07d}-{r:02d}",
                        "revision_uid": uid,
                        "nim": "llm-agg",
                        "version": f"v{r}",
                        "config": config,
                        "position": 0,
                        "creator": USER,
                        "created_at": at,
                        "updated_at": at,
                    }
                )
        with database.engine.begin() as conn:
            conn.execute(insert(Deployment), deployments)
            conn.execute(insert(Revision), revisions)
            conn.execute(insert(Target), targets)
    with database.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    database.dispose()


if __name__ == "__main__":
    seed(sys.argv[1], int(sys.argv[2]))
