"""Start-up through the command line's setup, read after the first frame."""

import os
from pathlib import Path

import pytest

from cai_tui.app import CaiApp
from cai_tui.cli import CommandLineSetup, build_parser
from screens.clusters import ClustersScreen
from tests.ui.pilot_helpers import wait_for_screen, wait_until

pytestmark = pytest.mark.anyio


@pytest.fixture
def clean_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, root_logging: None
) -> Path:
    """No setting from the developer's environment or `.env`; the root logger put
    back afterwards (the setup points it at the log file)."""
    for key in list(os.environ):
        if key.startswith(("CAI_", "DMS_")) or key == "RESOURCE_SCOPE":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAI_STORE", str(tmp_path / "cai.db"))
    monkeypatch.setenv("CAI_SIM_STORE", str(tmp_path / "sim.db"))
    return tmp_path


def dashboard(*argv: str) -> CaiApp:
    """The app `cai-tui ARGV` runs."""
    return CaiApp(CommandLineSetup(build_parser().parse_args(list(argv))))


async def test_a_bad_setting_ends_the_dashboard_with_one_line(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAI_DMS_CONCURRENCY", "many")
    app = dashboard("--org", "x")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 2
    assert app.farewell is not None
    assert app.farewell.startswith("cai-tui: setting CAI_DMS_CONCURRENCY")
    assert "\n" not in app.farewell


async def test_an_unwritable_log_file_is_a_notice_in_the_dashboard(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = clean_environment / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("CAI_LOG_FILE", str(blocker / "cai-tui.log"))
    app = dashboard("--org", "nv-inference", "--user", "ops-oncall")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        messages = [n.message for n in app._notifications]
        assert any("cannot write the log file" in m for m in messages)
        assert app.return_code is None


async def test_an_unreadable_dotenv_line_is_a_notice_in_the_dashboard(
    clean_environment: Path,
) -> None:
    (clean_environment / ".env").write_text('RESOURCE_SCOPE="organization\n')
    app = dashboard("--org", "nv-inference", "--user", "ops-oncall")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        messages = [n.message for n in app._notifications]
        assert any(".env file in this folder has a line" in m for m in messages)
        assert "user scope" in app.title, "the line was skipped"
