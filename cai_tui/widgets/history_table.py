"""A deployment's revision history: one row per revision, newest first."""

from datetime import datetime

from rich.text import Text
from textual.widgets import DataTable

from cai_tui.widgets.cells import age, short_uid, tags_text
from store.schemas import RevisionView

COLUMNS = (
    ("active", ""),
    ("revision", "revision"),
    ("status", "status"),
    ("creator", "by"),
    ("created", "when"),
    ("tags", "NIM tags"),
    ("changes", "changes"),
    ("note", "note"),
)


def note(revision: RevisionView) -> str:
    """Where a revision came from (a roll back) and why."""
    text = ""
    if revision.rolled_back_from:
        text = f"roll back of {short_uid(revision.rolled_back_from)}"
    if revision.reason:
        text = f"{text}: {revision.reason}" if text else revision.reason
    return text


class HistoryTable(DataTable[object]):
    """Revisions with what changed in each; marked ones (for a diff) are flagged."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """The history's columns."""
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def show(
        self, revisions: tuple[RevisionView, ...], now: datetime, marked: list[str]
    ) -> None:
        """Replace the rows, keeping the cursor on the same revision."""
        selected = None
        if self.row_count:
            selected = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        self.clear()
        for revision in revisions:
            active = revision.status == "active"
            self.add_row(
                self.flag(revision, marked),
                short_uid(revision.uid),
                Text(revision.status, style="green" if active else "dim"),
                revision.creator,
                age(revision.created_at, now),
                tags_text(revision.tags),
                revision.summary,
                note(revision),
                key=revision.uid,
            )
        if selected in {r.uid for r in revisions}:
            self.move_cursor(row=self.get_row_index(selected))

    @staticmethod
    def flag(revision: RevisionView, marked: list[str]) -> Text:
        """`●` for the active revision, then `1`/`2` when marked for the diff."""
        text = Text("●" if revision.status == "active" else " ", style="bold green")
        if revision.uid in marked:
            text.append(str(marked.index(revision.uid) + 1), style="bold reverse cyan")
        return text
