"""The app's first screen: the store is opening, or why it could not be opened."""

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import LoadingIndicator, Static


class Opening(Vertical):
    """A spinner while the store opens; after a failure, why, and the retry key."""

    DEFAULT_CSS = """
    Opening {
        height: 1fr;
    }
    Opening #opening-problem {
        display: none;
        height: auto;
        padding: 0 2;
        text-align: center;
    }
    Opening.-failed #opening-problem {
        display: block;
    }
    Opening.-failed LoadingIndicator {
        display: none;
    }
    """

    def compose(self) -> ComposeResult:
        """The title line, the reason of a failure, and the spinner."""
        yield Static("Opening the store…", id="opening")
        yield Static("", id="opening-problem")
        yield LoadingIndicator()

    def show_opening(self) -> None:
        """A new attempt is under way."""
        self.query_one("#opening", Static).update("Opening the store…")
        self.remove_class("-failed")

    def show_failed(self, message: str, hint: str, retry_seconds: float) -> None:
        """The last attempt failed: say why, and how it will be tried again."""
        self.query_one("#opening", Static).update("The store could not be opened")
        problem = Text(message, style="bold red")
        if hint:
            problem.append(f"\n\n{hint}", style="dim")
        problem.append(
            f"\n\nPress r to try again (it is retried every {retry_seconds:g} s), "
            "or q to quit."
        )
        self.query_one("#opening-problem", Static).update(problem)
        self.add_class("-failed")
