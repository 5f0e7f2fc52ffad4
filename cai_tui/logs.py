"""Logging to a file in the state directory, never to the terminal under the TUI."""

import logging
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(path: Path, *, level: int = logging.INFO, echo: bool = False) -> None:
    """Send log records to `path`; with `echo`, to standard error as well.

    A log file that cannot be written is not a reason to refuse to start: the
    problem is said once on standard error and the records are dropped.
    """
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:
        print(
            f"cai-tui: cannot write the log file {path} ({exc.strerror}); "
            "set CAI_LOG_FILE to a writable path. Continuing without a log.",
            file=sys.stderr,
        )
        file_handler = logging.NullHandler()
    file_handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(file_handler)

    if echo:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(stream)
