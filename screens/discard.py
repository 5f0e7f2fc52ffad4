"""The Discard modal: asked before a form with edits is closed by Escape."""

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from screens.modal import QuitModal


class DiscardScreen(QuitModal[bool]):
    """Returns True to throw the form's edits away, False to go on editing.

    Keep editing is the button in focus, so a second Escape or Enter loses nothing.
    """

    DEFAULT_CSS = """
    DiscardScreen {
        align: center middle;
    }
    DiscardScreen #discard-box {
        width: 56;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    DiscardScreen #discard-buttons {
        height: auto;
        margin-top: 1;
    }
    DiscardScreen Button {
        margin-right: 2;
    }
    """
    BINDINGS = [
        Binding("escape,n", "answer(False)", "Keep editing", id="keep-editing"),
        Binding("y", "answer(True)", "Discard", id="discard-edits"),
    ]

    def __init__(self, what: str) -> None:
        """`what` names the form, such as `this roll out`."""
        super().__init__()
        self._what = what

    def compose(self) -> ComposeResult:
        """The question and its two answers."""
        with Vertical(id="discard-box"):
            yield Static(f"Discard {self._what}?", id="discard-title")
            yield Static("What you typed and chose in the form is lost.")
            with Horizontal(id="discard-buttons"):
                yield Button("Keep editing", variant="primary", id="keep")
                yield Button("Discard (y)", variant="error", id="discard")

    def on_mount(self) -> None:
        """The safe answer is the default."""
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed, "#keep")
    def _keep(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#discard")
    def _discard(self) -> None:
        self.dismiss(True)

    def action_answer(self, discard: bool) -> None:
        """Close with the answer."""
        self.dismiss(discard)
