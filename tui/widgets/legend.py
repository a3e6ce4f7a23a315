"""A one-line key to the article list's badges: `■1 energy ■2 digital economy …`."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from annotations.themes import Codebook


def legend_content(codebook: Codebook) -> Content:
    """Each theme's badge colour and hotkey, then its name (plain text, never markup)."""
    parts: list[Content | tuple[str, str] | str] = []
    for theme in codebook:
        if parts:
            parts.append("  ")
        parts.append((f"■{theme.hotkey}" if theme.hotkey else "■", theme.color))
        parts.append(Content(" " + theme.name))
    return Content.assemble(*parts) if parts else Content("No themes yet: t creates one")


class ThemeLegend(Static):
    """What the list's ■ marks mean; the number in a list row's badge is its count."""

    DEFAULT_CSS = """
    ThemeLegend {
        height: auto;
        max-height: 3;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def show(self, codebook: Codebook) -> None:
        self.update(legend_content(codebook))
        self.tooltip = "■ colour = theme; in the list, ■N = N annotations of that theme"
