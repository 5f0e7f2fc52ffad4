"""The demo: a throw-away store seeded by replaying the history shipped here.

`history.jsonl` is written by `generate.py`. `cai-tui --demo` replays it into a fresh
SQLite store in a temporary folder, with the embedded DMS simulator, then opens the
dashboard on it; the folder is removed when the dashboard quits.
"""

import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cai_tui.settings import Settings

if TYPE_CHECKING:
    from store.interface import Store
    from store.schemas import Caller

HISTORY = Path(__file__).with_name("history.jsonl")

DEMO_ORG = "default"
"""The organization that holds most of the demo's data (another holds a little, to
show that organizations do not see each other's)."""

log = logging.getLogger(__name__)


class DemoOpener:
    """Seeds a fresh demo store on first use, then opens it for a caller."""

    def __init__(self, settings: Settings) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="cai-tui-demo-")
        root = Path(self._folder.name)
        self.settings = settings.model_copy(
            update={
                "cai_store": str(root / "demo.db"),
                "cai_sim_store": str(root / "dms-sim.db"),
                "dms_url": "",
                "dms_host": "",
            }
        )
        self._seeded = False

    def __call__(self, caller: "Caller") -> "Store":
        from cai_tui.cli import LocalOpener

        if not self._seeded:
            self.seed()
        return LocalOpener(self.settings)(caller)

    def seed(self) -> list[str]:
        """Replay the demo history into the fresh store; return the unmet lines."""
        from cai_tui.replay import in_process, load_requests, replay
        from cai_tui.server.run import build_app
        from store.clock import PinnedClock

        clock = PinnedClock()
        app = build_app(self.settings, clock=clock)
        try:
            with in_process(app) as send:
                outcomes = replay(
                    load_requests(HISTORY), send, before=lambda r: clock.pin(r.at)
                )
        finally:
            app.state.close()
        unmet = [o.describe() for o in outcomes if not o.met]
        if unmet:
            log.warning("demo history: %d unmet lines: %s", len(unmet), unmet)
        self._seeded = True
        return unmet

    def cleanup(self) -> None:
        """Remove the demo store and the simulator's file."""
        self._folder.cleanup()
