"""The HTTP client of the DMS protocol (api_contract.md 5.2 and 8.12).

Any answer other than exactly 200 is a failure, except a 404 to a delete (the
resource is already gone) and a 404 or 405 to a read (this DMS offers no reads).
A create is never re-sent: a create whose answer is lost may have happened, and only
the caller can decide (by `find`) what to do about it.
"""

import logging
from typing import Any, get_args

import httpx

from store.dms import ResourceRequest, ResourceStatus
from store.errors import DmsError, DmsTimeout
from store.schemas import ResourceState

log = logging.getLogger(__name__)

KNOWN_STATES: frozenset[str] = frozenset(get_args(ResourceState)) - {"unknown"}
"""The states a DMS may report; anything else counts as `unknown`."""

_NO_READS = (404, 405)
_MESSAGE_LIMIT = 300


class HttpDeploymentManager:
    """A DMS reached over HTTP at `base_url`."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._shown_url = _without_secrets(self.base_url)
        self._owns_client = client is None
        self._client = client or httpx.Client(
            timeout=timeout, headers={"Content-Type": "application/json"}
        )

    def describe(self) -> str:
        """The DMS URL, with any credentials left out."""
        return f"DMS at {self._shown_url}"

    def close(self) -> None:
        """Close the HTTP client, if this object made it."""
        if self._owns_client:
            self._client.close()

    def create(self, request: ResourceRequest) -> str:
        """`POST /v1/deployments`; return the id the DMS gave the resource."""
        call = f"create of {request.kind} `{request.name}` in `{request.namespace}`"
        response = self._send(call, "POST", "/v1/deployments", json=request.body)
        if response.status_code != 200:
            raise self._refused(call, response)

        answer = _json(response)
        resource_id = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(resource_id, str) or not resource_id:
            raise DmsError(
                f"{call} at {self._shown_url} answered 200 without a resource id"
            )
        return resource_id

    def delete(self, resource_id: str) -> None:
        """`DELETE /v1/deployments/{id}`; a 404 counts as deleted."""
        call = f"delete of resource {resource_id}"
        response = self._send(
            call,
            "DELETE",
            f"/v1/deployments/{resource_id}",
            content=b"null",
        )
        if response.status_code == 404:
            log.debug("DMS does not know resource %s: counted as deleted", resource_id)
            return
        if response.status_code != 200:
            raise self._refused(call, response)

    def status(self, resource_id: str) -> ResourceStatus | None:
        """`GET /v1/deployments/{id}`; None when this DMS offers no reads."""
        call = f"status of resource {resource_id}"
        response = self._send(call, "GET", f"/v1/deployments/{resource_id}")
        if response.status_code in _NO_READS:
            return None
        if response.status_code != 200:
            raise self._refused(call, response)
        return self._resource(call, _json(response), resource_id=resource_id)

    def find(self, namespace: str, name: str) -> list[ResourceStatus] | None:
        """`GET /v1/deployments?namespace=N&name=X`; None when not offered."""
        call = f"search for `{name}` in `{namespace}`"
        response = self._send(
            call,
            "GET",
            "/v1/deployments",
            params={"namespace": namespace, "name": name},
        )
        if response.status_code in _NO_READS:
            return None
        if response.status_code != 200:
            raise self._refused(call, response)

        answer = _json(response)
        items = answer.get("items") if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raise DmsError(
                f"{call} at {self._shown_url} answered 200 without an `items` list"
            )
        return [
            self._resource(call, item, name=name, namespace=namespace) for item in items
        ]

    def _send(self, call: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; transport failures become `DmsError` or `DmsTimeout`."""
        url = self.base_url + path
        log.debug("DMS %s %s%s", method, self._shown_url, path)
        try:
            response = self._client.request(
                method,
                url,
                timeout=self.timeout,
                headers={"Content-Type": "application/json"},
                **kwargs,
            )
        except httpx.ConnectError as exc:
            raise DmsError(
                f"DMS at {self._shown_url} is unreachable: {exc or type(exc).__name__}"
                f" ({call}); check DMS_URL and that the DMS is running"
            ) from exc
        except httpx.TimeoutException as exc:
            raise DmsTimeout(
                f"{call} at {self._shown_url} got no answer within "
                f"{self.timeout:g} s; raise CAI_DMS_TIMEOUT_SECONDS if the DMS is slow"
            ) from exc
        except httpx.HTTPError as exc:
            raise DmsError(
                f"{call} at {self._shown_url} failed: {exc or type(exc).__name__}"
            ) from exc
        log.debug(
            "DMS %s %s%s -> %d", method, self._shown_url, path, response.status_code
        )
        return response

    def _refused(self, call: str, response: httpx.Response) -> DmsError:
        said = _dms_message(response)
        detail = f": {said}" if said else ""
        return DmsError(
            f"{call} at {self._shown_url} failed with HTTP "
            f"{response.status_code}{detail}"
        )

    def _resource(
        self,
        call: str,
        item: object,
        *,
        resource_id: str = "",
        name: str = "",
        namespace: str = "",
    ) -> ResourceStatus:
        """A `ResourceStatus` from one answered object; unknown states -> `unknown`."""
        if not isinstance(item, dict):
            raise DmsError(f"{call} at {self._shown_url} answered a non-object")
        status = item.get("status")
        status = status if isinstance(status, dict) else {}
        state = status.get("status")
        message = status.get("message")
        return ResourceStatus(
            id=_text(item.get("id")) or resource_id,
            name=_text(item.get("name")) or name,
            namespace=_text(item.get("namespace")) or namespace,
            state=state if state in KNOWN_STATES else "unknown",
            message=_text(message),
        )


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _dms_message(response: httpx.Response) -> str:
    """The DMS's own words about a failure, if its body has any."""
    body = _json(response)
    if isinstance(body, dict):
        for key in ("error", "message", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:_MESSAGE_LIMIT]
    if body is None and response.text.strip():
        return response.text.strip()[:_MESSAGE_LIMIT]
    return ""


def _without_secrets(url: str) -> str:
    """The URL with any user name, password or query left out."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "<invalid DMS URL>"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}{parsed.path.rstrip('/')}"
