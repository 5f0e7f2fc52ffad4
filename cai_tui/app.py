"""The dashboard App: opens the store in a worker, then the screens over it."""

import logging
from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from cai_tui.settings import Settings
from cai_tui.widgets.commands import BindingCommands, described_bindings
from cai_tui.widgets.messages import WorkFailed
from cai_tui.widgets.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmall
from screens.base import StoreScreen
from screens.clusters import ClustersScreen
from screens.context import ScreenContext
from screens.deployments import DeploymentsScreen
from screens.error import ErrorScreen
from screens.help import HelpScreen, KeyHelp
from screens.nims import NimsScreen
from screens.scope import ScopeScreen
from store import errors
from store.clock import Clock, system_clock
from store.interface import Store
from store.schemas import Caller, Identity

log = logging.getLogger(__name__)

FOLLOW_SECONDS = 1.0  # a write's progress is worth a faster sync than the refresh

Opener = Callable[[Caller], Store]
"""Builds the store for a caller; called in a thread worker."""


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
    ]

    def __init__(
        self,
        opener: Opener,
        *,
        caller: Caller | None,
        settings: Settings,
        clock: Clock = system_clock,
        demo: bool = False,
    ) -> None:
        super().__init__()
        self.opener = opener
        self.caller = caller
        self.settings = settings
        self.clock = clock
        self.demo = demo
        self.store: Store | None = None
        self.context: ScreenContext | None = None

    def compose(self) -> ComposeResult:
        """The screen under every other one: shown while the store opens."""
        yield Header()
        yield Static("Opening the store…", id="opening")
        yield LoadingIndicator()
        yield TooSmall()
        yield Footer()

    def on_mount(self) -> None:
        """Ask who the user is, or open the store after the first paint."""
        if self.caller is None:
            settings = self.settings
            scope = ScopeScreen(
                org=settings.cai_org,
                user=settings.cai_user,
                scope=settings.resource_scope,
            )
            self.push_screen(scope, self._scope_chosen)
        else:
            self.call_after_refresh(self._open_store, self.caller)
        self.set_interval(
            self.settings.cai_refresh_seconds, self._refresh_visible_screen
        )

    def _scope_chosen(self, caller: Caller | None) -> None:
        if caller is not None:
            self.caller = caller
            self._open_store(caller)

    # --- the store -------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open_store(self, caller: Caller) -> None:
        store = self.opener(caller)
        self.call_from_thread(self._store_opened, store)

    def _store_opened(self, store: Store) -> None:
        self.store = store
        settings = self.settings
        self.context = ScreenContext(
            store=store,
            clock=self.clock,
            stuck_seconds=settings.cai_stuck_seconds,
            read_only=settings.cai_read_only,
            namespace=settings.default_kube_namespace,
            follow_seconds=min(FOLLOW_SECONDS, settings.cai_refresh_seconds),
        )
        caller = store.caller
        identity = f"{caller.identity.user} of {caller.identity.org}"
        self.title = f"{identity} · {caller.scope} scope"
        if self.demo:
            self.title += " · --demo"
        self.sub_title = self._where(store)
        self.push_screen(ClustersScreen(self.context))

    @staticmethod
    def _where(store: Store) -> str:
        """Where the store lives, without the identity the title already shows."""
        caller = store.caller
        identity = caller.identity
        said = f" as {identity.user} of {identity.org} ({caller.scope} scope)"
        return store.describe().removesuffix(said)

    def on_unmount(self) -> None:
        """Release the store's connections."""
        if self.store is not None:
            self.store.close()

    def _refresh_visible_screen(self) -> None:
        if isinstance(self.screen, StoreScreen):
            self.screen.refresh_data()

    # --- failures: the one place they are shown --------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Failures of the app's own workers (opening the store)."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.show_failure(event.worker.error, "opening the store")

    def on_work_failed(self, message: WorkFailed) -> None:
        """Failures of the screens' workers."""
        self.show_failure(message.error, message.doing)

    def show_failure(self, error: BaseException, doing: str) -> None:
        """Tell the user what went wrong and how to fix it; log the details."""
        if isinstance(error, errors.Unavailable):
            log.warning("store unavailable while %s: %s", doing, error)
            hint = (
                "Run `cai-tui db upgrade` against this database, then start again."
                if isinstance(error, errors.SchemaOutdated)
                else "Check CAI_STORE and that the database or API is reachable; "
                "the screens retry on their own."
            )
            self._error_modal(
                f"The store cannot be used ({doing})", error.message, hint
            )
        elif isinstance(error, errors.StoreError):
            log.info("store refused while %s: %s", doing, error)
            title = type(error).__name__.replace("Dms", "DMS ")
            self.notify(error.message, title=title, severity="error", timeout=8)
        else:
            log.error("unexpected failure while %s", doing, exc_info=error)
            summary = f"{type(error).__name__}: {error}".splitlines()[0][:200]
            self._error_modal(
                f"Unexpected error while {doing}",
                summary,
                f"The details are in the log: {self.settings.log_path}",
            )

    def _error_modal(self, title: str, message: str, hint: str) -> None:
        # Auto refresh may fail every few seconds: one modal at a time is enough.
        if isinstance(self.screen, ErrorScreen):
            self.notify(message, title=title, severity="error")
            return
        self.push_screen(ErrorScreen(title, message, hint))

    # --- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Navigation needs an open store."""
        if action in ("clusters", "deployments", "nims"):
            return self.context is not None
        return True

    def action_help(self) -> None:
        """Show every key of the current screen and the global ones."""
        if isinstance(self.screen, HelpScreen):
            return
        keys = [
            KeyHelp(
                self.get_key_display(entry.binding) or key,
                entry.binding.description,
                is_global=entry.node is self,
            )
            for key, entry in described_bindings(self.screen.active_bindings)
        ]
        title = type(self.screen).__name__.removesuffix("Screen") or "the app"
        self.push_screen(HelpScreen(title, keys))

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
        if self.context is not None:
            self._go_to(ClustersScreen(self.context))

    def action_deployments(self) -> None:
        """Show the deployments of every cluster."""
        if self.context is not None:
            self._go_to(DeploymentsScreen(self.context))

    def action_nims(self) -> None:
        """Show the Compound NIMs."""
        if self.context is not None:
            self._go_to(NimsScreen(self.context))


def default_caller(settings: Settings) -> Caller:
    """The caller the settings name (when the command line skips the scope screen)."""
    return Caller(
        identity=Identity(org=settings.cai_org, user=settings.cai_user),
        scope=settings.resource_scope,
    )
