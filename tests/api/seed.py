"""Request bodies and small steps the API tests share."""

from typing import Any

import httpx


def service(
    cpu: str = "1", replicas: int = 1, gpu: str | None = None
) -> dict[str, Any]:
    """One v2 service: its scaling and resources."""
    item: dict[str, Any] = {"cpu": cpu, "memory": "2Gi"}
    if gpu:
        item["gpu"] = gpu
    return {
        "scaling": {"min_replicas": 1, "max_replicas": replicas},
        "config_overrides": {"resources": {"requests": item, "limits": item}},
    }


def v2_body(tag: str, name: str | None = None, **services: Any) -> dict[str, Any]:
    """A v2 deployment body for `tag`, with services (a default `Frontend`)."""
    body: dict[str, Any] = {
        "bento": tag,
        "services": services or {"Frontend": service()},
        "access_authorization": True,
        "envs": [{"key": "LOG", "value": "info"}],
        "secrets": [],
    }
    if name is not None:
        body["name"] = name
    return body


def publish(
    client: httpx.Client, nim: str, version: str, status: str = "success"
) -> None:
    """Create a NIM (if new) and a version of it with this image build status."""
    created = client.post("/api/v1/compound_nims", json={"name": nim})
    assert created.status_code in (200, 409), created.text
    answer = client.post(
        f"/api/v1/compound_nims/{nim}/versions",
        json={"version": version, "manifest": {"services": ["Frontend", "Backend"]}},
    )
    assert answer.status_code == 200, answer.text
    patched = client.patch(
        f"/api/v1/compound_nims/{nim}/versions/{version}/update_image_build_status",
        json={"image_build_status": status},
    )
    assert patched.status_code == 200, patched.text


def deploy(
    client: httpx.Client, name: str, tag: str = "hello:v1", cluster: str = "default"
) -> dict[str, Any]:
    """Create a v2 deployment; its response body."""
    answer = client.post(
        f"/api/v2/deployments?cluster={cluster}", json=v2_body(tag, name)
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body
