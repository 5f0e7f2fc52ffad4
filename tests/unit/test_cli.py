"""The command line as a user meets it: bad input gives one clear line and exit 2."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m cai_tui` with a clean environment of its own."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CAI_", "DMS_"))}
    base.pop("RESOURCE_SCOPE", None)
    base["CAI_LOG_FILE"] = str(cwd / "cai-tui.log")
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cai_tui", *args],
        cwd=cwd,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_bad_setting_stops_with_one_line(tmp_path: Path) -> None:
    result = run_cli("--org", "x", cwd=tmp_path, env={"RESOURCE_SCOPE": "Org"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "RESOURCE_SCOPE" in lines[0]
    assert "`user` or `organization`" in lines[0]
    assert "Traceback" not in result.stderr


def test_negative_refresh_period_is_refused(tmp_path: Path) -> None:
    result = run_cli("--org", "x", cwd=tmp_path, env={"CAI_REFRESH_SECONDS": "-5"})
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
