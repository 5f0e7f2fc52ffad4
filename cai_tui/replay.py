"""Replay a recorded history of CAI API requests into a store or a server.

The file holds one JSON object a line (`tests/fixtures/README.md`): seq, at, org,
user, method, path, body, expect (`200` or `"4xx"`) and note. The whole file is
checked before anything is sent. Without an API URL the requests go into the
configured local store through the API app itself, in process: an httpx client
drives the ASGI app on an event loop in a helper thread (an anyio blocking portal),
so no socket is opened, and the store's clock is pinned to each line's `at` so the
history shows realistic ages. With an API URL they go over HTTP to that server.
"""

import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TextIO

import httpx
from anyio.from_thread import start_blocking_portal

from cai_tui.settings import Settings
from store.clock import IdFactory, PinnedClock, new_uuid
from store.errors import StoreError

log = logging.getLogger(__name__)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
FIELDS = ("seq", "at", "org", "user", "method", "path", "expect")
TIMEOUT = 120.0
"""Seconds one request may take; a write waits on the DMS calls it makes."""

EXIT_MET, EXIT_UNMET, EXIT_UNUSABLE = 0, 1, 2


class ReplayFileError(Exception):
    """The request log cannot be replayed: the message names the line and the fault."""


@dataclass(frozen=True)
class RecordedRequest:
    """One line of a request log."""

    seq: int
    at: datetime
    org: str
    user: str
    method: str
    path: str
    body: Any
    expect: int | str
    note: str = ""

    def met_by(self, status: int | None) -> bool:
        """Whether an answer with `status` meets this line's expectation."""
        if status is None:
            return False
        if self.expect == "4xx":
            return 400 <= status <= 499
        return status == self.expect

    @property
    def headers(self) -> dict[str, str]:
        """The identity headers of the caller."""
        return {"Nv-Ngc-Org": self.org, "Nv-Actor-Id": self.user}


@dataclass(frozen=True)
class Outcome:
    """What one replayed request got: a status, or why no answer came."""

    request: RecordedRequest
    status: int | None
    error: str = ""

    @property
    def met(self) -> bool:
        """Whether the expectation of the line was met."""
        return self.request.met_by(self.status)

    def describe(self) -> str:
        """`seq N: METHOD PATH -> STATUS, expected X`."""
        got = self.status if self.status is not None else f"error: {self.error}"
        r = self.request
        return f"seq {r.seq}: {r.method} {r.path} -> {got}, expected {r.expect}"


Send = Callable[[RecordedRequest], httpx.Response]
"""Sends one recorded request and returns the answer."""


# --- reading the file -----------------------------------------------------------------


def load_requests(path: Path) -> list[RecordedRequest]:
    """Every request of the log at `path`; raise `ReplayFileError` on the first fault.

    Blank lines are skipped.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReplayFileError(f"cannot read request log {path}: {exc}") from None
    requests = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            requests.append(parse_line(line, number))
    if not requests:
        raise ReplayFileError(f"request log {path} holds no requests")
    return requests


def parse_line(line: str, number: int) -> RecordedRequest:
    """One line of the log as a request; `ReplayFileError` says what is wrong."""

    def fault(what: str) -> ReplayFileError:
        return ReplayFileError(f"line {number}: {what}")

    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise fault(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(item, dict):
        raise fault("not a JSON object")
    missing = [name for name in FIELDS if name not in item]
    if missing:
        raise fault(f"missing field {', '.join(missing)}")

    seq = item["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise fault(f"seq {seq!r} is not a positive whole number")
    for name in ("org", "user", "method", "path"):
        if not isinstance(item[name], str):
            raise fault(f"{name} {item[name]!r} is not a string")
    if item["method"] not in METHODS:
        raise fault(f"method {item['method']!r} is not one of {', '.join(METHODS)}")
    if not item["path"].startswith("/"):
        raise fault(f"path {item['path']!r} does not start with /")
    expect = item["expect"]
    if isinstance(expect, bool) or expect not in (200, "4xx"):
        raise fault(f'expect {expect!r} is neither 200 nor "4xx"')
    note = item.get("note", "")
    if not isinstance(note, str):
        raise fault(f"note {note!r} is not a string")

    return RecordedRequest(
        seq=seq,
        at=_parse_time(item["at"], fault),
        org=item["org"],
        user=item["user"],
        method=item["method"],
        path=item["path"],
        body=item.get("body"),
        expect=expect,
        note=note,
    )


def _parse_time(value: Any, fault: Callable[[str], ReplayFileError]) -> datetime:
    if not isinstance(value, str):
        raise fault(f"at {value!r} is not an RFC 3339 time")
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise fault(f"at {value!r} is not an RFC 3339 time") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


# --- sending ----------------------------------------------------------------------


def replay(
    requests: Sequence[RecordedRequest],
    send: Send,
    *,
    before: Callable[[RecordedRequest], None] | None = None,
    after: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Send every request in order; `before`/`after` run around each one."""
    outcomes = []
    for request in requests:
        if before is not None:
            before(request)
        try:
            response = send(request)
        except httpx.HTTPError as exc:
            outcome = Outcome(request, None, _reason(exc))
        else:
            outcome = Outcome(request, response.status_code)
        if not outcome.met:
            log.info("unmet: %s", outcome.describe())
        if after is not None:
            after(outcome)
        outcomes.append(outcome)
    return outcomes


