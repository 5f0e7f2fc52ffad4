"""The `cai-tui` command line: the dashboard, serve, replay, db and dms commands.

Heavy modules (pydantic, SQLAlchemy, FastAPI, the store) are imported inside the
command that needs them. The dashboard reads its settings after its first frame
(`CommandLineSetup`, in a worker), so it paints before any of them loads; a bad
setting still ends it with one line and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cai_tui import __version__

if TYPE_CHECKING:
    from cai_tui.app import CaiApp, Setup
    from cai_tui.demo import DemoOpener
    from cai_tui.settings import Settings
    from store.interface import Store
    from store.schemas import Caller

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="cai-tui",
        description="A terminal dashboard for CAI deployments, and its API server.",
    )
    parser.add_argument("--version", action="version", version=f"cai-tui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a throw-away store seeded with demo data, with the simulated DMS",
    )
    parser.add_argument("--org", help="organization id (skips the scope screen)")
    parser.add_argument("--user", help="user id (skips the scope screen)")
    parser.add_argument(
        "--scope",
        choices=["user", "organization"],
        help="resource scope (skips the scope screen)",
    )
    parser.add_argument(
        "--read-only", action="store_true", help="hide and refuse every write"
    )
    parser.add_argument("--store", help="CAI_STORE for this run: a path or URL")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the CAI REST API server")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8181)
    serve.add_argument(
        "--tokens",
        type=Path,
        metavar="FILE",
        help="require bearer tokens; each line of FILE is `<token> <org> <user>`",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="serve from N processes over the same store (default 1)",
    )
    serve.add_argument(
        "--trust-identity-headers",
        action="store_true",
        help="trust Nv-Ngc-Org/Nv-Actor-Id on a non-loopback address "
        "(behind an authenticating proxy)",
    )

    replay = commands.add_parser("replay", help="replay a CAI request log")
    replay.add_argument("file", type=Path, help="a request log, one JSON object a line")
    replay.add_argument("--api", help="send to the CAI API at this URL instead")

    db = commands.add_parser("db", help="manage the store's schema")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="migrate the store to the latest schema")

    dms = commands.add_parser("dms", help="the embedded DMS simulator")
    dms_commands = dms.add_subparsers(
        dest="dms_command", metavar="ACTION", required=True
    )
    dms_serve = dms_commands.add_parser("serve", help="serve the simulator over HTTP")
    dms_serve.add_argument("--host", default="127.0.0.1")
    dms_serve.add_argument("--port", type=int, default=8282)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    command = args.command
    try:
        if command is None:
            return _dashboard(args)
        from cai_tui.settings import SettingsError

        try:
            settings = _read_settings(args)
        except SettingsError as exc:
            return _fail(str(exc))
        if command == "serve":
            return _serve(settings, args)
        if command == "replay":
            return _replay(settings, args.file, args.api)
        if command == "db":
            return _db_upgrade(settings)
        return _dms_serve(settings, args.host, args.port)
    except KeyboardInterrupt:
        return 130


def _read_settings(
    args: argparse.Namespace, on_problem: Callable[[str], None] | None = None
) -> Settings:
    """The settings, with the command line's `--store` and `--read-only` on top;
    logging set up to their log file (a problem with it goes to `on_problem`,
    standard error by default). Raises `SettingsError`."""
    from cai_tui.logs import say_on_stderr, setup_logging
    from cai_tui.settings import load_settings

    overrides: dict[str, object] = {}
    if args.store:
        overrides["cai_store"] = args.store
    if args.read_only:
        overrides["cai_read_only"] = True
    say = on_problem or say_on_stderr
    settings = load_settings(on_problem=say, **overrides)
    setup_logging(
        settings.log_path, echo=args.command in ("serve", "dms"), on_problem=say
    )
    return settings


def _fail(message: str) -> int:
    print(f"cai-tui: {message}", file=sys.stderr)
    return EXIT_USAGE


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from cai_tui.server.run import ServeRefused, check_listening, serve
    from cai_tui.server.tokens import TokenFileError, load_tokens
    from store.errors import StoreError

    if settings.is_remote:
        return _fail(
            "CAI_STORE names a CAI API; `cai-tui serve` needs a local store: "
            "a file path or an SQLAlchemy URL"
        )
    if args.workers < 1:
        return _fail(f"--workers must be 1 or more, not {args.workers}")
    try:
        tokens = load_tokens(args.tokens) if args.tokens else None
        check_listening(
            args.host,
            tokens=tokens is not None,
            trust_identity_headers=args.trust_identity_headers,
        )
        serve(
            args.host,
            args.port,
            settings,
            tokens=tokens,
            tokens_file=args.tokens,
            trust_identity_headers=args.trust_identity_headers,
            workers=args.workers,
        )
    except (TokenFileError, ServeRefused) as exc:
        return _fail(str(exc))
    except StoreError as exc:
        return _fail(exc.message)
    return 0


def _replay(settings: Settings, path: Path, api: str | None) -> int:
    from cai_tui.replay import run_replay

    return run_replay(path, api=api, settings=settings, out=sys.stdout)


def _db_upgrade(settings: Settings) -> int:
    from store.database import upgrade
    from store.errors import StoreError

    if settings.is_remote:
        return _fail("CAI_STORE names a CAI API; its server migrates its own store")
    try:
        print(upgrade(settings.store_url))
    except StoreError as exc:
        return _fail(exc.message)
    return 0


def _dms_serve(settings: Settings, host: str, port: int) -> int:
    from cai_tui.dms.sim_server import serve
    from cai_tui.dms.simulator import Simulator

    simulator = Simulator(
        settings.sim_store_path, step_seconds=settings.cai_sim_seconds
    )
    serve(host, port, simulator)
    return 0


def _dashboard(args: argparse.Namespace) -> int:
    from cai_tui.app import CaiApp

    setup = CommandLineSetup(args)
    app = CaiApp(setup)
    _clean_up_on_signals(app, setup.cleanup)
    try:
        app.run()
    finally:
        setup.cleanup()
    if app.farewell:
        print(app.farewell, file=sys.stderr)
    return app.return_code or 0


class CommandLineSetup:
    """Reads what the dashboard runs on from the settings and the command line.

    Called in a worker once the dashboard has drawn its first frame; a bad setting
    raises `StartRefused`, which ends the dashboard with one line and exit status 2.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.demo: DemoOpener | None = None

    def __call__(self) -> Setup:
        """Settings, opener and caller; `StartRefused` for a setting that is wrong."""
        from cai_tui.app import Setup, StartRefused
        from cai_tui.settings import SettingsError
        from store.schemas import Caller, Identity

        args = self.args
        notices: list[str] = []
        try:
            # The terminal belongs to the dashboard now: problems become notices.
            settings = _read_settings(args, notices.append)
        except SettingsError as exc:
            raise StartRefused(str(exc)) from None
        caller: Caller | None = None
        if args.org or args.user or args.scope:
            caller = Caller(
                identity=Identity(
                    org=args.org or settings.cai_org,
                    user=args.user or settings.cai_user,
                ),
                scope=args.scope or settings.resource_scope,
            )
        if not args.demo:
            remote = settings.is_remote
            opener = RemoteOpener(settings) if remote else LocalOpener(settings)
            return Setup(settings, opener, caller, notices=tuple(notices))
        if settings.is_remote:
            raise StartRefused(
                "--demo opens a local store of its own: leave CAI_STORE unset"
            )
        from cai_tui.demo import DemoOpener

        self.demo = DemoOpener(settings)
        return Setup(
            self.demo.settings, self.demo, caller, demo=True, notices=tuple(notices)
        )

    def cleanup(self) -> None:
        """Remove the demo store, if this run made one."""
        if self.demo is not None:
            self.demo.cleanup()


