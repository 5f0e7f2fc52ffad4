"""The Deploy form modal: create a deployment, or roll out a new revision.

Each target gets a version (from the version picker) and per service its replicas
and resource requests and limits, prefilled from the version's services. Problems
are shown inline, naming the field and the fix; nothing typed is lost when a check
or the store refuses. Enter (or the button) opens the preview of the write.
"""

from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from cai_tui.widgets.target_editor import TargetEditor
from cai_tui.widgets.validators import Label1035
from screens.context import ScreenContext
from screens.modal import QuitModal
from screens.preview import Confirmation, PreviewScreen
from screens.version_picker import VersionPickerScreen
from store.schemas import TargetConfig, TargetSpec, VersionView, WritePreview

MAX_PROBLEMS_SHOWN = 3


@dataclass(frozen=True)
class Draft:
    """What the form holds: a deployment's name and namespace, its targets, and the
    cluster it is created in."""

    name: str
    namespace: str
    targets: tuple[TargetSpec, ...]
    cluster: str = ""


@dataclass(frozen=True)
class DeployRequest:
    """A draft the user previewed and confirmed."""

    draft: Draft
    confirmation: Confirmation


Previewer = Callable[[Draft], WritePreview]
"""Asks the store for the dry run of a draft; called in a thread worker."""


def _name_field(
    field: str, value: str, placeholder: str = "", *, kind: str = ""
) -> Horizontal:
    """A labelled one-line input `#<field>` for a name checked as an RFC 1035
    label (of a `kind`, the field's name unless told)."""
    return Horizontal(
        Label(field),
        Input(
            value,
            placeholder=placeholder,
            id=field,
            validators=[Label1035(kind or field)],
            compact=True,
        ),
        classes="field",
    )


class DeployFormScreen(QuitModal[DeployRequest | None]):
    """Edits a draft; returns it with the user's confirmation of its preview."""

    CSS_PATH = "deploy_form.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-form"),
        Binding("ctrl+s", "preview", "Preview", id="preview-write"),
    ]

    def __init__(
        self,
        context: ScreenContext,
        draft: Draft,
        previewer: Previewer,
        *,
        title: str,
        verb: str,
        creating: bool = False,
        choose_cluster: bool = False,
    ) -> None:
        """`creating` asks for a name and namespace; `choose_cluster` also for the
        cluster (creating from the deployments of every cluster)."""
        super().__init__()
        self.context = context
        self.draft = draft
        self._previewer = previewer
        self._title = title
        self._verb = verb
        self.creating = creating
        self.choose_cluster = creating and choose_cluster

    def compose(self) -> ComposeResult:
        """Name and namespace (when creating), the targets, problems and buttons."""
        with Vertical(id="form"):
            yield Static(self._title, id="form-title")
            with VerticalScroll(id="form-body"):
                if self.choose_cluster:
                    yield _name_field(
                        "cluster", self.draft.cluster, "a cluster name, such as default"
                    )
                if self.creating:
                    yield _name_field(
                        "name",
                        self.draft.name,
                        "an RFC 1035 label, such as llm-canary",
                        kind="deployment",
                    )
                    yield _name_field("namespace", self.draft.namespace)
                targets = self.draft.targets or (TargetSpec(nim="", version=""),)
                for target in targets:
                    yield TargetEditor(
                        target.nim or None,
                        target.version or None,
                        target.config if target.nim else TargetConfig(),
                    )
            yield Static("", id="problems")
            with Horizontal(id="buttons"):
                yield Button(
                    f"Preview {self._verb.lower()}…", variant="primary", id="go"
                )
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Start where the user types first."""
        first = self.query(Input).first() if self.query(Input) else None
        if first is not None:
            first.focus()
        else:
            self.query_one("#go", Button).focus()
        self._as_opened = self._contents()

    def _contents(self) -> tuple[object, ...]:
        """What the user can change: every field's text and every chosen version."""
        typed = tuple(field.value for field in self.query(Input))
        return typed + tuple(editor.tag for editor in self.query(TargetEditor))

    # --- the version picker ----------------------------------------------------------

    @on(TargetEditor.PickVersion)
    def _pick_version(self, event: TargetEditor.PickVersion) -> None:
        editor = event.editor

        async def chosen(version: VersionView | None) -> None:
            if version is not None:
                await editor.set_version(version)

        picker = VersionPickerScreen(self.context, editor.nim, current=editor.tag)
        self.app.push_screen(picker, chosen)

    # --- checking and previewing -----------------------------------------------------

    def _problems(self) -> list[tuple[Widget, str]]:
        found: list[tuple[Widget, str]] = []
        for field in self.query("#cluster, #name, #namespace").results(Input):
            result = field.validate(field.value.strip())
            if result is not None and not result.is_valid:
                found.append((field, result.failures[0].description or "invalid"))
        for editor in self.query(TargetEditor):
            found.extend(editor.problems())
        return found

    def _show_problems(self, found: list[tuple[Widget, str]]) -> None:
        lines = [message for _, message in found[:MAX_PROBLEMS_SHOWN]]
        if len(found) > MAX_PROBLEMS_SHOWN:
            lines.append(f"and {len(found) - MAX_PROBLEMS_SHOWN} more")
        problems = self.query_one("#problems", Static)
        problems.update("\n".join(lines))
        problems.set_class(bool(lines), "-shown")

    @on(Input.Changed)
    def _recheck(self) -> None:
        # Problems on show follow the edits, so a fixed one does not linger.
        if self.query_one("#problems", Static).has_class("-shown"):
            self._show_problems(self._problems())

    def current_draft(self) -> Draft:
        """The draft as typed (call after `_problems` found none)."""
        name = self.draft.name
        namespace = self.draft.namespace
        cluster = self.draft.cluster
        if self.choose_cluster:
            cluster = self.query_one("#cluster", Input).value.strip()
        if self.creating:
            name = self.query_one("#name", Input).value.strip()
            namespace = self.query_one("#namespace", Input).value.strip()
        targets = tuple(e.spec() for e in self.query(TargetEditor))
        return Draft(name=name, namespace=namespace, targets=targets, cluster=cluster)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_preview()

    @on(Button.Pressed, "#go")
    def _go(self) -> None:
        self.action_preview()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    def action_preview(self) -> None:
        """Check the form, then show the preview of the write."""
        found = self._problems()
        self._show_problems(found)
        if found:
            found[0][0].focus()
            return
        draft = self.current_draft()
        self.draft = draft

        def confirmed(confirmation: Confirmation | None) -> None:
            if confirmation is not None:
                self.dismiss(DeployRequest(draft, confirmation))

        preview = PreviewScreen(
            self._title, lambda: self._previewer(draft), verb=self._verb
        )
        self.app.push_screen(preview, confirmed)

    def action_cancel(self) -> None:
        """Close without writing anything; after edits, only once the user agrees
        to lose them."""
        if self._contents() == self._as_opened:
            self.dismiss(None)
            return
        from screens.discard import DiscardScreen

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        what = "this new deployment" if self.creating else f"this {self._verb.lower()}"
        self.app.push_screen(DiscardScreen(what), answered)
