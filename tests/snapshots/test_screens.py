"""Pictures of every screen on the replayed fixture, at 120x36 and 80x24.

The clock and ids are fixed, so a picture changes only when the screen does.
"""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Footer
from textual.widgets._footer import FooterKey

from screens.clusters import ClustersScreen
from screens.deployment import DeploymentScreen
from screens.deployments import DeploymentsScreen
from screens.error import ErrorScreen
from screens.help import HelpScreen
from screens.nims import NimsScreen
from screens.scope import ScopeScreen
from screens.versions import VersionsScreen
from store.errors import Unavailable
from tests.ui.app_factory import MakeApp, ops_oncall
from tests.ui.pilot_helpers import app_of, settle, wait_for_screen, wait_until

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((120, 36), id="120x36"), pytest.param((80, 24), id="80x24")]


def steps(*actions: Callable[[Pilot[None]], Awaitable[None]]) -> Any:
    """One `run_before` made of several steps, run in order."""

    async def run(pilot: Pilot[None]) -> None:
        for action in actions:
            await action(pilot)

    return run


def footer_settled(screen: Screen[object]) -> bool:
    """Whether the screen's footer shows the keys its bindings have now: it redraws
    them a refresh or two after the focus moves, and a picture must not race that."""
    footers = screen.query(Footer)
    if not footers:
        return True
    shown = {key.action for key in footers.first().query(FooterKey)}
    wanted = {
        binding.action
        for _, binding, _, _ in screen.active_bindings.values()
        if binding.show
    }
    return wanted <= shown and len(shown - wanted) <= 1  # the command palette's


def on(kind: type) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Wait until the screen on top is of `kind`, with its data loaded and a widget
    in focus (the footer shows the keys of what has the focus)."""

    async def wait(pilot: Pilot[None]) -> None:
        await wait_for_screen(pilot, kind)
        await wait_until(pilot, lambda: pilot.app.focused is not None)
        await wait_until(pilot, lambda: footer_settled(pilot.app.screen))

    return wait


async def table_focused(pilot: Pilot[None]) -> None:
    """Wait until the table has the focus (and the footer shows its keys)."""
    await wait_until(pilot, lambda: isinstance(pilot.app.focused, DataTable))


def press(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Press keys, then let the workers finish."""

    async def run(pilot: Pilot[None]) -> None:
        await pilot.press(*keys)
        await settle(pilot)

    return run


def pick(key: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Put the cursor of the screen's table on the row with this key."""

    async def run(pilot: Pilot[None]) -> None:
        table = pilot.app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(key))
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES)
def test_scope_screen(snap_compare: SnapCompare, make_app: MakeApp, size: Any) -> None:
    """The Scope form: org `nv-inference`, user `ops-oncall`, `user` scope chosen."""
    app = make_app(None)
    assert snap_compare(app, terminal_size=size, run_before=on(ScopeScreen))


@pytest.mark.parametrize("size", SIZES)
def test_clusters_screen(
    snap_compare: SnapCompare, make_app: MakeApp, size: Any
) -> None:
    """Three clusters of nv-inference with ops-oncall's deployment counts; the
    header names the store, the identity and the user scope."""
    app = make_app(ops_oncall())
    assert snap_compare(app, terminal_size=size, run_before=on(ClustersScreen))


@pytest.mark.parametrize("size", SIZES)
def test_all_deployments_screen(
    snap_compare: SnapCompare, make_app: MakeApp, size: Any
) -> None:
    """Every nv-inference deployment (organization scope), newest change first,
    statuses coloured, ages relative to the pinned clock, `rows 1-N of N` below."""
    app = make_app(ops_oncall("organization"))
    run = steps(on(ClustersScreen), press("d"), on(DeploymentsScreen))
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_filtered_sorted_deployments(
    snap_compare: SnapCompare, make_app: MakeApp, size: Any
) -> None:
    """Only deployments whose name contains `canary`, sorted by name A-Z (the
    name header shows ▲), and the filter text in the input and the paging line."""
    app = make_app(ops_oncall("organization"))
    run = steps(
        on(ClustersScreen),
        press("d"),
        on(DeploymentsScreen),
        press("slash", *"canary"),
        press("enter"),
        table_focused,
        press("1"),
    )
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_deployment_screen(
    snap_compare: SnapCompare, make_app: MakeApp, size: Any
) -> None:
    """Deployment trtllm-agg-router-canary-6: its status, the history newest
    first with the active revision marked, and the active revision's targets with
    every service's replicas, requests and limits and the DMS resources."""
    app = make_app(ops_oncall())
    run = steps(
        on(ClustersScreen),
        pick("us-west-h100"),
        press("enter"),
        on(DeploymentsScreen),
        press("enter"),
        on(DeploymentScreen),
    )
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_nims_screen(snap_compare: SnapCompare, make_app: MakeApp, size: Any) -> None:
    """The Compound NIMs of nv-inference with version counts and latest versions."""
    app = make_app(ops_oncall("organization"))
    run = steps(on(ClustersScreen), press("n"), on(NimsScreen))
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_versions_screen(
    snap_compare: SnapCompare, make_app: MakeApp, size: Any
) -> None:
    """The versions of trtllm-agg-router, newest first, image build statuses
    coloured (failed in red), with their services."""
    app = make_app(ops_oncall("organization"))
    run = steps(
        on(ClustersScreen),
        press("n"),
        on(NimsScreen),
        pick("trtllm-agg-router"),
        press("enter"),
        on(VersionsScreen),
    )
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_deployments_of_a_version(
    snap_compare: SnapCompare, make_app: MakeApp, size: Any
) -> None:
    """The deployments running trtllm-agg-router:fqfjzczbttof7jyu, and only them."""
    app = make_app(ops_oncall("organization"))
    run = steps(
        on(ClustersScreen),
        press("n"),
        on(NimsScreen),
        pick("trtllm-agg-router"),
        press("enter"),
        on(VersionsScreen),
        pick("fqfjzczbttof7jyu"),
        press("enter"),
        on(DeploymentsScreen),
    )
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare: SnapCompare, make_app: MakeApp, size: Any) -> None:
    """The help over the Clusters screen: its keys first, then the global ones."""
    app = make_app(ops_oncall())
    run = steps(on(ClustersScreen), press("question_mark"), on(HelpScreen))
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_error_screen(snap_compare: SnapCompare, make_app: MakeApp, size: Any) -> None:
    """An unusable store: the error modal names the problem and the fix, with no
    traceback."""
    app = make_app(ops_oncall())

    async def fail(pilot: Pilot[None]) -> None:
        problem = Unavailable("the database at cai.db is locked by another program")
        app_of(pilot).show_failure(problem, "loading clusters")
        await settle(pilot)

    run = steps(on(ClustersScreen), fail, on(ErrorScreen))
    assert snap_compare(app, terminal_size=size, run_before=run)


def test_terminal_too_small(snap_compare: SnapCompare, make_app: MakeApp) -> None:
    """At 50x14 only the message `terminal too small: resize to at least 60x16`."""
    app = make_app(ops_oncall())

    async def loaded(pilot: Pilot[None]) -> None:
        # Nothing takes the focus here: the screen's widgets are hidden.
        await wait_for_screen(pilot, ClustersScreen)

    assert snap_compare(app, terminal_size=(50, 14), run_before=loaded)
