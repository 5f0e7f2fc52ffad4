"""The Deployments screen: deployments of one cluster, of all, or running a version.

Filtering, sorting and paging happen in the store (keyset cursors); the table holds
one page at a time.
"""

from typing import ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import get_current_worker

from cai_tui.widgets.cells import age, status_text, tags_text
from cai_tui.widgets.column_fit import FitColumn, clip, clip_middle, fit_widths
from cai_tui.widgets.paged_table import PagedTable
from screens.context import ScreenContext
from screens.writing import WritingScreen
from store.errors import NotFound
from store.schemas import (
    DEFAULT_CLUSTER,
    DEPLOYMENT_STATUSES,
    DeploymentDetail,
    DeploymentQuery,
    DeploymentSort,
    DeploymentStatus,
    DeploymentSummary,
    Page,
)

COLUMNS: tuple[tuple[str, str, DeploymentSort | None], ...] = (
    ("name", "name", "name"),
    ("cluster", "cluster", "cluster"),
    ("namespace", "namespace", "namespace"),
    ("status", "status", "status"),
    ("tags", "NIM tags", None),
    ("creator", "creator", "creator"),
    ("changed", "last change", "updated_at"),
)
"""Column key, label, and the store's sort key (None: not sortable)."""

SHRINK_FIRST = ("tags", "cluster", "creator", "namespace", "name", "status")
"""Which columns give up width first when the terminal is narrow."""
FLOORS = {"name": 16, "status": 10}
"""The narrowest the content of these columns gets (others: their header)."""
NARROW_WIDTH = 100
"""Below this many columns of terminal, long headers take their short form."""
SHORT_LABELS = {"changed": "changed"}
CELL_PADDING = 1
"""Blank cells on each side of a column (the table's default)."""
SCROLLBAR_WIDTH = 2

SORT_BINDINGS = [
    Binding(str(n), f"sort('{key}')", f"Sort by {label}", show=False, id=f"sort-{key}")
    for n, (key, label, _) in enumerate(
        (column for column in COLUMNS if column[2] is not None), start=1
    )
]
"""Digits 1-6 sort by the sortable columns, left to right."""

SEARCH_DELAY = 0.3
"""Seconds of quiet typing before a name filter is sent to the store."""


