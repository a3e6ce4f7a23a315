"""Command palette: every action of the main screen and app, taken from the bindings."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tui.keymap import keymap

# Actions reachable only from the palette (no key of their own).
EXTRA = [
    ("Codebook: add, rename, recolour, remove themes", "screen.codebook", ""),
    # `x` is the reader's delete key; on a shown suggestion it rejects instead.
    ("Reject suggestion at the caret", "screen.reject_suggestion", "x"),
]
SCREEN_SECTIONS = {"Annotating", "Insight"}  # actions of the main screen
SECTIONS = {"Reader: selecting", "App"} | SCREEN_SECTIONS


def palette_commands() -> list[tuple[str, str, str]]:
    """(title, action, keys) for every command, in keymap order."""
    out: list[tuple[str, str, str]] = []
    for entry in keymap():
        if entry.section not in SECTIONS or entry.action.startswith("cursor_"):
            continue
        action = entry.action
        if entry.section in SCREEN_SECTIONS and not action.startswith(("app.", "screen.")):
            action = f"screen.{action}"
        elif entry.section == "App" and not action.startswith(("app.", "screen.")):
            action = f"app.{action}"
        if action == "app.command_palette":
            continue
        out.append((entry.description, action, entry.keys))
    return out + EXTRA


class TaglineCommands(Provider):
    async def _run(self, action: str) -> None:
        from tui.screens.main import MainScreen

        # Screen actions belong to the main screen; the palette may sit above it.
        if action.startswith("screen.") and not isinstance(self.app.screen, MainScreen):
            return
        await self.app.run_action(action)

    def _prompt(self, title: str, keys: str) -> Content:
        return Content.assemble(title, (f"  {keys}", "dim") if keys else "")

    async def discover(self) -> Hits:
        for title, action, keys in palette_commands():
            yield DiscoveryHit(self._prompt(title, keys), partial(self._run, action), help=action)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, keys in palette_commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action), help=keys)
