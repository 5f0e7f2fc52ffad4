"""The base of every screen that reads the store."""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from textual.screen import Screen
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState, get_current_worker

from cai_tui.widgets.messages import StoreAnswered, WorkFailed
from cai_tui.widgets.too_small import TooSmall
from screens.context import ScreenContext


class StoreScreen(Screen[None]):
    """A screen that loads its data from the store in thread workers.

    Subclasses implement `reload`; the app calls `refresh_data` on the visible
    screen every `CAI_REFRESH_SECONDS`. Failed workers go to the app as `WorkFailed`.
    """

    def __init__(self, context: ScreenContext) -> None:
        super().__init__()
        self.context = context

    def on_mount(self) -> None:
        """Add the too-small message, which the app stylesheet shows when needed."""
        self.mount(TooSmall())

    def reload(self, *, quiet: bool = False) -> None:
        """Load the data again; `quiet` skips the loading indicator."""

    def refresh_data(self) -> None:
        """Follow the store (and the DMS) without disturbing the user."""
        self.reload(quiet=True)

    def deliver(self, callback: Callable[..., None], *args: Any) -> None:
        """From a thread worker: run `callback` on the UI thread unless cancelled."""
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self._apply, callback, *args)

    def _apply(self, callback: Callable[..., None], *args: Any) -> None:
        self.app.post_message(StoreAnswered())
        # The screen may have been closed while the worker ran.
        if self.is_attached:
            callback(*args)

    def refill(
        self, table: DataTable[Any], rows: Iterable[tuple[str, Sequence[object]]]
    ) -> None:
        """Replace a table's rows (key, cells), keeping the cursor on the same row."""
        selected = self.selected_key(table)
        table.loading = False
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=key)
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))

    @staticmethod
    def selected_key(table: DataTable[object]) -> str | None:
        """The key of the row under the table's cursor; None when it is empty."""
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Hand a failed worker's error to the app, and stop any loading indicator."""
        if event.state != WorkerState.ERROR:
            return
        for table in self.query(DataTable):
            table.loading = False
        error = event.worker.error
        if error is not None:
            self.app.post_message(WorkFailed(error, event.worker.description))
