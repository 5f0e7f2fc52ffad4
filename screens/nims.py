"""The Compound NIMs screen: every NIM in scope; Enter lists its versions."""

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from screens.base import StoreScreen
from screens.versions import VersionsScreen
from store.schemas import NimView, Page, PageRequest

MAX_NIMS = 500


class NimsScreen(StoreScreen):
    """Lists the Compound NIMs with their version counts."""

    CSS_PATH = "nims.tcss"
    BINDINGS = [
        Binding("enter", "open_nim", "Versions", id="open-nim"),
        Binding("r", "reload", "Reload", id="reload"),
    ]

    def compose(self) -> ComposeResult:
        """A heading and the table of NIMs."""
        yield Header()
        yield Static("Compound NIMs", id="heading", classes="heading")
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
        self._load()

    @work(
        thread=True,
        exclusive=True,
        group="load",
        exit_on_error=False,
        description="loading Compound NIMs",
    )
    def _load(self) -> None:
        page = self.context.store.list_nims(PageRequest(count=MAX_NIMS))
        self.deliver(self._show, page)

    def _show(self, page: Page[NimView]) -> None:
        table = self.query_one(DataTable)
        selected = self.selected_key(self.query_one(DataTable))
        table.loading = False
        table.clear()
        for nim in page.items:
            table.add_row(
                nim.name,
                str(nim.version_count),
                nim.latest_version or "-",
                nim.creator,
                nim.description,
                key=nim.name,
            )
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        shown = len(page.items)
        more = f" (first {shown})" if page.total > shown else ""
        self.query_one("#heading", Static).update(
            f"Compound NIMs: {page.total:,}{more}"
        )

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