def http_sender(client: httpx.Client) -> Send:
    """Sends through a synchronous httpx client (a server over HTTP)."""

    def send(request: RecordedRequest) -> httpx.Response:
        return client.request(
            request.method,
            request.path,
            headers=_headers(request),
            content=_content(request),
        )

    return send


@contextmanager
def in_process(app: Any) -> Iterator[Send]:
    """A sender that calls the ASGI `app` in this process, without a socket.

    httpx drives ASGI apps only asynchronously, so an event loop runs in a helper
    thread for as long as the context lasts and each request is handed to it.
    """
    transport = httpx.ASGITransport(app=app)
    with start_blocking_portal() as portal:
        client = httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1", timeout=TIMEOUT
        )
        try:

            def send(request: RecordedRequest) -> httpx.Response:
                call = partial(
                    client.request,
                    request.method,
                    request.path,
                    headers=_headers(request),
                    content=_content(request),
                )
                return portal.call(call)

            yield send
        finally:
            portal.call(client.aclose)


def _headers(request: RecordedRequest) -> dict[str, str]:
    return {**request.headers, "Content-Type": "application/json"}


def _content(request: RecordedRequest) -> bytes | None:
    if request.body is None and request.method in ("GET", "DELETE"):
        return None
    return json.dumps(request.body).encode()


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --- the command ------------------------------------------------------------------


def run_replay(
    path: Path,
    *,
    api: str | None,
    settings: Settings,
    out: TextIO,
    new_id: IdFactory = new_uuid,
) -> int:
    """`cai-tui replay FILE [--api URL]`; 0 all met, 1 some not, 2 unusable.

    Each unmet line is printed to `out`, then `N/M expectations met`. A file, store
    or server that cannot be used gets one line on stderr.
    """
    try:
        requests = load_requests(path)
    except ReplayFileError as exc:
        return _unusable(str(exc))

    if api is None and settings.is_remote:
        api = settings.cai_store
    try:
        if api is not None:
            outcomes = _replay_over_http(requests, api, settings)
        else:
            outcomes = _replay_in_process(requests, settings, new_id)
    except (StoreError, OSError, httpx.HTTPError) as exc:
        return _unusable(str(getattr(exc, "message", None) or _reason(exc)))

    for outcome in outcomes:
        if not outcome.met:
            print(outcome.describe(), file=out)
    met = sum(outcome.met for outcome in outcomes)
    print(f"{met}/{len(outcomes)} expectations met", file=out)
    return EXIT_MET if met == len(outcomes) else EXIT_UNMET


def _replay_over_http(
    requests: Sequence[RecordedRequest], api: str, settings: Settings
) -> list[Outcome]:
    headers = {}
    if settings.cai_api_token is not None:
        token = settings.cai_api_token.get_secret_value()
        headers["Authorization"] = f"Bearer {token}"
    with httpx.Client(base_url=api.rstrip("/"), headers=headers, timeout=TIMEOUT) as c:
        try:
            c.get("/healthz")
        except httpx.HTTPError as exc:
            raise StoreError(
                f"cannot reach the CAI API at {api}: {_reason(exc)}; start it with "
                "`cai-tui serve` or give the right --api URL"
            ) from None
        return replay(requests, http_sender(c))


def _replay_in_process(
    requests: Sequence[RecordedRequest], settings: Settings, new_id: IdFactory
) -> list[Outcome]:
    from cai_tui.server.run import build_app

    clock = PinnedClock()
    app = build_app(settings, clock=clock, new_id=new_id)
    try:
        with in_process(app) as send:
            return replay(requests, send, before=lambda r: clock.pin(r.at))
    finally:
        close = getattr(app.state, "close", None)
        if callable(close):
            close()


def _unusable(message: str) -> int:
    print(f"cai-tui replay: {message}", file=sys.stderr)
    return EXIT_UNUSABLE
