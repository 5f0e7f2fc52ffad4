"""Pilot tests of keys: quitting from modals, the help's Enter, roll back's focus."""

import pytest
from textual.widgets import DataTable, Input, Static

from cai_tui.widgets.cells import short_uid
from cai_tui.widgets.revision_tree import RevisionTree
from screens.clusters import ClustersScreen
from screens.deployments import DeploymentsScreen
from screens.error import ErrorScreen
from screens.help import HelpScreen
from screens.nims import NimsScreen
from screens.preview import PreviewScreen
from screens.versions import VersionsScreen
from store.errors import Unavailable
from tests.ui.app_factory import MakeApp, ops_oncall
from tests.ui.pilot_helpers import app_of, column, settle, wait_for_screen, wait_until
from tests.ui.rollout_world import (
    CANARY,
    CLUSTER,
    SIZE,
    World,
    embedded_world,
    open_deployment,
)

__all__ = ["embedded_world"]
pytestmark = pytest.mark.anyio


def help_rows(screen: object) -> dict[str, str]:
    """The help's rows: what each key does."""
    assert isinstance(screen, HelpScreen)
    table = screen.query_one("#keys", DataTable)
    return dict(zip(column(table, "does"), column(table, "key"), strict=True))


async def test_q_quits_from_the_error_modal(make_app: MakeApp) -> None:
    app = make_app(ops_oncall())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        app_of(pilot).show_failure(Unavailable("the store is gone"), "loading")
        await wait_for_screen(pilot, ErrorScreen)
        assert app.return_code is None

        await pilot.press("q")
        assert app.return_code == 0


async def test_ctrl_c_quits_from_the_help(make_app: MakeApp) -> None:
    app = make_app(ops_oncall())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        await pilot.press("question_mark")
        await wait_for_screen(pilot, HelpScreen)

        await pilot.press("ctrl+c")
        assert app.return_code == 0


async def test_q_is_a_letter_in_a_modal_input_and_ctrl_c_quits_there(
    embedded_world: World,
) -> None:
    app = embedded_world.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_deployment(pilot)
        await pilot.press("X")
        await wait_for_screen(pilot, PreviewScreen)
        typed = app.screen.query_one("#reason", Input)
        await wait_until(pilot, lambda: typed.has_focus)

        await pilot.press("q")
        assert typed.value == "q" and app.return_code is None
        await pilot.press("ctrl+c")
        assert app.return_code == 0


async def test_help_lists_enter_where_it_opens_something(make_app: MakeApp) -> None:
    app = make_app(ops_oncall("organization"))
    async with app.run_test(size=SIZE) as pilot:
        expected = [
            (ClustersScreen, "Open", None),
            (DeploymentsScreen, "Open", "d"),
            (NimsScreen, "Open versions", "n"),
            (VersionsScreen, "Open deployments", "enter"),
        ]
        await wait_for_screen(pilot, ClustersScreen)
        for kind, does, key in expected:
            if key is not None:
                await pilot.press(key)
                await wait_for_screen(pilot, kind)
            await wait_until(pilot, lambda: isinstance(app.focused, DataTable))
            await pilot.press("question_mark")
            await wait_for_screen(pilot, HelpScreen)
            assert help_rows(app.screen).get(does) in ("⏎", "enter"), kind.__name__
            await pilot.press("escape")
            await settle(pilot)


async def test_roll_back_works_only_from_the_history(embedded_world: World) -> None:
    app = embedded_world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deployment(pilot)
        earlier = embedded_world.store().list_revisions(CLUSTER, CANARY).items[1]
        await pilot.press("down", "t")
        assert screen.query_one(RevisionTree).has_focus
        shown = {e.binding.id for e in screen.active_bindings.values() if e.enabled}
        assert "roll-back" not in shown, "B is hidden while the tree has the focus"

        await pilot.press("B")
        await settle(pilot)
        assert app.screen is screen, "B does nothing from the tree"

        await pilot.press("h", "B")
        await wait_for_screen(pilot, PreviewScreen)
        title = str(app.screen.query_one("#preview-title", Static).render())
        assert f"back to revision {short_uid(earlier.uid)}" in title
        assert earlier.creator in title


async def test_each_confirmation_input_has_its_own_label(
    embedded_world: World,
) -> None:
    app = embedded_world.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_deployment(pilot)
        await pilot.press("X")
        await wait_for_screen(pilot, PreviewScreen)
        preview = app.screen
        labels = list(preview.query(".label").results(Static))
        reason, typed = preview.query_one("#reason"), preview.query_one("#typed")

        assert [str(label.render()) for label in labels] == [
            "Reason, kept in the history (optional):",
            f"Type {CANARY} to confirm:",
        ]
        assert labels[0].region.y == reason.region.y - 1
        assert labels[1].region.y == typed.region.y - 1
        assert labels[1].region.y >= reason.region.y + 2, "a blank line between"
