"""Column widths that fit a table into the terminal, and cells clipped to them."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text


@dataclass(frozen=True)
class FitColumn:
    """A column to fit: its header (with any sort arrow) and its narrowest content."""

    key: str
    header: str
    floor: int = 4
    """Content is never cut narrower than this (nor than the header)."""

    @property
    def least(self) -> int:
        """The narrowest this column may get: the header is never cut."""
        return max(self.floor, cell_len(self.header))


def fit_widths(
    columns: Sequence[FitColumn],
    wanted: Mapping[str, int],
    available: int,
    *,
    shrink_first: Sequence[str],
    fill: str,
) -> dict[str, int]:
    """The content width of each column so that together they take `available`.

    Each column asks for its widest content (or its header); while they are too
    wide, the `shrink_first` columns give up width in turn down to their least.
    The `fill` column takes whatever width remains.
    """
    widths = {c.key: max(wanted.get(c.key, 0), c.least) for c in columns}
    least = {c.key: c.least for c in columns}

    excess = sum(widths.values()) - available
    for key in shrink_first:
        if excess <= 0:
            break
        cut = min(excess, widths[key] - least[key])
        widths[key] -= cut
        excess -= cut

    if excess < 0:
        widths[fill] -= excess
    return widths


def clip(value: str | Text, width: int) -> Text:
    """`value` on one line, cut to `width` cells with an ellipsis when longer."""
    text = value.copy() if isinstance(value, Text) else Text(value)
    text.truncate(width, overflow="ellipsis")
    return text


def clip_middle(value: str | Text, width: int) -> Text:
    """`value` cut in the middle to `width` cells: names that share a long prefix
    (`trtllm-agg-router-canary-6`, `...-canary-9`) stay apart by their ends."""
    text = value.copy() if isinstance(value, Text) else Text(value)
    if text.cell_len <= width or width < 5:
        return clip(text, width)
    plain = text.plain
    tail = (width - 1) // 2
    head = width - 1 - tail
    return Text(plain[:head] + "…" + plain[len(plain) - tail :], style=text.style)
