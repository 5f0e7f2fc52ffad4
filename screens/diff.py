"""The Diff modal: two revisions side by side, every field that differs."""

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from cai_tui.widgets.cells import short_uid, tags_text
from cai_tui.widgets.diff_table import DiffTable
from screens.modal import QuitModal
from store.diff import diff_revisions, summarize
from store.schemas import RevisionView


class DiffScreen(QuitModal[None]):
    """What changed from an older revision to a newer one."""

    CSS_PATH = "diff.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="close-diff"),
        Binding("v", "close", "Close", show=False, id="close-diff-key"),
    ]

    def __init__(self, old: RevisionView, new: RevisionView) -> None:
        super().__init__()
        self.old = old
        self.new = new
        self.diff = diff_revisions(old, new)

    def compose(self) -> ComposeResult:
        """Both revisions' tags, the one-line summary and the table of changes."""
        with Vertical(id="diff-box"):
            yield Static(
                f"Revision {short_uid(self.old.uid)} -> {short_uid(self.new.uid)}",
                id="diff-title",
            )
            yield Static(self._sides(), id="sides")
            yield DiffTable(id="changes")
            yield Static("escape closes", id="diff-hint")

    def _sides(self) -> Text:
        return Text.assemble(
            ("old ", "dim"),
            (short_uid(self.old.uid), "red"),
            f"  {tags_text(self.old.tags)}\n",
            ("new ", "dim"),
            (short_uid(self.new.uid), "green"),
            f"  {tags_text(self.new.tags)}\n",
            (summarize(self.diff), "italic"),
        )

    def on_mount(self) -> None:
        """Fill the table of changes."""
        table = self.query_one(DiffTable)
        table.show_diff(self.diff)
        table.focus()

    def action_close(self) -> None:
        """Close the diff."""
        self.dismiss(None)
