"""Pictures of a store that cannot be opened, filtered NIMs and an old revision.

The clock and ids are fixed, so a picture changes only when the screen does.
"""

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from screens.clusters import ClustersScreen
from screens.deployment import DeploymentScreen
from screens.deployments import DeploymentsScreen
from screens.nims import NimsScreen
from store.clock import PinnedClock
from tests.snapshots.test_screens import SIZES, SnapCompare, on, pick, press, steps
from tests.ui.app_factory import MakeApp, ops_oncall
from tests.ui.fresh_store import FileStoreOpener, fresh_app
from tests.ui.pilot_helpers import wait_until


@pytest.mark.parametrize("size", SIZES)
def test_store_that_cannot_be_opened(
    snap_compare: SnapCompare,
    tmp_path: Path,
    pinned_clock: PinnedClock,
    monkeypatch: pytest.MonkeyPatch,
    size: Any,
) -> None:
    """A CAI_STORE that is a text file: the opening screen says it could not be
    opened and why (not a database), with no spinner, and offers r to retry."""
    monkeypatch.chdir(tmp_path)
    Path("cai.db").write_text("these are notes, not a database\n" * 100)
    opener = FileStoreOpener(Path("cai.db"), pinned_clock)
    app = fresh_app(opener, tmp_path)

    async def failed(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: app.open_error is not None)

    try:
        assert snap_compare(app, terminal_size=size, run_before=failed)
    finally:
        opener.close()


@pytest.mark.parametrize("size", SIZES)
def test_filtered_nims(snap_compare: SnapCompare, make_app: MakeApp, size: Any) -> None:
    """Only the NIMs whose name contains `router`, the filter in the input, the
    heading `Compound NIMs matching `router`: 3`, and the table focused."""
    app = make_app(ops_oncall("organization"))
    run = steps(
        on(ClustersScreen),
        press("n"),
        on(NimsScreen),
        press("slash", *"router"),
        press("enter"),
    )
    assert snap_compare(app, terminal_size=size, run_before=run)


def test_inactive_revision_resources(
    snap_compare: SnapCompare, make_app: MakeApp
) -> None:
    """The second revision of trtllm-agg-router-canary-6 chosen in the history: its
    DMS resources read `deleted` (dim), not the state they had while active."""
    app = make_app(ops_oncall())
    run = steps(
        on(ClustersScreen),
        pick("us-west-h100"),
        press("enter"),
        on(DeploymentsScreen),
        press("enter"),
        on(DeploymentScreen),
        press("down", "t", "end"),
    )
    assert snap_compare(app, terminal_size=(120, 36), run_before=run)
