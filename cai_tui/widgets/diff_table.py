"""A side-by-side table of what differs between two revisions."""

import json
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from store.schemas import FieldChange, RevisionDiff

_KIND_STYLES = {"added": "green", "removed": "red", "changed": "yellow"}
VALUE_WIDTH = 28


def value_text(value: Any) -> str:
    """A JSON value as one short line; `-` where the field is absent."""
    if value is None:
        return "-"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    if len(text) > VALUE_WIDTH:
        return text[: VALUE_WIDTH - 1] + "…"
    return text


class DiffTable(DataTable[object]):
    """Each change on a row: target, field, the old value and the new one."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """The four columns of a side-by-side diff."""
        self.add_column("target", key="target")
        self.add_column("field", key="field")
        self.add_column("old", key="old")
        self.add_column("new", key="new")

    def show_diff(self, diff: RevisionDiff) -> None:
        """Replace the rows with the changes of `diff` (a hint row when none)."""
        self.clear()
        if diff.is_empty:
            self.add_row(Text("no differences", style="dim"), "", "", "")
            return
        for index, change in enumerate(diff.changes):
            self.add_row(*self._cells(change), key=str(index))

    @staticmethod
    def _cells(change: FieldChange) -> tuple[Text, Text, Text, Text]:
        style = _KIND_STYLES[change.kind]
        old, new = change.old, change.new
        if (
            change.field == "tag"
            and isinstance(old, str)
            and isinstance(new, str)
            and old.split(":", 1)[0] == new.split(":", 1)[0]
        ):
            # Both sides name the same NIM: the versions are what differ.
            old, new = old.split(":", 1)[-1], new.split(":", 1)[-1]
        field = change.field or ("whole target" if change.kind != "changed" else "")
        return (
            Text(change.target or change.path),
            Text(field or change.kind, style=style),
            Text(value_text(old), style="red" if old is not None else ""),
            Text(value_text(new), style="green" if new is not None else ""),
        )
