"""Writes the demo history (`history.jsonl`) that `cai-tui --demo` replays.

Run `python -m cai_tui.demo.generate` to write it again; the output is deterministic.
The story: one team (organization `default`) runs chat and retrieval pipelines on
three clusters, rolls new versions out, rolls one back, retires another; a second
organization exists to show that it never appears.
"""

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("history.jsonl")

PIPELINES: dict[str, list[tuple[str, int, str, str]]] = {
    # service, max replicas, cpu, gpu ("" for none)
    "chat-agg": [
        ("Frontend", 2, "4", ""),
        ("Processor", 2, "4", ""),
        ("Worker", 4, "8", "1"),
    ],
    "chat-disagg": [
        ("Frontend", 2, "4", ""),
        ("Processor", 2, "4", ""),
        ("DecodeWorker", 4, "8", "1"),
        ("PrefillWorker", 2, "8", "1"),
    ],
    "rag-pipeline": [
        ("Gateway", 2, "2", ""),
        ("Retriever", 3, "4", ""),
        ("Reranker", 2, "4", "1"),
    ],
    "eval-harness": [("Frontend", 1, "4", ""), ("Judge", 2, "8", "1")],
    "embedder": [("Frontend", 1, "2", ""), ("Encoder", 4, "4", "1")],
}


class History:
    """Collects request lines with a clock that moves forward."""

    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []
        self.at = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
        self.rng = random.Random(20260901)

    def add(
        self,
        org: str,
        user: str,
        method: str,
        path: str,
        body: Any = None,
        expect: int | str = 200,
        note: str | None = None,
    ) -> None:
        """Append one request, some minutes to hours after the previous one."""
        self.at += timedelta(minutes=self.rng.randint(20, 600))
        line: dict[str, Any] = {
            "seq": len(self.lines) + 1,
            "at": self.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "org": org,
            "user": user,
            "method": method,
            "path": path,
            "body": body,
            "expect": expect,
        }
        if note:
            line["note"] = note
        self.lines.append(line)

    def version_id(self) -> str:
        """A version string like the ones a build system makes."""
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self.rng.choice(alphabet) for _ in range(12))


def services(nim: str, scale: int = 1, gpu_bump: int = 0) -> dict[str, Any]:
    """The v2 `services` map of a pipeline, scaled."""
    result: dict[str, Any] = {}
    for name, max_replicas, cpu, gpu in PIPELINES[nim]:
        item: dict[str, str] = {"cpu": cpu, "memory": f"{int(cpu) * 4}Gi"}
        if gpu:
            item["gpu"] = str(int(gpu) + gpu_bump)
        result[name] = {
            "scaling": {"min_replicas": 1, "max_replicas": max_replicas * scale},
            "config_overrides": {"resources": {"requests": item, "limits": item}},
        }
    return result


