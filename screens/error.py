"""The Error modal: what went wrong, in one line, and what to do about it."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Static

from screens.modal import QuitModal


class ErrorScreen(QuitModal[None]):
    """Shows a problem and its fix; never a traceback (that goes to the log)."""

    CSS_PATH = "error.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="close-error"),
        Binding("enter", "close", "Close", show=False, id="close-error-enter"),
    ]

    def __init__(
        self, title: str, message: str, hint: str = "", *, store_down: bool = False
    ) -> None:
        """`store_down`: the modal says the store cannot be reached, and closes by
        itself once it answers again."""
        super().__init__()
        self.store_down = store_down
        self._title = title
        self._message = message
        self._hint = hint

    def compose(self) -> ComposeResult:
        """Title, message, hint and a close button."""
        with Vertical(id="error"):
            yield Static(self._title, id="error-title")
            yield Static(self._message, id="error-message")
            if self._hint:
                yield Static(self._hint, id="error-hint")
            yield Button("Close", variant="error", id="close")

    def on_button_pressed(self) -> None:
        """The only button closes."""
        self.dismiss(None)

    def action_close(self) -> None:
        """Close the modal."""
        self.dismiss(None)
