"""The command line as a user meets it: bad input gives one clear line and exit 2."""

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest


def cli_env(cwd: Path, env: dict[str, str] | None) -> dict[str, str]:
    """The environment without the developer's settings, logging into `cwd`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CAI_", "DMS_"))}
    base.pop("RESOURCE_SCOPE", None)
    base["CAI_LOG_FILE"] = str(cwd / "cai-tui.log")
    base.update(env or {})
    return base


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m cai_tui` with a clean environment of its own."""
    return subprocess.run(
        [sys.executable, "-m", "cai_tui", *args],
        cwd=cwd,
        env=cli_env(cwd, env),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


LEAVE_ALTERNATE_SCREEN = "\x1b[?1049l"
ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[=>])")


def run_dashboard(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the dashboard on an 80x24 pseudo-terminal, as from a shell. `stderr` is
    what the terminal shows once the dashboard has restored it (escape sequences
    removed); `stdout` everything written to the terminal."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    screen = bytearray()

    def drain() -> None:
        # The dashboard blocks on a full terminal unless someone reads it.
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                return
            if not chunk:
                return
            screen.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "cai_tui", *args],
            cwd=cwd,
            env={**cli_env(cwd, env), "TERM": "xterm-256color"},
            stdin=terminal,
            stdout=terminal,
            stderr=terminal,
            timeout=60,
        )
    finally:
        os.close(terminal)
        reader.join(timeout=5)
        os.close(controller)
    shown = screen.decode(errors="replace")
    after = shown.rpartition(LEAVE_ALTERNATE_SCREEN)[2]
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        stdout=shown,
        stderr=ESCAPE.sub("", after).replace("\r\n", "\n"),
    )


def test_dashboard_loads_no_heavy_module_before_its_first_frame() -> None:
    """What `cai-tui` imports to draw its first frame: no pydantic, SQLAlchemy,
    httpx or FastAPI (they load after it, with the settings and the store)."""
    probe = (
        "import sys, cai_tui.app, cai_tui.cli\n"
        "heavy = ('pydantic', 'pydantic_settings', 'sqlalchemy', 'httpx', 'fastapi')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_bad_setting_stops_with_one_line(tmp_path: Path) -> None:
    result = run_dashboard("--org", "x", cwd=tmp_path, env={"RESOURCE_SCOPE": "Org"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "RESOURCE_SCOPE" in lines[0]
    assert "`user` or `organization`" in lines[0]
    assert "Traceback" not in result.stderr


def test_negative_refresh_period_is_refused(tmp_path: Path) -> None:
    result = run_dashboard(
        "--org", "x", cwd=tmp_path, env={"CAI_REFRESH_SECONDS": "-5"}
    )
    assert result.returncode == 2
    assert "CAI_REFRESH_SECONDS" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_in_dotenv_is_named(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CAI_DMS_CONCURRENCY=many\nUNRELATED=1\n")
    result = run_cli("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 2
    assert "CAI_DMS_CONCURRENCY" in result.stderr


def test_unknown_scope_flag_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("--scope", "Org", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'Org'" in result.stderr


@pytest.mark.parametrize("content", [b"this is not a database at all" * 200, b""])
def test_non_database_store_is_refused_clearly(tmp_path: Path, content: bytes) -> None:
    store = tmp_path / "notes.db"
    store.write_bytes(content or b"\x00garbage\x00" * 500)
    result = run_cli("db", "upgrade", cwd=tmp_path, env={"CAI_STORE": str(store)})
    assert result.returncode == 2
    assert str(store) in result.stderr
    assert "Traceback" not in result.stderr
    assert store.read_bytes() == (content or b"\x00garbage\x00" * 500)


def test_db_upgrade_creates_a_fresh_store(tmp_path: Path) -> None:
    store = tmp_path / "fresh" / "cai.db"
    result = run_cli("db", "upgrade", cwd=tmp_path, env={"CAI_STORE": str(store)})
    assert result.returncode == 0, result.stderr
    assert "latest schema" in result.stdout
    assert store.exists()


@pytest.mark.parametrize("url", ["foo://bar", "mysql://127.0.0.1:1/x"])
def test_an_unsupported_database_url_is_one_line(tmp_path: Path, url: str) -> None:
    result = run_cli("db", "upgrade", cwd=tmp_path, env={"CAI_STORE": url})
    assert result.returncode == 2
    assert "is not supported: CAI_STORE takes" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_store_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "store-folder"
    folder.mkdir()
    result = run_cli("db", "upgrade", cwd=tmp_path, env={"CAI_STORE": str(folder)})
    assert result.returncode == 2
    assert "is not a file" in result.stderr
