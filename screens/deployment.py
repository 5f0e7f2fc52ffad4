"""The Deployment screen: status, revision history, the chosen revision's targets."""

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from cai_tui.widgets.cells import age, duration, short_uid, status_text, tags_text
from cai_tui.widgets.revision_tree import RevisionTree
from screens.base import StoreScreen
from screens.context import ScreenContext
from store.schemas import DeploymentDetail, Page, PageRequest, RevisionView

MAX_REVISIONS = 200


class DeploymentScreen(StoreScreen):
    """One deployment: history on top, the highlighted revision's targets below."""

    CSS_PATH = "deployment.tcss"
    AUTO_FOCUS = "#revisions"
    BINDINGS = [
        Binding("r", "reload", "Reload", id="reload"),
        Binding("t", "focus_targets", "Targets", id="focus-targets"),
        Binding("h", "focus_history", "History", id="focus-history"),
    ]

    def __init__(
        self, context: ScreenContext, *, cluster: str, name: str, namespace: str
    ) -> None:
        super().__init__(context)
        self.cluster = cluster
        self.deployment_name = name
        self.namespace = namespace
        self.detail: DeploymentDetail | None = None
        self._revisions: dict[str, RevisionView] = {}

    def compose(self) -> ComposeResult:
        """Summary, history table and the targets tree."""
        yield Header()
        yield Static(
            f"Deployment {self.deployment_name}", id="heading", classes="heading"
        )
        yield Static("", id="summary")
        yield DataTable(id="revisions", cursor_type="row", zebra_stripes=True)
        yield RevisionTree(id="targets")
        yield Footer()

    def on_mount(self) -> None:
        """Set up the history columns and load."""
        table = self.query_one("#revisions", DataTable)
        for key, label in (
            ("active", ""),
            ("revision", "revision"),
            ("status", "status"),
            ("creator", "by"),
            ("created", "when"),
            ("tags", "NIM tags"),
            ("note", "note"),
        ):
            table.add_column(label, key=key)
        self.reload()

    def reload(self, *, quiet: bool = False) -> None:
        """Load the deployment and its history (syncing its status when `quiet`)."""
        if not quiet:
            self.query_one("#revisions", DataTable).loading = True
        self._load(sync=quiet)

    @work(
        thread=True,
        exclusive=True,
        group="load",
        exit_on_error=False,
        description="loading the deployment",
    )
    def _load(self, sync: bool) -> None:
        store = self.context.store
        if sync and self.detail is not None and self.detail.active_revision_uid:
            store.sync_status(self.cluster, self.deployment_name, self.namespace)
        detail = store.get_deployment(
            self.cluster, self.deployment_name, self.namespace
        )
        revisions = store.list_revisions(
            self.cluster, self.deployment_name, PageRequest(count=MAX_REVISIONS)
        )
        self.deliver(self._show, detail, revisions)

    def _show(self, detail: DeploymentDetail, revisions: Page[RevisionView]) -> None:
        self.detail = detail
        self.query_one("#summary", Static).update(self._summary(detail))

        table = self.query_one("#revisions", DataTable)
        selected = self.selected_key(self.query_one("#revisions", DataTable))
        now = self.context.clock()
        self._revisions = {r.uid: r for r in revisions.items}
        table.loading = False
        table.clear()
        for revision in revisions.items:
            active = revision.status == "active"
            table.add_row(
                Text("●", style="bold green") if active else "",
                short_uid(revision.uid),
                Text(revision.status, style="green" if active else "dim"),
                revision.creator,
                age(revision.created_at, now),
                tags_text(revision.tags),
                self._note(revision),
                key=revision.uid,
            )
        if selected in self._revisions:
            table.move_cursor(row=table.get_row_index(selected))
        self._show_targets()

    def _summary(self, detail: DeploymentDetail) -> Text:
        now = self.context.clock()
        status = status_text(detail.status)
        changed = detail.status_changed_at
        if (
            detail.status == "deploying"
            and changed is not None
            and (now - changed).total_seconds() > self.context.stuck_seconds
        ):
            stuck = duration((now - changed).total_seconds())
            status.append(f" (stuck for {stuck})", style="bold red")
        summary = Text.assemble(
            ("status ", "dim"),
            status,
            ("  cluster ", "dim"),
            detail.cluster,
            ("  namespace ", "dim"),
            detail.namespace,
            "\n",
            ("creator ", "dim"),
            detail.creator,
            ("  last change ", "dim"),
            age(detail.updated_at, now),
            ("  revisions ", "dim"),
            str(detail.revision_count),
        )
        if detail.description:
            summary.append(f"\n{detail.description}", style="italic")
        return summary

    @staticmethod
    def _note(revision: RevisionView) -> str:
        note = ""
        if revision.rolled_back_from:
            note = f"roll back of {short_uid(revision.rolled_back_from)}"
        if revision.reason:
            note = f"{note}: {revision.reason}" if note else revision.reason
        return note

    def _show_targets(self) -> None:
        revision = self._revisions.get(
            self.selected_key(self.query_one("#revisions", DataTable)) or ""
        )
        tree = self.query_one(RevisionTree)
        tree.show_revision(revision, self.context.clock())

    @on(DataTable.RowHighlighted, "#revisions")
    def _revision_highlighted(self) -> None:
        self._show_targets()

    @on(DataTable.RowSelected, "#revisions")
    def _revision_selected(self) -> None:
        self.action_focus_targets()

    def action_focus_targets(self) -> None:
        """Move the focus to the targets of the chosen revision."""
        self.query_one(RevisionTree).focus()

    def action_focus_history(self) -> None:
        """Move the focus to the revision history."""
        self.query_one("#revisions", DataTable).focus()

    def action_reload(self) -> None:
        """Load the deployment again."""
        self.reload()
