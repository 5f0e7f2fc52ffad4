"""The Clusters screen: every cluster of the organization, with deployment counts."""

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from cai_tui.demo import DEMO_ORG
from screens.base import StoreScreen
from screens.context import ScreenContext
from screens.deployments import DeploymentsScreen
from store.schemas import ClusterView, DeploymentSummary, Page, PageRequest

MAX_CLUSTERS = 500


class ClustersScreen(StoreScreen):
    """Lists the clusters; Enter opens a cluster's deployments."""

    CSS_PATH = "clusters.tcss"
    BINDINGS = [
        Binding("enter", "open_cluster", "Open", id="open-cluster"),
        Binding("a", "all_deployments", "All deployments", id="all-deployments"),
        Binding("r", "reload", "Reload", id="reload"),
    ]

    _hinted = False
    """Whether the empty-store hint was shown already."""

    def compose(self) -> ComposeResult:
        """A heading and the table of clusters."""
        yield Header()
        yield Static("Clusters", id="heading", classes="heading")
        yield DataTable(id="clusters", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        """Set up the columns and start loading."""
        table = self.query_one(DataTable)
        table.add_column("name", key="name")
        table.add_column("deployments", key="deployments")
        table.add_column("description", key="description")
        self.reload()

    def reload(self, *, quiet: bool = False) -> None:
        """Load the clusters in a worker."""
        if not quiet:
            self.query_one(DataTable).loading = True
        self._load()

    @work(
        thread=True,
        exclusive=True,
        group="load",
        exit_on_error=False,
        description="loading clusters",
    )
    def _load(self) -> None:
        page = self.context.store.list_clusters(PageRequest(count=MAX_CLUSTERS))
        self.deliver(self._show, page)

    def _show(self, page: Page[ClusterView]) -> None:
        self.refill(
            self.query_one(DataTable),
            (
                (c.name, (c.name, str(c.deployment_count), c.description or ""))
                for c in page.items
            ),
        )

        shown = len(page.items)
        more = f" (first {shown} of {page.total:,})" if page.total > shown else ""
        self.query_one("#heading", Static).update(f"Clusters: {page.total:,}{more}")
        if not self._hinted and is_empty(page):
            self._hinted = True
            self.notify(empty_hint(self.context), title="Nothing here yet", timeout=12)

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_cluster()

    def action_open_cluster(self) -> None:
        """Open the deployments of the highlighted cluster."""
        name = self.selected_key(self.query_one(DataTable))
        if name is not None:
            self._open_deployments(name)

    def action_all_deployments(self) -> None:
        """Open the deployments of every cluster."""
        self._open_deployments(None)

    @work(
        thread=True,
        exclusive=True,
        group="open",
        exit_on_error=False,
        description="loading deployments",
    )
    def _open_deployments(self, cluster: str | None) -> None:
        # The first page is loaded before the screen opens, so its first frame
        # already shows rows instead of a spinner.
        query = DeploymentsScreen.first_query(cluster=cluster)
        page = self.context.store.list_deployments(query)
        self.deliver(self._push_deployments, cluster, page)

    def _push_deployments(
        self, cluster: str | None, page: Page[DeploymentSummary]
    ) -> None:
        self.app.push_screen(
            DeploymentsScreen(self.context, cluster=cluster, first_page=page)
        )

    def action_reload(self) -> None:
        """Load the clusters again."""
        self.reload()


def empty_hint(context: ScreenContext) -> str:
    """What to do when the caller's scope holds no deployment: in the demo, where its
    data is; elsewhere, how to create one or look at the demo first."""
    caller = context.store.caller
    who = f"{caller.identity.user} of {caller.identity.org} ({caller.scope} scope)"
    if context.demo:
        return (
            f"No deployments for {who}. The demo's data belongs to organization "
            f"`{DEMO_ORG}`: quit, run `cai-tui --demo` again and keep that "
            "organization on the scope screen."
        )
    create = "" if context.read_only else "Open a cluster and press N to create one; "
    look = "to look around first" if create else "To look around first"
    return (
        f"No deployments for {who} yet. {create}{look}, quit and run "
        "`cai-tui --demo`: a throw-away store with demo data."
    )


def is_empty(page: Page[ClusterView]) -> bool:
    """Whether the store holds nothing but the organization's `default` cluster."""
    return page.total == 1 and page.items[0].deployment_count == 0
