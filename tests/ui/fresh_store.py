"""A dashboard over a store file of its own, opened the way the command line does."""

from pathlib import Path

from cai_tui.app import CaiApp, Setup
from cai_tui.dms.simulator import Simulator
from cai_tui.settings import load_settings
from store.clock import PinnedClock
from store.database import Database
from store.local import LocalStore
from store.schemas import Caller
from tests.ui.app_factory import ops_oncall

BUSY_TIMEOUT = 0.2
"""Seconds a locked store is waited on: short, so a failed open is quick."""


class FileStoreOpener:
    """Opens a LocalStore over `path` for a caller; counts the attempts."""

    def __init__(self, path: Path, clock: PinnedClock) -> None:
        self.path = path
        self.clock = clock
        self.attempts = 0
        self.databases: list[Database] = []

    def __call__(self, caller: Caller) -> LocalStore:
        """Open the database (which may fail) and the store over it."""
        self.attempts += 1
        database = Database.open(f"sqlite:///{self.path}", busy_timeout=BUSY_TIMEOUT)
        self.databases.append(database)
        simulator = Simulator(self.path.with_name("dms-sim.db"), clock=self.clock)
        return LocalStore(database, caller, simulator, clock=self.clock)

    def close(self) -> None:
        """Release every database opened."""
        for database in self.databases:
            database.dispose()


def fresh_app(
    opener: FileStoreOpener,
    tmp_path: Path,
    *,
    refresh_seconds: float = 3600,
    read_only: bool = False,
) -> CaiApp:
    """The dashboard for ops-oncall over `opener`'s store."""
    settings = load_settings(
        cai_org="nv-inference",
        cai_user="ops-oncall",
        cai_refresh_seconds=refresh_seconds,
        cai_read_only=read_only,
        cai_log_file=str(tmp_path / "cai-tui.log"),
    )
    return CaiApp(Setup(settings, opener, ops_oncall()), clock=opener.clock)