class DeploymentsScreen(WritingScreen):
    """A page of deployments, filtered by name and status, sorted by a column."""

    CSS_PATH = "deployments.tcss"
    AUTO_FOCUS = "#deployments"
    PAGE_SIZE: ClassVar[int] = 50
    BINDINGS = [
        Binding("enter", "open_deployment", "Open", id="open-deployment"),
        Binding("slash", "focus_filter", "Filter", key_display="/", id="filter"),
        Binding("s", "cycle_status", "Status filter", id="status-filter"),
        Binding("N", "create", "Create", id="create-deployment"),
        Binding("o", "operations", "Operations", id="operations"),
        *SORT_BINDINGS,
        Binding("r", "reload", "Reload", show=False, id="reload"),
    ]
    WRITE_ACTIONS = frozenset({"create"})

    def __init__(
        self,
        context: ScreenContext,
        *,
        cluster: str | None = None,
        nim: str | None = None,
        version: str | None = None,
        first_page: Page[DeploymentSummary] | None = None,
    ) -> None:
        super().__init__(context)
        self.query_base = self.first_query(cluster=cluster, nim=nim, version=version)
        self.first_page = first_page
        """A first page loaded before the screen opened, shown in its first frame."""
        self.page: Page[DeploymentSummary] = Page(items=(), total=0)
        self.first_row = 0
        """Position (from 0) of the page's first row in the whole list."""
        self._current = self.query_base
        self._rows: dict[str, DeploymentSummary] = {}

    def compose(self) -> ComposeResult:
        """Heading, filter, the page of deployments and the paging line."""
        yield Header()
        yield Static(self._heading(), id="heading", classes="heading")
        yield Input(placeholder="filter by name (press / to type)", id="filter")
        yield PagedTable(id="deployments", cursor_type="row", zebra_stripes=True)
        yield Static("", id="page-line")
        yield Static("", id="progress")
        yield Footer()

    def on_mount(self) -> None:
        """Set up the columns and load the first page."""
        if self.first_page is None:
            self._request(self.query_base)
        else:
            self._show(self.query_base, self.first_page, 0, False)

    @classmethod
    def first_query(
        cls,
        *,
        cluster: str | None = None,
        nim: str | None = None,
        version: str | None = None,
    ) -> DeploymentQuery:
        """The query of the screen's first page."""
        return DeploymentQuery(
            cluster=cluster, nim=nim, version=version, limit=cls.PAGE_SIZE
        )

    def _heading(self) -> str:
        base = self.query_base
        if base.nim and base.version:
            return f"Deployments running {base.nim}:{base.version}"
        if base.nim:
            return f"Deployments running {base.nim}"
        if base.cluster:
            return f"Deployments of cluster {base.cluster}"
        return "Deployments of all clusters"

    # --- loading ---------------------------------------------------------------------

    def _request(
        self,
        query: DeploymentQuery,
        *,
        first_row: int = 0,
        delay: float = 0.0,
        quiet: bool = False,
        at_end: bool = False,
    ) -> None:
        # While the user types, the rows follow without a spinner over them.
        if not quiet and not delay:
            self.query_one(PagedTable).loading = True
        to_sync = list(self.page.items) if quiet else []
        self._load(query, first_row, delay, to_sync, at_end)

    @work(
        thread=True,
        exclusive=True,
        group="load",
        exit_on_error=False,
        description="loading deployments",
    )
    def _load(
        self,
        query: DeploymentQuery,
        first_row: int,
        delay: float,
        to_sync: list[DeploymentSummary],
        at_end: bool,
    ) -> None:
        # Waiting on the cancel event makes a newer keystroke supersede this one.
        if delay and get_current_worker().cancelled_event.wait(delay):
            return
        store = self.context.store
        for row in to_sync:
            if row.active_revision_uid is None:
                continue
            try:
                store.sync_status(row.cluster, row.name, row.namespace)
            except NotFound:
                continue  # deleted since the page was shown
        page = store.list_deployments(query)
        self.deliver(self._show, query, page, first_row, at_end)

    def reload(self, *, quiet: bool = False) -> None:
        """Load the page shown again (syncing its statuses when `quiet`)."""
        self._request(self._current, first_row=self.first_row, quiet=quiet)

    def _show(
        self,
        query: DeploymentQuery,
        page: Page[DeploymentSummary],
        first_row: int,
        at_end: bool,
    ) -> None:
        table = self.query_one(PagedTable)
        selected = self.selected_key(self.query_one(PagedTable))
        now = self.context.clock()
        self._current, self.page, self.first_row = query, page, first_row
        self._rows = {row.uid: row for row in page.items}

        table.loading = False
        cells: dict[str, tuple[str | Text, ...]] = {
            row.uid: (
                row.name,
                row.cluster,
                row.namespace,
                status_text(row.status),
                tags_text(row.tags),
                row.creator,
                age(row.updated_at, now),
            )
            for row in page.items
        }
        widths = self._fit_columns(cells)
        for uid, values in cells.items():
            clipped = [
                (clip_middle if c[0] == "name" else clip)(v, widths[c[0]])
                for v, c in zip(values, COLUMNS, strict=True)
            ]
            table.add_row(*clipped, key=uid)
        if selected in self._rows:
            table.move_cursor(row=table.get_row_index(selected))
        elif at_end and page.items:
            table.move_cursor(row=len(page.items) - 1)
        self.query_one("#page-line", Static).update(self._page_line())

    def _headers(self) -> dict[str, str]:
        """Each column's header; the sorted one ends with its direction's arrow."""
        arrow = " ▼" if self._current.descending else " ▲"
        narrow = self.app.size.width < NARROW_WIDTH
        return {
            key: (SHORT_LABELS.get(key, label) if narrow else label)
            + (arrow if sort == self._current.sort else "")
            for key, label, sort in COLUMNS
        }

    def _fit_columns(self, cells: dict[str, tuple[str | Text, ...]]) -> dict[str, int]:
        """Set up the columns so they fit the terminal; return their widths."""
        headers = self._headers()
        columns = [FitColumn(k, headers[k], FLOORS.get(k, 0)) for k, _, _ in COLUMNS]
        wanted = {
            key: max(
                (Text(str(row[index])).cell_len for row in cells.values()), default=0
            )
            for index, (key, _, _) in enumerate(COLUMNS)
        }
        padding = 2 * CELL_PADDING * len(COLUMNS)
        available = self.app.size.width - SCROLLBAR_WIDTH - padding
        widths = fit_widths(
            columns, wanted, available, shrink_first=SHRINK_FIRST, fill="tags"
        )

        table = self.query_one(PagedTable)
        table.clear(columns=True)
        for key, _, _ in COLUMNS:
            table.add_column(headers[key], width=widths[key], key=key)
        return widths

    def on_resize(self) -> None:
        """Fit the columns to the new width."""
        if self.is_mounted and self._rows:
            self._show(self._current, self.page, self.first_row, False)

    def _page_line(self) -> str:
        query, page = self._current, self.page
        if page.items:
            first, last = self.first_row + 1, self.first_row + len(page.items)
            line = f"rows {first:,}-{last:,} of {page.total:,}"
        elif page.total:
            line = f"no rows here (of {page.total:,})"
        elif query.search:
            line = f"no deployments match `{query.search}`"
        elif query.status:
            line = f"no deployments with status {query.status}"
        else:
            line = "no deployments yet"
        if query.status and (page.items or query.search):
            line += f" · status {query.status}"
        if query.search and page.items:
            line += f" · name contains {query.search!r}"
        return line

    # --- what the user does ----------------------------------------------------------

    def _fresh(self, **changes: object) -> DeploymentQuery:
        """The current query changed, from its first page."""
        return self._current.model_copy(
            update={**changes, "after": None, "before": None}
        )

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._request(self._fresh(search=event.value.strip()), delay=SEARCH_DELAY)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        table = self.query_one(PagedTable)
        table.loading = False  # a table that is loading refuses the focus
        self.set_focus(table)
        # No spinner here: it would take the focus the user just gave the table.
        self._load(self._fresh(search=event.value.strip()), 0, 0.0, [], False)

    @on(PagedTable.PageRequested)
    def _page_requested(self, event: PagedTable.PageRequested) -> None:
        if event.forward and self.page.next_cursor:
            after = self._current.model_copy(
                update={"after": self.page.next_cursor, "before": None}
            )
            self._request(after, first_row=self.first_row + len(self.page.items))
        elif not event.forward and self.page.prev_cursor:
            before = self._current.model_copy(
                update={"before": self.page.prev_cursor, "after": None}
            )
            first_row = max(0, self.first_row - self.PAGE_SIZE)
            self._request(before, first_row=first_row, at_end=True)

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        self.action_sort(str(event.column_key.value))

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_deployment()

    def action_sort(self, column: str) -> None:
        """Sort by `column`; sorting by the same column again flips the direction."""
        sort = next((s for key, _, s in COLUMNS if key == column), None)
        if sort is None:
            self.notify(f"the {column} column cannot be sorted", severity="warning")
            return
        current = self._current
        descending = not current.descending if sort == current.sort else False
        self._request(self._fresh(sort=sort, descending=descending))

    def action_cycle_status(self) -> None:
        """Show only the next status in turn, then every status again."""
        cycle: list[DeploymentStatus | None] = [None]
        cycle.extend(cast(DeploymentStatus, s) for s in DEPLOYMENT_STATUSES)
        following = cycle[(cycle.index(self._current.status) + 1) % len(cycle)]
        self._request(self._fresh(status=following))

    def action_focus_filter(self) -> None:
        """Put the cursor in the name filter."""
        self.query_one("#filter", Input).focus()

    def action_open_deployment(self) -> None:
        """Open the highlighted deployment."""
        # The screens this one opens load when first needed, not at start-up.
        from screens.deployment import DeploymentScreen

        row = self._rows.get(self.selected_key(self.query_one(PagedTable)) or "")
        if row is None:
            return
        self.app.push_screen(
            DeploymentScreen(
                self.context,
                cluster=row.cluster,
                name=row.name,
                namespace=row.namespace,
            )
        )

    def action_reload(self) -> None:
        """Load the page shown again."""
        self.reload()

    def action_create(self) -> None:
        """Create a deployment in this screen's cluster; from every cluster's list,
        in one the user types, starting from the highlighted deployment's."""
        from screens.create import create_deployment

        if self.query_base.cluster is not None:
            create_deployment(self, self.query_base.cluster)
            return
        row = self._rows.get(self.selected_key(self.query_one(PagedTable)) or "")
        cluster = row.cluster if row is not None else DEFAULT_CLUSTER
        create_deployment(self, cluster, choose_cluster=True)

    def written(self, verb: str, detail: DeploymentDetail) -> None:
        """Open the new deployment and follow it until it runs."""
        from screens.deployment import DeploymentScreen

        super().written(verb, detail)
        self.app.push_screen(
            DeploymentScreen(
                self.context,
                cluster=detail.cluster,
                name=detail.name,
                namespace=detail.namespace,
                follow=True,
            )
        )

    def action_operations(self) -> None:
        """Show every recorded write in scope."""
        from screens.operations import OperationsScreen

        self.app.push_screen(OperationsScreen(self.context))
