"""The Preview modal: a dry run of a write, confirmed (or not) by the user.

It shows the diff from the active revision, the exact DMS requests the write will
send and what happens to the current revision. Deactivate and delete also ask the
user to type the deployment's name.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from cai_tui.widgets.diff_table import DiffTable
from cai_tui.widgets.messages import WorkFailed
from screens.modal import QuitModal
from store.errors import StoreError
from store.schemas import PlannedCall, WritePreview

PreviewLoader = Callable[[], WritePreview]
"""Asks the store for the dry run; called in a thread worker."""


@dataclass(frozen=True)
class Confirmation:
    """The user confirmed this preview, with an optional reason."""

    preview: WritePreview
    reason: str


class PreviewScreen(QuitModal[Confirmation | None]):
    """Loads a preview, shows it, and returns the user's confirmation."""

    CSS_PATH = "preview.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-write"),
        Binding("ctrl+b", "toggle_bodies", "Request bodies", id="request-bodies"),
    ]

    def __init__(
        self,
        title: str,
        load: PreviewLoader,
        *,
        verb: str,
        confirm_name: str | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._load_preview = load
        self._verb = verb
        self._confirm_name = confirm_name
        self.preview: WritePreview | None = None
        self._bodies = False

    def compose(self) -> ComposeResult:
        """Title, the preview (a spinner until it loads), reason and buttons."""
        with Vertical(id="preview"):
            yield Static(self._title, id="preview-title")
            yield LoadingIndicator(id="preview-loading")
            with VerticalScroll(id="preview-body"):
                yield Static("", id="effect")
                yield Static("What changes", classes="section")
                yield DiffTable(id="diff")
                yield Static("DMS requests it will send", classes="section")
                yield Static("", id="calls")
            yield Static("", id="problem")
            # Each input has a label line above it, so the two never read as one.
            yield Static("Reason, kept in the history (optional):", classes="label")
            yield Input(placeholder="why this change", id="reason")
            if self._confirm_name is not None:
                yield Static(
                    Text.assemble(
                        "Type ", (self._confirm_name, "bold"), " to confirm:"
                    ),
                    classes="label",
                )
                yield Input(placeholder="the deployment's name", id="typed")
            with Horizontal(id="buttons"):
                yield Button(self._verb, variant="warning", id="confirm", disabled=True)
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Ask the store for the dry run."""
        self.query_one("#preview-body").display = False
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, description="previewing")
    def _load(self) -> None:
        try:
            preview = self._load_preview()
        except StoreError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(self._show, preview)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An unexpected failure of the dry run goes to the app's one handler."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.query_one("#preview-loading").display = False
            self.app.post_message(WorkFailed(event.worker.error, "previewing a write"))

    def _refused(self, error: StoreError) -> None:
        self.query_one("#preview-loading").display = False
        self._problem(f"{error.message} (nothing was sent)")

    def _show(self, preview: WritePreview) -> None:
        self.preview = preview
        self.query_one("#preview-loading").display = False
        self.query_one("#preview-body").display = True
        self.query_one("#effect", Static).update(
            Text(preview.effect or "Nothing changes.", style="bold")
        )
        self.query_one(DiffTable).show_diff(preview.diff)
        self._show_calls()
        self._update_confirm()
        # Top down, as the fields read: the reason, then the name to confirm.
        self.query_one("#reason", Input).focus()

    def _show_calls(self) -> None:
        calls = self.preview.calls if self.preview is not None else ()
        text = Text()
        for call in calls:
            text.append_text(self._call_text(call))
        if not calls:
            text.append("none: this write does not call the DMS", style="dim")
        self.query_one("#calls", Static).update(text)

    def _call_text(self, call: PlannedCall) -> Text:
        style = "green" if call.method == "POST" else "red"
        line = Text.assemble(
            (f"{call.method:<6} ", f"bold {style}"),
            f"{call.path}  ",
            (call.kind, "dim"),
            f" {call.namespace}/{call.name}\n",
        )
        if self._bodies and call.body is not None:
            body = json.dumps(call.body, indent=2, sort_keys=True)
            line.append(body + "\n", style="dim")
        return line

    def _problem(self, message: str) -> None:
        problem = self.query_one("#problem", Static)
        problem.update(message)
        problem.set_class(bool(message), "-shown")

    def _update_confirm(self) -> None:
        typed_ok = True
        if self._confirm_name is not None:
            typed = self.query_one("#typed", Input).value.strip()
            typed_ok = typed == self._confirm_name
        ready = self.preview is not None and typed_ok
        self.query_one("#confirm", Button).disabled = not ready

    @on(Input.Changed, "#typed")
    def _typed_changed(self) -> None:
        self._update_confirm()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        waiting = self.query_one("#confirm", Button).disabled
        if event.input.id == "reason" and waiting and self._confirm_name is not None:
            # Enter after the reason goes on to the name still to be typed.
            self.query_one("#typed", Input).focus()
            return
        self._confirm()

    @on(Button.Pressed, "#confirm")
    def _confirm_pressed(self) -> None:
        self._confirm()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def _confirm(self) -> None:
        if self.preview is None:
            return
        if self.query_one("#confirm", Button).disabled:
            self._problem(f"type {self._confirm_name} exactly to confirm")
            return
        reason = self.query_one("#reason", Input).value.strip()
        self.dismiss(Confirmation(self.preview, reason))

    def action_toggle_bodies(self) -> None:
        """Show or hide the JSON body of each DMS request."""
        self._bodies = not self._bodies
        self._show_calls()

    def action_cancel(self) -> None:
        """Close without writing anything."""
        self.dismiss(None)
