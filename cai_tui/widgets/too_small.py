"""The message shown in place of a screen when the terminal is too small."""

from textual.widgets import Static

MIN_WIDTH = 60
MIN_HEIGHT = 16


class TooSmall(Static):
    """Says how big the terminal must be; shown only below the minimum size.

    The app's breakpoints add `-too-narrow` or `-too-short` to the screen, and the
    app stylesheet then hides every other child of the screen and shows this one.
    """

    DEFAULT_CSS = """
    TooSmall {
        display: none;
        width: 1fr;
        height: 1fr;
        content-align: center middle;
        text-align: center;
        text-style: bold;
        color: $warning;
    }
    """

    def __init__(self) -> None:
        super().__init__(
            f"terminal too small: resize to at least {MIN_WIDTH}x{MIN_HEIGHT}",
            id="too-small",
        )
