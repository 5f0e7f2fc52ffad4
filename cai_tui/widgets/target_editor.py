"""One target of a deploy form: its NIM version and the config of each service."""

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label

from cai_tui.widgets.service_editor import ServiceEditor, service_heading
from store.schemas import ServiceConfig, TargetConfig, TargetSpec, VersionView


class TargetEditor(Vertical):
    """A target's version button and one `ServiceEditor` per service."""

    DEFAULT_CSS = """
    TargetEditor {
        height: auto;
        margin-bottom: 1;
        /* A service line needs this much; a narrower form scrolls sideways. */
        min-width: 70;
    }
    TargetEditor .target-line {
        height: 1;
    }
    TargetEditor .target-line Label {
        width: auto;
        margin-right: 1;
    }
    TargetEditor .columns {
        color: $text-muted;
    }
    """

    @dataclass
    class PickVersion(Message):
        """The user asked to choose another version for this target."""

        editor: "TargetEditor"

    def __init__(
        self, nim: str | None, version: str | None, config: TargetConfig
    ) -> None:
        super().__init__()
        self.nim = nim
        self.version = version
        self.base = config

    @property
    def tag(self) -> str | None:
        """The chosen NIM tag, or None before one is chosen."""
        if self.nim is None or self.version is None:
            return None
        return f"{self.nim}:{self.version}"

    def compose(self) -> ComposeResult:
        """The version line, the headings, then a line per service."""
        with Horizontal(classes="target-line"):
            yield Label(f"target {self.nim}" if self.nim else "target")
            yield Button(self._button_label(), compact=True, classes="pick-version")
        yield service_heading()
        for name, service in self.base.services.items():
            yield ServiceEditor(name, service)

    def _button_label(self) -> str:
        return f"{self.tag} (change…)" if self.tag else "choose a NIM version…"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Ask the form to open the version picker."""
        event.stop()
        self.post_message(self.PickVersion(self))

    async def set_version(self, version: VersionView) -> None:
        """Deploy `version`: services follow its manifest, keeping edited values."""
        edited = self._edited_services()
        names = version.services or tuple(edited)
        services = {name: edited.get(name, ServiceConfig()) for name in names}
        self.base = self.base.model_copy(update={"services": services})
        self.nim, self.version = version.nim, version.version
        self.query_one(".target-line Label", Label).update(f"target {self.nim}")
        self.query_one(".pick-version", Button).label = self._button_label()
        await self.query(ServiceEditor).remove()
        await self.mount_all([ServiceEditor(n, s) for n, s in services.items()])

    def _edited_services(self) -> dict[str, ServiceConfig]:
        edited: dict[str, ServiceConfig] = {}
        for editor in self.query(ServiceEditor):
            valid = not editor.problems()
            edited[editor.service] = editor.config() if valid else editor.base
        return edited

    def problems(self) -> list[tuple[Input | Button, str]]:
        """What must be fixed before this target can be deployed."""
        if self.tag is None:
            button = self.query_one(".pick-version", Button)
            return [(button, "no NIM version chosen: press the button to choose one")]
        found: list[tuple[Input | Button, str]] = []
        for editor in self.query(ServiceEditor):
            found.extend(editor.problems())
        return found

    def spec(self) -> TargetSpec:
        """The target to deploy (call after `problems` found none)."""
        assert self.nim is not None and self.version is not None
        services = {e.service: e.config() for e in self.query(ServiceEditor)}
        config = self.base.model_copy(update={"services": services})
        return TargetSpec(nim=self.nim, version=self.version, config=config)
