"""Pilot tests of what goes wrong: DMS failures, leftovers, conflicts, read-only.

Also the diff of two marked revisions, which writes nothing.
"""

import pytest
from textual.widgets import Static

from cai_tui.widgets.diff_table import DiffTable
from cai_tui.widgets.messages import WorkFailed
from screens.deploy_form import DeployFormScreen
from screens.deployment import DeploymentScreen
from screens.diff import DiffScreen
from screens.error import ErrorScreen
from screens.help import HelpScreen
from screens.preview import PreviewScreen
from store.schemas import TargetSpec
from tests.ui.pilot_helpers import column, wait_for_screen, wait_until
from tests.ui.rollout_world import (
    CANARY,
    CLUSTER,
    SIZE,
    World,
    embedded_world,
    http_world,
    open_deployment,
)

__all__ = ["embedded_world", "http_world"]
pytestmark = pytest.mark.anyio


def progress_of(screen: DeploymentScreen) -> str:
    """The text of the screen's progress line."""
    return str(screen.query_one("#progress", Static).render())


def summary_of(screen: DeploymentScreen) -> str:
    """The text of the screen's summary."""
    return str(screen.query_one("#summary", Static).render())


async def roll_out_unchanged(pilot: object) -> None:
    """R, preview the form as it is, confirm."""
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("R")
    await wait_for_screen(pilot, DeployFormScreen)
    await pilot.press("ctrl+s")
    await wait_for_screen(pilot, PreviewScreen)
    await pilot.press("enter")


async def test_a_roll_out_failing_at_the_dms_is_shown_then_the_next_works(
    http_world: World,
) -> None:
    world = http_world
    app = world.app()
    failures: list[WorkFailed] = []
    async with app.run_test(size=SIZE, message_hook=_collect(failures)) as pilot:
        screen = await open_deployment(pilot)
        before = world.deployment()
        world.sim.fail_on("create", 2, message="quota exceeded in compoundai")

        await roll_out_unchanged(pilot)
        await wait_until(pilot, lambda: "failed" in progress_of(screen))
        assert "quota exceeded" in progress_of(screen)
        assert not isinstance(app.screen, ErrorScreen), "a DMS refusal is no crash"
        assert failures and "quota exceeded" in str(failures[0].error)
        assert world.deployment().active_revision_uid == before.active_revision_uid

        await roll_out_unchanged(pilot)
        await wait_until(
            pilot,
            lambda: (
                screen.detail is not None
                and screen.detail.active_revision_uid != before.active_revision_uid
            ),
        )
        after = world.deployment()
        assert after.active_revision is not None
        names = {r.name for t in after.active_revision.targets for r in t.resources}
        assert names == world.live_names() & names and names


async def test_a_deactivate_leftover_needs_attention_until_retried(
    http_world: World,
) -> None:
    world = http_world
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deployment(pilot)
        world.sim.fail_on("delete", 2, message="namespace compoundai is locked")

        await pilot.press("X")
        await wait_for_screen(pilot, PreviewScreen)
        # Past the reason, to the name to confirm.
        await pilot.press("tab", *CANARY, "enter")
        await wait_until(pilot, lambda: "needs attention" in summary_of(screen))
        assert "locked" in summary_of(screen)
        assert world.deployment().status == "terminated"
        assert len(world.store().list_leftovers()) == 1

        await pilot.press("L")
        await wait_until(pilot, lambda: "needs attention" not in summary_of(screen))
        assert world.store().list_leftovers() == []


async def test_a_conflict_between_preview_and_confirm_shows_the_fresh_state(
    embedded_world: World,
) -> None:
    world = embedded_world
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deployment(pilot)
        await pilot.press("R")
        await wait_for_screen(pilot, DeployFormScreen)
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, PreviewScreen)

        other = world.store()
        current = other.get_deployment(CLUSTER, CANARY).active_revision
        assert current is not None
        targets = tuple(
            TargetSpec(nim=t.nim, version=t.version, config=t.config)
            for t in current.targets
        )
        theirs = other.roll_out(CLUSTER, CANARY, targets, reason="other session")

        await pilot.press("enter")
        await wait_until(pilot, lambda: "Not done" in progress_of(screen))
        await wait_until(
            pilot,
            lambda: (
                screen.detail is not None
                and screen.detail.active_revision_uid == theirs.active_revision_uid
            ),
        )
        assert world.deployment().active_revision_uid == theirs.active_revision_uid
        history = screen.query_one("#revisions")
        assert "other session" in column(history, "note")[0]  # type: ignore[arg-type]


