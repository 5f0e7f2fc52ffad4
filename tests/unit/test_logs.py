"""The log file: one line per record whatever the text it carries."""

import logging
import sys
from pathlib import Path

from cai_tui.logs import FORMAT, OneLineFormatter, escape_controls, setup_logging


def record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    """A record of `store.local` at WARNING, with the current exception if `exc`."""
    return logging.LogRecord(
        "store.local",
        logging.WARNING,
        __file__,
        1,
        message,
        args,
        sys.exc_info() if exc else None,
    )


def test_a_name_with_a_newline_cannot_forge_a_record() -> None:
    forged = "inj\n2026-12-04 19:00:00,000 ERROR store.local: FORGED\x00"
    line = OneLineFormatter(FORMAT).format(record("refused %r as %s", "x", forged))
    assert "\n" not in line and "\x00" not in line
    assert line.endswith("inj\\n2026-12-04 19:00:00,000 ERROR store.local: FORGED\\x00")


def test_a_traceback_keeps_its_lines_after_the_escaped_message() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        line = OneLineFormatter(FORMAT).format(record("failed\nhere", exc=True))
    first, *rest = line.splitlines()
    assert first.endswith("failed\\nhere")
    assert rest[0] == "Traceback (most recent call last):"
    assert rest[-1] == "ValueError: boom"


def test_escaping_leaves_printable_text_alone() -> None:
    assert escape_controls("gpu-east · llm:v1 é") == "gpu-east · llm:v1 é"
    assert escape_controls("a\u2028b\x7f") == "a\\u2028b\\x7f"


def test_the_log_file_gets_one_line_per_record(
    tmp_path: Path, root_logging: None
) -> None:
    path = tmp_path / "logs" / "cai-tui.log"
    setup_logging(path)
    logging.getLogger("store.local").warning("refused %s", "bad\r\nname")
    logging.getLogger("store.local").info("second")
    for handler in logging.getLogger().handlers:
        handler.flush()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("refused bad\\r\\nname")


def test_an_unwritable_log_is_a_problem_said_not_a_failure(
    tmp_path: Path, root_logging: None
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    said: list[str] = []
    setup_logging(blocker / "cai-tui.log", on_problem=said.append)
    assert len(said) == 1
    assert str(blocker / "cai-tui.log") in said[0] and "CAI_LOG_FILE" in said[0]
    logging.getLogger("x").warning("dropped, not raised")