def build() -> list[dict[str, Any]]:
    """The whole demo history."""
    h = History()
    org = "default"
    for cluster, text in [
        ("gpu-east", "H100 pool, us-east"),
        ("gpu-west", "A100 pool, us-west"),
        ("staging", "shared staging cluster"),
    ]:
        h.add(
            org,
            "default",
            "POST",
            "/api/v1/clusters",
            {"name": cluster, "description": text},
        )

    versions: dict[str, list[str]] = {}
    for nim, owner in [
        ("chat-agg", "default"),
        ("chat-disagg", "default"),
        ("rag-pipeline", "alice"),
        ("embedder", "default"),
        ("eval-harness", "bob"),
    ]:
        names = [s for s, *_ in PIPELINES[nim]]
        h.add(
            org,
            owner,
            "POST",
            "/api/v1/compound_nims",
            {"name": nim, "description": " -> ".join(names)},
        )
        versions[nim] = []
        for index in range(3):
            version = h.version_id()
            manifest = {
                "service": f"graphs.{nim.replace('-', '_')}:{names[0]}",
                "services": names,
                "bentoml_version": "1.2.3",
                "apis": {},
            }
            h.add(
                org,
                owner,
                "POST",
                f"/api/v1/compound_nims/{nim}/versions",
                {
                    "version": version,
                    "description": f"{nim} build {index + 1}",
                    "manifest": manifest,
                },
            )
            failed = nim == "chat-disagg" and index == 1
            h.add(
                org,
                owner,
                "PATCH",
                f"/api/v1/compound_nims/{nim}/versions/{version}/update_image_build_status",
                {"image_build_status": "failed" if failed else "success"},
            )
            versions[nim].append(version)

    def deploy(user: str, cluster: str, name: str, nim: str, index: int) -> None:
        h.add(
            org,
            user,
            "POST",
            f"/api/v2/deployments?cluster={cluster}",
            {
                "name": name,
                "bento": f"{nim}:{versions[nim][index]}",
                "services": services(nim),
            },
        )

    def roll_out(
        user: str,
        cluster: str,
        name: str,
        nim: str,
        index: int,
        scale: int = 1,
        gpu_bump: int = 0,
    ) -> None:
        h.add(
            org,
            user,
            "PUT",
            f"/api/v2/deployments/{name}?cluster={cluster}",
            {
                "bento": f"{nim}:{versions[nim][index]}",
                "services": services(nim, scale, gpu_bump),
            },
        )

    deploy("default", "gpu-east", "chat-prod", "chat-agg", 0)
    deploy("default", "gpu-east", "chat-canary", "chat-agg", 0)
    deploy("default", "gpu-west", "chat-disagg-prod", "chat-disagg", 0)
    deploy("default", "staging", "embedder-staging", "embedder", 0)
    deploy("alice", "gpu-west", "rag-prod", "rag-pipeline", 0)
    deploy("alice", "staging", "rag-staging", "rag-pipeline", 1)
    deploy("bob", "gpu-east", "chat-eval", "eval-harness", 1)
    deploy("default", "default", "embedder-dev", "embedder", 1)

    roll_out("default", "gpu-east", "chat-canary", "chat-agg", 1)
    roll_out("default", "gpu-east", "chat-prod", "chat-agg", 1, scale=2)
    roll_out("default", "gpu-east", "chat-canary", "chat-agg", 2, gpu_bump=1)
    h.add(
        org,
        "default",
        "PUT",
        "/api/v2/deployments/chat-disagg-prod?cluster=gpu-west",
        {
            "bento": f"chat-disagg:{versions['chat-disagg'][1]}",
            "services": services("chat-disagg"),
        },
        expect="4xx",
        note="a version whose image build failed cannot be rolled out",
    )
    roll_out("default", "gpu-west", "chat-disagg-prod", "chat-disagg", 2)
    roll_out("default", "staging", "embedder-staging", "embedder", 2)
    roll_out("alice", "gpu-west", "rag-prod", "rag-pipeline", 2, scale=2)
    roll_out("default", "gpu-east", "chat-prod", "chat-agg", 2, scale=2)
    h.add(
        org,
        "default",
        "POST",
        "/api/v2/deployments/chat-eval/terminate?cluster=gpu-east",
        expect="4xx",
        note="another user's deployment is invisible in user scope",
    )
    h.add(
        org, "bob", "POST", "/api/v2/deployments/chat-eval/terminate?cluster=gpu-east"
    )
    h.add(
        org,
        "default",
        "POST",
        "/api/v2/deployments/embedder-dev/terminate?cluster=default",
    )
    h.add(org, "default", "DELETE", "/api/v2/deployments/embedder-dev?cluster=default")
    deploy("default", "default", "embedder-dev", "embedder", 2)
    h.add(
        org,
        "default",
        "POST",
        "/api/v2/deployments/embedder-staging/terminate?cluster=staging",
    )

    other = "other-co"
    h.add(
        other,
        "carol",
        "POST",
        "/api/v1/clusters",
        {"name": "gpu-east", "description": "not ours"},
    )
    h.add(other, "carol", "POST", "/api/v1/compound_nims", {"name": "chat-agg"})
    version = h.version_id()
    h.add(
        other,
        "carol",
        "POST",
        "/api/v1/compound_nims/chat-agg/versions",
        {"version": version},
    )
    h.add(
        other,
        "carol",
        "PATCH",
        f"/api/v1/compound_nims/chat-agg/versions/{version}/update_image_build_status",
        {"image_build_status": "success"},
    )
    h.add(
        other,
        "carol",
        "POST",
        "/api/v2/deployments?cluster=gpu-east",
        {
            "name": "chat-prod",
            "bento": f"chat-agg:{version}",
            "services": services("chat-agg"),
        },
    )
    return h.lines


def main() -> None:
    """Write `history.jsonl` beside this module."""
    with OUT.open("w", encoding="utf-8") as out:
        for line in build():
            out.write(json.dumps(line, sort_keys=True) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
