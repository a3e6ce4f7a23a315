"""The status line: article title, database, counts, mode, and the last message."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from annotations.text.sanitize import printable


class StatusLine(Widget):
    """Two lines: the open article's title; then messages, counts and the database path."""

    DEFAULT_CSS = """
    StatusLine {
        height: 2;
        padding: 0 1;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    title: reactive[str] = reactive("")
    message: reactive[str] = reactive("")
    error: reactive[bool] = reactive(False)
    counts: reactive[str] = reactive("")
    db_path: reactive[str] = reactive("")
    read_only: reactive[bool] = reactive(False)
    mode: reactive[str] = reactive("")  # e.g. "Suggestions 4 · View: ana"; shown as a badge
    queued: reactive[int] = reactive(0)  # team mode: edits waiting for the server

    def render(self) -> Content:
        # Titles, authors (in the view badge) and messages quote outside text: escape it.
        top = Content(printable(self.title) or "(no article)").stylize("bold")
        parts: list[Content | tuple[str, str] | str] = []
        if self.read_only:
            parts.append((" READ-ONLY ", "bold reverse"))
            parts.append(" ")
        if self.mode:
            parts.append((f" {printable(self.mode)} ", "bold reverse $accent"))
            parts.append(" ")
        if self.queued:
            parts.append((f" {self.queued} queued ", "bold reverse $warning"))
            parts.append(" ")
        if self.message:
            parts.append((printable(self.message), "bold $error" if self.error else "bold $accent"))
            parts.append("  ")
        parts.append((printable(f"{self.counts}  {self.db_path}"), "dim"))
        second = Content.assemble(*parts)
        return Content("\n").join([top, second])

    def say(self, message: str, error: bool = False) -> None:
        self.message = message
        self.error = error
