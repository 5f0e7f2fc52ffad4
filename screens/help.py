"""The Help modal: every key of the screen below, and the global ones."""

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from cai_tui.widgets.commands import described_bindings, shadowed_bindings
from screens.modal import QuitModal


@dataclass(frozen=True)
class KeyHelp:
    """One key and what it does."""

    key: str
    description: str
    is_global: bool


class HelpScreen(QuitModal[None]):
    """Lists keys: the screen's first, then the app's."""

    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="close-help"),
        Binding("question_mark", "close", "Close", show=False, id="close-help-key"),
    ]

    def __init__(self, title: str, keys: list[KeyHelp]) -> None:
        super().__init__()
        self._title = title
        self._keys = keys

    @classmethod
    def of(cls, screen: Screen[object]) -> "HelpScreen":
        """The help of `screen`: its keys, including those a focused table hides."""
        app, active = screen.app, screen.active_bindings
        keys = [
            KeyHelp(
                app.get_key_display(entry.binding) or key,
                entry.binding.description,
                is_global=entry.node is app,
            )
            for key, entry in described_bindings(active)
        ]
        keys.extend(
            KeyHelp(app.get_key_display(binding), binding.description, False)
            for binding in shadowed_bindings(screen, active)
        )
        title = type(screen).__name__.removesuffix("Screen") or "the app"
        return cls(title, keys)

    def compose(self) -> ComposeResult:
        """A table of keys in a bordered box."""
        with VerticalScroll(id="help"):
            yield Static(f"Keys of {self._title}", id="help-title")
            yield DataTable(id="keys", cursor_type="row", show_cursor=False)
            yield Static("escape or ? closes this help", id="help-hint")

    def on_mount(self) -> None:
        """Fill the table: screen keys first, then global ones."""
        table = self.query_one(DataTable)
        table.add_column("key", key="key")
        table.add_column("does", key="does")
        table.add_column("where", key="where")
        ordered = sorted(self._keys, key=lambda k: (k.is_global, k.description))
        for item in ordered:
            table.add_row(
                item.key, item.description, "global" if item.is_global else "screen"
            )

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
