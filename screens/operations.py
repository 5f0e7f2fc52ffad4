"""The Operations screen: every recorded write, of one deployment or the whole scope.

Each row says who did what, when, why, and how it ended (a failed write too). Below
the table, DMS resources left over by writes are listed as needing attention.
"""

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from cai_tui.widgets.cells import age
from cai_tui.widgets.progress import leftovers_text
from screens.context import ScreenContext
from screens.writing import WritingScreen
from store.schemas import LeftoverView, OperationView, Page, PageRequest

MAX_OPERATIONS = 200

_OUTCOME_STYLES = {
    "succeeded": "green",
    "running": "yellow",
    "failed": "bold red",
    "conflict": "bold yellow",
    "refused": "red",
}


class OperationsScreen(WritingScreen):
    """Recorded writes, newest first, with their outcome and message."""

    CSS_PATH = "operations.tcss"
    AUTO_FOCUS = "#operations"
    BINDINGS = [
        Binding("r", "reload", "Reload", id="reload"),
        Binding("L", "retry_leftovers", "Retry leftovers", id="retry-leftovers"),
    ]
    WRITE_ACTIONS = frozenset({"retry_leftovers"})

    def __init__(
        self,
        context: ScreenContext,
        *,
        cluster: str | None = None,
        deployment: str | None = None,
    ) -> None:
        super().__init__(context)
        self.cluster = cluster
        self.deployment = deployment
        self._operations: dict[str, OperationView] = {}

    def compose(self) -> ComposeResult:
        """Heading, the operations table, leftovers."""
        yield Header()
        where = f"of {self.deployment}" if self.deployment else "of the whole scope"
        yield Static(f"Operations {where}", id="heading", classes="heading")
        yield DataTable(id="operations", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield Static("", id="progress")
        yield Footer()

    def on_mount(self) -> None:
        """Columns, then load."""
        table = self.query_one(DataTable)
        for key, label in (
            ("when", "when"),
            ("kind", "what"),
            ("deployment", "deployment"),
            ("user", "who"),
            ("outcome", "outcome"),
            ("reason", "reason"),
            ("message", "message"),
        ):
            table.add_column(label, key=key)
        self.reload()

    def reload(self, *, quiet: bool = False) -> None:
        """Load the operations and leftovers again."""
        if not quiet:
            self.query_one(DataTable).loading = True
        self._load()

    @work(
        thread=True,
        exclusive=True,
        group="load",
        exit_on_error=False,
        description="loading operations",
    )
    def _load(self) -> None:
        store = self.context.store
        page = store.list_operations(
            PageRequest(count=MAX_OPERATIONS),
            cluster=self.cluster,
            deployment=self.deployment,
        )
        leftovers = [
            item
            for item in store.list_leftovers()
            if self.deployment is None or item.deployment == self.deployment
        ]
        self.deliver(self._show, page, leftovers)

    def _show(self, page: Page[OperationView], leftovers: list[LeftoverView]) -> None:
        self._operations = {op.uid: op for op in page.items}
        table = self.query_one(DataTable)
        now = self.context.clock()
        table.loading = False
        table.clear()
        for op in page.items:
            table.add_row(
                age(op.started_at, now),
                op.kind.replace("_", " "),
                op.deployment or "-",
                op.user,
                Text(op.outcome, style=_OUTCOME_STYLES.get(op.outcome, "")),
                op.reason,
                op.message,
                key=op.uid,
            )
        if not page.items:
            table.add_row("", Text("no writes recorded yet", style="dim"), *[""] * 5)
        self.progress(leftovers_text(leftovers), problem=bool(leftovers))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        # The table cuts long messages short: the highlighted one is shown whole.
        op = self._operations.get(str(event.row_key.value))
        detail = self.query_one("#detail", Static)
        if op is None:
            detail.update("")
            return
        when = op.started_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        text = Text(f"{when}  {op.user}: {op.kind.replace('_', ' ')} ", style="bold")
        text.append(Text(op.outcome, style=_OUTCOME_STYLES.get(op.outcome, "")))
        if op.reason:
            text.append(f"\nreason: {op.reason}")
        if op.message:
            text.append(f"\n{op.message}")
        detail.update(text)

    def action_reload(self) -> None:
        """Load again."""
        self.reload()

    def action_retry_leftovers(self) -> None:
        """Try again to delete the left-over DMS resources."""
        if self.refused_read_only():
            return
        self.run_worker(
            self._retry,
            thread=True,
            group="leftovers",
            exit_on_error=False,
            description="retrying left-over DMS resources",
        )

    def _retry(self) -> None:
        self.context.store.retry_leftovers()
        self.deliver(self.reload)
