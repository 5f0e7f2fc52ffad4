"""The base of screens that write: preview, confirm, write in a worker, report.

Every write action is hidden (and refused) when the dashboard is read-only. A write
runs in a thread worker; a conflict (another session changed the deployment since
the preview) is reported and the fresh state is loaded; any other refusal is shown
on the screen and handed to the app's one failure handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.widgets import Static

from screens.base import StoreScreen
from store.errors import Conflict, StoreError

if TYPE_CHECKING:
    # The forms and the preview load with the first write, not at start-up.
    from screens.deploy_form import Draft
    from screens.preview import Confirmation, PreviewLoader
    from store.schemas import DeploymentDetail

Commit = Callable[["Confirmation"], "DeploymentDetail"]
"""Carries out a confirmed write; called in a thread worker."""


class WritingScreen(StoreScreen):
    """A screen with write actions and a line that tells how the last one went."""

    WRITE_ACTIONS: ClassVar[frozenset[str]] = frozenset()
    """Actions hidden from the footer, palette and help when read-only."""

    draft: Draft | None = None
    """A form the store refused, offered again by the next form of the screen."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the write actions of a read-only dashboard."""
        return not (action in self.WRITE_ACTIONS and self.context.read_only)

    def refused_read_only(self) -> bool:
        """Tell the user a read-only dashboard does not write; True if it is one."""
        if self.context.read_only:
            self.notify(
                "this dashboard is read-only: start it without --read-only "
                "(and unset CAI_READ_ONLY) to make changes",
                title="Read-only",
                severity="warning",
            )
        return self.context.read_only

    def progress(self, message: str | Text, *, problem: bool = False) -> None:
        """Show how the last write went on the screen's `#progress` line."""
        line = self.query_one("#progress", Static)
        line.update(message)
        line.set_class(bool(message), "-shown")
        line.set_class(problem, "-problem")

    def preview_then_write(
        self,
        title: str,
        load: PreviewLoader,
        commit: Commit,
        *,
        verb: str,
        confirm_name: str | None = None,
    ) -> None:
        """Show the preview of a write; carry it out if the user confirms."""
        if self.refused_read_only():
            return

        def confirmed(confirmation: Confirmation | None) -> None:
            if confirmation is not None:
                self.write(commit, confirmation, verb)

        from screens.preview import PreviewScreen

        screen = PreviewScreen(title, load, verb=verb, confirm_name=confirm_name)
        self.app.push_screen(screen, confirmed)

    def write(self, commit: Commit, confirmation: Confirmation, verb: str) -> None:
        """Carry out a confirmed write in a thread worker."""
        doing = f"{verb.lower()} {confirmation.preview.deployment}"
        self.progress(Text(f"{doing}: sending the DMS requests…", style="yellow"))
        self.run_worker(
            lambda: self._write(commit, confirmation, verb),
            thread=True,
            group="write",
            exit_on_error=False,
            description=doing,
        )

    def _write(self, commit: Commit, confirmation: Confirmation, verb: str) -> None:
        try:
            detail = commit(confirmation)
        except Conflict as exc:
            self.deliver(self._conflict, exc)
            return
        except StoreError as exc:
            self.deliver(self.write_failed, verb, exc)
            raise
        self.deliver(self.written, verb, detail)

    def _conflict(self, error: Conflict) -> None:
        self.progress(
            Text(f"Not done: {error.message}. Showing the fresh state.", style="bold"),
            problem=True,
        )
        self.notify(
            f"{error.message}. The screen now shows the fresh state.",
            title="Conflict",
            severity="warning",
            timeout=8,
        )
        self.reload()

    def write_failed(self, verb: str, error: StoreError) -> None:
        """The store or the DMS refused the write: say what failed."""
        self.progress(Text(f"{verb} failed: {error.message}"), problem=True)
        self.reload()

    def written(self, verb: str, detail: DeploymentDetail) -> None:
        """The write is done; subclasses follow the deployment from here."""
        self.draft = None
        self.progress(Text(f"{verb} done: {detail.name} is {detail.status}"))
        self.reload()
