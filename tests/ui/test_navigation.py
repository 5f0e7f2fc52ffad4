"""Pilot tests of the dashboard over the replayed fixture history."""

from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Input, Label

from cai_tui.app import CaiApp, Setup
from cai_tui.widgets.revision_tree import RevisionTree
from screens.clusters import ClustersScreen
from screens.deployment import DeploymentScreen
from screens.deployments import DeploymentsScreen
from screens.help import HelpScreen
from screens.nims import NimsScreen
from screens.scope import ScopeScreen
from screens.versions import VersionsScreen
from store.schemas import Caller, Identity
from tests.ui.app_factory import MakeApp, ops_oncall
from tests.ui.pilot_helpers import column, settle, wait_for_screen, wait_until

pytestmark = pytest.mark.anyio
SIZE = (120, 36)


def table_of(screen: object, selector: str = "DataTable") -> DataTable[object]:
    """The screen's main table."""
    assert hasattr(screen, "query_one")
    table = screen.query_one(selector)
    assert isinstance(table, DataTable)
    return table


def deployments_shown(screen: object) -> DeploymentsScreen:
    """The screen, checked to be a Deployments screen."""
    assert isinstance(screen, DeploymentsScreen)
    return screen


async def test_scope_to_clusters_to_deployment_and_back(make_app: MakeApp) -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ScopeScreen)
        assert app.screen.query_one("#org", Input).value == "nv-inference"

        await pilot.press("enter")
        await wait_for_screen(pilot, ClustersScreen)
        clusters = table_of(app.screen)
        assert set(column(clusters, "name")) >= {"default", "us-west-h100"}

        clusters.move_cursor(row=clusters.get_row_index("us-west-h100"))
        await pilot.press("enter")
        await wait_for_screen(pilot, DeploymentsScreen)
        deployments = deployments_shown(app.screen)
        names = column(table_of(deployments), "name")
        assert names, "ops-oncall has deployments in us-west-h100"
        assert set(column(table_of(deployments), "cluster")) == {"us-west-h100"}

        await pilot.press("enter")
        await wait_for_screen(pilot, DeploymentScreen)
        detail = app.screen
        assert isinstance(detail, DeploymentScreen)
        assert detail.deployment_name == names[0]
        revisions = table_of(detail, "#revisions")
        assert revisions.row_count >= 1
        assert "active" in column(revisions, "status")
        tree = detail.query_one(RevisionTree)
        assert "revision" in str(tree.root.label)
        assert any("target" in str(node.label) for node in tree.root.children)

        await pilot.press("escape")
        assert isinstance(app.screen, DeploymentsScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ClustersScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ClustersScreen), "the first screen stays"


async def test_scope_needs_an_organization(make_app: MakeApp) -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ScopeScreen)
        app.screen.query_one("#org", Input).value = ""
        await pilot.press("enter")
        await pilot.pause()

        assert isinstance(app.screen, ScopeScreen)
        problem = app.screen.query_one("#problem", Label)
        assert problem.has_class("-shown")
        assert "organization" in str(problem.render())


