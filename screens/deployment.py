"""The Deployment screen's actions: roll out, roll back, deactivate, delete, diffs.

Every write shows its preview first and carries the active revision the user saw;
deactivate and delete also ask for the deployment's name to be typed.
"""

from textual.binding import Binding

from cai_tui.widgets.cells import age, short_uid
from screens.deploy_form import DeployFormScreen, DeployRequest, Draft
from screens.deployment_view import DeploymentView
from screens.diff import DiffScreen
from screens.operations import OperationsScreen
from screens.preview import Confirmation
from store.schemas import DeploymentDetail, TargetSpec


class DeploymentScreen(DeploymentView):
    """One deployment, with the keys that change it."""

    BINDINGS = [
        Binding("r", "reload", "Reload", show=False, id="reload"),
        Binding("t", "focus_targets", "Targets", show=False, id="focus-targets"),
        Binding("h", "focus_history", "History", show=False, id="focus-history"),
        Binding("R", "roll_out", "Roll out", id="roll-out"),
        Binding("B", "roll_back", "Roll back", id="roll-back"),
        Binding("X", "deactivate", "Deactivate", id="deactivate"),
        Binding("D", "delete", "Delete", id="delete-deployment"),
        Binding("m", "mark", "Mark", id="mark-revision"),
        Binding("v", "diff", "Diff", id="diff-marked"),
        Binding("L", "retry_leftovers", "Retry leftovers", id="retry-leftovers"),
        Binding("o", "operations", "Operations", id="operations"),
    ]
    WRITE_ACTIONS = frozenset(
        {"roll_out", "roll_back", "deactivate", "delete", "retry_leftovers"}
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide writes when read-only, the retry key when nothing is left over, and
        roll back unless the history (whose cursor names the revision) has focus."""
        if action == "retry_leftovers" and not self.leftovers:
            return False
        if action == "roll_back" and not self._history().has_focus:
            return False
        return super().check_action(action, parameters)

    def action_roll_out(self) -> None:
        """Edit the targets (versions, replicas, resources) and roll them out."""
        if self.refused_read_only() or self.detail is None:
            return
        store, cluster, name = self.context.store, self.cluster, self.deployment_name
        namespace = self.namespace
        # The write must find the revision the form was filled from still active:
        # a roll out that landed meanwhile is a conflict, never silently undone.
        seen = self.detail.active_revision_uid
        base = self.detail.active_revision or next(iter(self.revisions()), None)
        targets = tuple(
            TargetSpec(nim=t.nim, version=t.version, config=t.config)
            for t in (base.targets if base else ())
        )
        draft = self.draft or Draft(name, namespace, targets)

        def submitted(request: DeployRequest | None) -> None:
            if request is None:
                return
            self.draft = request.draft
            chosen = request.draft.targets

            def commit(c: Confirmation) -> DeploymentDetail:
                return store.roll_out(
                    cluster,
                    name,
                    chosen,
                    expected_active=seen,
                    reason=c.reason,
                    namespace=namespace,
                    target_uids=c.preview.target_uids,
                )

            self.write(commit, request.confirmation, "Roll out")

        form = DeployFormScreen(
            self.context,
            draft,
            lambda d: store.preview_roll_out(
                cluster, name, d.targets, namespace=namespace
            ),
            title=f"Roll out a new revision of {name}",
            verb="Roll out",
        )
        self.app.push_screen(form, submitted)

    def action_roll_back(self) -> None:
        """Roll out a copy of the revision under the history's cursor."""
        if self.refused_read_only() or not self._history().has_focus:
            return
        revision = self.selected_revision()
        if revision is None or revision.status == "active":
            self.notify(
                "put the cursor on an earlier revision of the history to roll back to",
                severity="warning",
            )
            return
        store, cluster, name = self.context.store, self.cluster, self.deployment_name
        uid = revision.uid
        seen = self.detail.active_revision_uid if self.detail else None

        def commit(c: Confirmation) -> DeploymentDetail:
            return store.roll_back(
                cluster,
                name,
                uid,
                expected_active=seen,
                reason=c.reason,
                target_uids=c.preview.target_uids,
            )

        when = age(revision.created_at, self.context.clock())
        self.preview_then_write(
            f"Roll {name} back to revision {short_uid(uid)} "
            f"(by {revision.creator}, {when})",
            lambda: store.preview_roll_back(cluster, name, uid),
            commit,
            verb="Roll back",
        )

    def action_deactivate(self) -> None:
        """Terminate the active revision (after typing the deployment's name)."""
        if self.refused_read_only() or self.detail is None:
            return
        if self.detail.active_revision_uid is None:
            self.notify(f"{self.deployment_name} has no active revision to deactivate")
            return
        store, cluster, name = self.context.store, self.cluster, self.deployment_name
        namespace, seen = self.namespace, self.detail.active_revision_uid

        def commit(c: Confirmation) -> DeploymentDetail:
            return store.deactivate(
                cluster,
                name,
                expected_active=seen,
                reason=c.reason,
                namespace=namespace,
            )

        self.preview_then_write(
            f"Deactivate {name}",
            lambda: store.preview_deactivate(cluster, name),
            commit,
            verb="Deactivate",
            confirm_name=name,
        )

    def action_delete(self) -> None:
        """Delete a deployment with no active revision (after typing its name)."""
        if self.refused_read_only() or self.detail is None:
            return
        if self.detail.active_revision_uid is not None:
            self.notify(
                f"{self.deployment_name} still runs: deactivate it first (X)",
                severity="warning",
            )
            return
        store, cluster, name = self.context.store, self.cluster, self.deployment_name
        namespace, seen = self.namespace, self.detail.active_revision_uid

        def commit(c: Confirmation) -> DeploymentDetail:
            return store.delete_deployment(
                cluster,
                name,
                expected_active=seen,
                reason=c.reason,
                namespace=namespace,
            )

        self.preview_then_write(
            f"Delete {name} and its whole history",
            lambda: store.preview_delete(cluster, name),
            commit,
            verb="Delete",
            confirm_name=name,
        )

    def action_mark(self) -> None:
        """Mark (or unmark) the revision under the cursor; two make a diff."""
        revision = self.selected_revision()
        if revision is None:
            return
        if revision.uid in self.marked:
            self.marked.remove(revision.uid)
        else:
            self.marked = [*self.marked, revision.uid][-2:]
        table = self._history()
        for uid, shown in self._revisions.items():
            table.update_cell(uid, "active", table.flag(shown, self.marked))
        if len(self.marked) == 2:
            self.notify("two revisions marked: v shows their diff", timeout=3)

    def action_diff(self) -> None:
        """Show what differs between the two marked revisions, older on the left."""
        marked = [self._revisions[uid] for uid in self.marked]
        if len(marked) != 2:
            self.notify("mark two revisions with m first", severity="warning")
            return
        old, new = sorted(marked, key=lambda r: r.created_at)
        self.app.push_screen(DiffScreen(old, new))

    def action_retry_leftovers(self) -> None:
        """Try again to delete the DMS resources earlier writes left over."""
        if self.refused_read_only():
            return
        self.run_worker(
            self._retry_leftovers,
            thread=True,
            group="leftovers",
            exit_on_error=False,
            description="retrying left-over DMS resources",
        )

    def _retry_leftovers(self) -> None:
        still = self.context.store.retry_leftovers()
        self.deliver(self._retried, len(still))

    def _retried(self, still: int) -> None:
        if still:
            self.notify(f"{still} DMS resource(s) still left over", severity="warning")
        else:
            self.notify("no DMS resources are left over", title="Leftovers")
        self.reload()

    def action_operations(self) -> None:
        """Show the recorded writes of this deployment."""
        self.app.push_screen(
            OperationsScreen(
                self.context, cluster=self.cluster, deployment=self.deployment_name
            )
        )