async def test_a_roll_out_landing_while_the_form_is_open_is_a_conflict(
    embedded_world: World,
) -> None:
    """The form was filled from the revision the user saw: a roll out that lands
    before the preview is not silently undone by this one."""
    world = embedded_world
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deployment(pilot)
        await pilot.press("R")
        await wait_for_screen(pilot, DeployFormScreen)

        other = world.store()
        current = other.get_deployment(CLUSTER, CANARY).active_revision
        assert current is not None
        targets = tuple(
            TargetSpec(nim=t.nim, version=t.version, config=t.config)
            for t in current.targets
        )
        theirs = other.roll_out(CLUSTER, CANARY, targets, reason="landed first")

        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, PreviewScreen)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Not done" in progress_of(screen))
        assert world.deployment().active_revision_uid == theirs.active_revision_uid
        history = other.list_revisions(CLUSTER, CANARY).items
        assert history[0].uid == theirs.active_revision_uid


async def test_mark_two_revisions_and_see_their_diff(embedded_world: World) -> None:
    app = embedded_world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deployment(pilot)
        await pilot.press("v")
        assert not isinstance(app.screen, DiffScreen), "two marks are needed"

        await pilot.press("m", "down", "m", "v")
        await wait_for_screen(pilot, DiffScreen)
        diff = app.screen
        assert isinstance(diff, DiffScreen)
        assert len(screen.marked) == 2
        assert diff.old.created_at < diff.new.created_at
        table = diff.query_one(DiffTable)
        assert table.row_count == len(diff.diff.changes) > 0
        fields = [str(table.get_cell(str(i), "field")) for i in range(table.row_count)]
        assert any("replicas" in f or f == "tag" for f in fields)

        await pilot.press("escape")
        assert app.screen is screen


async def test_read_only_hides_and_refuses_every_write(embedded_world: World) -> None:
    app = embedded_world.app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deployment(pilot)
        shown = {b.binding.id for b in screen.active_bindings.values() if b.enabled}
        assert "roll-out" not in shown and "deactivate" not in shown
        assert "mark-revision" in shown

        await pilot.press("R", "X", "D", "B")
        assert app.screen is screen, "no write opens when read-only"
        screen.action_roll_out()
        await pilot.pause()
        assert app.screen is screen

        await pilot.press("question_mark")
        await wait_for_screen(pilot, HelpScreen)
        described = column(app.screen.query_one("#keys"), "does")  # type: ignore[arg-type]
        assert "Roll out" not in described and "Diff" in described


def _collect(into: list[WorkFailed]):  # type: ignore[no-untyped-def]
    def hook(message: object) -> None:
        if isinstance(message, WorkFailed):
            into.append(message)

    return hook


async def test_operations_list_every_write_and_show_one_whole(
    embedded_world: World,
) -> None:
    """`o` lists the deployment's writes; the highlighted one is shown whole,
    reason and message included."""
    from screens.operations import OperationsScreen

    world = embedded_world
    other = world.store()
    current = other.get_deployment(CLUSTER, CANARY).active_revision
    assert current is not None
    targets = tuple(
        TargetSpec(nim=t.nim, version=t.version, config=t.config)
        for t in current.targets
    )
    other.roll_out(CLUSTER, CANARY, targets, reason="scale for the launch")
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_deployment(pilot)
        await pilot.press("o")
        await wait_for_screen(pilot, OperationsScreen)
        screen = app.screen
        table = screen.query_one("#operations")
        await wait_until(pilot, lambda: table.row_count > 0)  # type: ignore[attr-defined]
        assert column(table, "kind")[0] == "roll out"  # type: ignore[arg-type]
        assert column(table, "outcome")[0] == "succeeded"  # type: ignore[arg-type]
        detail = screen.query_one("#detail", Static)
        await wait_until(pilot, lambda: "scale for the launch" in str(detail.content))
        assert "rolled out" in str(detail.content)
