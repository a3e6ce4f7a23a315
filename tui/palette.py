"""Command palette: every main-screen and app action, from the action registry and keymap."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from annotations.themes import Codebook
from tui.keymap import keymap, palette_only
from tui.screens.main import MainScreen

# The sections whose actions the palette can run from the main screen…
SECTIONS = {"Reader: selecting", "Annotating", "Insight", "App"}
# …and from the search screen (f2 there).
SEARCH_SECTIONS = {"Search"}


def palette_commands(
    codebook: Codebook | None = None, *, search: bool = False
) -> list[tuple[str, str, str]]:
    """(title, action, keys) for every command, in keymap order; with the codebook the
    theme keys are named by their themes ("1 energy"). `search`: the search screen's."""
    out: list[tuple[str, str, str]] = []
    wanted = SEARCH_SECTIONS if search else SECTIONS | {"More"}
    for entry in [*keymap(codebook), *([] if search else palette_only())]:
        if entry.section not in wanted or entry.action.startswith("cursor_"):
            continue
        if entry.action == "app.command_palette":
            continue
        out.append((entry.description, entry.action, entry.keys))
    return out


def _is_search(screen: object) -> bool:
    # Imported when the palette opens: the search screen (and engine) are not needed to start.
    from tui.screens.search import SearchScreen

    return isinstance(screen, SearchScreen)


class TaglineCommands(Provider):
    def _commands(self) -> list[tuple[str, str, str]]:
        workspace = getattr(self.app, "workspace", None)
        return palette_commands(
            workspace.store.codebook if workspace else None,
            search=_is_search(self.screen),
        )

    async def _run(self, action: str) -> None:
        screen = self.app.screen
        if action.startswith("search."):  # the search screen's own (opened over it: f2)
            if _is_search(screen):
                await screen.run_action(action.removeprefix("search."))
            return
        # Screen actions belong to the main screen; the palette may sit above another.
        if action.startswith("screen.") and not isinstance(screen, MainScreen):
            return
        if not action.startswith(("app.", "screen.")):  # a reader key (w): the reader runs it
            if isinstance(screen, MainScreen):
                await screen.reader.run_action(action)
            return
        await self.app.run_action(action)

    def _prompt(self, title: str, keys: str) -> Content:
        return Content.assemble(title, (f"  {keys}", "dim") if keys else "")

    async def discover(self) -> Hits:
        # The key as help, never the internal action id.
        for title, action, keys in self._commands():
            yield DiscoveryHit(self._prompt(title, keys), partial(self._run, action), help=keys)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, keys in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action), help=keys)
