"""The command palette's provider: every binding of the screen and the app."""

from collections.abc import Iterator
from functools import partial

from textual.binding import ActiveBinding, Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen


def described_bindings(
    active: dict[str, ActiveBinding],
) -> Iterator[tuple[str, ActiveBinding]]:
    """Each enabled binding of this dashboard (it has an id), once, with its key.

    Textual's own navigation keys (cursor moves, tab, copy) have no id: they work
    everywhere and would only crowd the help and the palette.
    """
    seen: set[tuple[int, str, str]] = set()
    for key, entry in active.items():
        binding = entry.binding
        if not binding.description or not binding.id or not entry.enabled:
            continue
        marker = (id(entry.node), binding.action, binding.description)
        if marker in seen:
            continue
        seen.add(marker)
        yield key, entry


def shadowed_bindings(
    screen: Screen[object], active: dict[str, ActiveBinding]
) -> Iterator[Binding]:
    """The screen's own enabled bindings that a focused widget's key hides.

    A focused table binds enter itself and then tells the screen, which opens the
    row: the screen's enter binding never becomes the active one, yet it is what
    enter does there.
    """
    for cls in type(screen).__mro__:
        for binding in vars(cls).get("BINDINGS", ()):
            if not isinstance(binding, Binding) or not binding.id:
                continue
            entry = active.get(binding.key)
            if entry is None or entry.binding.id:
                continue
            action = binding.action.split("(", 1)[0]
            if screen.check_action(action, ()):
                yield binding


class BindingCommands(Provider):
    """Offers every action bound on the calling screen (and the app) as a command."""

    def _commands(self) -> Iterator[tuple[str, str, ActiveBinding]]:
        for key, entry in described_bindings(self.screen.active_bindings):
            if entry.binding.id == "command-palette":
                continue
            display = self.app.get_key_display(entry.binding)
            yield entry.binding.description, display or key, entry

    async def _run(self, entry: ActiveBinding) -> None:
        await self.app.run_action(entry.binding.action, entry.node)

    async def discover(self) -> Hits:
        """List every action when nothing is typed yet."""
        for description, key, entry in sorted(self._commands(), key=lambda c: c[0]):
            yield DiscoveryHit(
                description, partial(self._run, entry), help=f"key: {key}"
            )

    async def search(self, query: str) -> Hits:
        """Actions whose description matches what is typed."""
        matcher = self.matcher(query)
        for description, key, entry in self._commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(description),
                    partial(self._run, entry),
                    text=description,
                    help=f"key: {key}",
                )
