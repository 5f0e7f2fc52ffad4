"""How loudly failures are told: once a minute each, traces only for bugs."""

from pathlib import Path

from screens.failures import RepeatFilter, describe_failure
from store.errors import Unavailable


def test_the_same_failure_is_told_once_a_minute() -> None:
    now = [100.0]
    gate = RepeatFilter(seconds=60, clock=lambda: now[0])
    assert gate.admit("the CAI API is unreachable")
    now[0] += 5
    assert not gate.admit("the CAI API is unreachable")
    assert gate.admit("another failure")
    now[0] += 61
    assert gate.admit("the CAI API is unreachable")
    assert not gate.admit("the CAI API is unreachable")


def test_only_unexpected_errors_keep_a_trace_in_the_log(tmp_path: Path) -> None:
    down = describe_failure(Unavailable("store down"), "loading", tmp_path / "log")
    assert down.modal and down.trace is None
    bug = ValueError("boom")
    unexpected = describe_failure(bug, "loading", tmp_path / "log")
    assert unexpected.trace is bug
    assert str(tmp_path / "log") in unexpected.hint
