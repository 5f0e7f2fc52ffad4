"""The Version picker modal: choose a Compound NIM version to deploy.

Only versions whose image build succeeded can be chosen; the others are shown
greyed, with the reason.
"""

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from cai_tui.widgets.cells import age
from screens.context import ScreenContext
from screens.modal import QuitModal
from store.schemas import PageRequest, VersionView

MAX_VERSIONS = 500

_NOT_READY = {
    "failed": "image build failed",
    "pending": "image build pending",
    "building": "image still building",
}


class VersionPickerScreen(QuitModal[VersionView | None]):
    """Versions of one NIM (or of every NIM in scope), newest first, searchable."""

    CSS_PATH = "version_picker.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-pick"),
        Binding("slash", "focus_filter", "Filter", key_display="/", id="pick-filter"),
    ]

    def __init__(
        self, context: ScreenContext, nim: str | None, current: str | None = None
    ) -> None:
        super().__init__()
        self.context = context
        self.nim = nim
        self.current = current
        self.versions: list[VersionView] = []

    def compose(self) -> ComposeResult:
        """Heading, filter, the list of versions."""
        with Vertical(id="picker"):
            what = f"a version of {self.nim}" if self.nim else "a Compound NIM version"
            yield Static(f"Choose {what}", id="picker-title")
            yield Input(placeholder="filter by tag (press / to type)", id="filter")
            yield LoadingIndicator()
            yield OptionList(id="versions")
            yield Static("enter chooses · escape cancels", id="picker-hint")

    def on_mount(self) -> None:
        """Load the versions."""
        self.query_one(OptionList).display = False
        self._load()

    @work(thread=True, exit_on_error=False, description="loading versions")
    def _load(self) -> None:
        store = self.context.store
        nims = [self.nim] if self.nim else [n.name for n in store.list_nims().items]
        versions: list[VersionView] = []
        for nim in nims:
            page = store.list_versions(nim, PageRequest(count=MAX_VERSIONS))
            versions.extend(page.items)
        self.app.call_from_thread(self._loaded, versions)

    def _loaded(self, versions: list[VersionView]) -> None:
        self.versions = versions
        self.query_one(LoadingIndicator).display = False
        listing = self.query_one(OptionList)
        listing.display = True
        self._fill("")
        listing.focus()

    def _fill(self, search: str) -> None:
        listing = self.query_one(OptionList)
        listing.clear_options()
        for version in self.versions:
            if search and search not in version.tag:
                continue
            listing.add_option(self._option(version))
        if listing.option_count == 0:
            listing.add_option(
                Option(Text("no version matches", style="dim"), disabled=True)
            )
        first = next(
            (
                i
                for i in range(listing.option_count)
                if not listing.get_option_at_index(i).disabled
            ),
            None,
        )
        listing.highlighted = first

    def _option(self, version: VersionView) -> Option:
        reason = _NOT_READY.get(version.image_build_status)
        label = Text(version.tag, style="bold" if reason is None else "dim")
        if version.tag == self.current:
            label.append(" (deployed)", style="cyan")
        # Only a built image has a build time worth showing.
        when, at = ("built", version.build_at) if reason is None else ("created", None)
        shown = age(at or version.created_at, self.context.clock())
        label.append(f"  {when} {shown}", style="dim")
        if reason is not None:
            label.append(f"  {reason}", style="dim red")
        return Option(label, id=version.tag, disabled=reason is not None)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._fill(event.value.strip())

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        chosen = next((v for v in self.versions if v.tag == event.option.id), None)
        if chosen is not None:
            self.dismiss(chosen)

    def action_focus_filter(self) -> None:
        """Put the cursor in the filter."""
        self.query_one("#filter", Input).focus()

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
