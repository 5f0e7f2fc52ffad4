"""Pilot tests of the list screens: columns that fit, filters, empty lists, title."""

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable, Input, Static

from cai_tui.app import CaiApp, Setup
from cai_tui.demo import DEMO_ORG, DemoOpener
from cai_tui.settings import load_settings
from cai_tui.widgets.column_fit import FitColumn, clip, fit_widths
from screens.clusters import ClustersScreen
from screens.deployments import COLUMNS, SHORT_LABELS, DeploymentsScreen
from screens.nims import NimsScreen
from store.clock import PinnedClock
from tests.ui.app_factory import MakeApp, ops_oncall
from tests.ui.fresh_store import FileStoreOpener, fresh_app
from tests.ui.pilot_helpers import column, settle, wait_for_screen, wait_until

pytestmark = pytest.mark.anyio


def deployments_of(screen: object) -> DeploymentsScreen:
    """The screen, checked to be a Deployments screen."""
    assert isinstance(screen, DeploymentsScreen)
    return screen


def page_line(screen: object) -> str:
    """The paging line under the deployments."""
    return str(deployments_of(screen).query_one("#page-line", Static).render())


def test_the_fill_column_takes_what_remains_and_others_shrink_in_turn() -> None:
    columns = [FitColumn("name", "name", 6), FitColumn("tags", "tags ▲", 4)]

    roomy = fit_widths(
        columns, {"name": 10, "tags": 3}, 30, shrink_first=["tags"], fill="tags"
    )
    narrow = fit_widths(
        columns,
        {"name": 20, "tags": 30},
        14,
        shrink_first=["tags", "name"],
        fill="tags",
    )

    assert roomy == {"name": 10, "tags": 20}
    assert narrow == {"name": 8, "tags": 6}, "tags down to its header, then name"
    assert str(clip("trtllm-agg-router", 8)) == "trtllm-…"


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
@pytest.mark.parametrize("sort_key", ["2", "3", "5", "6"])
async def test_every_column_and_its_sort_arrow_fit_the_terminal(
    make_app: MakeApp, size: tuple[int, int], sort_key: str
) -> None:
    app = make_app(ops_oncall("organization"))
    async with app.run_test(size=size) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        await pilot.press("d")
        await wait_for_screen(pilot, DeploymentsScreen)
        await pilot.press(sort_key)
        await settle(pilot)

        table = app.screen.query_one("#deployments", DataTable)
        widths = [c.get_render_width(table) for c in table.ordered_columns]
        assert sum(widths) <= table.scrollable_content_region.width
        labels = [str(c.label) for c in table.ordered_columns]
        for (key, label, _), shown in zip(COLUMNS, labels, strict=True):
            short = SHORT_LABELS.get(key, label)
            assert shown.startswith((label, short)), "no header is cut"
        sortable = [index for index, c in enumerate(COLUMNS) if c[2] is not None]
        sorted_label = labels[sortable[int(sort_key) - 1]]
        assert sorted_label.endswith((" ▼", " ▲"))
        for col in table.ordered_columns:
            assert col.width >= cell_len(str(col.label))


async def test_the_nims_filter_asks_the_store_and_gives_the_table_back(
    make_app: MakeApp,
) -> None:
    app = make_app(ops_oncall("organization"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        await pilot.press("n")
        await wait_for_screen(pilot, NimsScreen)
        table = app.screen.query_one(DataTable)
        every = column(table, "name")

        await pilot.press("slash", *"router")
        assert app.screen.query_one("#filter", Input).has_focus
        await wait_until(pilot, lambda: len(column(table, "name")) < len(every))
        names = column(table, "name")
        assert names and all("router" in name for name in names)
        assert "matching `router`" in str(app.screen.query_one("#heading").render())

        await pilot.press("enter")
        await settle(pilot)
        assert table.has_focus and not table.loading

        await pilot.press(
            "slash", *"zz"
        )  # the focus selects the filter: it is replaced
        await wait_until(pilot, lambda: table.row_count == 0)
        assert "none match `zz`" in str(app.screen.query_one("#heading").render())


async def test_a_filter_that_matches_nothing_names_the_filter(
    make_app: MakeApp,
) -> None:
    app = make_app(ops_oncall("organization"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_screen(pilot, ClustersScreen)
        await pilot.press("d")
        await wait_for_screen(pilot, DeploymentsScreen)

        await pilot.press("slash", *"xyz", "enter")
        await wait_until(pilot, lambda: "xyz" in page_line(app.screen))
        assert page_line(app.screen) == "no deployments match `xyz`"


async def test_an_empty_store_has_no_deployments_yet_and_a_read_only_title(
    tmp_path: Path, pinned_clock: PinnedClock
) -> None:
    opener = FileStoreOpener(tmp_path / "cai.db", pinned_clock)
    app = fresh_app(opener, tmp_path, read_only=True)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for_screen(pilot, ClustersScreen)
            assert app.title.endswith(" · read-only")
            hints = [n.message for n in app._notifications]
            assert hints == [
                "No deployments for ops-oncall of nv-inference (user scope) yet. "
                "To look around first, quit and run `cai-tui --demo`: a throw-away "
                "store with demo data."
            ]
            await pilot.press("d")
            await wait_for_screen(pilot, DeploymentsScreen)
            assert page_line(app.screen) == "no deployments yet"
    finally:
        opener.close()


def test_names_are_cut_in_the_middle_so_their_ends_stay_apart() -> None:
    from cai_tui.widgets.column_fit import clip_middle

    six = clip_middle("trtllm-agg-router-canary-6", 16)
    nine = clip_middle("trtllm-agg-router-canary-9", 16)
    assert six.cell_len == nine.cell_len == 16
    assert six.plain != nine.plain
    assert six.plain.startswith("trtllm") and six.plain.endswith("-6")
    assert clip_middle("short", 16).plain == "short"


async def test_an_empty_scope_of_the_demo_says_where_its_data_is(
    tmp_path: Path,
) -> None:
    settings = load_settings(
        cai_store=str(tmp_path / "unused.db"),
        cai_log_file=str(tmp_path / "cai-tui.log"),
        cai_refresh_seconds=3600,
    )
    demo = DemoOpener(settings)
    try:
        app = CaiApp(Setup(demo.settings, demo, ops_oncall(), demo=True))
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for_screen(pilot, ClustersScreen)
            await wait_until(pilot, lambda: bool(app._notifications))
            hint = next(iter(app._notifications)).message
            assert hint.startswith("No deployments for ops-oncall of nv-inference")
            assert f"organization `{DEMO_ORG}`" in hint
            assert "--demo" in app.title
    finally:
        demo.cleanup()
