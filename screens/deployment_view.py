"""What the Deployment screen shows: status, history, targets, and write progress.

The screen's actions live in `screens.deployment`; this part loads the deployment,
shows it, and after a write follows its DMS resources until it settles.
"""

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.timer import Timer
from textual.widgets import Footer, Header, Static

from cai_tui.widgets.cells import age, duration, status_text
from cai_tui.widgets.history_table import HistoryTable
from cai_tui.widgets.progress import SETTLING, follow_text, leftovers_text
from cai_tui.widgets.revision_tree import RevisionTree
from screens.context import ScreenContext
from screens.writing import WritingScreen
from store.schemas import DeploymentDetail, LeftoverView, PageRequest, RevisionView

MAX_REVISIONS = 200


class DeploymentView(WritingScreen):
    """One deployment: history on top, the highlighted revision's targets below."""

    CSS_PATH = "deployment.tcss"
    AUTO_FOCUS = "#revisions"

    def __init__(
        self,
        context: ScreenContext,
        *,
        cluster: str,
        name: str,
        namespace: str,
        follow: bool = False,
    ) -> None:
        super().__init__(context)
        self.cluster = cluster
        self.deployment_name = name
        self.namespace = namespace
        self.detail: DeploymentDetail | None = None
        self.leftovers: list[LeftoverView] = []
        self.marked: list[str] = []
        """Uids of the revisions marked for a diff, in the order marked."""
        self._revisions: dict[str, RevisionView] = {}
        self._follow_timer: Timer | None = None
        self._follow_on_mount = follow

    def compose(self) -> ComposeResult:
        """Summary, progress line, history table and the targets tree."""
        yield Header()
        yield Static(
            f"Deployment {self.deployment_name}", id="heading", classes="heading"
        )
        yield Static("", id="summary")
        yield Static("", id="progress")
        yield HistoryTable(id="revisions")
        yield RevisionTree(id="targets")
        yield Footer()

    def on_mount(self) -> None:
        """Load, and follow the status if a write just made this deployment."""
        self.reload()
        if self._follow_on_mount:
            self.follow()

    # --- loading ---------------------------------------------------------------------

    def reload(self, *, quiet: bool = False) -> None:
        """Load the deployment and its history (syncing its status when `quiet`)."""
        if not quiet:
            self.query_one(HistoryTable).loading = True
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
        leftovers = self._own(store.list_leftovers())
        if sync and leftovers and not self.context.read_only:
            leftovers = self._own(store.retry_leftovers())
        detail = store.get_deployment(
            self.cluster, self.deployment_name, self.namespace
        )
        revisions = store.list_revisions(
            self.cluster, self.deployment_name, PageRequest(count=MAX_REVISIONS)
        )
        self.deliver(self._show, detail, revisions.items, leftovers)

    def _own(self, leftovers: list[LeftoverView]) -> list[LeftoverView]:
        return [
            item
            for item in leftovers
            if item.deployment == self.deployment_name and item.cluster == self.cluster
        ]

    def _show(
        self,
        detail: DeploymentDetail,
        revisions: tuple[RevisionView, ...],
        leftovers: list[LeftoverView],
    ) -> None:
        if bool(leftovers) != bool(self.leftovers):
            self.refresh_bindings()
        self.detail, self.leftovers = detail, leftovers
        self._revisions = {r.uid: r for r in revisions}
        self.marked = [uid for uid in self.marked if uid in self._revisions]
        self.query_one("#summary", Static).update(self._summary(detail))
        table = self.query_one(HistoryTable)
        table.loading = False
        table.show(revisions, self.context.clock(), self.marked)
        self._show_targets()
        if self._follow_timer is not None:
            self._followed(detail)

    def _stuck_for(self, detail: DeploymentDetail) -> str | None:
        changed = detail.status_changed_at
        if detail.status != "deploying" or changed is None:
            return None
        # A new revision restarts the wait even when the status was `deploying`
        # already (the store keeps the time the status itself last changed).
        if detail.active_revision is not None:
            changed = max(changed, detail.active_revision.created_at)
        elapsed = (self.context.clock() - changed).total_seconds()
        return duration(elapsed) if elapsed > self.context.stuck_seconds else None

    def _summary(self, detail: DeploymentDetail) -> Text:
        now = self.context.clock()
        status = status_text(detail.status)
        stuck = self._stuck_for(detail)
        if stuck is not None:
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
        if self.leftovers:
            summary.append("\n")
            summary.append_text(leftovers_text(self.leftovers))
        elif detail.description:
            summary.append(f"\n{detail.description}", style="italic")
        return summary

    def _show_targets(self) -> None:
        revision = self.selected_revision()
        tree = self.query_one(RevisionTree)
        tree.show_revision(revision, self.context.clock(), self.leftovers)

    def _history(self) -> HistoryTable:
        return self.query_one(HistoryTable)

    @on(HistoryTable.RowHighlighted, "#revisions")
    def _revision_highlighted(self) -> None:
        self._show_targets()

    @on(HistoryTable.RowSelected, "#revisions")
    def _revision_selected(self) -> None:
        self.action_focus_targets()

    # --- following a write -----------------------------------------------------------

    def follow(self) -> None:
        """Sync the status every few seconds until the deployment settles."""
        if self._follow_timer is None:
            self._follow_timer = self.set_interval(
                self.context.follow_seconds, self._follow_tick
            )

    def _follow_tick(self) -> None:
        self._load(sync=True)

    def _followed(self, detail: DeploymentDetail) -> None:
        stuck = self._stuck_for(detail)
        text, problem = follow_text(detail, stuck=stuck)
        self.progress(text, problem=problem)
        if (detail.status not in SETTLING or stuck) and self._follow_timer is not None:
            self._follow_timer.stop()
            self._follow_timer = None

    def written(self, verb: str, detail: DeploymentDetail) -> None:
        """Follow the deployment after a write; leave it once it is deleted."""
        if verb == "Delete":
            self.notify(f"deployment {detail.name} deleted", title="Deleted")
            self.dismiss()
            return
        super().written(verb, detail)
        if detail.status in SETTLING:
            self.follow()

    def selected_revision(self) -> RevisionView | None:
        """The revision under the history's cursor."""
        return self._revisions.get(self.selected_key(self._history()) or "")

    def revisions(self) -> list[RevisionView]:
        """The history shown, newest first."""
        return list(self._revisions.values())

    def action_focus_targets(self) -> None:
        """Move the focus to the targets of the chosen revision."""
        self.query_one(RevisionTree).focus()

    def action_focus_history(self) -> None:
        """Move the focus to the revision history."""
        self._history().focus()

    def action_reload(self) -> None:
        """Load the deployment again."""
        self.reload()
