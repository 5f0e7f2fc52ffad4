"""The base of every modal: `q` and ctrl+c quit from it as from any other screen.

A modal hides the app's own bindings from the keys pressed over it, so the quit
keys are bound again here. An Input takes `q` as a letter before any binding sees
it, so typing is never cut short; ctrl+c is a priority binding and always quits.
"""

from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class QuitModal(ModalScreen[ResultType]):
    """A modal screen from which the dashboard can be quit."""

    BINDINGS = [
        Binding("q", "app.quit", "Quit", show=False, id="quit-from-modal"),
        Binding(
            "ctrl+c",
            "app.quit",
            "Quit now",
            show=False,
            priority=True,
            id="quit-now-from-modal",
        ),
    ]
