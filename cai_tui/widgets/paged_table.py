"""A DataTable that holds one page of a longer list and asks for its neighbours."""

from dataclasses import dataclass
from typing import Any

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable


class PagedTable(DataTable[Any]):
    """One page of rows; asks for the next or previous page at its edges.

    `pagedown`/`pageup` ask for another page, and so does moving the cursor past
    the last or first row. The owner loads the page and refills the table.
    """

    BINDINGS = [
        Binding("pagedown", "next_page", "Next page", id="next-page"),
        Binding("pageup", "previous_page", "Previous page", id="previous-page"),
    ]

    @dataclass
    class PageRequested(Message):
        """The user wants the page after (`forward`) or before the one shown."""

        table: "PagedTable"
        forward: bool

    def action_next_page(self) -> None:
        """Ask for the page after this one."""
        self.post_message(self.PageRequested(self, forward=True))

    def action_previous_page(self) -> None:
        """Ask for the page before this one."""
        self.post_message(self.PageRequested(self, forward=False))

    def action_cursor_down(self) -> None:
        """Move down, or ask for the next page from the last row."""
        if self.row_count and self.cursor_row >= self.row_count - 1:
            self.action_next_page()
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        """Move up, or ask for the previous page from the first row."""
        if self.row_count and self.cursor_row <= 0:
            self.action_previous_page()
            return
        super().action_cursor_up()