async def test_nims_to_versions_to_deployments_of_a_version(make_app: MakeApp) -> None:
    app = make_app(ops_oncall("organization"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        await pilot.press("n")
        await wait_for_screen(pilot, NimsScreen)
        nims = table_of(app.screen)
        nims.move_cursor(row=nims.get_row_index("trtllm-agg-router"))

        await pilot.press("enter")
        await wait_for_screen(pilot, VersionsScreen)
        versions = table_of(app.screen)
        assert "fqfjzczbttof7jyu" in column(versions, "version")
        versions.move_cursor(row=versions.get_row_index("fqfjzczbttof7jyu"))

        await pilot.press("enter")
        await wait_for_screen(pilot, DeploymentsScreen)
        # The tags column is clipped to the terminal: check the rows it shows.
        rows = deployments_shown(app.screen).page.items
        assert rows and table_of(app.screen).row_count == len(rows)
        assert all("trtllm-agg-router:fqfjzczbttof7jyu" in row.tags for row in rows)


async def test_filter_by_name(make_app: MakeApp) -> None:
    app = make_app(ops_oncall("organization"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        await pilot.press("d")
        await wait_for_screen(pilot, DeploymentsScreen)
        before = column(table_of(app.screen), "name")

        await pilot.press("slash", *"canary")
        await settle(pilot)
        after = column(table_of(app.screen), "name")
        assert after and len(after) < len(before)
        assert all("canary" in name for name in after)
        assert "canary" in str(app.screen.query_one("#page-line").render())

        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is table_of(app.screen), "Enter returns to the table"


async def test_sort_by_column_both_ways(make_app: MakeApp) -> None:
    app = make_app(ops_oncall("organization"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        await pilot.press("d")
        await wait_for_screen(pilot, DeploymentsScreen)

        await pilot.press("1")
        await settle(pilot)
        names = column(table_of(app.screen), "name")
        assert names == sorted(names)

        await pilot.press("1")
        await settle(pilot)
        assert column(table_of(app.screen), "name") == sorted(names, reverse=True)


async def test_status_filter_cycles(make_app: MakeApp) -> None:
    app = make_app(ops_oncall("organization"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        await pilot.press("d")
        await wait_for_screen(pilot, DeploymentsScreen)

        await pilot.press("s")
        await settle(pilot)
        screen = deployments_shown(app.screen)
        assert screen.page.items == () or all(
            row.status == "unknown" for row in screen.page.items
        )
        assert "status unknown" in str(screen.query_one("#page-line").render())


async def test_paging_moves_one_page_at_a_time(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DeploymentsScreen, "PAGE_SIZE", 5)
    app = make_app(ops_oncall("organization"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        await pilot.press("d")
        await wait_for_screen(pilot, DeploymentsScreen)
        screen = deployments_shown(app.screen)
        total = screen.page.total
        assert total > 10, "the fixture has enough deployments for three pages"
        first = column(table_of(screen), "name")
        assert len(first) == 5
        line = str(screen.query_one("#page-line").render())
        assert line.startswith(f"rows 1-5 of {total}")

        await pilot.press("pagedown")
        await settle(pilot)
        second = column(table_of(screen), "name")
        assert len(second) == 5 and not set(first) & set(second)
        assert str(screen.query_one("#page-line").render()).startswith("rows 6-10")

        await pilot.press("pageup")
        await settle(pilot)
        assert column(table_of(screen), "name") == first

        table_of(screen).move_cursor(row=4)
        await pilot.press("down")
        await settle(pilot)
        assert column(table_of(screen), "name") == second


async def test_help_lists_screen_and_global_keys(make_app: MakeApp) -> None:
    app = make_app(ops_oncall())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        await pilot.press("question_mark")
        await wait_for_screen(pilot, HelpScreen)
        described = column(table_of(app.screen), "does")
        assert {"All deployments", "Quit", "Clusters", "Help"} <= set(described)

        await pilot.press("escape")
        assert isinstance(app.screen, ClustersScreen)


async def test_command_palette_runs_an_action(make_app: MakeApp) -> None:
    app = make_app(ops_oncall("organization"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        await pilot.press("ctrl+p")
        await wait_for_screen(pilot, CommandPalette)
        await pilot.press(*"NIMs")
        palette = app.screen
        results = palette.query_one(CommandList)
        await wait_until(pilot, lambda: results.option_count > 0)

        await pilot.press("enter")
        await wait_for_screen(pilot, NimsScreen)
        assert table_of(app.screen).row_count > 0


async def test_q_quits(make_app: MakeApp) -> None:
    app = make_app(ops_oncall())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        assert app.return_code is None
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0


async def test_user_scope_shows_only_own_deployments(make_app: MakeApp) -> None:
    app = make_app(ops_oncall("user"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        await pilot.press("d")
        await wait_for_screen(pilot, DeploymentsScreen)
        rows = deployments_shown(app.screen).page.items
        assert rows
        assert {row.creator for row in rows} == {"ops-oncall"}
        assert set(column(table_of(app.screen), "creator")) == {"ops-oncall"}


async def test_organization_scope_shows_the_whole_organization(
    make_app: MakeApp,
) -> None:
    app = make_app(ops_oncall("organization"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        await pilot.press("d")
        await wait_for_screen(pilot, DeploymentsScreen)
        rows = deployments_shown(app.screen).page.items
        assert len({row.creator for row in rows}) > 1
        assert {row.organization for row in rows} == {"nv-inference"}


async def test_an_empty_store_suggests_the_demo(tmp_path: Path) -> None:
    """A fresh store shows its `default` cluster and a hint to try `--demo`."""
    from cai_tui.cli import LocalOpener
    from cai_tui.settings import load_settings

    settings = load_settings(
        cai_store=str(tmp_path / "fresh.db"), cai_refresh_seconds=3600
    )
    app = CaiApp(Setup(settings, LocalOpener(settings), Caller(identity=Identity())))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        table = app.screen.query_one(DataTable)
        assert column(table, "name") == ["default"]
        messages = [n.message for n in app._notifications]
        assert any("cai-tui --demo" in m for m in messages)
