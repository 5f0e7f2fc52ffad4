"""The Compound NIMs screen: every NIM in scope; Enter lists its versions.

`/` filters the NIMs by name; the store does the search.
"""

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import get_current_worker

from screens.base import StoreScreen
from screens.versions import VersionsScreen
from store.schemas import NimView, Page, PageRequest

MAX_NIMS = 500
SEARCH_DELAY = 0.3
"""Seconds of quiet typing before a name filter is sent to the store."""


class NimsScreen(StoreScreen):
    """Lists the Compound NIMs with their version counts."""

    CSS_PATH = "nims.tcss"
    AUTO_FOCUS = "#nims"
    BINDINGS = [
        Binding("enter", "open_nim", "Open versions", id="open-nim"),
        Binding("slash", "focus_filter", "Filter", key_display="/", id="filter"),
        Binding("r", "reload", "Reload", id="reload"),
    ]

    search = ""
    """The name filter of the NIMs shown."""

    def compose(self) -> ComposeResult:
        """A heading and the table of NIMs."""
        yield Header()
        yield Static("Compound NIMs", id="heading", classes="heading")
        yield Input(placeholder="filter by name (press / to type)", id="filter")
        yield DataTable(id="nims", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        """Set up the columns and start loading."""
        table = self.query_one(DataTable)
        for key, label in (
            ("name", "name"),
            ("versions", "versions"),
            ("latest", "latest version"),
            ("creator", "creator"),
            ("description", "description"),
        ):
            table.add_column(label, key=key)
        self.reload()

    def reload(self, *, quiet: bool = False) -> None:
        """Load the NIMs in a worker."""
        if not quiet:
            self.query_one(DataTable).loading = True
        self._load(self.search, 0.0)

    @work(
        thread=True,
        exclusive=True,
        group="load",
        exit_on_error=False,
        description="loading Compound NIMs",
    )
    def _load(self, search: str, delay: float) -> None:
        # Waiting on the cancel event makes a newer keystroke supersede this one.
        if delay and get_current_worker().cancelled_event.wait(delay):
            return
        request = PageRequest(count=MAX_NIMS, search=search)
        page = self.context.store.list_nims(request)
        self.deliver(self._show, search, page)

    def _show(self, search: str, page: Page[NimView]) -> None:
        self.search = search
        self.refill(
            self.query_one(DataTable),
            (
                (
                    nim.name,
                    (
                        nim.name,
                        str(nim.version_count),
                        nim.latest_version or "-",
                        nim.creator,
                        nim.description,
                    ),
                )
                for nim in page.items
            ),
        )
        self.query_one("#heading", Static).update(heading(search, page))

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._load(event.value.strip(), SEARCH_DELAY)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        table = self.query_one(DataTable)
        table.loading = False  # a table that is loading refuses the focus
        self.set_focus(table)
        # No spinner here: it would take the focus the user just gave the table.
        self._load(event.value.strip(), 0.0)

    def action_focus_filter(self) -> None:
        """Put the cursor in the name filter."""
        self.query_one("#filter", Input).focus()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_nim()

    def action_open_nim(self) -> None:
        """List the versions of the highlighted NIM."""
        name = self.selected_key(self.query_one(DataTable))
        if name is not None:
            self.app.push_screen(VersionsScreen(self.context, nim=name))

    def action_reload(self) -> None:
        """Load the NIMs again."""
        self.reload()


def heading(search: str, page: Page[NimView]) -> str:
    """`Compound NIMs: 12`, with the filter and how many are shown of more."""
    shown = len(page.items)
    more = f" (first {shown})" if page.total > shown else ""
    if not search:
        return f"Compound NIMs: {page.total:,}{more}"
    if not page.total:
        return f"Compound NIMs: none match `{search}`"
    return f"Compound NIMs matching `{search}`: {page.total:,}{more}"
