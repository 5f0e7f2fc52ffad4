"""The Versions screen: the versions of one Compound NIM, newest first."""

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from cai_tui.widgets.cells import age, build_status_text
from screens.base import StoreScreen
from screens.context import ScreenContext
from screens.deployments import DeploymentsScreen
from store.schemas import Page, PageRequest, VersionView

MAX_VERSIONS = 500


class VersionsScreen(StoreScreen):
    """Lists a NIM's versions; Enter lists the deployments running one."""

    CSS_PATH = "versions.tcss"
    BINDINGS = [
        Binding("enter", "open_version", "Open deployments", id="open-version"),
        Binding("r", "reload", "Reload", id="reload"),
    ]

    def __init__(self, context: ScreenContext, *, nim: str) -> None:
        super().__init__(context)
        self.nim = nim

    def compose(self) -> ComposeResult:
        """A heading and the table of versions."""
        yield Header()
        yield Static(f"Versions of {self.nim}", id="heading", classes="heading")
        yield DataTable(id="versions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        """Set up the columns and start loading."""
        table = self.query_one(DataTable)
        for key, label in (
            ("version", "version"),
            ("build", "image build"),
            ("created", "created"),
            ("services", "services"),
            ("description", "description"),
        ):
            table.add_column(label, key=key)
        self.reload()

    def reload(self, *, quiet: bool = False) -> None:
        """Load the versions in a worker."""
        if not quiet:
            self.query_one(DataTable).loading = True
        self._load()

    @work(
        thread=True,
        exclusive=True,
        group="load",
        exit_on_error=False,
        description="loading versions",
    )
    def _load(self) -> None:
        page = self.context.store.list_versions(
            self.nim, PageRequest(count=MAX_VERSIONS)
        )
        self.deliver(self._show, page)

    def _show(self, page: Page[VersionView]) -> None:
        now = self.context.clock()
        self.refill(
            self.query_one(DataTable),
            (
                (
                    v.version,
                    (
                        v.version,
                        build_status_text(v.image_build_status),
                        age(v.created_at, now),
                        ", ".join(v.services) or "-",
                        v.description,
                    ),
                )
                for v in page.items
            ),
        )
        self.query_one("#heading", Static).update(
            f"Versions of {self.nim}: {page.total:,}"
        )

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_version()

    def action_open_version(self) -> None:
        """List the deployments running the highlighted version."""
        version = self.selected_key(self.query_one(DataTable))
        if version is not None:
            self.app.push_screen(
                DeploymentsScreen(self.context, nim=self.nim, version=version)
            )

    def action_reload(self) -> None:
        """Load the versions again."""
        self.reload()
