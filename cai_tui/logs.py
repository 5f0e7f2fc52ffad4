"""Logging to a file in the state directory, never to the terminal under the TUI."""

import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """`text` with every control character written as its escape (`\\n`, `\\x00`)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


class OneLineFormatter(logging.Formatter):
    """Keeps each record's message on its one line.

    Messages carry text from requests (a refused name, say); a newline in it would
    start what reads as another record. Control characters in the message are
    escaped; a traceback, added after the message, keeps its lines.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record, its message escaped."""
        saved = record.msg, record.args
        record.msg, record.args = escape_controls(record.getMessage()), None
        try:
            return super().format(record)
        finally:
            record.msg, record.args = saved


def say_on_stderr(problem: str) -> None:
    """Print a problem for the user on standard error."""
    print(problem, file=sys.stderr)


def setup_logging(
    path: Path,
    *,
    level: int = logging.INFO,
    echo: bool = False,
    on_problem: Callable[[str], None] = say_on_stderr,
) -> None:
    """Send log records to `path`; with `echo`, to standard error as well.

    A log file that cannot be written is not a reason to refuse to start: the
    problem goes once to `on_problem` (standard error unless told otherwise; the
    dashboard shows it as a notice) and the records are dropped.
    """
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:
        on_problem(
            f"cai-tui: cannot write the log file {path} ({exc.strerror}); "
            "set CAI_LOG_FILE to a writable path. Continuing without a log."
        )
        file_handler = logging.NullHandler()
    file_handler.setFormatter(OneLineFormatter(FORMAT))
    root.addHandler(file_handler)

    if echo:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(OneLineFormatter(FORMAT))
        root.addHandler(stream)