def _clean_up_on_signals(app: CaiApp, cleanup: Callable[[], None]) -> None:
    """Remove the demo store when the dashboard is told to stop.

    SIGTERM quits the dashboard as `q` does. After SIGHUP the terminal is gone, so
    nothing is left to restore on it: clean up and leave at once.
    """
    import os
    import signal

    def terminate(signum: int, _frame: object) -> None:
        app.exit(return_code=128 + signum)

    def hang_up(signum: int, _frame: object) -> None:
        cleanup()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, hang_up)


class LocalOpener:
    """Opens the local store of the settings for a caller (called in a worker)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __call__(self, caller: Caller) -> Store:
        from cai_tui.dms.factory import make_dms
        from store.database import Database
        from store.local import LocalStore

        settings = self.settings
        database = Database.open(settings.store_url)
        return LocalStore(
            database,
            caller,
            make_dms(settings),
            dms_concurrency=settings.cai_dms_concurrency,
            read_only=settings.cai_read_only,
            stuck_seconds=settings.cai_stuck_seconds,
        )


class RemoteOpener:
    """Opens the CAI API of the settings for a caller (called in a worker).

    The caller's identity is sent to the server; its scope is the server's, which
    the store reports, whatever scope the caller asked for.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __call__(self, caller: Caller) -> Store:
        from store.remote import RemoteStore

        settings = self.settings
        token = settings.cai_api_token
        return RemoteStore(
            settings.cai_store,
            caller.identity,
            token=token.get_secret_value() if token else None,
            read_only=settings.cai_read_only,
        )
