"""Pilot tests of the write actions, driven by their keys, checked in store and DMS.

Each runs against the embedded simulator and against the simulator served over
HTTP on loopback (`cai-tui dms serve`'s app).
"""

import pytest
from textual.widgets import Input, OptionList, Static

from screens.deploy_form import DeployFormScreen
from screens.deployment import DeploymentScreen
from screens.discard import DiscardScreen
from screens.preview import PreviewScreen
from screens.version_picker import VersionPickerScreen
from store.errors import NotFound
from tests.ui.pilot_helpers import wait_for_screen, wait_until
from tests.ui.rollout_world import (
    CANARY,
    CLUSTER,
    FAILED_BUILD,
    NIM,
    SIZE,
    World,
    open_deployment,
    world,
)

__all__ = ["world"]
pytestmark = pytest.mark.anyio
NEW_VERSION = "v9upctnwlavyf4r6"


def preview_of(screen: object) -> PreviewScreen:
    """The screen, checked to be a loaded preview."""
    assert isinstance(screen, PreviewScreen)
    return screen


def progress_of(screen: DeploymentScreen) -> str:
    """The text of the screen's progress line."""
    return str(screen.query_one("#progress", Static).render())


async def test_roll_out_a_new_version_and_watch_it_run(world: World) -> None:
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deployment(pilot)
        before = world.deployment()

        await pilot.press("R")
        await wait_for_screen(pilot, DeployFormScreen)
        await pilot.press("shift+tab", "enter")
        await wait_for_screen(pilot, VersionPickerScreen)
        listing = app.screen.query_one(OptionList)
        failed = listing.get_option(f"{NIM}:{FAILED_BUILD}")
        assert failed.disabled, "a failed image build cannot be chosen"
        assert "image build failed" in str(failed.prompt)
        assert "  created " in str(failed.prompt), "a failed build was never built"
        await pilot.press("slash", *NEW_VERSION[:5], "enter", "enter")
        await wait_for_screen(pilot, DeployFormScreen)

        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, PreviewScreen)
        preview = preview_of(app.screen)
        assert preview.preview is not None
        changes = [c.path for c in preview.preview.diff.changes]
        assert f"{NIM}.tag" in changes
        calls = str(preview.query_one("#calls", Static).render())
        assert "POST" in calls and "DELETE" in calls
        await pilot.press(*"new build", "enter")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: "following" in progress_of(screen))

        after = world.deployment()
        assert after.active_revision is not None
        assert after.active_revision_uid != before.active_revision_uid
        assert after.tags == (f"{NIM}:{NEW_VERSION}",)
        assert after.active_revision.reason == "new build"
        names = {r.name for t in after.active_revision.targets for r in t.resources}
        assert names <= world.live_names()

        world.clock.advance(30)
        await wait_until(pilot, lambda: "is running" in progress_of(screen))
        assert world.deployment().status == "running"


async def test_roll_back_to_an_earlier_revision(world: World) -> None:
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deployment(pilot)
        earlier = world.store().list_revisions(CLUSTER, CANARY).items[1]
        active = world.deployment().active_revision_uid

        await pilot.press("down", "B")
        await wait_for_screen(pilot, PreviewScreen)
        assert preview_of(app.screen).preview is not None
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                screen.detail is not None
                and screen.detail.active_revision_uid != active
            ),
        )

        history = world.store().list_revisions(CLUSTER, CANARY).items
        assert history[0].status == "active"
        assert history[0].rolled_back_from == earlier.uid
        assert history[0].tags == earlier.tags
        table = screen.query_one("#revisions")
        assert hasattr(table, "get_cell")
        note = str(table.get_cell(history[0].uid, "note"))
        assert note.startswith("roll back of")


