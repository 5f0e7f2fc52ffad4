"""How domain values appear in tables and panes: coloured statuses, relative ages."""

from datetime import datetime

from rich.text import Text

_STATUS_STYLES = {
    "running": "bold green",
    "deploying": "yellow",
    "image-building": "yellow",
    "terminating": "yellow",
    "unhealthy": "bold red",
    "failed": "bold red",
    "image-build-failed": "bold red",
    "terminated": "dim",
    "non-deployed": "dim",
    "unknown": "dim italic",
}

_BUILD_STYLES = {
    "success": "green",
    "building": "yellow",
    "pending": "dim",
    "failed": "bold red",
}


def status_text(status: str | None) -> Text:
    """A deployment or resource state, coloured by how serious it is."""
    if status is None:
        return Text("-", style="dim")
    return Text(status, style=_STATUS_STYLES.get(status, ""))


def build_status_text(status: str) -> Text:
    """An image build status, coloured."""
    return Text(status, style=_BUILD_STYLES.get(status, ""))


def age(then: datetime | None, now: datetime) -> str:
    """How long ago `then` was, in the largest whole unit: `3d ago`, `5m ago`."""
    if then is None:
        return "-"
    seconds = int((now - then).total_seconds())
    if seconds < 0:
        return "in the future"
    if seconds < 60:
        return "just now"
    for size, unit in ((86400 * 365, "y"), (86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"  # unreachable: 60 s and more match the minutes above


def duration(seconds: float) -> str:
    """A length of time in its largest whole unit: `15m`, `2h`."""
    whole = int(seconds)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if whole >= size:
            return f"{whole // size}{unit}"
    return f"{whole}s"


def short_uid(uid: str | None) -> str:
    """The last 8 hex digits of a uid, enough to tell revisions apart on screen."""
    if not uid:
        return "-"
    return uid.replace("-", "")[-8:]


def tags_text(tags: tuple[str, ...]) -> str:
    """NIM tags joined for one cell."""
    return ", ".join(tags) if tags else "-"
