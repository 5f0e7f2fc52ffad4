"""The dashboard App: draws its first frame, then reads its setup and opens the store.

Nothing heavy loads before the first frame: settings (pydantic), the store
(SQLAlchemy or httpx) and every screen but the opening pane are imported after it,
in the worker that reads the setup or in the handlers that need them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.worker import Worker, WorkerState

from cai_tui.widgets.commands import BindingCommands
from cai_tui.widgets.messages import StoreAnswered, WorkFailed
from cai_tui.widgets.opening import Opening
from cai_tui.widgets.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmall
from store.clock import Clock, system_clock

if TYPE_CHECKING:
    from cai_tui.settings import Settings
    from screens.context import ScreenContext
    from screens.failures import RepeatFilter
    from store.interface import Store
    from store.schemas import Caller

log = logging.getLogger(__name__)

Opener = Callable[["Caller"], "Store"]
"""Builds the store for a caller; called in a thread worker."""

SETUP_GROUP = "setup"
"""The worker group of the one worker that reads the setup."""


@dataclass(frozen=True)
class Setup:
    """What the dashboard runs on: its settings, how to open its store, who looks.

    `caller` None asks the user on the scope screen; `demo` marks a demo store;
    `notices` are problems met while setting up that did not stop it.
    """

    settings: Settings
    opener: Opener
    caller: Caller | None = None
    demo: bool = False
    notices: tuple[str, ...] = ()


class StartRefused(Exception):
    """The dashboard cannot start (a bad setting, say); the message says why and
    what to change. The app leaves with exit status 2 and this one line."""


class CaiApp(App[None]):
    """The CAI dashboard: clusters, deployments, revisions and Compound NIMs."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "cai-tui"
    COMMANDS = {BindingCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-too-narrow"), (MIN_WIDTH, "-wide-enough")]
    VERTICAL_BREAKPOINTS = [(0, "-too-short"), (MIN_HEIGHT, "-tall-enough")]
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit", "Quit now", show=False, priority=True, id="quit-now"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            show=False,
            priority=True,
            id="command-palette",
        ),
        Binding("escape", "go_back", "Back", id="back"),
        Binding("c", "clusters", "Clusters", id="clusters"),
        Binding("d", "deployments", "Deployments", id="deployments"),
        Binding("n", "nims", "NIMs", id="nims"),
        Binding("r", "retry_open", "Retry", id="retry-open"),
    ]

    def __init__(
        self, setup: Setup | Callable[[], Setup], *, clock: Clock = system_clock
    ) -> None:
        """`setup` is what to run on, or a function that reads it (the command line's
        settings), called in a worker after the first frame."""
        super().__init__()
        self._setup = setup
        self.clock = clock
        self.caller: Caller | None = None
        self.demo = False
        self.store: Store | None = None
        self._repeats: RepeatFilter | None = None
        self.context: ScreenContext | None = None
        self.open_error: str | None = None
        """Why the last attempt to open the store failed; None once it opened."""
        self.stale_since: str | None = None
        """When the store last answered, while it cannot be reached; else None."""
        self._where = ""
        self.farewell: str | None = None
        """A line for the command line to print once the terminal is restored."""
        self._opening = False
        self._opening_pane = Opening()  # kept: a query sees only the top screen

    settings: Settings
    """Set from the setup, before anything that needs it can run."""
    opener: Opener

    def compose(self) -> ComposeResult:
        """The screen under every other one: shown while the store opens."""
        yield Header()
        yield self._opening_pane
        yield TooSmall()
        yield Footer()

    def on_mount(self) -> None:
        """Read the setup after the first paint, unless it was given."""
        if isinstance(self._setup, Setup):
            self._set_up(self._setup)
        else:
            self.call_after_refresh(self._read_setup, self._setup)

    @work(thread=True, exclusive=True, group=SETUP_GROUP, exit_on_error=False)
    def _read_setup(self, read: Callable[[], Setup]) -> None:
        setup = read()
        self.call_from_thread(self._set_up, setup)

    def _set_up(self, setup: Setup) -> None:
        """Ask who the user is, or open the store for the caller of the setup."""
        from screens.failures import RepeatFilter

        self.settings, self.opener = setup.settings, setup.opener
        self.caller, self.demo = setup.caller, setup.demo
        self._repeats = RepeatFilter()
        for notice in setup.notices:
            self.notify(notice, severity="warning", timeout=15)
        if self.caller is None:
            from cai_tui.title import store_of
            from screens.scope import ScopeScreen

            settings = self.settings
            scope = ScopeScreen(
                org=settings.cai_org,
                user=settings.cai_user,
                scope=settings.resource_scope,
                store=store_of(settings),
                remote=settings.is_remote,
                token=settings.cai_api_token is not None,
            )
            self.push_screen(scope, self._scope_chosen)
        else:
            self.call_after_refresh(self._open_store, self.caller)
        self.set_interval(
            self.settings.cai_refresh_seconds, self._refresh_visible_screen
        )

    def _setup_failed(self, error: BaseException) -> None:
        if isinstance(error, StartRefused):
            self.farewell = f"cai-tui: {error}"
        else:
            log.error("cannot start", exc_info=error)
            self.farewell = f"cai-tui: cannot start: {error}"
        self.exit(return_code=2)

    def _scope_chosen(self, caller: Caller | None) -> None:
        if caller is not None:
            self.caller = caller
            self._open_store(caller)

    # --- the store -------------------------------------------------------------------

    def _open_store(self, caller: Caller) -> None:
        self._opening = True
        self._opening_pane.show_opening()
        self.refresh_bindings()
        self._open_in_thread(caller)

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open_in_thread(self, caller: Caller) -> None:
        store = self.opener(caller)
        self.call_from_thread(self._store_opened, store)

    def _open_failed(self, error: BaseException) -> None:
        from screens.failures import describe_failure

        self._opening = False
        failure = describe_failure(error, "opening the store", self.settings.log_path)
        log.warning("cannot open the store: %s", failure.message, exc_info=error)
        self.open_error = failure.message
        seconds = self.settings.cai_refresh_seconds
        self._opening_pane.show_failed(failure.message, failure.hint, seconds)
        self.refresh_bindings()

    def _store_opened(self, store: Store) -> None:
        from cai_tui.title import scope_notice, title_of, where_of
        from screens.clusters import ClustersScreen
        from screens.context import ScreenContext

        self.store, self.open_error, self._opening = store, None, False
        self.refresh_bindings()
        settings = self.settings
        self.context = ScreenContext.of(store, self.clock, settings, demo=self.demo)
        self.title = title_of(store, demo=self.demo, read_only=settings.cai_read_only)
        self._where = self.sub_title = where_of(store)
        notice = scope_notice(self.caller, store)
        if notice:
            self.notify(notice, title="Scope", severity="warning", timeout=10)
        self.push_screen(ClustersScreen(self.context))

    def on_unmount(self) -> None:
        """Release the store's connections."""
        if self.store is not None:
            self.store.close()

    def _refresh_visible_screen(self) -> None:
        from screens.base import StoreScreen
        from screens.error import ErrorScreen

        screen = self.screen
        if isinstance(screen, ErrorScreen) and screen.store_down:
            # Under the modal that says the store is down, keep trying: the first
            # answer closes it.
            screen = self.screen_stack[-2]
        if isinstance(screen, StoreScreen):
            screen.refresh_data()
        elif self.check_action("retry_open", ()):
            self.action_retry_open()

    # --- failures: the one place they are shown --------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed setup ends the app; a failed attempt to open the store is shown
        on the opening screen."""
        error = event.worker.error
        if event.state != WorkerState.ERROR or error is None:
            return
        if event.worker.group == SETUP_GROUP:
            self._setup_failed(error)
        else:
            self._open_failed(error)

    def on_work_failed(self, message: WorkFailed) -> None:
        """Failures of the screens' workers."""
        self.show_failure(message.error, message.doing)

    def show_failure(self, error: BaseException, doing: str) -> None:
        """Tell the user what went wrong and how to fix it; log the details."""
        from screens.error import ErrorScreen
        from screens.failures import describe_failure

        failure = describe_failure(error, doing, self.settings.log_path)
        if failure.store_down:
            self._mark_stale()
        if not failure.modal:
            log.info("store refused while %s: %s", doing, failure.message)
            self.notify(failure.message, title=failure.title, severity="error")
            return
        log.warning(
            "failure while %s: %s", doing, failure.message, exc_info=failure.trace
        )
        # Auto refresh fails every few seconds while a store is down.
        if self._repeats is not None and not self._repeats.admit(failure.message):
            return
        if isinstance(self.screen, ErrorScreen):
            self.notify(failure.message, title=failure.title, severity="error")
            return
        self.push_screen(
            ErrorScreen(
                failure.title,
                failure.message,
                failure.hint,
                store_down=failure.store_down,
            )
        )

    def _mark_stale(self) -> None:
        """Say in the header that what is shown is from before the store went away."""
        if self.stale_since is None:
            local = self.clock().astimezone()
            self.stale_since = local.strftime("%H:%M:%S")
            self.sub_title = f"{self._where} · not updated since {self.stale_since}"

    def on_store_answered(self, _answered: StoreAnswered) -> None:
        """The store answers again: clear the stale mark, close the modal that said
        it was down, and let the next failure be shown at once."""
        if self.stale_since is None:
            return
        from screens.error import ErrorScreen

        self.stale_since = None
        self.sub_title = self._where
        if self._repeats is not None:
            self._repeats.reset()
        if isinstance(self.screen, ErrorScreen) and self.screen.store_down:
            self.pop_screen()
        self.notify("The store answers again.", title="Back", timeout=4)

    # --- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Navigation needs an open store."""
        if action in ("clusters", "deployments", "nims"):
            return self.context is not None
        if action == "retry_open":
            failed = self.open_error is not None and not self._opening
            return failed and self.caller is not None
        return True

    async def action_quit(self) -> None:
        """Quit; with exit status 1 when the store could never be opened."""
        if self.store is None and self.open_error is not None:
            self.farewell = f"cai-tui: {self.open_error}"
            self.exit(return_code=1)
        else:
            self.exit()

    def action_retry_open(self) -> None:
        """Try again to open the store."""
        if self.caller is not None and self.check_action("retry_open", ()):
            self._open_store(self.caller)

    def action_help(self) -> None:
        """Show every key of the current screen and the global ones."""
        from screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen.of(self.screen))

    def action_go_back(self) -> None:
        """Go back one screen; the first data screen stays."""
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def _go_to(self, screen: Screen[None]) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_clusters(self) -> None:
        """Show the clusters."""
        from screens.clusters import ClustersScreen

        if self.context is not None:
            self._go_to(ClustersScreen(self.context))

    def action_deployments(self) -> None:
        """Show the deployments of every cluster."""
        from screens.deployments import DeploymentsScreen

        if self.context is not None:
            self._go_to(DeploymentsScreen(self.context))

    def action_nims(self) -> None:
        """Show the Compound NIMs."""
        from screens.nims import NimsScreen

        if self.context is not None:
            self._go_to(NimsScreen(self.context))