async def test_deactivate_then_delete_by_typing_the_name(world: World) -> None:
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deployment(pilot)
        running = {
            r.name
            for t in world.deployment().active_revision.targets  # type: ignore[union-attr]
            for r in t.resources
        }

        await pilot.press("X")
        await wait_for_screen(pilot, PreviewScreen)
        preview = preview_of(app.screen)
        await wait_until(pilot, lambda: preview.preview is not None)
        # The reason first, as the fields read; Enter there goes on to the name.
        await pilot.press(*"night maintenance", "enter", *"wrong", "enter")
        assert app.screen is preview, "a wrong name does not confirm"
        preview.query_one("#typed", Input).value = ""
        await pilot.press(*CANARY, "enter")
        await wait_until(pilot, lambda: "done" in progress_of(screen))
        assert world.deployment().status == "terminated"
        assert not running & world.live_names()

        await pilot.press("D")
        await wait_for_screen(pilot, PreviewScreen)
        await wait_until(pilot, lambda: preview_of(app.screen).preview is not None)
        await pilot.press("tab", *CANARY, "enter")
        await wait_until(pilot, lambda: app.screen is not screen)
        with pytest.raises(NotFound):
            world.deployment()


async def test_create_a_deployment(world: World) -> None:
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_deployment(pilot)
        await pilot.press("escape", "N")
        await wait_for_screen(pilot, DeployFormScreen)
        # From every cluster's list the form asks for the cluster, starting from
        # the highlighted deployment's.
        assert app.screen.query_one("#cluster", Input).value == CLUSTER
        await pilot.press("tab", *"ops-new", "tab", "tab", "enter")
        await wait_for_screen(pilot, VersionPickerScreen)
        await pilot.press("slash", *NEW_VERSION[:5], "enter", "enter")
        await wait_for_screen(pilot, DeployFormScreen)
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, PreviewScreen)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DeploymentScreen))

        created = world.store().get_deployment(CLUSTER, "ops-new")
        assert created.tags == (f"{NIM}:{NEW_VERSION}",)
        assert created.namespace == "compoundai"
        names = {r.name for t in created.active_revision.targets for r in t.resources}  # type: ignore[union-attr]
        assert names and names <= world.live_names()
        services = created.active_revision.targets[0].config.services  # type: ignore[union-attr]
        assert set(services) == {"Frontend", "Processor", "Router", "TensorRTLLMWorker"}


async def test_create_form_problems_follow_the_edits(world: World) -> None:
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_deployment(pilot)
        await pilot.press("escape", "N")
        await wait_for_screen(pilot, DeployFormScreen)
        form = app.screen
        cluster = form.query_one("#cluster", Input)
        cluster.value = ""
        await pilot.press(*"Bad_Cluster", "ctrl+s")
        problems = form.query_one("#problems", Static)
        await wait_until(pilot, lambda: "cluster" in str(problems.render()))
        assert app.screen is form, "no preview while the form has problems"

        cluster.value = ""
        cluster.focus()
        await pilot.press(*"default")
        await wait_until(pilot, lambda: "cluster" not in str(problems.render()))
        assert "deployment" in str(problems.render()), "the empty name still is one"
        await pilot.press("tab", *"ops-fixed")
        await wait_until(
            pilot,
            lambda: str(problems.render()).startswith("no NIM version chosen"),
        )
        assert "\n" not in str(problems.render()), "only the version is left"


async def test_escape_asks_before_throwing_edits_away(world: World) -> None:
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deployment(pilot)
        before = world.deployment().active_revision_uid
        await pilot.press("R")
        await wait_for_screen(pilot, DeployFormScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        assert not screen.draft, "an untouched form closes at once"

        await pilot.press("R")
        await wait_for_screen(pilot, DeployFormScreen)
        form = app.screen
        field = form.query(Input).first()
        field.focus()
        await pilot.press("end", "7", "escape")
        await wait_for_screen(pilot, DiscardScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is form)
        assert field.value.endswith("7"), "keeping on editing keeps what was typed"

        await pilot.press("escape")
        await wait_for_screen(pilot, DiscardScreen)
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is screen)
        assert world.deployment().active_revision_uid == before


async def test_at_the_smallest_size_every_field_of_the_form_can_be_seen(
    world: World,
) -> None:
    app = world.app()
    async with app.run_test(size=(60, 16)) as pilot:
        await open_deployment(pilot)
        await pilot.press("R")
        await wait_for_screen(pilot, DeployFormScreen)
        form = app.screen
        last = list(form.query(Input))[-1]
        last.focus()
        await pilot.pause()
        # The form scrolls sideways to the field in focus; nothing is cut off.
        screen = form.region
        await wait_until(pilot, lambda: screen.contains_region(last.region))
        assert last.region.width > 0
